//! A WebSocket client of the server, as a browser peer is: a key pair of its own, the
//! connection's challenge read first, its joins signed for that challenge. Every wait
//! is bounded, so a failing test fails fast with what it saw.

use super::{Opaque, WAIT};
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage};
use signaling_server::testing::Identity;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Client {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The key pair it joins with.
    pub identity: Identity,
    /// This connection's challenge, the first message the server sent.
    pub nonce: String,
}

impl Client {
    /// A WebSocket to the server at `addr` with a new key pair, its challenge read.
    pub async fn connect(addr: SocketAddr) -> Self {
        Self::connect_as(addr, Identity::random()).await
    }

    /// A WebSocket to the server at `addr` with the key pair `identity`, its challenge
    /// read (which must be the first message).
    pub async fn connect_as(addr: SocketAddr, identity: Identity) -> Self {
        let socket = Self::unserved(addr).await;
        let mut client = Client { socket, identity, nonce: String::new() };
        match client.recv().await {
            ServerMessage::Challenge { nonce } => client.nonce = nonce,
            other => panic!("expected the challenge first, got {other:?}"),
        }
        client
    }

    /// A WebSocket to `addr`, nothing read from it (for a connection the server refuses
    /// to serve, which is sent a close frame instead of a challenge).
    pub async fn unserved(addr: SocketAddr) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
        let url = format!("ws://{addr}/ws");
        let (socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .expect("connects in time")
            .expect("connects");
        socket
    }

    /// The id its key gives it.
    pub fn id(&self) -> PeerId {
        self.identity.id()
    }

    /// How the other peers of its room see it, joined under `name`.
    pub fn info(&self, name: &str) -> PeerInfo {
        PeerInfo { key: Some(self.identity.key().to_owned()), ..PeerInfo::new(self.id(), name) }
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
        expect_close(&mut self.socket, code).await
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

    /// Sends a `join` presenting `secret`, if any, signed for this connection.
    pub async fn send_join(&mut self, room: &str, name: &str, secret: Option<&str>) {
        let join = self.identity.join(&self.nonce, room, name, secret);
        self.send(&join).await;
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
        self.send_join(room, name, secret).await;
        match self.recv().await {
            ServerMessage::Welcome { id, room: joined, peers, .. } => {
                assert_eq!(joined, room);
                assert_eq!(id, self.id(), "the id is the key's");
                (id, peers)
            }
            other => panic!("expected a welcome, got {other:?}"),
        }
    }
}

/// Asserts the next frame on `socket`, pings aside, closes it with `code`; returns the
/// close reason.
pub async fn expect_close(
    socket: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
    code: u16,
) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let frame =
            tokio::time::timeout_at(deadline, socket.next()).await.expect("a close in time");
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
