//! The server's behaviour against real WebSocket clients on a real socket.

mod common;

use common::client::expect_close;
use common::{Client, Server, bye, offer, quick_heartbeat};
use futures_util::SinkExt;
use signaling_protocol::{ClientMessage, ErrorCode, PeerInfo, ServerMessage};
use signaling_server::Config;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn join_welcomes_with_the_keys_id_and_the_peers_already_there() {
    let server = Server::default().await;
    let (mut a, a_id, a_peers) = server.joined("lobby", "Peer 1").await;
    assert!(a_peers.is_empty());
    let (b, b_id, b_peers) = server.joined("lobby", "Peer 2").await;
    assert_ne!(a_id, b_id);
    assert_eq!(b_peers, vec![a.info("Peer 1")]);
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: b.info("Peer 2") });
    server.stop().await;
}

#[tokio::test]
async fn the_welcome_lists_the_peers_oldest_first() {
    let server = Server::default().await;
    let mut earlier = Vec::new();
    let mut clients = Vec::new();
    for name in ["P1", "P2", "P3", "P4"] {
        let (client, _, _) = server.joined("lobby", name).await;
        earlier.push(client.info(name));
        clients.push(client);
    }
    let (_, _, peers) = server.joined("lobby", "P5").await;
    assert_eq!(peers, earlier, "in join order (the ids, random, are in no order)");
    server.stop().await;
}

#[tokio::test]
async fn leaving_is_announced_on_close_and_on_a_dropped_socket() {
    let server = Server::default().await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let (mut b, _, _) = server.joined("lobby", "B").await;
    let (c, _, _) = server.joined("lobby", "C").await;
    for _ in 0..2 {
        a.recv().await; // B and C joined
    }
    b.socket.close(None).await.expect("closes");
    assert_eq!(a.recv().await, ServerMessage::PeerLeft { peer: b.info("B") });
    let c_info = c.info("C");
    drop(c); // no close frame: the TCP connection just goes away
    assert_eq!(a.recv().await, ServerMessage::PeerLeft { peer: c_info });
    server.stop().await;
}

#[tokio::test]
async fn signals_are_relayed_with_the_real_sender_even_when_spoofed() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    let (_c, c_id, _) = server.joined("lobby", "C").await;
    a.send(&ClientMessage::Signal { to: b_id.clone(), signal: offer("v=0") }).await;
    b.recv().await; // C joined
    assert_eq!(b.recv().await, ServerMessage::Signal { from: a_id.clone(), signal: offer("v=0") });

    // A claims to be C: the claim is ignored, the real sender is stamped.
    let spoof = format!(
        r#"{{"type":"signal","to":"{b_id}","from":"{c_id}","signal":{{"kind":"bye","session":1}}}}"#
    );
    a.send_raw(Message::text(spoof)).await;
    assert_eq!(b.recv().await, ServerMessage::Signal { from: a_id, signal: bye() });
    server.stop().await;
}

#[tokio::test]
async fn rooms_are_isolated_and_self_signals_refused() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("one", "A").await;
    let (mut other, other_id, other_peers) = server.joined("two", "B").await;
    assert!(other_peers.is_empty());
    // Each refusal names the signal's target, so the sender knows which attempt failed.
    a.send(&ClientMessage::Signal { to: other_id.clone(), signal: offer("x") }).await;
    a.expect_refusal(ErrorCode::UnknownPeer, Some(&other_id)).await;
    other.expect_silence().await;
    a.send(&ClientMessage::Signal { to: a_id.clone(), signal: offer("x") }).await;
    a.expect_refusal(ErrorCode::SignalToSelf, Some(&a_id)).await;
    a.send(&ClientMessage::Signal { to: "nobody".into(), signal: offer("x") }).await;
    a.expect_refusal(ErrorCode::UnknownPeer, Some(&"nobody".into())).await;
    server.stop().await;
}

