//! One load-generating peer: a WebSocket to the server, a writer task fed by a bounded
//! queue, and a reader task that times every relayed signal.

use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{ClientMessage, PeerId, ServerMessage, SessionId, Signal, Step};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// What every client counts, shared.
#[derive(Default)]
pub struct Tally {
    /// Relay latencies in microseconds, between peers of one server instance...
    pub latencies_us: Mutex<Vec<u32>>,
    /// ...and between peers of two instances (through Redis).
    pub across_us: Mutex<Vec<u32>>,
    /// Signals received.
    pub received: AtomicU64,
    /// Error replies from the server, by code.
    pub errors: Mutex<Vec<String>>,
    /// Signals the generator could not even queue (its own queue full).
    pub not_queued: AtomicU64,
    /// Connections that closed during the run.
    pub closed: AtomicU64,
}

/// One connected, joined peer.
pub struct Client {
    id: PeerId,
    tally: Arc<Tally>,
    outbox: mpsc::Sender<String>,
    open: Arc<AtomicBool>,
}

impl Client {
    /// Connects, joins `room`, and starts the reader and writer tasks.
    pub async fn join(
        url: &str,
        room: &str,
        name: &str,
        tally: Arc<Tally>,
        epoch: Instant,
    ) -> Result<Self, String> {
        // Small buffers: ten thousand clients at the default 128 KiB each would need GBs.
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .map_err(|error| format!("connect: {error}"))?;
        let (mut sink, mut stream) = socket.split();
        let join = ClientMessage::Join {
            room: room.into(),
            name: name.into(),
            secret: None,
            resume_token: None,
            key: None,
        };
        sink.send(Message::text(encode(&join))).await.map_err(|error| error.to_string())?;
        let id = loop {
            let reply = tokio::time::timeout(Duration::from_secs(30), stream.next()).await;
            match reply {
                Ok(Some(Ok(Message::Text(text)))) => match decode(&text) {
                    Some(ServerMessage::Welcome { id, .. }) => break id,
                    Some(ServerMessage::Error { code, message, .. }) => {
                        return Err(format!("join refused: {code:?} {message}"));
                    }
                    _ => {}
                },
                Ok(Some(Ok(_))) => {}
                other => return Err(format!("no welcome: {other:?}")),
            }
        };

        let open = Arc::new(AtomicBool::new(true));
        let (outbox, mut queued) = mpsc::channel::<String>(1024);
        tokio::spawn(async move {
            while let Some(text) = queued.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
        });
        let still_open = Arc::clone(&open);
        let reader_tally = Arc::clone(&tally);
        tokio::spawn(async move {
            let tally = reader_tally;
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message {
                    record(&tally, decode(&text), epoch);
                }
            }
            still_open.store(false, Ordering::Relaxed);
            tally.closed.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self { id, tally, outbox, open })
    }

    /// This peer's server-assigned id.
    pub fn id(&self) -> &PeerId {
        &self.id
    }

    /// Whether the server still holds the connection.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }

    /// Sends an offer to `to` whose SDP carries the send time, and whether it crosses
    /// from one server instance to another.
    pub fn send_offer(&self, to: &PeerId, across: bool, epoch: Instant) {
        let sent_at = epoch.elapsed().as_micros();
        let sdp = format!("{sent_at}{}", if across { "x" } else { "" });
        let offer = Signal { session: SessionId(1), step: Step::Offer { sdp } };
        let message = ClientMessage::Signal { to: to.clone(), signal: offer };
        // Never wait on one slow socket: a full queue is counted instead.
        if self.outbox.try_send(encode(&message)).is_err() {
            self.tally.not_queued.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn record(tally: &Tally, message: Option<ServerMessage>, epoch: Instant) {
    match message {
        Some(ServerMessage::Signal {
            signal: Signal { step: Step::Offer { sdp }, .. }, ..
        }) => {
            tally.received.fetch_add(1, Ordering::Relaxed);
            let (sent_at, across) = match sdp.strip_suffix('x') {
                Some(sent_at) => (sent_at, true),
                None => (sdp.as_str(), false),
            };
            if let Ok(sent_at) = sent_at.parse::<u128>() {
                let latency = epoch.elapsed().as_micros().saturating_sub(sent_at);
                let latency = u32::try_from(latency).unwrap_or(u32::MAX);
                let latencies = if across { &tally.across_us } else { &tally.latencies_us };
                if let Ok(mut latencies) = latencies.lock() {
                    latencies.push(latency);
                }
            }
        }
        Some(ServerMessage::Error { code, .. }) => {
            if let Ok(mut errors) = tally.errors.lock() {
                errors.push(format!("{code:?}"));
            }
        }
        _ => {}
    }
}

fn encode(message: &ClientMessage) -> String {
    serde_json::to_string(message).unwrap_or_default()
}

fn decode(text: &str) -> Option<ServerMessage> {
    serde_json::from_str(text).ok()
}
