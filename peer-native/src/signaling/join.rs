//! The join handshake: open the WebSocket, read the server's challenge, send `join` with
//! our key and its proof for that challenge and the room, then take the `welcome` (or
//! the refusal). Bounded by one timeout, connecting included.

use super::error::SignalingError;
use super::link::{MAX_WIRE_BYTES, SignalingLink};
use crate::identity::keys::{Identity, join_proof};
use signaling_protocol::{
    ClientMessage, ErrorCode, IceServer, PeerInfo, ServerMessage, validate_name, validate_room,
    validate_secret,
};
use std::fmt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// How long the server may take to accept the connection, challenge and welcome us (the
/// server itself gives a connection 10 s to join).
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Who joins where. Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinRequest {
    /// The server's WebSocket, e.g. `ws://127.0.0.1:8080/ws`.
    pub url: String,
    /// The room (1 to 64 of `A-Z a-z 0-9 - _ .`).
    pub room: String,
    /// Our display name in it.
    pub name: String,
    /// The room's secret, if it has one (or is to be created with one).
    pub secret: Option<String>,
}

impl fmt::Debug for JoinRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinRequest")
            .field("url", &self.url)
            .field("room", &self.room)
            .field("name", &self.name)
            .field("secret", &self.secret.as_ref().map(|_| ".."))
            .finish()
    }
}

/// A join the server welcomed.
pub struct Joined {
    /// Ourselves as the room sees us (id, name, key).
    pub me: PeerInfo,
    /// The room's other peers, oldest first.
    pub roster: Vec<PeerInfo>,
    /// The ICE servers the server gave us (empty when it has none); later
    /// `ServerMessage::IceServers` replace them.
    pub ice_servers: Vec<IceServer>,
    /// The open connection, for the room's news and our signals.
    pub link: SignalingLink,
}

/// Joins `request.room` on the server at `request.url` as `identity`: fails with
/// [`SignalingError::Unreachable`] when no WebSocket opens, `Refused` with the server's
/// code, `Timeout` past [`JOIN_TIMEOUT`], `Closed` if the server hangs up first. On any
/// failure the connection is closed.
pub async fn join(request: &JoinRequest, identity: &Identity) -> Result<Joined, SignalingError> {
    check_request(request)?;
    let ms = u64::try_from(JOIN_TIMEOUT.as_millis()).unwrap_or(u64::MAX);
    tokio::time::timeout(JOIN_TIMEOUT, handshake(request, identity))
        .await
        .unwrap_or(Err(SignalingError::Timeout { ms }))
}

/// The room, name and secret as the server would check them, refused before any
/// connection when they break its rules.
fn check_request(request: &JoinRequest) -> Result<(), SignalingError> {
    let refused =
        |code: ErrorCode| SignalingError::Refused { code, message: code.description().to_owned() };
    validate_room(&request.room).map_err(refused)?;
    validate_name(&request.name).map_err(refused)?;
    if let Some(secret) = &request.secret {
        validate_secret(secret).map_err(refused)?;
    }
    Ok(())
}

async fn handshake(request: &JoinRequest, identity: &Identity) -> Result<Joined, SignalingError> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_WIRE_BYTES))
        .max_frame_size(Some(MAX_WIRE_BYTES));
    let unreachable = |error: tokio_tungstenite::tungstenite::Error| SignalingError::Unreachable {
        url: request.url.clone(),
        reason: error.to_string(),
    };
    let (socket, _) =
        tokio_tungstenite::connect_async_with_config(request.url.as_str(), Some(config), true)
            .await
            .map_err(unreachable)?;
    // Dropped on any failure below, which closes the connection.
    let mut link = SignalingLink::start(socket);
    let nonce = match next_reply(&mut link).await? {
        ServerMessage::Challenge { nonce } => nonce,
        _ => return Err(closed("the server did not challenge us first")),
    };
    link.send(ClientMessage::Join {
        room: request.room.clone(),
        name: request.name.clone(),
        secret: request.secret.clone(),
        key: identity.key().to_owned(),
        proof: join_proof(identity, &nonce, &request.room),
    })?;
    let ServerMessage::Welcome { id, peers, ice_servers, .. } = next_reply(&mut link).await? else {
        return Err(closed("the server answered our join with neither welcome nor error"));
    };
    // The server derives our id from our key as we do: any other id is not ours.
    if id != identity.id() {
        return Err(SignalingError::WrongId { given: id, ours: identity.id() });
    }
    let me = PeerInfo {
        key: Some(identity.key().to_owned()),
        ..PeerInfo::new(id, request.name.clone())
    };
    Ok(Joined { me, roster: peers, ice_servers, link })
}

/// The server's next challenge or welcome (nothing else comes before the welcome; other
/// messages are skipped); an error is the join refused.
async fn next_reply(link: &mut SignalingLink) -> Result<ServerMessage, SignalingError> {
    while let Some(message) = link.recv().await {
        match message {
            ServerMessage::Challenge { .. } | ServerMessage::Welcome { .. } => return Ok(message),
            ServerMessage::Error { code, message, .. } => {
                return Err(SignalingError::Refused { code, message });
            }
            _ => {}
        }
    }
    let reason = link.close_reason().unwrap_or_else(|| "the connection dropped".into());
    Err(SignalingError::Closed { reason })
}

fn closed(reason: &str) -> SignalingError {
    SignalingError::Closed { reason: reason.to_owned() }
}
