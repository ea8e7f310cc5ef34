//! What can go wrong on the way to a room, or on the signaling connection once there.

use signaling_protocol::{ErrorCode, PeerId};

/// Why joining failed, or a message could not go to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalingError {
    /// No WebSocket could be opened to `url` (refused, unresolvable, not a `ws://` URL,
    /// or the upgrade was refused).
    #[error("cannot reach the signaling server at {url}: {reason}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// What failed, for people.
        reason: String,
    },
    /// The server (or our own check of the request, before sending it) refused the join.
    #[error("the signaling server refused the join ({}): {message}", code.as_str())]
    Refused {
        /// The protocol's code, e.g. `wrong_secret`.
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// The server did not challenge and welcome us in time.
    #[error("the signaling server did not welcome us within {ms} ms")]
    Timeout {
        /// How long we waited, connecting included.
        ms: u64,
    },
    /// The connection closed (before the welcome, or before a message could be queued).
    #[error("the signaling connection closed: {reason}")]
    Closed {
        /// The server's close reason, or what ended the connection.
        reason: String,
    },
    /// The server's welcome gave us another id than our key's: it is not to be trusted.
    #[error("the signaling server gave the id {given} to the key of {ours}")]
    WrongId {
        /// The id in the welcome.
        given: PeerId,
        /// Our key's id.
        ours: PeerId,
    },
    /// Too many messages already wait to be written to the server (it stopped reading).
    #[error("too many messages wait for the signaling server")]
    Backlog,
}
