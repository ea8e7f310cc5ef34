//! Rejoining after the signaling connection dropped: a new WebSocket to the same server
//! (or another instance of it, or the same one restarted) and a join with our key, which
//! gives this peer its id back (peers with open channels to it never see it leave). When,
//! how often, and whether a refusal ends it are the machine's decisions (`peer-core`'s
//! `rejoin.rs`); this is one attempt.

use crate::error::PeerError;
use crate::signaling::join::{JoinRequest, Welcome, handshake};
use crate::signaling::link::SignalingLink;
use crate::signaling::websocket::WebSocketSignaling;
use crate::wire::payload::Payload;
use peer_core::{Input, RejoinFailure};

/// Where and as whom to rejoin.
pub(crate) struct Rejoin {
    url: String,
    request: JoinRequest,
}

impl Rejoin {
    pub fn new(url: &str, request: JoinRequest) -> Self {
        Self { url: url.to_owned(), request }
    }

    /// One attempt to rejoin: the new link and its welcome, or what stopped it, for the
    /// machine to decide whether to try again ([`Input::RejoinFailed`]).
    pub async fn attempt(&self) -> Result<(SignalingLink, Welcome), Input<Payload>> {
        let failed =
            |failure, error: PeerError| Input::RejoinFailed { failure, error: error.to_string() };
        let link = WebSocketSignaling::open(&self.url).await;
        let mut link = link.map_err(|error| failed(RejoinFailure::Unreachable, error))?;
        match handshake(&mut link, &self.request).await {
            Ok(welcome) => Ok((link, welcome)),
            Err(error) => Err(failed(failure_of(&error), error)),
        }
    }
}

/// What stopped a join, as the machine tells its kinds apart.
fn failure_of(error: &PeerError) -> RejoinFailure {
    match error {
        PeerError::Refused { code, .. } => RejoinFailure::Refused(*code),
        PeerError::Browser(_) => RejoinFailure::Browser,
        _ => RejoinFailure::Unreachable,
    }
}
