//! Why a call the machine answers failed: the errors the machine itself decides on. The
//! driver's own error type takes these in one place (peer-wasm's `From<CoreError>`), so
//! the texts here are the texts a page sees.

use signaling_protocol::{ErrorCode, PeerId};

/// What the machine answers a failed `connect()` / `disconnect()` with, or why there is
/// no open connection to a peer. The `Display` texts are written for a person.
///
/// Not `#[non_exhaustive]`: peer-wasm maps every variant onto its own error type with an
/// exhaustive match, so a new variant must be mapped there before it compiles.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreError {
    /// The signaling server refused a signal of this connection.
    #[error("signaling server refused: {message} ({})", code.as_str())]
    Refused {
        /// The protocol's error code (e.g. `RoomFull`).
        code: ErrorCode,
        /// The server's explanation.
        message: String,
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
    /// A peer cannot connect to itself.
    #[error("a peer cannot connect to itself")]
    SelfConnect,
    /// There is no open data channel to this peer.
    #[error("not connected to peer {0}")]
    NotConnected(PeerId),
    /// The connection attempt ended before the data channel opened.
    #[error("connection to peer {peer} failed: {reason}")]
    ConnectFailed {
        /// The remote peer.
        peer: PeerId,
        /// What ended it (timeout, remote left, disconnect called, ...).
        reason: String,
    },
    /// `close()` was applied to the machine.
    #[error("this peer is closed")]
    Closed,
}

/// `reason`, and what an ICE server said if one refused us.
pub(crate) fn with_hint(reason: String, ice_error: Option<&str>) -> String {
    match ice_error {
        Some(said) => format!("{reason} (an ICE server refused us: {said})"),
        None => reason,
    }
}

/// The error of a connect to `peer` that failed for `reason`.
pub(crate) fn connect_failed(peer: &PeerId, reason: &str) -> CoreError {
    CoreError::ConnectFailed { peer: peer.clone(), reason: reason.to_owned() }
}

/// Why a link ended, for its `Disconnected` event: a failure's own reason, without the
/// "could not connect" its `connect()` callers are told.
pub(crate) fn reason_of(error: &CoreError) -> String {
    match error {
        CoreError::ConnectFailed { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}
