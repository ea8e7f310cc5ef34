//! One WebSocket peer: a reader loop that applies its messages, and a writer task that
//! drains its bounded outbound queue. Either side ending ends both.

use crate::AppState;
use crate::limits::{Admission, RateLimit};
use axum::extract::ws::{CloseFrame, Message, WebSocket, close_code};
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, ServerMessage, validate_name, validate_room,
};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Where a peer is, once joined.
struct Joined {
    room: String,
    id: PeerId,
}

/// Serves one socket until it closes, errors, falls behind, or the server shuts down.
pub async fn serve(
    socket: WebSocket,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
    _admission: Admission,
) {
    let mut pace = RateLimit::new(state.config.messages_per_second, state.config.message_burst);
    let (mut sink, mut stream) = socket.split();
    let (outbox, mut queued) = mpsc::channel::<ServerMessage>(state.config.peer_queue_len);
    let heartbeat = state.config.heartbeat;
    let writer = tokio::spawn(async move {
        let start = tokio::time::Instant::now() + heartbeat;
        let mut ping = tokio::time::interval_at(start, heartbeat);
        loop {
            let frame = tokio::select! {
                message = queued.recv() => match message {
                    Some(message) => match serde_json::to_string(&message) {
                        Ok(text) => Message::Text(text.into()),
                        Err(_) => continue,
                    },
                    None => break,
                },
                _ = ping.tick() => Message::Ping(Default::default()),
            };
            if sink.send(frame).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });

    let mut joined: Option<Joined> = None;
    loop {
        let frame = tokio::select! {
            frame = tokio::time::timeout(state.config.idle_timeout, stream.next()) => match frame {
                Ok(frame) => frame,
                Err(_) => {
                    tracing::info!(peer = ?joined.as_ref().map(|j| &j.id), "idle: no frame, not even a pong");
                    break;
                }
            },
            _ = shutdown.changed() => break,
        };
        let reply = match frame {
            Some(Ok(Message::Text(_) | Message::Binary(_))) if !pace.allow() => {
                Err(ErrorCode::RateLimited)
            }
            Some(Ok(Message::Text(text))) => handle_text(&state, &outbox, &mut joined, &text),
            Some(Ok(Message::Binary(_))) => Err(ErrorCode::BinaryNotSupported),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            Some(Ok(_)) => Ok(()), // ping / pong
        };
        if let Err(code) = reply {
            let error = ServerMessage::Error { code, message: code.description().into() };
            if outbox.try_send(error).is_err() {
                break; // evicted, or too far behind to be told
            }
        }
        // Evicted by the rooms (it stopped reading): its queue is closed.
        if writer.is_finished() {
            break;
        }
    }
    if let Some(Joined { room, id }) = joined {
        tracing::info!(peer = %id, %room, "left");
        state.rooms.leave(&room, &id);
    }
    drop(outbox);
    let _ = writer.await;
}

/// Closes a connection over the server's limits with 1013 ("try again later").
pub async fn refuse_busy(mut socket: WebSocket, client: SocketAddr) {
    tracing::warn!(%client, "refused: connection limit reached");
    let close = CloseFrame { code: close_code::AGAIN, reason: "too many connections".into() };
    let _ = socket.send(Message::Close(Some(close))).await;
}

/// Applies one text frame; an error code is answered to the sender only.
fn handle_text(
    state: &AppState,
    outbox: &mpsc::Sender<ServerMessage>,
    joined: &mut Option<Joined>,
    text: &str,
) -> Result<(), ErrorCode> {
    let message: ClientMessage =
        serde_json::from_str(text).map_err(|_| ErrorCode::MalformedMessage)?;
    match (message, joined.as_ref()) {
        (ClientMessage::Join { .. }, Some(_)) => Err(ErrorCode::AlreadyJoined),
        (ClientMessage::Join { room, name }, None) => {
            validate_room(&room)?;
            validate_name(&name)?;
            let (id, peers) = state.rooms.join(&room, &name, outbox.clone())?;
            tracing::info!(peer = %id, %room, %name, "joined");
            let welcome = ServerMessage::Welcome { id: id.clone(), room: room.clone(), peers };
            // The queue is fresh, so the welcome always fits.
            let _ = outbox.try_send(welcome);
            *joined = Some(Joined { room, id });
            Ok(())
        }
        (ClientMessage::Signal { .. }, None) => Err(ErrorCode::NotJoined),
        (ClientMessage::Signal { to, signal }, Some(me)) => {
            tracing::debug!(peer = %me.id, room = %me.room, to = %to, "relay");
            state.rooms.relay(&me.room, &me.id, &to, signal)
        }
    }
}
