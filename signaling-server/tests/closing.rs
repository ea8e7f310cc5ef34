//! How the server ends a connection, and the close code each ending is documented with
//! (docs/PROTOCOL.md), against a real server on a real socket.

mod common;

use common::{Client, Server, WAIT, quick_heartbeat};
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::ServerMessage;
use signaling_server::Config;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
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
    let config = quick_heartbeat();
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
    // 0xC3 starts a two-byte sequence; 0x28 cannot continue it.
    let invalid = vec![b'{', 0xC3, 0x28, b'}'];
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
    let config = Config { join_timeout: Duration::from_millis(800), ..quick_heartbeat() };
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

/// A server run the way `main` runs it: on a runtime of its own, which is dropped, with
/// every task still on it, as soon as `run` returns. Stop it with the sender; the thread
/// ends once `run` returned and the runtime is gone.
fn serve_like_main(
    config: Config,
) -> (SocketAddr, oneshot::Sender<()>, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("has an address");
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(listener).expect("a tokio listener")
        };
        let served = runtime.block_on(signaling_server::run(listener, config, async {
            let _ = stopped.await;
        }));
        served.expect("served");
        drop(runtime);
    });
    (addr, stop, thread)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_shutdown_every_client_is_closed_with_1001_before_run_returns() {
    let (addr, stop, server) = serve_like_main(Config::default());
    let mut clients = Vec::new();
    for index in 0..50 {
        let mut client = Client::connect(addr).await;
        client.join(&format!("room-{index}"), "P").await; // a room each: no news to skip
        clients.push(client);
    }
    stop.send(()).expect("the server is running");
    let stopped = tokio::task::spawn_blocking(move || server.join());
    let stopped = tokio::time::timeout(WAIT, stopped).await.expect("run returns in time");
    stopped.expect("joins").expect("the server thread did not panic");
    // Everything the server sent is in our sockets by now: a close frame, not a reset.
    for (index, client) in clients.iter_mut().enumerate() {
        let reason = client.expect_close(1001).await;
        assert_eq!(reason, "server shutting down", "client {index}");
    }
}
