//! Signals between tabs of one browser: peers of the same room on the same server, in
//! pages of one origin, find each other over a `BroadcastChannel` and pass their offers,
//! answers and candidates through it instead of the server (one hop inside the browser
//! instead of two trips over the network). The server stays the authority: ids and
//! membership come from it, a signal is taken only from a peer it has in the room (the
//! machine checks). The machine is told who is found nearby and who is gone
//! ([`Input::Nearby`]) and picks each signal's way: a peer not found nearby is signaled
//! through the server, as is everyone while the server is gone (the machine sends
//! nothing then).
//!
//! The room's channel carries plain objects: `{kind: "hello", from, inbox: true}` when a
//! peer starts (answered by `{kind: "here", from, inbox: true}` from each peer already
//! there) and `{kind: "gone", from}` when it closes. A signal, `{kind: "signal", from,
//! to, signal}` with the signal as JSON text, goes to its target's own channel (its
//! inbox, named after its id and the room; the sender keeps one channel per target, so that
//! its signals keep their order): on the room's channel every peer of the room in every
//! tab would get every signal, and a 32-peer mesh makes 3,000 of them. A peer
//! whose hello has no `inbox` (an older version) gets its signals on the room's channel,
//! where every peer still listens for them. Pages of one origin trust each other (they
//! run the same site's code).

use crate::transport::reporter::PeerInput;
use crate::wire::signaling_json::{self, field, set, string};
use futures_channel::mpsc::UnboundedSender;
use gloo_events::EventListener;
use js_sys::Object;
use peer_core::Input;
use signaling_protocol::{PeerId, Signal};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

/// Most peers remembered as nearby (pages of one browser: a few dozen at most).
const MAX_NEARBY: usize = 1024;

/// The peers in tabs of this browser, each with our end of its inbox.
type Nearby = Vec<(PeerId, Option<BroadcastChannel>)>;

/// This peer's end of its room's channel between tabs, and its inbox.
pub(crate) struct SameOrigin {
    channel: BroadcastChannel,
    inbox: BroadcastChannel,
    me: PeerId,
    /// The peers in tabs of this browser, and each one's inbox (none: an older version
    /// that takes its signals on the room's channel).
    nearby: Rc<RefCell<Nearby>>,
    _listeners: [EventListener; 2],
}

impl SameOrigin {
    /// Opens the channel of `room` on the server at `url` and says hello; what arrives
    /// for `me` goes to `inputs`. `None` where there is no `BroadcastChannel`.
    pub fn open(
        url: &str,
        room: &str,
        me: &PeerId,
        inputs: UnboundedSender<PeerInput>,
    ) -> Option<Self> {
        let place = format!("{url} {room}");
        let channel = BroadcastChannel::new(&format!("peer-wasm {place}")).ok()?;
        let inbox = BroadcastChannel::new(&inbox_name(&place, me)).ok()?;
        let nearby = Rc::new(RefCell::new(Nearby::new()));
        let on_room = {
            let (channel, me, nearby) = (channel.clone(), me.clone(), Rc::clone(&nearby));
            let (inputs, place) = (inputs.clone(), place.clone());
            EventListener::new(&channel.clone(), "message", move |event| {
                let data = event.unchecked_ref::<MessageEvent>().data();
                let (Some(kind), Some(from)) = (string(&data, "kind"), string(&data, "from"))
                else {
                    return;
                };
                let from = PeerId::new(from);
                match kind.as_str() {
                    "hello" | "here" => {
                        let inbox = field(&data, "inbox").and_then(|v| v.as_bool()) == Some(true);
                        met(&mut nearby.borrow_mut(), from, inbox, &place, &inputs);
                        if kind == "hello" {
                            post(&channel, "here", &me, None);
                        }
                    }
                    "gone" => {
                        forget(&mut nearby.borrow_mut(), &from);
                        let _ = inputs.unbounded_send(Input::Nearby { peer: from, here: false });
                    }
                    "signal" => received(&data, from, &me, &inputs),
                    _ => {}
                }
            })
        };
        let on_inbox = {
            let me = me.clone();
            EventListener::new(&inbox, "message", move |event| {
                let data = event.unchecked_ref::<MessageEvent>().data();
                let from = string(&data, "from").map(PeerId::new);
                if let (Some(from), Some("signal")) = (from, string(&data, "kind").as_deref()) {
                    received(&data, from, &me, &inputs);
                }
            })
        };
        post(&channel, "hello", me, None);
        Some(Self { channel, inbox, me: me.clone(), nearby, _listeners: [on_room, on_inbox] })
    }

