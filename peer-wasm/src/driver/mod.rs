//! The driver: carries out what the state machine (the `peer-core` crate) asks, against
//! the browser, and feeds it what happens, with the time. It owns the connections, one
//! timer (at the machine's next deadline, `crate::alarm`), the waiting calls, the signaling
//! transport and the event handler; the machine owns every decision.
//!
//! Inputs are applied one at a time and their outputs executed in order. An event
//! handler may call back into the peer (even `close()`): what that call causes is
//! queued behind the outputs being executed, never run inside them, so events keep
//! their order and none is lost.

mod execute;
mod mesh;
mod send;
mod setup;
mod signaling_events;
mod signing;

pub(crate) use setup::{Ice, Setup};

use crate::alarm::Alarm;
use crate::api::events::PeerEvent;
use crate::error::PeerError;
use crate::files::{FileHandler, IncomingFile};
use crate::identity::Identity;
use crate::signaling::link::{SignalingLink, SignalingTransport};
use crate::signaling::rejoin::Rejoin;
use crate::signaling::same_origin::SameOrigin;
use crate::timer::now;
use crate::transport::connection::Connection;
use crate::transport::plain_messages::MessageSink;
use crate::transport::reporter::{ApplyNow, PeerInput};
use crate::wire::payload::Payload;
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender};
use futures_channel::oneshot;
use futures_util::StreamExt;
use gloo_events::EventListener;
use peer_core::{CallId, ConnKey, Core, Input};
use signaling_protocol::{PeerId, PeerInfo};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::future::poll_fn;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

/// What receives the peer's events.
pub(crate) type EventHandler = Box<dyn FnMut(PeerEvent)>;

/// Where the answer to a waiting `connect()` / `disconnect()` goes.
type Answer = oneshot::Sender<Result<(), PeerError>>;

/// One peer's machine and everything it acts on.
pub(crate) struct Driver {
    pub me: PeerInfo,
    pub room: String,
    core: RefCell<Core<Payload>>,
    /// The current signaling transport (replaced by each rejoin).
    signaling: RefCell<Rc<dyn SignalingTransport>>,
    /// How to rejoin when it drops (`None`: no way to reopen the transport).
    rejoin: Option<Rejoin>,
    /// This driver, for the tasks it spawns.
    this: Weak<Driver>,
    ice: RefCell<Ice>,
    /// Where connections and tasks post their reports.
    inputs: UnboundedSender<PeerInput>,
    /// Where the reports wait: read by the input loop, or at once by
    /// [`Driver::apply_posted`].
    posted: RefCell<UnboundedReceiver<PeerInput>>,
    /// [`Driver::apply_posted`] for this driver, as the connections' listeners call it.
    apply_now: ApplyNow,
    // Lists, not maps: a peer has a few dozen of each at most, and every map type
    // instantiated costs the package a few KB.
    connections: RefCell<Vec<(ConnKey, Connection)>>,
    /// What receives incoming files (shared with every connection).
    files: FileHandler,
    /// Where plain messages go from JS (shared with every connection).
    messages: MessageSink,
    /// The one timer, at the machine's next deadline.
    alarm: Alarm,
    calls: RefCell<Vec<(CallId, Answer)>>,
    next_call: Cell<u64>,
    handler: RefCell<Option<EventHandler>>,
    /// Outputs are being executed (a nested input only queues its own).
    executing: Cell<bool>,
    /// Who we are: what our signals are signed with.
    pub signer: Identity,
    /// Where signals wait to be signed or checked.
    jobs: UnboundedSender<signing::Job>,
    /// The room's peers in other tabs of this browser, signaled without the server.
    same_origin: RefCell<Option<SameOrigin>>,
    /// Closes the peer when its page goes away, so that the others see it leave at once
    /// (its channels' close) rather than seconds later by its silence.
    _page_hidden: EventListener,
}

