//! How the server ends a connection, and the close code each ending is documented with
//! (docs/PROTOCOL.md), against a real server on a real socket.

mod common;

use common::{Server, WAIT};
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::ServerMessage;
use signaling_server::Config;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

/// The frames the server sends until it closes the TCP connection, read from `tcp`
/// below the WebSocket layer, so that nothing is ever written back (no pong): (opcode,
/// payload) each. Server frames are not masked.
async fn frames_until_closed(tcp: &mut TcpStream) -> Vec<(u8, Vec<u8>)> {
    let mut bytes = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut bytes))
        .await
        .expect("the server closes in time")
        .expect("reads");
    let mut frames = Vec::new();
    let mut rest = bytes.as_slice();
    while let [first, second, tail @ ..] = rest {
        let (len, tail) = match second & 0x7f {
            126 => (usize::from(u16::from_be_bytes([tail[0], tail[1]])), &tail[2..]),
            127 => panic!("no frame this long expected"),
            len => (usize::from(len), tail),
        };
        frames.push((first & 0x0f, tail[..len].to_vec()));
        rest = &tail[len..];
    }
    frames
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_closed_with_1000_idle() {
    let config = Config {
        heartbeat: Duration::from_millis(50),
        idle_timeout: Duration::from_millis(300),
        ..Config::default()
    };
    let server = Server::start(config).await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    // From now on nothing is read through the WebSocket, so no ping is answered.
    let MaybeTlsStream::Plain(tcp) = a.socket.get_mut() else { panic!("plain TCP") };
    let frames = frames_until_closed(tcp).await;
    let (opcode, payload) = frames.last().expect("frames");
    assert_eq!(*opcode, 0x8, "the last frame closes: {frames:?}");
    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 1000);
    assert_eq!(&payload[2..], b"idle");
    assert!(frames.iter().any(|(opcode, _)| *opcode == 0x9), "pinged first");
    server.stop().await;
}

#[tokio::test]
async fn invalid_utf8_in_a_text_frame_closes_with_1002() {
    let server = Server::default().await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    let invalid = vec![b'{', 0xC3, 0x28, b'}']; // 0xC3 starts a two-byte sequence; 0x28 is not a continuation
    let frame = Frame::message(invalid, OpCode::Data(Data::Text), true);
    b.socket.send(Message::Frame(frame)).await.expect("sends");
    b.expect_close(1002).await;
    match a.recv().await {
        ServerMessage::PeerLeft { peer } => assert_eq!(peer.id, b_id),
        other => panic!("expected B to leave, got {other:?}"),
    }
    server.stop().await;
}

#[tokio::test]
async fn a_socket_that_never_joins_is_closed_with_1008_even_if_it_answers_pings() {
    let config = Config {
        heartbeat: Duration::from_millis(50),
        idle_timeout: Duration::from_millis(300),
        join_timeout: Duration::from_millis(800),
        ..Config::default()
    };
    let server = Server::start(config).await;
    let (mut joined, _, _) = server.joined("lobby", "Joined").await;
    let mut lurker = server.client().await;
    let opened = tokio::time::Instant::now();
    // Both read, and so answer every ping: the idle timeout (300 ms) ends neither; only
    // the join timeout can end the one that never joined.
    let joined_listens = async {
        let until = opened + Duration::from_millis(1500);
        while let Ok(frame) = tokio::time::timeout_at(until, joined.socket.next()).await {
            assert!(matches!(frame, Some(Ok(Message::Ping(_)))), "{frame:?}");
        }
    };
    let lurker_closed = async { (lurker.expect_close(1008).await, opened.elapsed()) };
    let ((reason, after), ()) = tokio::join!(lurker_closed, joined_listens);
    assert_eq!(reason, "join timeout");
    assert!(after >= Duration::from_millis(700), "closed after {after:?}, before the deadline");
    // The peer that joined is still there.
    let (_, _, peers) = server.joined("lobby", "Later").await;
    assert_eq!(peers.len(), 1);
    server.stop().await;
}
