//! A real server on 127.0.0.1:0 and WebSocket clients for it, with every wait bounded.

#![allow(dead_code)] // each test file uses a different part

pub mod killable;

use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage, SessionId, Signal, Step,
};
use signaling_server::Config;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(5);

/// Any JSON object: what the server relays as a signal.
pub type Opaque = serde_json::Map<String, serde_json::Value>;

/// An offer of session 1.
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
/// [`Server::shared`]) and a resume key every instance shares.
pub fn with_redis(redis_url: &str, config: Config) -> Config {
    Config {
        redis_url: Some(redis_url.to_owned()),
        redis_heartbeat: Duration::from_millis(100),
        redis_liveness_ttl: Duration::from_millis(300),
        resume_key: Some(signaling_server::ResumeKey::new("a key every instance shares")),
        ..config
    }
}

pub fn offer(sdp: &str) -> Signal {
    Signal { session: SessionId(1), step: Step::Offer { sdp: sdp.into() } }
}

/// A bye of session 1.
pub fn bye() -> Signal {
    Signal { session: SessionId(1), step: Step::Bye { reason: None } }
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

    pub async fn client(&self) -> Client {
        Client::connect(self.addr).await
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

/// What a welcome told a client.
#[derive(Debug)]
pub struct Welcome {
    pub id: PeerId,
    pub peers: Vec<PeerInfo>,
    pub token: String,
}

pub struct Client {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// A WebSocket to the server at `addr`.
    pub async fn connect(addr: SocketAddr) -> Self {
        let url = format!("ws://{addr}/ws");
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .expect("connects in time")
            .expect("connects");
        Client { socket }
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        let text = serde_json::to_string(message).expect("encodes");
        self.send_raw(Message::text(text)).await;
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.socket.send(message).await.expect("sends");
    }

    /// The next server message, within [`WAIT`].
    pub async fn recv(&mut self) -> ServerMessage {
        let text = self.recv_text().await;
        serde_json::from_str(&text).expect("a server message")
    }

    /// The next server message, its signal (if any) read as any JSON object.
    pub async fn recv_opaque(&mut self) -> ServerMessage<Opaque> {
        let text = self.recv_text().await;
        serde_json::from_str(&text).expect("a server message")
    }

    /// The next server message as plain JSON, to see what the wire carries (or omits).
    pub async fn recv_json(&mut self) -> serde_json::Value {
        let text = self.recv_text().await;
        serde_json::from_str(&text).expect("JSON")
    }

    /// The next text frame, within [`WAIT`], skipping pings.
    async fn recv_text(&mut self) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .expect("a message in time")
                .expect("the socket is open")
                .expect("a frame");
            match frame {
                Message::Text(text) => return text.as_str().to_owned(),
                Message::Close(close) => panic!("closed: {close:?}"),
                _ => continue,
            }
        }
    }

    /// Asserts the next message is an error with `code` that names no signal target.
    pub async fn expect_error(&mut self, code: ErrorCode) {
        self.expect_refusal(code, None).await;
    }

    /// Asserts the next message is an error with `code`, naming the refused signal's
    /// target `to` (or none).
    pub async fn expect_refusal(&mut self, code: ErrorCode, to: Option<&PeerId>) {
        match self.recv().await {
            ServerMessage::Error { code: got, message, to: got_to } => {
                assert_eq!((got, got_to.as_ref()), (code, to));
                assert!(!message.is_empty());
            }
            other => panic!("expected {code:?}, got {other:?}"),
        }
    }

    /// Asserts the next frame, pings aside, closes the WebSocket with `code`; returns the
    /// close reason. (Reading answers the pings, as a browser does.)
    pub async fn expect_close(&mut self, code: u16) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .expect("a close in time");
            match frame {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(Some(close)))) => {
                    assert_eq!(u16::from(close.code), code, "close code ({})", close.reason);
                    return close.reason.as_str().to_owned();
                }
                other => panic!("expected a {code} close, got {other:?}"),
            }
        }
    }

    /// Asserts no message (pings aside) arrives for a short while.
    pub async fn expect_silence(&mut self) {
        let quiet_until = tokio::time::Instant::now() + Duration::from_millis(200);
        loop {
            let next = tokio::time::timeout_at(quiet_until, self.socket.next()).await;
            match next {
                Err(_) => return,
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(other) => panic!("expected nothing, got {other:?}"),
            }
        }
    }

    /// Sends a `join` presenting `secret` and `resume_token`, if any.
    pub async fn send_join(
        &mut self,
        room: &str,
        name: &str,
        secret: Option<&str>,
        resume_token: Option<&str>,
    ) {
        let (secret, resume_token) = (secret.map(str::to_owned), resume_token.map(str::to_owned));
        self.send(&ClientMessage::Join {
            room: room.into(),
            name: name.into(),
            secret,
            resume_token,
            key: None,
        })
        .await;
    }

    /// Joins presenting `secret` and `resume_token`, if any: the welcome.
    pub async fn welcome(
        &mut self,
        room: &str,
        name: &str,
        secret: Option<&str>,
        resume_token: Option<&str>,
    ) -> Welcome {
        self.send_join(room, name, secret, resume_token).await;
        match self.recv().await {
            ServerMessage::Welcome { id, room: joined, peers, resume_token, .. } => {
                assert_eq!(joined, room);
                let token = resume_token.expect("every welcome carries a resume token");
                Welcome { id, peers, token }
            }
            other => panic!("expected a welcome, got {other:?}"),
        }
    }

    pub async fn join(&mut self, room: &str, name: &str) -> (PeerId, Vec<PeerInfo>) {
        self.join_private(room, name, None).await
    }

    /// [`Client::join`] presenting `secret`.
    pub async fn join_private(
        &mut self,
        room: &str,
        name: &str,
        secret: Option<&str>,
    ) -> (PeerId, Vec<PeerInfo>) {
        let secret = secret.map(str::to_owned);
        self.send(&ClientMessage::Join {
            room: room.into(),
            name: name.into(),
            secret,
            resume_token: None,
            key: None,
        })
        .await;
        match self.recv().await {
            ServerMessage::Welcome { id, room: joined, peers, .. } => {
                assert_eq!(joined, room);
                (id, peers)
            }
            other => panic!("expected a welcome, got {other:?}"),
        }
    }
}