impl Driver {
    /// A driver for the peer `me` in `room`, which knows `roster`, signaling over `link`
    /// (and rejoining with `rejoin` when it drops); its input loop runs until `close()`.
    pub fn start(
        me: PeerInfo,
        room: String,
        roster: Vec<PeerInfo>,
        ice: Ice,
        link: SignalingLink,
        rejoin: Option<Rejoin>,
        setup: Setup,
    ) -> Rc<Self> {
        // A random first session number, so two peers rarely use the same numbers.
        let first_session = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        let (inputs, posted) = futures_channel::mpsc::unbounded();
        let backoff = setup.backoff.filter(|_| rejoin.is_some());
        // The keys that will check the room's first signals, imported ahead of them.
        for key in roster.iter().filter_map(|peer| peer.key.as_deref()) {
            crate::identity::prepare(key);
        }
        let mut core = Core::new(me.clone(), roster, first_session, backoff);
        if setup.prefer_mesh {
            core.prefer_mesh();
        }
        core.set_relay_fallback(ice.can_fall_back());
        let (jobs, own_jobs) = futures_channel::mpsc::unbounded();
        let driver = Rc::new_cyclic(|this| Self {
            core: RefCell::new(core),
            me,
            room,
            signaling: RefCell::new(link.transport),
            rejoin,
            this: this.clone(),
            ice: RefCell::new(ice),
            inputs,
            posted: RefCell::new(posted),
            apply_now: {
                let this = this.clone();
                Rc::new(move || {
                    if let Some(driver) = this.upgrade() {
                        driver.apply_posted();
                    }
                })
            },
            connections: RefCell::new(Vec::new()),
            files: FileHandler::default(),
            messages: MessageSink::new(),
            alarm: Alarm::default(),
            calls: RefCell::new(Vec::new()),
            next_call: Cell::new(0),
            handler: RefCell::new(None),
            executing: Cell::new(false),
            signer: setup.signer,
            jobs,
            same_origin: RefCell::new(None),
            _page_hidden: close_on_pagehide(this.clone()),
        });
        driver.forward(link.events);
        if let Some(url) = &setup.same_origin {
            let nearby = SameOrigin::open(url, &driver.room, &driver.me.id, driver.inputs.clone());
            driver.same_origin.replace(nearby);
        }
        let seal_key = setup.seal_key;
        spawn_local(signing::sign_and_check(Rc::downgrade(&driver), own_jobs, seal_key));
        let running = Rc::clone(&driver);
        spawn_local(async move {
            // The channel is borrowed only while polled, so `apply_posted` can read it too.
            let next = || poll_fn(|cx| running.posted.borrow_mut().poll_next_unpin(cx));
            while let Some(input) = next().await {
                running.apply(input);
                if running.core.borrow().is_closed() {
                    break;
                }
            }
        });
        driver
    }

    /// Applies, at once and in order, the inputs posted and not yet applied, unless
    /// outputs are being executed or the machine is in use (the input loop takes them
    /// then).
    pub fn apply_posted(&self) {
        let idle =
            || !self.executing.get() && self.core.try_borrow().is_ok_and(|core| !core.is_closed());
        while idle() {
            let next = match self.posted.try_borrow_mut() {
                Ok(mut posted) => posted.try_recv(),
                Err(_) => return,
            };
            match next {
                Ok(input) => self.apply(input),
                Err(_) => return,
            }
        }
    }

    /// Applies one input and executes what it causes.
    pub fn apply(&self, input: PeerInput) {
        self.core.borrow_mut().apply(input, now());
        self.execute_outputs();
    }

    /// The alarm went off: the machine acts on the deadlines that came, once it knows
    /// which remotes were heard from in JS (plain messages never enter the module).
    fn on_timeout(&self) {
        self.alarm.fired();
        let heard: Vec<ConnKey> = (self.connections.borrow().iter())
            .filter(|(_, connection)| connection.heard_in_js())
            .map(|(key, _)| key.clone())
            .collect();
        let mut core = self.core.borrow_mut();
        for key in heard {
            core.apply(Input::Heard { key }, now());
        }
        core.handle_timeout(now());
        drop(core);
        self.execute_outputs();
    }

