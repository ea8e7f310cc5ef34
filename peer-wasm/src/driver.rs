//! The one task that applies what arrives (from signaling and from the connections'
//! handlers) to the peer's state, and reports the resulting events.
//!
//! Each input is handled in one short borrow of the state; events are emitted after the
//! borrow ends, so an event handler may call back into the peer.

use crate::negotiation::Role;
use crate::peer::Shared;
use crate::signaling::SignalingEvent;
use crate::state::Link;
use crate::{Payload, PeerEvent, log};
use futures_util::{Stream, StreamExt};
use signaling_protocol::{PeerId, ServerMessage, Signal};
use std::rc::Rc;

/// How long a closing channel may take to close on both sides before its connection is
/// dropped anyway.
pub(crate) const LINGER_MS: u32 = 3_000;

/// How long a new connection may take to open its data channel before it is given up.
pub(crate) const OPEN_DEADLINE_MS: u32 = 15_000;

/// Everything the driver reacts to.
pub(crate) enum Input {
    /// From the signaling transport.
    Signaling(SignalingEvent),
    /// From the handlers of the connection `generation` to `peer`.
    Conn {
        /// The remote peer.
        peer: PeerId,
        /// Which connection to it (stale ones are ignored).
        generation: u64,
        /// What happened.
        event: ConnEvent,
    },
    /// `close()` was called: stop.
    Shutdown,
}

/// What a connection's handlers and negotiation task report.
pub(crate) enum ConnEvent {
    /// A local ICE candidate to trickle to the remote.
    LocalCandidate(Signal),
    /// The data channel opened.
    Open,
    /// The data channel closed.
    Closed,
    /// Negotiation or ICE failed.
    Failed(String),
    /// [`OPEN_DEADLINE_MS`] passed since the connection started.
    OpenDeadline,
    /// A message arrived.
    Message(Payload),
}

/// Runs until `close()` (or until every input source is gone).
pub(crate) async fn run(shared: Rc<Shared>, inputs: impl Stream<Item = Input>) {
    let mut inputs = std::pin::pin!(inputs);
    while let Some(input) = inputs.next().await {
        let events = match input {
            Input::Shutdown => break,
            Input::Signaling(SignalingEvent::Message(message)) => on_server(&shared, message),
            Input::Signaling(SignalingEvent::Closed { reason }) => {
                on_signaling_closed(&shared, reason)
            }
            Input::Conn { peer, generation, event } => {
                on_connection(&shared, peer, generation, event)
            }
        };
        shared.emit(events);
    }
}

fn on_server(shared: &Shared, message: ServerMessage) -> Vec<PeerEvent> {
    let mut state = shared.state.borrow_mut();
    match message {
        ServerMessage::PeerJoined { peer } => {
            state.roster.retain(|known| known.id != peer.id);
            state.roster.push(peer.clone());
            vec![PeerEvent::PeerJoined(peer)]
        }
        ServerMessage::PeerLeft { peer } => {
            let mut events = Vec::new();
            match state.links.get(&peer.id) {
                // The channel may still carry the peer's last messages: close it the
                // graceful way, behind them.
                Some(link) if link.open => link.connection.close_gracefully(LINGER_MS),
                Some(_) => events.extend(state.remove_link(&peer.id, "the peer left the room")),
                None => {}
            }
            state.roster.retain(|known| known.id != peer.id);
            events.push(PeerEvent::PeerLeft(peer));
            events
        }
        ServerMessage::Signal { from, signal } => {
            drop(state);
            on_signal(shared, from, signal)
        }
        ServerMessage::Error { code, message } => {
            log::warn(&format!("signaling server: {message} ({code:?})"));
            Vec::new()
        }
        ServerMessage::Welcome { .. } => Vec::new(),
    }
}

