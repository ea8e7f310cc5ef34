//! A signaling connection once open: a reader task that decodes the server's messages
//! into a bounded queue, a writer task that writes ours from another, and how the
//! connection ended. Ping and pong are tungstenite's (it answers pings as it reads).

use super::error::SignalingError;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{ClientMessage, ServerMessage, TAKEN_OVER_CLOSE_CODE};
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tracing::debug;

/// The WebSocket as tokio-tungstenite opens it.
pub(super) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Messages waiting each way: the server's default queue per peer. Past it our sends
/// fail ([`SignalingError::Backlog`]) and the reader stops reading, so the server, not
/// our memory, takes the excess (and disconnects us if we never catch up).
const QUEUE_LEN: usize = 256;

/// The largest message of the server we act on. The server relays a signal of at most
/// its `--max-message-bytes` (64 KiB by default) with a few bytes added, and a welcome
/// lists at most its room's peers; a larger one is dropped.
pub(super) const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// The largest frame or message tungstenite reads at all: past it the connection ends
/// with an error (what it holds is never buffered beyond this).
pub(super) const MAX_WIRE_BYTES: usize = 1024 * 1024;

/// How the connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The close frame's code, if the server sent one ([`TAKEN_OVER_CLOSE_CODE`], 1001 for a
    /// server going away, ...).
    pub code: Option<u16>,
    /// The close frame's reason, or what ended the connection, for people.
    pub reason: String,
}

/// The joined connection to the signaling server. Dropping it closes the connection.
pub struct SignalingLink {
    sender: SignalingSender,
    incoming: mpsc::Receiver<ServerMessage>,
    closed: Arc<Mutex<Option<Closed>>>,
}

/// A handle that queues messages for the server and closes the connection; clones share
/// the one connection.
#[derive(Clone)]
pub struct SignalingSender {
    outgoing: mpsc::Sender<String>,
    closing: Arc<watch::Sender<bool>>,
}

impl SignalingLink {
    /// Serves `socket` with a reader and a writer task (on the current tokio runtime).
    pub(super) fn start(socket: Socket) -> SignalingLink {
        let (sink, stream) = socket.split();
        let (outgoing, to_write) = mpsc::channel(QUEUE_LEN);
        let (read, incoming) = mpsc::channel(QUEUE_LEN);
        let (closing, close_asked) = watch::channel(false);
        let (closed, closing) = (Arc::new(Mutex::new(None)), Arc::new(closing));
        tokio::spawn(write(sink, to_write, close_asked));
        tokio::spawn(read_messages(stream, read, Arc::clone(&closed), Arc::clone(&closing)));
        let sender = SignalingSender { outgoing, closing };
        SignalingLink { sender, incoming, closed }
    }

    /// Queues `message` for the server.
    pub fn send(&self, message: ClientMessage) -> Result<(), SignalingError> {
        self.sender.send(message)
    }

    /// The server's next message, in order; `None` once the connection has closed (then
    /// [`SignalingLink::closed`] says how). Messages that are not of the protocol (or a
    /// signal of a kind we do not know) are skipped, as the protocol says.
    pub async fn recv(&mut self) -> Option<ServerMessage> {
        self.incoming.recv().await
    }

    /// How the connection ended; `None` while it is open.
    pub fn closed(&self) -> Option<Closed> {
        self.closed.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Why the connection ended, for people; `None` while it is open.
    pub fn close_reason(&self) -> Option<String> {
        self.closed().map(|closed| closed.reason)
    }

    /// Whether a newer connection of our key took our seat (close code 4000): do not
    /// rejoin by itself then.
    pub fn taken_over(&self) -> bool {
        self.closed().is_some_and(|closed| closed.code == Some(TAKEN_OVER_CLOSE_CODE))
    }

    /// Closes the connection (a close frame after what is queued); `recv` then ends.
    pub fn close(&self) {
        self.sender.close();
    }

    /// A handle to queue messages from elsewhere (the driver's other tasks).
    pub fn sender(&self) -> SignalingSender {
        self.sender.clone()
    }
}

impl Drop for SignalingLink {
    fn drop(&mut self) {
        self.sender.close();
    }
}

impl SignalingSender {
    /// Queues `message` for the server: [`SignalingError::Backlog`] when the queue is
    /// full, [`SignalingError::Closed`] once the connection has closed.
    pub fn send(&self, message: ClientMessage) -> Result<(), SignalingError> {
        // Strings and numbers only: encoding cannot fail.
        let text = serde_json::to_string(&message).unwrap_or_default();
        self.outgoing.try_send(text).map_err(|error| match error {
            mpsc::error::TrySendError::Full(_) => SignalingError::Backlog,
            mpsc::error::TrySendError::Closed(_) => {
                SignalingError::Closed { reason: "the signaling connection is closed".into() }
            }
        })
    }

    /// Closes the connection (a close frame after what is queued).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// Writes queued messages until the link closes (or every sender is gone), then a
/// close frame.
async fn write(
    mut sink: SplitSink<Socket, Message>,
    mut to_write: mpsc::Receiver<String>,
    mut close_asked: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            biased;
            text = to_write.recv() => match text {
                Some(text) => {
                    if sink.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                None => break,
            },
            // The guard `wait_for` returns may not be held across a write: dropped here.
            () = async { drop(close_asked.wait_for(|closing| *closing).await) } => {
                // Already queued messages still go out, as a browser's socket sends them.
                while let Ok(text) = to_write.try_recv() {
                    if sink.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                break;
            }
        }
    }
    let _ = sink.close().await;
}

/// Reads the server's messages into `read` until the connection ends, then says how and
/// stops the writer (`closing`), so that sends fail from then on.
async fn read_messages(
    mut stream: SplitStream<Socket>,
    read: mpsc::Sender<ServerMessage>,
    closed: Arc<Mutex<Option<Closed>>>,
    closing: Arc<watch::Sender<bool>>,
) {
    let ended = loop {
        match stream.next().await {
            Some(Ok(Message::Text(text))) => {
                let Some(message) = decode(text.as_str()) else { continue };
                if read.send(message).await.is_err() {
                    break Closed { code: None, reason: "closed by this peer".into() };
                }
            }
            Some(Ok(Message::Close(frame))) => {
                break match frame {
                    Some(frame) => Closed {
                        code: Some(u16::from(frame.code)),
                        reason: match frame.reason.as_str() {
                            "" => format!("closed with code {}", u16::from(frame.code)),
                            reason => reason.to_owned(),
                        },
                    },
                    None => Closed { code: None, reason: "closed by the server".into() },
                };
            }
            // Pings are answered by tungstenite; binary frames are not of the protocol.
            Some(Ok(_)) => {}
            Some(Err(error)) => break Closed { code: None, reason: error.to_string() },
            None => break Closed { code: None, reason: "the connection dropped".into() },
        }
    };
    debug!(reason = %ended.reason, "signaling connection closed");
    *closed.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(ended);
    closing.send_replace(true);
    // `read` drops here, after the reason is set: `recv` then returns `None`.
}

/// One text frame as a server message; `None` (logged) for anything too large or not a
/// message of the protocol.
fn decode(text: &str) -> Option<ServerMessage> {
    if text.len() > MAX_MESSAGE_BYTES {
        debug!(bytes = text.len(), "dropped a server message too large to act on");
        return None;
    }
    serde_json::from_str(text)
        .inspect_err(|error| debug!(%error, "dropped a server message we cannot read"))
        .ok()
}
