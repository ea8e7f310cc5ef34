//! One connection's protocol state, with no socket: its challenge, whether and where it
//! joined, how fast it may talk, and what each frame it sends does (a join, a relay) or
//! why it is refused. The session's task (`task.rs`) drives it from a real socket; the
//! fuzz harness without one.

use crate::config::{PROOF_CHECK_BURST, PROOF_CHECKS_PER_SECOND};
use crate::credentials::ice;
use crate::credentials::identity::{Nonce, verify_join};
use crate::limits::RateLimit;
use crate::room::outbox::Outbound;
use crate::room::types::{Admit, Arrival, OpaqueSignal, Ticket, encode};
use crate::state::AppState;
use axum::extract::ws::Message;
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, ServerMessage, peer_id_for, validate_name, validate_room,
    validate_secret,
};
use std::time::SystemTime;

/// Where a peer is, once joined.
struct Place {
    room: String,
    id: PeerId,
    /// This connection's seat under `id` (a later join with the same key may take it).
    ticket: Ticket,
}

/// A data frame from the client, as far as the protocol cares.
pub enum Frame<'a> {
    /// A text frame.
    Text(&'a str),
    /// A binary frame (refused: the protocol is text).
    Binary,
}

/// Why a frame was refused: the error reply's code, and for a `signal` its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What went wrong.
    pub code: ErrorCode,
    /// The target of the refused signal, so its sender knows which negotiation failed.
    pub to: Option<PeerId>,
}

impl Refusal {
    /// The error reply to send back.
    pub fn reply(self) -> Message {
        let Refusal { code, to } = self;
        Message::Text(encode(&ServerMessage::Error {
            code,
            message: code.description().into(),
            to,
        }))
    }
}

/// One connection's protocol state: its challenge, where it is and how fast it may talk.
/// Knows no socket, so the fuzzer can drive it.
pub struct Connection {
    outbound: Outbound,
    joined: Option<Place>,
    pace: RateLimit,
    /// What this connection's join must sign.
    nonce: Nonce,
    /// How many join proofs it may still have checked: a check is a signature
    /// verification (about 0.2 ms of CPU), which a stranger could otherwise ask for as
    /// fast as it may send messages.
    proof_checks: RateLimit,
}

impl Connection {
    /// A connection that has not joined, whose challenge is `nonce` (queued as the first
    /// message it is sent); the rooms will reach it through `outbound`.
    pub fn new(state: &AppState, outbound: Outbound, nonce: Nonce) -> Self {
        let pace = RateLimit::new(state.config.messages_per_second, state.config.message_burst);
        // An empty queue takes any message: the challenge is always queued, and first.
        outbound.outbox.offer(encode(&ServerMessage::Challenge { nonce: nonce.text() }));
        let proof_checks = RateLimit::with_rate(PROOF_CHECKS_PER_SECOND, PROOF_CHECK_BURST);
        Self { outbound, joined: None, pace, nonce, proof_checks }
    }

    /// The challenge this connection was sent: what its join's proof signs.
    #[cfg(feature = "testing")]
    pub fn challenge(&self) -> String {
        self.nonce.text()
    }

    /// Our peer id, once joined.
    pub fn peer(&self) -> Option<&PeerId> {
        self.joined.as_ref().map(|joined| &joined.id)
    }

    /// Applies one frame; a refusal is to be answered to this connection only.
    pub async fn on_frame(&mut self, state: &AppState, frame: Frame<'_>) -> Result<(), Refusal> {
        let allowed = self.pace.allow();
        // Parsed even when over the rate, so that a refused signal can name its target. A
        // refused frame thus still costs one parse, bounded by `--max-message-bytes` (and
        // serde_json's nesting limit); the rate limit bounds the work it causes after that.
        let message = match frame {
            Frame::Text(text) => serde_json::from_str::<ClientMessage<OpaqueSignal>>(text)
                .map_err(|_| ErrorCode::MalformedMessage),
            Frame::Binary => Err(ErrorCode::BinaryNotSupported),
        };
        let applied = if !allowed {
            let to = match message {
                Ok(ClientMessage::Signal { to, .. }) => Some(to),
                _ => None,
            };
            Err(Refusal { code: ErrorCode::RateLimited, to })
        } else {
            match message {
                Err(code) => Err(Refusal { code, to: None }),
                Ok(ClientMessage::Join { room, name, secret, key, proof }) => self
                    .join(state, JoinRequest { room, name, secret, key, proof })
                    .await
                    .map_err(|code| Refusal { code, to: None }),
                Ok(ClientMessage::Signal { to, signal }) => {
                    self.relay(state, &to, signal).map_err(|code| Refusal { code, to: Some(to) })
                }
            }
        };
        if let Err(refusal) = &applied {
            let code = refusal.code;
            tracing::debug!(peer = ?self.peer(), code = code.as_str(), to = ?refusal.to, "refused");
            state.metrics.error(code);
        }
        applied
    }

