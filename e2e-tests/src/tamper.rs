//! A man in the middle for one tab: a WebSocket proxy between the tab and the real
//! signaling server, forwarding every frame both ways and rewriting the text frames on
//! the way (`tamper/rewrite.rs`: an SDP's fingerprint, a key in the roster). It stands
//! where a malicious server, or anyone on its path, would: what it changes, the peers
//! must notice.
//!
//! ```ignore
//! let proxy = TamperProxy::start(harness.ws_url(), tamper::fingerprints()).await;
//! let tab = harness.open_tab_through(&proxy).await;
//! ```

mod rewrite;

pub use rewrite::{Rewrite, STRANGER_KEY, Way, fingerprints, swap_key};

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The proxy, on a free loopback port; it stops (every connection with it) on drop.
pub struct TamperProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    tampered: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TamperProxy {
    /// Listens on `127.0.0.1:0`; each WebSocket accepted there is joined to a new one
    /// to `upstream` (the server's `ws://` URL), with `rewrite` applied to every text
    /// frame in both directions.
    pub async fn start(upstream: String, rewrite: Rewrite) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds the proxy");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let tampered = Arc::new(AtomicUsize::new(0));
        let relay = Relay { upstream, rewrite, tampered: tampered.clone() };
        let task = tokio::spawn(accept(listener, relay));
        Self { addr, tampered, task }
    }

    /// The URL a tab joins through.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// How many messages it has changed so far (a test checks it did its part).
    pub fn tampered(&self) -> usize {
        self.tampered.load(Ordering::Relaxed)
    }
}

impl Drop for TamperProxy {
    fn drop(&mut self) {
        // The accept task owns the connections' tasks: aborting it ends them all.
        self.task.abort();
    }
}

/// What every connection through the proxy shares.
#[derive(Clone)]
struct Relay {
    upstream: String,
    rewrite: Rewrite,
    tampered: Arc<AtomicUsize>,
}

/// Accepts tabs' connections (a tab that rejoins comes back) for as long as it runs.
async fn accept(listener: TcpListener, relay: Relay) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((tab, _)) = listener.accept().await else { continue };
        connections.spawn(relay.clone().join(tab));
        while connections.try_join_next().is_some() {}
    }
}

impl Relay {
    /// Completes the tab's WebSocket handshake, opens one to the server, and forwards
    /// between them until either side ends; then the other is closed too.
    async fn join(self, tab: TcpStream) {
        let Ok(tab) = tokio_tungstenite::accept_async(tab).await else { return };
        // Without the server, the tab's socket just closes, as the server's would.
        let Ok((server, _)) = tokio_tungstenite::connect_async(self.upstream.as_str()).await else {
            return;
        };
        let (to_tab, from_tab) = tab.split();
        let (to_server, from_server) = server.split();
        tokio::select! {
            () = self.forward(from_tab, to_server, Way::ToServer) => {}
            () = self.forward(from_server, to_tab, Way::ToTab) => {}
        }
    }

    /// Passes frames from `from` to `to`, text rewritten, until `from` ends (its close
    /// frame, with its code, is passed on) or `to` fails. Pings are not passed on:
    /// each end of the proxy answers its own.
    async fn forward<S, K>(&self, mut from: S, mut to: K, way: Way)
    where
        S: Stream<Item = Result<Message, WsError>> + Unpin,
        K: Sink<Message> + Unpin,
    {
        while let Some(Ok(message)) = from.next().await {
            let message = match message {
                Message::Text(text) => Message::text(self.rewritten(text.as_str(), way)),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                other => other,
            };
            let closing = matches!(message, Message::Close(_));
            if to.send(message).await.is_err() || closing {
                return;
            }
        }
        let _ = to.close().await;
    }

    /// `text` as the rewrite leaves it: untouched (byte for byte) unless it changed the
    /// message.
    fn rewritten(&self, text: &str, way: Way) -> String {
        let Ok(mut message) = serde_json::from_str::<Value>(text) else {
            return text.to_owned();
        };
        if !(self.rewrite)(way, &mut message) {
            return text.to_owned();
        }
        self.tampered.fetch_add(1, Ordering::Relaxed);
        message.to_string()
    }
}
