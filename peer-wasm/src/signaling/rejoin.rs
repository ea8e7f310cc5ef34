//! Rejoining after the signaling connection dropped: a new WebSocket to the same server
//! (or another instance of it, or the same one restarted) and a join with our key, which
//! gives this peer its id back (peers with open channels to it never see it leave). When
//! and how often is the machine's decision (`peer-core`'s `rejoin.rs`); this is one attempt.

use crate::error::PeerError;
use crate::signaling::join::{JoinRequest, Welcome, handshake};
use crate::signaling::link::SignalingLink;
use crate::signaling::websocket::WebSocketSignaling;
use crate::wire::payload::Payload;
use peer_core::Input;
use signaling_protocol::ErrorCode;

/// Where and as whom to rejoin.
pub(crate) struct Rejoin {
    url: String,
    request: JoinRequest,
}

impl Rejoin {
    pub fn new(url: &str, request: JoinRequest) -> Self {
        Self { url: url.to_owned(), request }
    }

    /// One attempt to rejoin: the new link and its welcome, or what to tell the machine
    /// ([`Input::SignalingClosed`] to try again later, [`Input::SignalingOver`] when
    /// trying again cannot help).
    pub async fn attempt(&self) -> Result<(SignalingLink, Welcome), Input<Payload>> {
        let unreachable = |error: PeerError| Input::SignalingClosed { reason: error.to_string() };
        let mut link = WebSocketSignaling::open(&self.url).await.map_err(unreachable)?;
        match handshake(&mut link, &self.request).await {
            Ok(welcome) => Ok((link, welcome)),
            // A room that is full or a server that is busy may take us later.
            Err(error @ PeerError::Refused { code, .. }) if !may_pass_later(code) => {
                Err(Input::SignalingOver { reason: format!("could not rejoin the room: {error}") })
            }
            Err(error @ PeerError::Browser(_)) => {
                Err(Input::SignalingOver { reason: format!("could not rejoin the room: {error}") })
            }
            Err(error) => Err(unreachable(error)),
        }
    }
}

/// Whether a refusal of our rejoin may not be repeated on a later attempt (`unavailable`:
/// the server's Redis is back within seconds, or another instance takes us).
fn may_pass_later(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::RoomFull
            | ErrorCode::TooManyRooms
            | ErrorCode::RateLimited
            | ErrorCode::Unavailable
            | ErrorCode::Other
    )
}
