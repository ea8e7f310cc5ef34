//! The `Peer`: joins a room through a signaling transport and owns one WebRTC
//! connection per remote peer. This is the Rust API; `lib.rs` wraps it for JS.

use crate::driver::{self, Input, LINGER_MS};
use crate::framing;
use crate::negotiation::Role;
use crate::signaling::{SignalingEvent, SignalingLink, SignalingTransport};
use crate::state::State;
use crate::websocket::WebSocketSignaling;
use crate::{Payload, PeerError, PeerEvent, Room, timer};
use futures_channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use futures_util::stream;
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage, Signal, validate_name,
    validate_room, validate_secret,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;

/// How long the server may take to welcome us.
const JOIN_TIMEOUT_MS: u32 = 10_000;

type EventHandler = Box<dyn FnMut(PeerEvent)>;

/// What the `Peer` handle, its driver task and its in-flight calls share.
pub(crate) struct Shared {
    /// This peer, as the room knows it.
    pub me: PeerInfo,
    /// The room joined.
    pub room: String,
    pub signaling: Rc<dyn SignalingTransport>,
    /// Connection handlers post here; the driver task reads it.
    pub inputs: UnboundedSender<Input>,
    pub state: RefCell<State>,
    handler: RefCell<Option<EventHandler>>,
}

impl Shared {
    /// Calls the event handler for each event, with no borrow of the state held (so
    /// the handler may call back into the peer).
    pub fn emit(&self, events: Vec<PeerEvent>) {
        for event in events {
            // Taken out while it runs, so a handler that replaces itself is safe.
            let Some(mut handler) = self.handler.borrow_mut().take() else { return };
            handler(event);
            let mut slot = self.handler.borrow_mut();
            if slot.is_none() && !self.state.borrow().closed {
                *slot = Some(handler);
            }
        }
    }

    /// Sends a signal to `peer`. Failures are ignored: they mean signaling is closed,
    /// which the driver learns and reports on its own.
    pub fn send_signal(&self, peer: &PeerId, signal: Signal) {
        let _ = self.signaling.send(&ClientMessage::Signal { to: peer.clone(), signal });
    }

    fn close(&self) {
        let links = {
            let mut state = self.state.borrow_mut();
            if state.closed {
                return;
            }
            state.closed = true;
            std::mem::take(&mut state.links)
        };
        let mut events = Vec::new();
        let mut lingering = Vec::new();
        for (peer, link) in links {
            let was_open = link.open;
            let (connection, event) = link.finish("the peer was closed");
            events.extend(event);
            if was_open {
                // Messages already sent still arrive: the channel closes behind them,
                // and the connection is dropped once that had time to happen.
                connection.close_gracefully(LINGER_MS);
                lingering.push(connection);
            } else {
                self.send_signal(&peer, Signal::Bye);
            }
        }
        spawn_local(async move {
            timer::sleep(LINGER_MS).await;
            drop(lingering);
        });
        self.signaling.close();
        let _ = self.inputs.unbounded_send(Input::Shutdown);
        // Disconnected events still reach the handler, then it is dropped: it may hold
        // JS callbacks that hold this peer.
        let handler = self.handler.borrow_mut().take();
        if let Some(mut handler) = handler {
            events.into_iter().for_each(&mut handler);
        }
    }
}

/// One peer in a room: client and server at once. Connects to other peers over WebRTC
/// data channels, sends to all or one of them, and reports what happens through the
/// handler given to [`Peer::set_event_handler`]. Dropping it closes it.
pub struct Peer {
    shared: Rc<Shared>,
}

impl Peer {
    /// Joins `room` (a room name, or a [`Room`] with a secret) as `name` through the
    /// signaling server at `url` (e.g. `ws://127.0.0.1:8080/ws`); resolves once the
    /// server has assigned our id.
    pub async fn join(url: &str, room: impl Into<Room<'_>>, name: &str) -> Result<Self, PeerError> {
        let room = room.into();
        check_join(room, name)?;
        let link = WebSocketSignaling::open(url).await?;
        Self::join_with(link, room, name).await
    }

