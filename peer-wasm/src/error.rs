//! The one error type of the crate, and its conversion into a JS `Error` at the boundary.

use peer_core::CoreError;
use signaling_protocol::{ErrorCode, PeerId};
use wasm_bindgen::{JsCast, JsValue};

/// Everything that can go wrong for a [`crate::Peer`]. The `Display` text is written for a
/// person: it becomes the `message` of the JS `Error` a promise rejects with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// A room or display name the server would refuse anyway.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument was wrong.
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The signaling server answered with an error.
    #[error("signaling server refused: {message} ({})", code.as_str())]
    Refused {
        /// The protocol's error code (e.g. `RoomFull`).
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// The WebSocket to the signaling server could not be opened.
    #[error("could not reach the signaling server at {url}")]
    SignalingUnreachable {
        /// The URL that was tried.
        url: String,
    },
    /// The browser refused the ICE servers (a malformed URL, a TURN server without
    /// credentials, ...); its own message is kept.
    #[error("invalid iceServers: {0}")]
    InvalidIceServers(String),
    /// The signaling connection is closed, so no new connection can be negotiated.
    #[error("the signaling connection is closed")]
    SignalingClosed,
    /// The signaling connection is down and being re-established; connect again once
    /// it is back (`onSignalingState` says "connected").
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
    /// The send queue to this peer is full: await `ready` (the data channel is slower
    /// than the sender) and send again.
    #[error("the send queue to peer {0} is full; await ready() and send again")]
    QueueFull(PeerId),
    /// The connection attempt ended before the data channel opened.
    #[error("connection to peer {peer} failed: {reason}")]
    ConnectFailed {
        /// The remote peer.
        peer: PeerId,
        /// What ended it (timeout, remote left, disconnect called, ...).
        reason: String,
    },
    /// The operation did not finish in time.
    #[error("timed out after {ms} ms waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: &'static str,
        /// How long.
        ms: u32,
    },
    /// A message for the unreliable channel that does not fit in one channel message:
    /// it is refused, not cut into chunks (a lost chunk would lose the whole message).
    #[error(
        "message of {bytes} bytes is over the unreliable channel's limit of {limit} bytes; \
         send it reliably"
    )]
    TooLargeForUnreliable {
        /// The message's size on the channel.
        bytes: usize,
        /// The largest message the remote accepts (see [`crate::Delivery::Unreliable`]).
        limit: usize,
    },
    /// The unreliable channel to this peer already holds
    /// [`crate::MAX_UNRELIABLE_BUFFERED`] bytes the network has not taken: the message
    /// was not sent. Send less often, or skip this update.
    #[error("the unreliable channel to peer {0} is backed up; nothing was sent, send less often")]
    UnreliableBackedUp(PeerId),
    /// The value cannot be sent (e.g. `undefined`, a function, a cyclic object).
    #[error("cannot send this value: {0}")]
    Unsendable(String),
    /// The browser refused an operation (its own message is kept).
    #[error("browser error: {0}")]
    Browser(String),
    /// A file transfer failed or was cancelled; the text says which file, with whom,
    /// and why.
    #[error("{0}")]
    Transfer(String),
    /// `close()` was called on this peer.
    #[error("this peer is closed")]
    Closed,
}

impl PeerError {
    /// Wraps a value a browser API threw, keeping its message.
    pub(crate) fn browser(error: JsValue) -> Self {
        Self::Browser(js_message(&error))
    }
}

/// The `message` of a JS `Error`, or the value's string form.
pub(crate) fn js_message(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// The one place the state machine's errors become ours: each variant keeps its text
/// (the two enums' `#[error]` strings are the same). The match is exhaustive on purpose:
/// a variant added to the machine does not compile until it is mapped here.
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

impl From<PeerError> for JsValue {
    /// A JS `Error`; a refusal by the server also carries the protocol's code as
    /// `error.code` (e.g. `"wrong_secret"`), for a page to act on.
    fn from(error: PeerError) -> Self {
        let js_error = js_sys::Error::new(&error.to_string());
        if let PeerError::Refused { code, .. } = &error {
            let _ = js_sys::Reflect::set(&js_error, &"code".into(), &code.as_str().into());
        }
        js_error.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Every error the machine settles a call with reads the same once it is ours.
    #[wasm_bindgen_test]
    fn core_errors_keep_their_text() {
        let peer = PeerId::from("b");
        let errors = [
            CoreError::Refused { code: ErrorCode::RoomFull, message: "full".into() },
            CoreError::SignalingClosed,
            CoreError::SignalingReconnecting,
            CoreError::UnknownPeer(peer.clone()),
            CoreError::SelfConnect,
            CoreError::NotConnected(peer.clone()),
            CoreError::ConnectFailed { peer, reason: "timed out".into() },
            CoreError::Closed,
        ];
        for error in errors {
            assert_eq!(PeerError::from(error.clone()).to_string(), error.to_string());
        }
    }
}
