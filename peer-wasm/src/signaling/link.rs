//! The signaling transport: how a peer reaches the others before it has data channels.
//!
//! Everything the peer needs from signaling is this small interface, so the WebSocket
//! to the server ([`crate::signaling::websocket`]) can be swapped for another carrier (an in-page
//! hub in tests; later, negotiation relayed through peers already connected).

use crate::error::PeerError;
use futures_channel::mpsc::UnboundedReceiver;
use signaling_protocol::{ClientMessage, ServerMessage};
use std::rc::Rc;

/// Sends protocol messages towards the signaling server (or whatever plays its part).
pub trait SignalingTransport {
    /// Queues one message. Fails with [`PeerError::SignalingClosed`] once closed.
    fn send(&self, message: &ClientMessage) -> Result<(), PeerError>;

    /// Closes the transport: nothing more goes out, and its event stream ends with
    /// [`SignalingEvent::Closed`].
    fn close(&self);
}

/// What arrives from the signaling side.
#[derive(Debug, Clone, PartialEq)]
pub enum SignalingEvent {
    /// A message from the server.
    Message(ServerMessage),
    /// The transport closed (the server went away, or [`SignalingTransport::close`]).
    Closed {
        /// Why, for people.
        reason: String,
    },
    /// The server gave this peer's identity to a newer connection (the same peer resumed
    /// it elsewhere) and closed this one: nothing to rejoin.
    Replaced {
        /// Why, for people.
        reason: String,
    },
}

/// An open signaling transport: the sending half and the stream of what arrives.
pub struct SignalingLink {
    /// Sends messages.
    pub transport: Rc<dyn SignalingTransport>,
    /// Receives messages, in order, ending with [`SignalingEvent::Closed`].
    pub events: UnboundedReceiver<SignalingEvent>,
}