    /// Joins `room` as `name` over any signaling transport (see
    /// [`crate::LocalHub`] for one that lives in the page).
    pub async fn join_with(
        link: SignalingLink,
        room: impl Into<Room<'_>>,
        name: &str,
    ) -> Result<Self, PeerError> {
        let room = room.into();
        check_join(room, name)?;
        let SignalingLink { transport, mut events } = link;
        let join = ClientMessage::Join {
            room: room.name().to_owned(),
            name: name.to_owned(),
            secret: room.secret().map(str::to_owned),
        };
        let welcome = match transport.send(&join) {
            Ok(()) => timer::timeout(JOIN_TIMEOUT_MS, next_welcome(&mut events)).await.unwrap_or(
                Err(PeerError::Timeout { what: "the server's welcome", ms: JOIN_TIMEOUT_MS }),
            ),
            Err(error) => Err(error),
        };
        let (id, peers) = match welcome {
            Ok(welcome) => welcome,
            Err(error) => {
                transport.close();
                return Err(error);
            }
        };
        let (inputs, own_inputs) = mpsc::unbounded();
        let shared = Rc::new(Shared {
            me: PeerInfo { id, name: name.to_owned() },
            room: room.name().to_owned(),
            signaling: transport,
            inputs,
            state: RefCell::new(State::new(peers)),
            handler: RefCell::new(None),
        });
        let merged = stream::select(events.map(Input::Signaling), own_inputs);
        spawn_local(driver::run(Rc::clone(&shared), merged));
        Ok(Self { shared })
    }

    /// Our server-assigned id.
    pub fn id(&self) -> &PeerId {
        &self.shared.me.id
    }

    /// Our display name.
    pub fn name(&self) -> &str {
        &self.shared.me.name
    }

    /// The room we joined.
    pub fn room(&self) -> &str {
        &self.shared.room
    }

    /// The other peers in the room, in the order they joined.
    pub fn peers(&self) -> Vec<PeerInfo> {
        self.shared.state.borrow().roster.clone()
    }

    /// The peers with an open data channel to us.
    pub fn connected_peers(&self) -> Vec<PeerInfo> {
        self.shared.state.borrow().connected()
    }

    /// Sets the function that receives every [`PeerEvent`] (replacing any earlier one).
    pub fn set_event_handler(&self, handler: impl FnMut(PeerEvent) + 'static) {
        if !self.shared.state.borrow().closed {
            *self.shared.handler.borrow_mut() = Some(Box::new(handler));
        }
    }

    /// Opens a data channel to `peer`; resolves once it is open (the remote then counts
    /// us as connected too). Resolves at once when already connected; joins the pending
    /// attempt when one is under way, whichever side started it.
    pub async fn connect(&self, peer: &PeerId) -> Result<(), PeerError> {
        connect(Rc::clone(&self.shared), peer.clone()).await
    }

    /// Closes the data channel to `peer` on both sides; a no-op when not connected.
    pub async fn disconnect(&self, peer: &PeerId) {
        disconnect(Rc::clone(&self.shared), peer.clone()).await
    }

    /// Sends `payload` to every connected peer; returns how many it was sent to.
    /// Payloads of any size up to [`crate::MAX_MESSAGE_BYTES`] arrive as one message.
    /// Fails, sending to nobody, when the queue of any connected peer is full.
    pub fn send_message(&self, payload: &Payload) -> Result<usize, PeerError> {
        let state = self.shared.state.borrow();
        if state.closed {
            return Err(PeerError::Closed);
        }
        let open: Vec<_> = state.links.values().filter(|link| link.open).collect();
        // All or nobody: a full queue is reported before anything is queued.
        if let Some(full) = open.iter().find(|link| link.connection.is_full()) {
            return Err(PeerError::QueueFull(full.peer.id.clone()));
        }
        // Frames depend on the remote's frame limit; links sharing it share the frames.
        // Encoded even with nobody connected, so a value that cannot be sent always fails.
        let first_max =
            open.first().map_or(framing::MAX_FRAME_BYTES, |link| link.connection.max_frame());
        let mut encoded = (first_max, framing::encode(payload, first_max)?);
        for link in &open {
            let max_frame = link.connection.max_frame();
            if max_frame != encoded.0 {
                encoded = (max_frame, framing::encode(payload, max_frame)?);
            }
            link.connection.send(encoded.1.clone())?;
        }
        Ok(open.len())
    }

    /// Sends `payload` to one connected peer.
    pub fn send_to(&self, peer: &PeerId, payload: &Payload) -> Result<(), PeerError> {
        let state = self.shared.state.borrow();
        let link = state.open_link(peer)?;
        link.connection.send(framing::encode(payload, link.connection.max_frame())?)
    }

