//! One WebSocket peer: a reader loop that applies its messages, and a writer task that
//! drains its bounded outbound queue. Either side ending ends both, and neither can
//! outlive its socket: a writer stuck on a peer that stopped reading is aborted.

use crate::AppState;
use crate::limits::{Admission, RateLimit};
use crate::metrics::Metrics;
use crate::rooms::{Admit, Delivery, Outbox, encode};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, ServerMessage, validate_name, validate_room, validate_secret,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

/// Where a peer is, once joined.
struct Joined {
    room: String,
    id: PeerId,
}

/// The sending end of one socket's outbound queue, and its writer task (which the
/// rooms abort to evict the peer).
struct Outbound {
    outbox: Outbox,
    writer: AbortHandle,
}

/// Counts a connection in the metrics for as long as it lives.
struct Open<'a>(&'a Metrics);

impl<'a> Open<'a> {
    fn new(metrics: &'a Metrics) -> Self {
        metrics.connection(1);
        Self(metrics)
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.connection(-1);
    }
}

/// Serves one socket until it closes, errors, falls behind, or the server shuts down.
pub async fn serve(
    socket: WebSocket,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
    _admission: Admission,
) {
    let _open = Open::new(&state.metrics);
    let config = &state.config;
    let mut pace = RateLimit::new(config.messages_per_second, config.message_burst);
    let (sink, mut stream) = socket.split();
    let (outbox, queued) = mpsc::channel::<Utf8Bytes>(config.peer_queue_len);
    // A peer that cannot take one frame in this long is not reading.
    let stall = config.idle_timeout;
    let mut writer = tokio::spawn(write(sink, queued, config.heartbeat, stall));
    let outbound = Outbound { outbox, writer: writer.abort_handle() };

    let mut joined: Option<Joined> = None;
    let mut writer_done = false;
    loop {
        let frame = tokio::select! {
            frame = tokio::time::timeout(config.idle_timeout, stream.next()) => match frame {
                Ok(frame) => frame,
                Err(_) => {
                    tracing::info!(peer = ?joined.as_ref().map(|j| &j.id), "idle: no frame, not even a pong");
                    break;
                }
            },
            _ = shutdown.changed() => break,
            // Evicted (aborted by the rooms), stalled, or the socket failed.
            _ = &mut writer => {
                writer_done = true;
                break;
            }
        };
        let reply = match frame {
            Some(Ok(Message::Text(_) | Message::Binary(_))) if !pace.allow() => {
                Err(ErrorCode::RateLimited)
            }
            Some(Ok(Message::Text(text))) => handle_text(&state, &outbound, &mut joined, &text),
            Some(Ok(Message::Binary(_))) => Err(ErrorCode::BinaryNotSupported),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            Some(Ok(_)) => Ok(()), // ping / pong
        };
        if let Err(code) = reply {
            tracing::debug!(peer = ?joined.as_ref().map(|j| &j.id), code = code.as_str(), "refused");
            state.metrics.error(code);
            let error = ServerMessage::Error { code, message: code.description().into() };
            if outbound.outbox.try_send(encode(&error)).is_err() {
                break; // too far behind to be told
            }
        }
    }
    if let Some(Joined { room, id }) = joined {
        tracing::info!(peer = %id, %room, "left");
        state.rooms.leave(&room, &id);
    }
    // The writer sends what is queued, then closes; it gets a moment, not forever.
    drop(outbound);
    if !writer_done && tokio::time::timeout(Duration::from_secs(1), &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Sends queued messages and heartbeat pings until the queue closes, the socket fails,
/// or one frame takes longer than `stall` to go out.
async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    mut queued: mpsc::Receiver<Utf8Bytes>,
    heartbeat: Duration,
    stall: Duration,
) {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let frame = tokio::select! {
            text = queued.recv() => match text {
                Some(text) => Message::Text(text),
                None => break,
            },
            _ = ping.tick() => Message::Ping(Default::default()),
        };
        match tokio::time::timeout(stall, sink.send(frame)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return,
            Err(_) => {
                tracing::info!("a frame could not be sent for {stall:?}: the peer is not reading");
                return;
            }
        }
    }
    let _ = tokio::time::timeout(stall, sink.close()).await;
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
    outbound: &Outbound,
    joined: &mut Option<Joined>,
    text: &str,
) -> Result<(), ErrorCode> {
    let message: ClientMessage =
        serde_json::from_str(text).map_err(|_| ErrorCode::MalformedMessage)?;
    match (message, joined.as_ref()) {
        (ClientMessage::Join { .. }, Some(_)) => Err(ErrorCode::AlreadyJoined),
        (ClientMessage::Join { room, name, secret }, None) => {
            validate_room(&room)?;
            validate_name(&name)?;
            secret.as_deref().map(validate_secret).transpose()?;
            let admit = Admit { room: &room, name: &name, secret: secret.as_deref() };
            let delivery =
                Delivery { outbox: outbound.outbox.clone(), writer: outbound.writer.clone() };
            let id = state.rooms.join(admit, delivery)?;
            tracing::info!(peer = %id, %room, %name, private = secret.is_some(), "joined");
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
