//! What a native peer's calls fail with: the browser package's errors, where they mean the
//! same, and the machine's ([`CoreError`]) taken in at one place.

use crate::signaling::error::SignalingError;
use peer_core::CoreError;
use signaling_protocol::{ErrorCode, PeerId};

/// Why a call failed. The `Display` texts are written for a person.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// An argument the server or the protocol would refuse anyway.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument was wrong.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The signaling server answered with an error.
    #[error("signaling server refused: {message} ({})", code.as_str())]
    Refused {
        /// The protocol's error code (e.g. `RoomFull`).
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// The signaling server could not be reached (or the join got no answer in time).
    #[error("could not reach the signaling server at {url}: {reason}")]
    SignalingUnreachable {
        /// The URL that was tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The signaling connection is closed, so no new connection can be negotiated.
    #[error("the signaling connection is closed")]
    SignalingClosed,
    /// The signaling connection is down and being re-established.
    #[error("the signaling connection is down (reconnecting); try again once it is back")]
    SignalingReconnecting,
    /// The peer is not (or no longer) in the room.
    #[error("unknown peer {0}")]
    UnknownPeer(PeerId),
    /// A peer cannot connect to or send to itself.
    #[error("a peer cannot connect to itself")]
    SelfConnect,
    /// There is no open data channel to this peer.
    #[error("not connected to peer {0}")]
    NotConnected(PeerId),
    /// The send queue to this peer is full: the network is slower than the sender.
    #[error("the send queue to peer {0} is full; wait and send again")]
    QueueFull(PeerId),
    /// The connection attempt ended before the data channel opened.
    #[error("connection to peer {peer} failed: {reason}")]
    ConnectFailed {
        /// The remote peer.
        peer: PeerId,
        /// What ended it (timeout, remote left, disconnect called, ...).
        reason: String,
    },
    /// The peer was closed.
    #[error("this peer is closed")]
    Closed,
    /// The message cannot be sent at all (over 64 MiB, a JSON text that does not parse,
    /// a typed array whose bytes do not fit its kind).
    #[error("message cannot be sent: {0}")]
    Unsendable(String),
    /// An unreliable message is larger than one frame of the unreliable channel.
    #[error(
        "message of {size} bytes is over the unreliable channel's limit of {max} bytes; send it reliably"
    )]
    TooLargeForUnreliable {
        /// The frame's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The unreliable channel to this peer has 1 MiB waiting already.
    #[error("the unreliable channel to peer {0} is backed up; send later")]
    UnreliableBackedUp(PeerId),
    /// What the browser package offers and a native peer cannot do (see the crate doc).
    #[error("not supported by native peers: {0}")]
    Unsupported(&'static str),
    /// A file transfer failed or was cancelled; the text says which file, with whom,
    /// and why.
    #[error("{0}")]
    Transfer(String),
    /// The native WebRTC stack could not create a connection (no UDP socket, ...).
    #[error("WebRTC: {0}")]
    Transport(String),
}

impl From<CoreError> for PeerError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::Refused { code, message } => Self::Refused { code, message },
            CoreError::SignalingClosed => Self::SignalingClosed,
            CoreError::SignalingReconnecting => Self::SignalingReconnecting,
            CoreError::UnknownPeer(peer) => Self::UnknownPeer(peer),
            CoreError::SelfConnect => Self::SelfConnect,
            CoreError::NotConnected(peer) => Self::NotConnected(peer),
            CoreError::ConnectFailed { peer, reason } => Self::ConnectFailed { peer, reason },
            CoreError::Closed => Self::Closed,
        }
    }
}

impl From<SignalingError> for PeerError {
    fn from(error: SignalingError) -> Self {
        match error {
            SignalingError::Unreachable { url, reason } => {
                Self::SignalingUnreachable { url, reason }
            }
            SignalingError::Refused { code, message } => Self::Refused { code, message },
            SignalingError::Closed { .. } | SignalingError::Backlog => Self::SignalingClosed,
            other @ (SignalingError::Timeout { .. } | SignalingError::WrongId { .. }) => {
                Self::SignalingUnreachable { url: String::new(), reason: other.to_string() }
            }
        }
    }
}