    /// Bytes waiting to go out to `peer`: queued by this crate plus in the data
    /// channel's own buffer.
    pub fn buffered_amount(&self, peer: &PeerId) -> Result<usize, PeerError> {
        Ok(self.shared.state.borrow().open_link(peer)?.connection.buffered_amount())
    }

    /// Resolves once everything queued for `peer` has been handed to its data channel:
    /// await it when [`Peer::buffered_amount`] grows large to send at the channel's pace.
    pub async fn ready(&self, peer: &PeerId) -> Result<(), PeerError> {
        ready(Rc::clone(&self.shared), peer.clone()).await
    }

    /// Leaves the room: closes every connection (telling each remote) and the
    /// signaling transport. Later calls fail with [`PeerError::Closed`].
    pub fn close(&self) {
        self.shared.close();
    }

    /// The shared core, for the JS wrapper's promise-returning methods.
    pub(crate) fn shared(&self) -> Rc<Shared> {
        Rc::clone(&self.shared)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// [`Peer::connect`], on the shared core so a JS promise can own it.
pub(crate) async fn connect(shared: Rc<Shared>, peer: PeerId) -> Result<(), PeerError> {
    let opened = {
        let mut state = shared.state.borrow_mut();
        if state.closed {
            return Err(PeerError::Closed);
        }
        if peer == shared.me.id {
            return Err(PeerError::SelfConnect);
        }
        if !state.knows(&peer) {
            return Err(PeerError::UnknownPeer(peer));
        }
        let signaling_open = state.signaling_open;
        match state.links.get_mut(&peer) {
            Some(link) if link.open => return Ok(()),
            Some(link) => link.wait_open(),
            None if !signaling_open => return Err(PeerError::SignalingClosed),
            None => state
                .start_link(&peer, Role::Offerer, &shared.inputs, &shared.signaling)?
                .wait_open(),
        }
    };
    // Always answered: the link either opens, or ends (its open deadline included).
    opened.await.unwrap_or(Err(PeerError::Closed))
}

/// [`Peer::disconnect`], on the shared core so a JS promise can own it.
pub(crate) async fn disconnect(shared: Rc<Shared>, peer: PeerId) {
    let closed = {
        let mut state = shared.state.borrow_mut();
        match state.links.get_mut(&peer) {
            None => return,
            Some(link) if link.open => {
                // The driver ends the link when the channel's close event comes (or,
                // failing that, when the linger time is up), which resolves this wait.
                link.connection.close_gracefully(LINGER_MS);
                link.wait_closed()
            }
            Some(_) => {
                let events =
                    state.remove_link(&peer, "disconnect was called").into_iter().collect();
                drop(state);
                shared.send_signal(&peer, Signal::Bye);
                shared.emit(events);
                return;
            }
        }
    };
    // Resolved by the driver, or canceled when close() dropped the link: done either way.
    let _ = closed.await;
}

/// [`Peer::ready`], on the shared core so a JS promise can own it.
pub(crate) async fn ready(shared: Rc<Shared>, peer: PeerId) -> Result<(), PeerError> {
    let drained = shared.state.borrow().open_link(&peer)?.connection.drained();
    // Canceled when the link ends first: the data will never go out.
    drained.await.map_err(|_| PeerError::NotConnected(peer))
}

/// Rejects a room, secret or name locally with the same rule the server applies.
fn check_join(room: Room<'_>, name: &str) -> Result<(), PeerError> {
    let invalid =
        |what, code: ErrorCode| PeerError::InvalidInput { what, reason: code.description() };
    validate_room(room.name()).map_err(|code| invalid("room", code))?;
    room.secret().map(validate_secret).transpose().map_err(|code| invalid("secret", code))?;
    validate_name(name).map_err(|code| invalid("name", code))
}

/// Waits for the server's answer to our join.
async fn next_welcome(
    events: &mut UnboundedReceiver<SignalingEvent>,
) -> Result<(PeerId, Vec<PeerInfo>), PeerError> {
    while let Some(event) = events.next().await {
        match event {
            SignalingEvent::Message(ServerMessage::Welcome { id, peers, .. }) => {
                return Ok((id, peers));
            }
            SignalingEvent::Message(ServerMessage::Error { code, message }) => {
                return Err(PeerError::Refused { code, message });
            }
            // Nothing else is sent before the welcome; ignore it if it were.
            SignalingEvent::Message(_) => {}
            SignalingEvent::Closed { .. } => break,
        }
    }
    Err(PeerError::SignalingClosed)
}