    /// Executes the machine's outputs, then sets the alarm at its next deadline.
    fn execute_outputs(&self) {
        if self.executing.replace(true) {
            return; // called from inside an event handler: the loop below picks it up
        }
        loop {
            let next = self.core.borrow_mut().poll_output();
            let Some(output) = next else { break };
            self.execute(output);
        }
        self.executing.set(false);
        let this = self.this.clone();
        self.alarm.set(self.core.borrow().poll_timeout(), move || {
            // In a task of its own: the timeout is dropped once it has returned.
            spawn_local(async move {
                if let Some(driver) = this.upgrade() {
                    driver.on_timeout();
                }
            });
        });
        if self.core.borrow().is_closed() {
            // Every event was delivered; the handler may hold JS callbacks that hold
            // this peer, so it goes now (dropped outside the borrow: dropping it may
            // drop the last `Peer`, which closes, which comes back here).
            let handler = self.handler.borrow_mut().take();
            drop(handler);
            self.messages.set_handler(None);
            let files = self.files.borrow_mut().take();
            drop(files);
            let nearby = self.same_origin.borrow_mut().take();
            drop(nearby);
        }
    }

    /// Read access to the machine's view (roster, open connections).
    pub fn core(&self) -> std::cell::Ref<'_, Core<Payload>> {
        self.core.borrow()
    }

    /// Sets the event handler (ignored once closed).
    pub fn set_handler(&self, handler: EventHandler) {
        if !self.core.borrow().is_closed() {
            // The old handler is dropped after the borrow, as in `apply`.
            let old = self.handler.replace(Some(handler));
            drop(old);
        }
    }

    /// Where plain messages go between the page and the channels in JS (see
    /// `transport/plain_messages.rs`).
    pub fn plain_messages(&self) -> &MessageSink {
        &self.messages
    }

    /// Sets (or, with `None`, removes) what receives incoming files.
    pub fn set_file_handler(&self, handler: Option<Box<dyn FnMut(IncomingFile)>>) {
        if !self.core.borrow().is_closed() {
            let old = self.files.replace(handler);
            drop(old);
        }
    }

    /// `connect(peer)`: the future resolves when the machine answers the call.
    pub fn connect(&self, peer: PeerId) -> impl Future<Output = Result<(), PeerError>> + use<> {
        let (call, answer) = self.new_call();
        self.apply(Input::Connect { peer, call });
        async move { answer.await.unwrap_or(Err(PeerError::Closed)) }
    }

    /// `disconnect(peer)`: the future resolves once the connection has ended.
    pub fn disconnect(&self, peer: PeerId) -> impl Future<Output = ()> + use<> {
        let (call, answer) = self.new_call();
        self.apply(Input::Disconnect { peer, call });
        async move {
            let _ = answer.await;
        }
    }

    /// `close()`: ends every connection and the signaling transport.
    pub fn close(&self) {
        self.apply(Input::Close);
    }

    /// How a connection reports: the channel, and the way to have it applied at once.
    fn reporting(&self) -> (UnboundedSender<PeerInput>, ApplyNow) {
        (self.inputs.clone(), Rc::clone(&self.apply_now))
    }

    fn new_call(&self) -> (CallId, oneshot::Receiver<Result<(), PeerError>>) {
        let call = CallId(self.next_call.get() + 1);
        self.next_call.set(call.0);
        let (answer, answered) = oneshot::channel();
        self.calls.borrow_mut().push((call, answer));
        (call, answered)
    }
}

/// A listener that closes the driver when the page is hidden for good (`pagehide`: the
/// tab closes or navigates; a page with open RTCPeerConnections is not kept in the
/// back/forward cache). Outside a page (a worker) it never fires.
fn close_on_pagehide(driver: Weak<Driver>) -> EventListener {
    let global: web_sys::EventTarget = js_sys::global().unchecked_into();
    EventListener::new(&global, "pagehide", move |_| {
        if let Some(driver) = driver.upgrade() {
            driver.close();
        }
    })
}

/// The value filed under `key` in a driver's list.
fn find<'a, K: PartialEq, V>(list: &'a [(K, V)], key: &K) -> Option<&'a V> {
    list.iter().find(|(filed, _)| filed == key).map(|(_, value)| value)
}

/// Takes the value filed under `key` out of a driver's list.
fn take<K: PartialEq, V>(list: &RefCell<Vec<(K, V)>>, key: &K) -> Option<V> {
    let mut list = list.borrow_mut();
    let index = list.iter().position(|(filed, _)| filed == key)?;
    Some(list.swap_remove(index).1)
}
