//! How a connection ends, as the close frame its peer is sent: a leaf that the session
//! and its clock both name.

use axum::extract::ws::{CloseFrame, close_code};

use signaling_protocol::TAKEN_OVER_CLOSE_CODE;

/// How a connection ends, as the close frame the peer is sent. (Kept as a byte until the
/// end: the session's state is held for every peer, so it is kept small.)
#[derive(Clone, Copy)]
pub enum Goodbye {
    /// The peer closed, or stopped reading: a normal close (if it still reads).
    Normal,
    /// Nothing arrived for `idle_timeout`.
    Idle,
    /// No successful join within `join_timeout` of opening.
    JoinTimeout,
    /// The server is shutting down.
    ShuttingDown,
    /// A message over the size limit.
    TooBig,
    /// A frame that breaks the WebSocket protocol.
    ProtocolError,
    /// Refused before serving: over the connection caps.
    TryLater,
    /// A newer connection with the same key took its peer's seat.
    TakenOver,
    /// The connection is broken: nothing to say.
    Silent,
}

impl Goodbye {
    /// The close frame to send, if any.
    pub fn frame(self) -> Option<CloseFrame> {
        let (code, reason) = match self {
            Self::Normal => (close_code::NORMAL, ""),
            Self::Idle => (close_code::NORMAL, "idle"),
            Self::JoinTimeout => (close_code::POLICY, "join timeout"),
            Self::ShuttingDown => (close_code::AWAY, "server shutting down"),
            Self::TooBig => (close_code::SIZE, "message too big"),
            Self::ProtocolError => (close_code::PROTOCOL, "protocol error"),
            Self::TryLater => (close_code::AGAIN, "too many connections"),
            Self::TakenOver => {
                (TAKEN_OVER_CLOSE_CODE, "taken over by a newer connection with the same key")
            }
            Self::Silent => return None,
        };
        Some(CloseFrame { code, reason: reason.into() })
    }
}
