//! One load-generating peer: a WebSocket to the server, joined with a signed join (timed),
//! then a writer task fed by a bounded queue, and a reader task that times every relayed
//! signal.

use crate::identity::Identity;
use futures_util::{SinkExt, Stream, StreamExt};
use signaling_protocol::{ClientMessage, PeerId, ServerMessage, SessionId, Signal, Step};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// How long the server may take to send the challenge, or to answer the join.
const JOIN_PATIENCE: Duration = Duration::from_secs(30);

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
    /// Join latencies in microseconds: from the join sent to the welcome read...
    pub join_us: Mutex<Vec<u32>>,
    /// ...and from the TCP connect to the welcome (the upgrade, the challenge, the
    /// signing and the join).
    pub connect_join_us: Mutex<Vec<u32>>,
}

/// One connected, joined peer.
pub struct Client {
    id: PeerId,
    tally: Arc<Tally>,
    outbox: mpsc::Sender<String>,
    open: Arc<AtomicBool>,
}

impl Client {
    /// Connects, reads the challenge, joins `room` as `identity` (signing the join for
    /// this connection), and starts the reader and writer tasks.
    pub async fn join(
        url: &str,
        room: &str,
        name: &str,
        identity: &Identity,
        tally: Arc<Tally>,
        epoch: Instant,
    ) -> Result<Self, String> {
        let connecting = Instant::now();
        // Small buffers: ten thousand clients at the default 128 KiB each would need GBs.
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .map_err(|error| format!("connect: {error}"))?;
        let (mut sink, mut stream) = socket.split();
        let nonce = match next_message(&mut stream).await? {
            ServerMessage::Challenge { nonce } => nonce,
            other => return Err(format!("expected the challenge first, got {other:?}")),
        };
        let join = ClientMessage::Join {
            room: room.into(),
            name: name.into(),
            secret: None,
            key: identity.key.clone(),
            proof: identity.prove(&nonce, room),
        };
        let joining = Instant::now();
        sink.send(Message::text(encode(&join))).await.map_err(|error| error.to_string())?;
        let id = match next_message(&mut stream).await? {
            ServerMessage::Welcome { id, .. } => id,
            ServerMessage::Error { code, message, .. } => {
                return Err(format!("join refused: {code:?} {message}"));
            }
            other => return Err(format!("expected a welcome, got {other:?}")),
        };
        let micros =
            |since: Instant| u32::try_from(since.elapsed().as_micros()).unwrap_or(u32::MAX);
        if let (Ok(mut join_us), Ok(mut connect_join_us)) =
            (tally.join_us.lock(), tally.connect_join_us.lock())
        {
            join_us.push(micros(joining));
            connect_join_us.push(micros(connecting));
        }

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

    /// This peer's id (its key's).
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
        // Unsigned: the server relays signals unread, and no peer here checks them.
        let offer =
            Signal { session: SessionId(1), at: 0, sig: String::new(), step: Step::Offer { sdp } };
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

/// The next protocol message on `stream` (pings and other frames skipped), within
/// [`JOIN_PATIENCE`].
async fn next_message(
    stream: &mut (impl Stream<Item = Result<Message, WsError>> + Unpin),
) -> Result<ServerMessage, String> {
    loop {
        match tokio::time::timeout(JOIN_PATIENCE, stream.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => match decode(&text) {
                Some(message) => return Ok(message),
                None => return Err(format!("not a protocol message: {text}")),
            },
            Ok(Some(Ok(_))) => {}
            other => return Err(format!("no answer: {other:?}")),
        }
    }
}

fn encode(message: &ClientMessage) -> String {
    serde_json::to_string(message).unwrap_or_default()
}

fn decode(text: &str) -> Option<ServerMessage> {
    serde_json::from_str(text).ok()
}
