//! A real server on 127.0.0.1:0 and WebSocket clients for it (`client.rs`: each with a
//! key pair, signing its joins), with every wait bounded.

#![allow(dead_code)] // each test file uses a different part

pub mod client;
pub mod killable;

pub use client::Client;

use signaling_protocol::{PeerId, PeerInfo, SessionId, Signal, Step};
use signaling_server::Config;
use signaling_server::testing::Identity;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const WAIT: Duration = Duration::from_secs(5);

/// Any JSON object: what the server relays as a signal.
pub type Opaque = serde_json::Map<String, serde_json::Value>;

/// A server that pings every 50 ms and closes a socket silent for 300 ms: idle peers
/// are noticed within a test's patience.
pub fn quick_heartbeat() -> Config {
    Config {
        heartbeat: Duration::from_millis(50),
        idle_timeout: Duration::from_millis(300),
        ..Config::default()
    }
}

/// `config` sharing rooms through `redis_url`, with quick heartbeats (see
/// [`Server::shared`]).
pub fn with_redis(redis_url: &str, config: Config) -> Config {
    Config {
        redis_url: Some(redis_url.to_owned()),
        redis_heartbeat: Duration::from_millis(100),
        redis_liveness_ttl: Duration::from_millis(300),
        ..config
    }
}

/// An offer of session 1. (Unsigned: the server relays signals unread.)
pub fn offer(sdp: &str) -> Signal {
    signal(Step::Offer { sdp: sdp.into() })
}

/// A bye of session 1.
pub fn bye() -> Signal {
    signal(Step::Bye { reason: None })
}

fn signal(step: Step) -> Signal {
    Signal { session: SessionId(1), at: 0, sig: String::new(), step }
}

/// A running server; stop it with [`Server::stop`].
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(signaling_server::run(listener, config, async {
            let _ = stopped.await;
        }));
        Self { addr, stop: Some(stop), task }
    }

    /// An instance sharing rooms through the Redis at `redis_url`, once it reaches it.
    /// Heartbeats every 100 ms, its liveness key lasting 300 ms: a killed instance is
    /// swept within half a second.
    pub async fn shared(redis_url: &str, config: Config) -> Self {
        let server = Self::start(with_redis(redis_url, config)).await;
        server.wait_for_metric("signaling_redis_up", 1.0).await;
        server
    }

    pub async fn default() -> Self {
        Self::start(Config::default()).await
    }

    /// Stops the server and waits (bounded) for `run` to return.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let finished = tokio::time::timeout(WAIT, &mut self.task).await;
        assert!(finished.is_ok(), "run did not return after shutdown");
    }

    /// A client with a new key pair, its challenge read.
    pub async fn client(&self) -> Client {
        Client::connect(self.addr).await
    }

    /// A client with the key pair `identity` (as a peer that comes back), its challenge
    /// read.
    pub async fn client_as(&self, identity: &Identity) -> Client {
        Client::connect_as(self.addr, identity.clone()).await
    }

    /// A joined client and its welcome's id and peer list.
    pub async fn joined(&self, room: &str, name: &str) -> (Client, PeerId, Vec<PeerInfo>) {
        let mut client = self.client().await;
        let (id, peers) = client.join(room, name).await;
        (client, id, peers)
    }

    /// The value of one sample of `GET /metrics`, e.g. `signaling_peers` or
    /// `signaling_errors_total{code="unknown_peer"}`.
    pub async fn metric(&self, sample: &str) -> f64 {
        let (status, body) = self.get("/metrics").await;
        assert_eq!(status, 200, "GET /metrics");
        body.lines()
            .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no sample {sample} in\n{body}"))
    }

    /// Polls [`Server::metric`] until it reads `value`, for at most [`WAIT`].
    pub async fn wait_for_metric(&self, sample: &str, value: f64) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let now = self.metric(sample).await;
            if now == value {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "{sample} stayed {now}, not {value}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `GET path` over a plain TCP connection: (status, body).
    pub async fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).await.expect("connects");
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("writes");
        let mut response = String::new();
        tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
            .await
            .expect("answers in time")
            .expect("reads");
        let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }
}