    async fn join(&mut self, state: &AppState, request: JoinRequest) -> Result<(), ErrorCode> {
        let JoinRequest { room, name, secret, key, proof } = request;
        if self.joined.is_some() {
            return Err(ErrorCode::AlreadyJoined);
        }
        validate_room(&room)?;
        validate_name(&name)?;
        secret.as_deref().map(validate_secret).transpose()?;
        // Last of the checks: it is the one that costs (a signature verification).
        if !self.proof_checks.allow() {
            return Err(ErrorCode::RateLimited);
        }
        verify_join(&key, &proof, &self.nonce.text(), &room)?;
        let id = peer_id_for(&key);
        let secret = secret.as_deref();
        let admit = Admit { room: &room, name: &name, secret, key: &key, id: id.clone() };
        let config = &state.config;
        let ice_servers = || ice::servers_for(config, &id, SystemTime::now());
        let joined = state.rooms.join(admit, self.outbound.clone(), ice_servers).await?;
        let private = secret.is_some();
        match joined.arrival {
            Arrival::Fresh => tracing::info!(peer = %joined.id, %room, %name, private, "joined"),
            Arrival::TookOver => {
                tracing::info!(peer = %joined.id, %room, %name, "joined in place of its earlier connection")
            }
        }
        self.joined = Some(Place { room, id: joined.id, ticket: joined.ticket });
        Ok(())
    }

    /// Passes `signal` on to `to`, unread.
    fn relay(&self, state: &AppState, to: &PeerId, signal: OpaqueSignal) -> Result<(), ErrorCode> {
        let me = self.joined.as_ref().ok_or(ErrorCode::NotJoined)?;
        tracing::debug!(peer = %me.id, room = %me.room, %to, "relay");
        state.rooms.relay(&me.room, &me.id, me.ticket, to, signal)
    }

    /// Queues fresh ICE servers (new TURN credentials) for the peer, once joined. Queued
    /// behind its welcome, never ahead of it. A peer whose queue is full is not keeping
    /// up: it goes without (its credentials still hold for a fifth of their life), and the
    /// next message it cannot take evicts it.
    pub fn renew_ice_servers(&self, state: &AppState) {
        let Some(me) = &self.joined else { return };
        let ice_servers = ice::servers_for(&state.config, &me.id, SystemTime::now());
        let renewed = encode(&ServerMessage::IceServers { ice_servers });
        if !self.outbound.outbox.offer(renewed) {
            tracing::debug!(peer = %me.id, "ICE servers not renewed: the queue is full");
        }
    }

    /// Our room, id and seat, once joined.
    #[cfg(any(test, feature = "testing"))]
    pub fn place(&self) -> Option<(&str, &PeerId, Ticket)> {
        self.joined.as_ref().map(|joined| (joined.room.as_str(), &joined.id, joined.ticket))
    }

    /// The connection ended: its peer leaves its room (the others are told), unless its
    /// seat is gone already (evicted, or taken by a later join with the same key).
    pub fn leave(self, state: &AppState) {
        if let Some(Place { room, id, ticket }) = self.joined {
            if state.rooms.leave(&room, &id, ticket) {
                tracing::info!(peer = %id, %room, "left");
            } else {
                tracing::debug!(peer = %id, %room, "ended, no longer seated");
            }
        }
    }
}

/// What a join asks for, as it came.
struct JoinRequest {
    room: String,
    name: String,
    secret: Option<String>,
    key: String,
    proof: String,
}