#[tokio::test]
async fn bad_requests_get_typed_errors_and_the_connection_goes_on() {
    let server = Server::default().await;
    let mut a = server.client().await;
    a.send(&ClientMessage::Signal { to: "x".into(), signal: bye() }).await;
    a.expect_refusal(ErrorCode::NotJoined, Some(&"x".into())).await;
    for garbage in ["not json", "{}", r#"{"type":"shout"}"#, &"[".repeat(10_000)] {
        a.send_raw(Message::text(garbage)).await;
        a.expect_error(ErrorCode::MalformedMessage).await;
    }
    a.send_raw(Message::binary(vec![1, 2, 3])).await;
    a.expect_error(ErrorCode::BinaryNotSupported).await;
    a.send_join("bad room", "A", None).await;
    a.expect_error(ErrorCode::InvalidRoom).await;
    a.send_join("lobby", "\n", None).await;
    a.expect_error(ErrorCode::InvalidName).await;

    // After all that, the same connection still joins and works.
    a.join("lobby", "A").await;
    a.send_join("lobby", "A", None).await;
    a.expect_error(ErrorCode::AlreadyJoined).await;
    server.stop().await;
}

#[tokio::test]
async fn a_full_room_refuses_the_next_peer() {
    let server = Server::start(Config { max_peers_per_room: 2, ..Config::default() }).await;
    let _a = server.joined("lobby", "A").await;
    let _b = server.joined("lobby", "B").await;
    let mut c = server.client().await;
    c.send_join("lobby", "C", None).await;
    c.expect_error(ErrorCode::RoomFull).await;
    c.join("elsewhere", "C").await;
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_message_closes_only_that_connection() {
    let server = Server::start(Config { max_message_bytes: 1024, ..Config::default() }).await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let (mut big, _, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    let oversized = format!(r#"{{"type":"join","room":"r","name":"{}"}}"#, "x".repeat(2048));
    let _ = big.socket.send(Message::text(oversized)).await;
    // The server closes the offender with 1009 and tells the room it left.
    big.expect_close(1009).await;
    assert!(matches!(a.recv().await, ServerMessage::PeerLeft { .. }));
    let (_, _, peers) = server.joined("lobby", "C").await;
    assert_eq!(peers.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn health_and_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = r#"<h1>chat</h1><script type="module" src="pkg/peer_wasm.js"></script>"#;
    std::fs::write(dir.path().join("index.html"), page).expect("writes");
    let server = Server::start(Config { static_dir: dir.path().into(), ..Config::default() }).await;
    assert_eq!(server.get("/healthz").await, (200, "ok".into()));
    let (status, body) = server.get("/").await;
    assert_eq!(status, 503);
    assert!(body.contains("wasm-pack build peer-wasm"), "{body}");

    std::fs::create_dir(dir.path().join("pkg")).expect("mkdir");
    std::fs::write(dir.path().join("pkg/peer_wasm.js"), "export {}").expect("writes");
    assert_eq!(server.get("/").await, (200, page.into()));
    assert_eq!(server.get("/pkg/peer_wasm.js").await, (200, "export {}".into()));
    assert_eq!(server.get("/missing").await.0, 404);
    server.stop().await;
}

#[tokio::test]
async fn any_site_is_served_as_it_is_and_no_directory_gets_the_servers_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("index.html"), "<h1>my app</h1>").expect("writes");
    let server = Server::start(Config { static_dir: dir.path().into(), ..Config::default() }).await;
    assert_eq!(server.get("/").await, (200, "<h1>my app</h1>".into()));
    server.stop().await;

    // An installed server started where there is no `www`: it says what it is.
    let missing = dir.path().join("www");
    let server = Server::start(Config { static_dir: missing, ..Config::default() }).await;
    let (status, body) = server.get("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("signaling server") && body.contains("/ws"), "{body}");
    assert!(body.contains("--static-dir"), "{body}");
    assert_eq!(server.get("/healthz").await, (200, "ok".into()));
    server.stop().await;
}

#[tokio::test]
async fn shutdown_ends_run_with_sockets_still_open() {
    let server = Server::default().await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let _b = server.client().await;
    server.stop().await;
    // Open sockets are told: 1001, going away.
    a.expect_close(1001).await;
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_reported_left() {
    let config = quick_heartbeat();
    let server = Server::start(config).await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let (_silent, silent_id, _) = server.joined("lobby", "Silent").await;
    assert!(matches!(a.recv().await, ServerMessage::PeerJoined { .. }));
    // `a` reads (and so answers pings); `_silent` never reads again.
    match a.recv().await {
        ServerMessage::PeerLeft { peer } => assert_eq!(peer.id, silent_id),
        other => panic!("expected Silent to leave, got {other:?}"),
    }
    // The reading peer is still there.
    let (_, _, peers) = server.joined("lobby", "C").await;
    assert_eq!(peers.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_flood_is_refused_message_by_message_and_the_connection_goes_on() {
    let config = Config { messages_per_second: 1, message_burst: 3, ..Config::default() };
    let server = Server::start(config).await;
    let mut flooder = server.client().await;
    for _ in 0..3 {
        flooder.send_raw(Message::text("{}")).await;
        flooder.expect_error(ErrorCode::MalformedMessage).await;
    }
    for _ in 0..5 {
        flooder.send_raw(Message::text("{}")).await;
        flooder.expect_error(ErrorCode::RateLimited).await;
    }
    // Others are not affected.
    server.joined("lobby", "Calm").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    flooder.join("lobby", "Flooder").await;
    server.stop().await;
}

#[tokio::test]
async fn rooms_and_connections_are_capped() {
    let config = Config { max_rooms: 1, max_connections_per_ip: 3, ..Config::default() };
    let server = Server::start(config).await;
    let (_a, _, _) = server.joined("one", "A").await;
    let mut b = server.client().await;
    b.send_join("two", "B", None).await;
    b.expect_error(ErrorCode::TooManyRooms).await;
    b.join("one", "B").await;

    let _c = server.client().await;
    // A fourth connection from this address is closed with 1013 "try again later" (and is
    // sent no challenge).
    let mut d = Client::unserved(server.addr).await;
    expect_close(&mut d, 1013).await;
    server.stop().await;
}

#[tokio::test]
async fn only_allowed_origins_may_connect_when_a_list_is_set() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let config =
        Config { allowed_origins: vec!["http://good.example".into()], ..Config::default() };
    let server = Server::start(config).await;
    let connect = |origin: Option<&'static str>| {
        let mut request =
            format!("ws://{}/ws", server.addr).into_client_request().expect("a request");
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", origin.parse().expect("a header"));
        }
        tokio_tungstenite::connect_async(request)
    };
    assert!(connect(Some("http://good.example")).await.is_ok());
    for refused in [Some("http://evil.example"), None] {
        match connect(refused).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403);
            }
            other => panic!("expected 403 for {refused:?}, got {:?}", other.map(|_| ())),
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn a_signal_near_the_size_limit_is_relayed_intact() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    // Far past the 256-byte initial read buffer, just under the 64 KiB message limit.
    let sdp: String = (0..60_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    a.send(&ClientMessage::Signal { to: b_id, signal: offer(&sdp) }).await;
    assert_eq!(b.recv().await, ServerMessage::Signal { from: a_id, signal: offer(&sdp) });
    server.stop().await;
}

#[tokio::test]
async fn a_peers_key_is_handed_to_the_others_and_a_bad_key_is_refused() {
    let server = Server::default().await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let mut b = server.client().await;
    let proof = b.identity.prove(&b.nonce, "lobby");
    let join = |key: &str| ClientMessage::Join {
        room: "lobby".into(),
        name: "B".into(),
        secret: None,
        key: key.into(),
        proof: proof.clone(),
    };
    let key = b.identity.key().to_owned();
    for bad in ["", "has space", "no+slash/or=pad", &"k".repeat(129), &key[1..], &key[..86]] {
        b.send(&join(bad)).await;
        b.expect_error(ErrorCode::InvalidKey).await;
    }
    b.send(&join(&key)).await;
    let ServerMessage::Welcome { id, .. } = b.recv().await else { panic!("a welcome") };
    assert_eq!(id, b.id());
    let keyed = PeerInfo { key: Some(key), ..PeerInfo::new(id, "B") };
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: keyed.clone() });
    let (_c, _, c_peers) = server.joined("lobby", "C").await;
    assert_eq!(c_peers[1], keyed, "the welcome lists it too");
    server.stop().await;
}