    /// Whether `peer` is in a tab of this browser, so a signal to it can go this way.
    pub fn carries(&self, peer: &PeerId) -> bool {
        self.nearby.borrow().iter().any(|(nearby, _)| nearby == peer)
    }

    /// Sends `signal` to the nearby peer `to`: to its inbox, or on the room's channel
    /// when it has none.
    pub fn send(&self, to: &PeerId, signal: &Signal) {
        let nearby = self.nearby.borrow();
        let inbox =
            nearby.iter().find(|(peer, _)| peer == to).and_then(|(_, inbox)| inbox.as_ref());
        post(inbox.unwrap_or(&self.channel), "signal", &self.me, Some((to, signal)));
    }
}

/// A `hello` or `here` from `from` (with an `inbox` of its own, or none): remembered as
/// nearby, and the machine told. Every peer sees every `here` (the answers to each
/// newcomer's hello): a peer known as it is keeps its channel, so the signals already
/// sent on it keep their order with the next.
fn met(
    nearby: &mut Nearby,
    from: PeerId,
    inbox: bool,
    place: &str,
    inputs: &UnboundedSender<PeerInput>,
) {
    let known = nearby.iter().any(|(peer, ours)| *peer == from && ours.is_some() == inbox);
    if known {
        return;
    }
    forget(nearby, &from);
    if nearby.len() < MAX_NEARBY {
        let name = inbox_name(place, &from);
        let inbox = inbox.then(|| BroadcastChannel::new(&name).ok());
        nearby.push((from.clone(), inbox.flatten()));
        let _ = inputs.unbounded_send(Input::Nearby { peer: from, here: true });
    }
}

/// Forgets `peer` as nearby, closing our end of its inbox.
fn forget(nearby: &mut Nearby, peer: &PeerId) {
    nearby.retain(|(nearby, inbox)| {
        let keep = nearby != peer;
        if let (false, Some(inbox)) = (keep, inbox) {
            inbox.close();
        }
        keep
    });
}

/// The name of `peer`'s inbox in the room at `place` (its server's URL and its name):
/// never the name of a room's channel, and the id first, as it has no spaces.
fn inbox_name(place: &str, peer: &PeerId) -> String {
    format!("peer-wasm-inbox {peer} {place}")
}

/// A signal from `from`, taken if it is for `me`.
fn received(data: &JsValue, from: PeerId, me: &PeerId, inputs: &UnboundedSender<PeerInput>) {
    if string(data, "to").as_deref() != Some(me.as_str()) {
        return;
    }
    if let Some(signal) =
        string(data, "signal").and_then(|text| signaling_json::decode_signal(&text))
    {
        let _ = inputs.unbounded_send(Input::Signal { from, signal });
    }
}

impl Drop for SameOrigin {
    fn drop(&mut self) {
        post(&self.channel, "gone", &self.me, None);
        self.channel.close();
        self.inbox.close();
        for (_, inbox) in self.nearby.borrow_mut().drain(..) {
            if let Some(inbox) = inbox {
                inbox.close();
            }
        }
    }
}

fn post(channel: &BroadcastChannel, kind: &str, me: &PeerId, signal: Option<(&PeerId, &Signal)>) {
    let message = Object::new();
    set(&message, "kind", kind.into());
    set(&message, "from", me.as_str().into());
    if kind == "hello" || kind == "here" {
        set(&message, "inbox", true.into());
    }
    if let Some((to, signal)) = signal {
        set(&message, "to", to.as_str().into());
        set(&message, "signal", signaling_json::encode_signal(signal).into());
    }
    // A closed channel refuses: the peer is closing, nothing is lost that it needed.
    let _ = channel.post_message(&JsValue::from(message));
}