/// Routes a remote's signal to its connection, creating or replacing the connection
/// for an offer. Offer collisions (both sides called connect) are settled by id: the
/// peer with the smaller id yields and answers the other's offer; the larger id ignores
/// the offer it receives. Both end up on the same single connection.
fn on_signal(shared: &Shared, from: PeerId, signal: Signal) -> Vec<PeerEvent> {
    let mut state = shared.state.borrow_mut();
    if !state.knows(&from) {
        return Vec::new();
    }
    match signal {
        Signal::Offer { .. } => {
            let mut events = Vec::new();
            let mut waiters = Vec::new();
            if let Some(link) = state.links.get_mut(&from) {
                let collision = link.role == Role::Offerer && !link.answered;
                if collision && shared.me.id > from {
                    return events;
                }
                // Whoever waited for the old connection now waits for the new one.
                waiters = std::mem::take(&mut link.connect_waiters);
                let replaced_reason = "the peer restarted the connection";
                events.extend(state.remove_link(&from, replaced_reason));
            }
            match state.start_link(&from, Role::Answerer, &shared.inputs, &shared.signaling) {
                Ok(link) => {
                    link.connect_waiters = waiters;
                    link.connection.deliver(signal);
                }
                Err(error) => log::warn(&format!("cannot answer {from}: {error}")),
            }
            events
        }
        Signal::Answer { .. } => {
            if let Some(link) = state.links.get_mut(&from)
                && link.role == Role::Offerer
                && !link.answered
            {
                link.answered = true;
                link.connection.deliver(signal);
            }
            Vec::new()
        }
        Signal::Candidate { .. } => {
            if let Some(link) = state.links.get(&from) {
                link.connection.deliver(signal);
            }
            Vec::new()
        }
        Signal::Bye => {
            state.remove_link(&from, "the peer closed the connection").into_iter().collect()
        }
    }
}

fn on_signaling_closed(shared: &Shared, reason: String) -> Vec<PeerEvent> {
    let mut state = shared.state.borrow_mut();
    state.signaling_open = false;
    // Open channels outlive the server, and so do connections whose offer and answer
    // were exchanged (the rest of ICE needs no server, and their open deadline still
    // applies). An offer still waiting for its answer can never get it.
    let unanswered = |link: &Link| link.role == Role::Offerer && !link.answered;
    let negotiating: Vec<PeerId> =
        state.links.iter().filter(|(_, link)| unanswered(link)).map(|(id, _)| id.clone()).collect();
    let mut events: Vec<_> = negotiating
        .iter()
        .filter_map(|id| state.remove_link(id, "the signaling connection closed"))
        .collect();
    events.push(PeerEvent::SignalingClosed { reason });
    events
}

fn on_connection(
    shared: &Shared,
    peer: PeerId,
    generation: u64,
    event: ConnEvent,
) -> Vec<PeerEvent> {
    let mut state = shared.state.borrow_mut();
    let Some(link) = state.links.get_mut(&peer).filter(|link| link.generation == generation) else {
        return Vec::new();
    };
    match event {
        ConnEvent::LocalCandidate(signal) => {
            shared.send_signal(&peer, signal);
            Vec::new()
        }
        ConnEvent::Open => {
            link.open = true;
            for waiter in link.connect_waiters.drain(..) {
                let _ = waiter.send(Ok(()));
            }
            vec![PeerEvent::Connected(link.peer.clone())]
        }
        ConnEvent::Closed => {
            state.remove_link(&peer, "the data channel closed").into_iter().collect()
        }
        ConnEvent::OpenDeadline if link.open => Vec::new(),
        ConnEvent::OpenDeadline => {
            let reason = format!("no data channel within {} s", OPEN_DEADLINE_MS / 1000);
            let events = state.remove_link(&peer, &reason).into_iter().collect();
            drop(state);
            shared.send_signal(&peer, Signal::Bye);
            events
        }
        ConnEvent::Failed(reason) => {
            let events = state.remove_link(&peer, &reason).into_iter().collect();
            drop(state);
            shared.send_signal(&peer, Signal::Bye);
            events
        }
        ConnEvent::Message(payload) => {
            vec![PeerEvent::Message { from: link.peer.clone(), payload }]
        }
    }
}
