//! The join handshake, for the first join and for every rejoin: `join` (with the resume
//! token of the last welcome when rejoining), then the server's `welcome` or refusal.

use crate::signaling::{SignalingEvent, SignalingLink};
use crate::{PeerError, timer};
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use signaling_protocol::{ClientMessage, IceServer, PeerId, PeerInfo, ServerMessage};

/// How long the server may take to welcome us.
const JOIN_TIMEOUT_MS: u32 = 10_000;

/// Who joins where.
#[derive(Clone, Debug)]
pub(crate) struct JoinRequest {
    pub room: String,
    pub name: String,
    pub secret: Option<String>,
    /// Our public key for mesh-relayed signals (none where the page has no WebCrypto).
    pub key: Option<String>,
}

/// What the server's welcome told us.
pub(crate) struct Welcome {
    pub id: PeerId,
    /// The other members, oldest first.
    pub roster: Vec<PeerInfo>,
    pub ice_servers: Vec<IceServer>,
    /// What to present on a rejoin to be given `id` again.
    pub resume_token: Option<String>,
}

/// Joins over `link`; on failure the transport is closed.
pub(crate) async fn handshake(
    link: &mut SignalingLink,
    request: &JoinRequest,
    resume_token: Option<String>,
) -> Result<Welcome, PeerError> {
    let join = ClientMessage::Join {
        room: request.room.clone(),
        name: request.name.clone(),
        secret: request.secret.clone(),
        resume_token,
        key: request.key.clone(),
    };
    let welcome = match link.transport.send(&join) {
        Ok(()) => timer::timeout(JOIN_TIMEOUT_MS, next_welcome(&mut link.events)).await.unwrap_or(
            Err(PeerError::Timeout { what: "the server's welcome", ms: JOIN_TIMEOUT_MS }),
        ),
        Err(error) => Err(error),
    };
    if welcome.is_err() {
        link.transport.close();
    }
    welcome
}

/// Waits for the server's answer to our join.
async fn next_welcome(
    events: &mut UnboundedReceiver<SignalingEvent>,
) -> Result<Welcome, PeerError> {
    while let Some(event) = events.next().await {
        match event {
            SignalingEvent::Message(ServerMessage::Welcome {
                id,
                peers,
                ice_servers,
                resume_token,
                ..
            }) => return Ok(Welcome { id, roster: peers, ice_servers, resume_token }),
            SignalingEvent::Message(ServerMessage::Error { code, message, .. }) => {
                return Err(PeerError::Refused { code, message });
            }
            // Nothing else is sent before the welcome; ignore it if it were.
            SignalingEvent::Message(_) => {}
            SignalingEvent::Closed { .. } | SignalingEvent::Replaced { .. } => break,
        }
    }
    Err(PeerError::SignalingClosed)
}
