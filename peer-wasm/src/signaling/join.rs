//! The join handshake, for the first join and for every rejoin: the server's challenge,
//! then `join` with our key and its signature of the challenge and the room, then the
//! server's `welcome` or refusal.

use crate::error::PeerError;
use crate::identity::Identity;
use crate::signaling::link::{SignalingEvent, SignalingLink};
use crate::timer;
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use signaling_protocol::{ClientMessage, IceServer, PeerId, PeerInfo, ServerMessage, join_text};

/// How long the server may take to challenge and then welcome us.
const JOIN_TIMEOUT_MS: u32 = 10_000;

/// Who joins where.
#[derive(Clone, Debug)]
pub(crate) struct JoinRequest {
    pub room: String,
    pub name: String,
    pub secret: Option<String>,
    pub identity: Identity,
}

/// What the server's welcome told us.
pub(crate) struct Welcome {
    pub id: PeerId,
    /// The other members, oldest first.
    pub roster: Vec<PeerInfo>,
    pub ice_servers: Vec<IceServer>,
}

/// Joins over `link`; on failure the transport is closed.
pub(crate) async fn handshake(
    link: &mut SignalingLink,
    request: &JoinRequest,
) -> Result<Welcome, PeerError> {
    let timeout = PeerError::Timeout { what: "the server's welcome", ms: JOIN_TIMEOUT_MS };
    let joined = timer::timeout(JOIN_TIMEOUT_MS, join(link, request)).await.unwrap_or(Err(timeout));
    let welcome = joined.and_then(|welcome| {
        // The server derives our id from our key, as we do: any other id is not ours.
        if welcome.id == *request.identity.id() {
            Ok(welcome)
        } else {
            Err(PeerError::Browser(format!(
                "the server gave the id {} to the key of {}",
                welcome.id,
                request.identity.id()
            )))
        }
    });
    if welcome.is_err() {
        link.transport.close();
    }
    welcome
}

async fn join(link: &mut SignalingLink, request: &JoinRequest) -> Result<Welcome, PeerError> {
    let nonce = next_challenge(&mut link.events).await?;
    let text = join_text(&nonce, &request.room);
    let proof = request.identity.sign(&text).await.ok_or_else(|| {
        PeerError::Browser("WebCrypto refused to sign the join with our key".into())
    })?;
    let join = ClientMessage::Join {
        room: request.room.clone(),
        name: request.name.clone(),
        secret: request.secret.clone(),
        key: request.identity.key().to_owned(),
        proof,
    };
    link.transport.send(&join)?;
    next_welcome(&mut link.events).await
}

/// Waits for the server's challenge, the first message on every connection.
async fn next_challenge(
    events: &mut UnboundedReceiver<SignalingEvent>,
) -> Result<String, PeerError> {
    while let Some(event) = events.next().await {
        match event {
            SignalingEvent::Message(ServerMessage::Challenge { nonce }) => return Ok(nonce),
            SignalingEvent::Message(ServerMessage::Error { code, message, .. }) => {
                return Err(PeerError::Refused { code, message });
            }
            SignalingEvent::Message(_) => {}
            SignalingEvent::Closed { .. } | SignalingEvent::Replaced { .. } => break,
        }
    }
    Err(PeerError::SignalingClosed)
}

/// Waits for the server's answer to our join.
async fn next_welcome(
    events: &mut UnboundedReceiver<SignalingEvent>,
) -> Result<Welcome, PeerError> {
    while let Some(event) = events.next().await {
        match event {
            SignalingEvent::Message(ServerMessage::Welcome { id, peers, ice_servers, .. }) => {
                return Ok(Welcome { id, roster: peers, ice_servers });
            }
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
