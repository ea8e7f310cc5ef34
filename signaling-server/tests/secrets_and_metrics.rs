//! Private rooms, and what `GET /metrics` reports, against a real server.

mod common;

use common::{Client, Server, bye};
use signaling_protocol::{ClientMessage, ErrorCode, ServerMessage};
use signaling_server::Config;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_room_keeps_the_secret_of_its_first_peer_until_it_empties() {
    let server = Server::default().await;
    let mut alice = server.client().await;
    alice.join_private("vault", "Alice", Some("s3cret")).await;
    let mut mallory = server.client().await;
    for (secret, code) in [
        (Some("S3CRET"), ErrorCode::WrongSecret),
        (None, ErrorCode::WrongSecret),
        (Some(""), ErrorCode::InvalidSecret),
        (Some("bad\u{0}secret"), ErrorCode::InvalidSecret),
    ] {
        mallory.send_join("vault", "P", secret).await;
        mallory.expect_error(code).await;
    }
    let (bob_id, peers) = mallory.join_private("vault", "Bob", Some("s3cret")).await;
    assert_eq!(peers.len(), 1, "Bob sees Alice");
    match alice.recv().await {
        ServerMessage::PeerJoined { peer } => assert_eq!(peer.id, bob_id),
        other => panic!("expected Bob only, got {other:?}"),
    }
    // Once empty the room is gone, and the next first peer chooses again.
    drop(alice);
    drop(mallory);
    server.wait_for_metric("signaling_rooms", 0.0).await;
    server.joined("vault", "Carol").await;
    server.stop().await;
}

#[tokio::test]
async fn a_server_can_require_every_room_to_have_a_secret() {
    let server = Server::start(Config { require_room_secrets: true, ..Config::default() }).await;
    let mut client = server.client().await;
    client.send_join("open", "P", None).await;
    client.expect_error(ErrorCode::SecretRequired).await;
    client.join_private("closed", "P", Some("x")).await;
    server.stop().await;
}

#[tokio::test]
async fn metrics_count_peers_rooms_signals_errors_and_rejections() {
    let config = Config { max_connections_per_ip: 3, ..Config::default() };
    let server = Server::start(config).await;
    let (mut a, a_id, _) = server.joined("one", "A").await;
    let (mut b, b_id, _) = server.joined("one", "B").await;
    let (_c, _, _) = server.joined("two", "C").await;
    assert_eq!(server.metric("signaling_connections").await, 3.0);
    assert_eq!(server.metric("signaling_peers").await, 3.0);
    assert_eq!(server.metric("signaling_rooms").await, 2.0);

    a.recv().await; // B joined
    for _ in 0..2 {
        a.send(&ClientMessage::Signal { to: b_id.clone(), signal: bye() }).await;
    }
    b.send(&ClientMessage::Signal { to: a_id.clone(), signal: bye() }).await;
    for _ in 0..2 {
        assert!(matches!(b.recv().await, ServerMessage::Signal { signal, .. } if signal == bye()));
    }
    b.send(&ClientMessage::Signal { to: b_id.clone(), signal: bye() }).await;
    b.expect_refusal(ErrorCode::SignalToSelf, Some(&b_id)).await;
    b.send_raw(Message::text("nonsense")).await;
    b.expect_error(ErrorCode::MalformedMessage).await;
    assert_eq!(server.metric("signaling_signals_relayed_total").await, 3.0);
    assert_eq!(server.metric(r#"signaling_errors_total{code="signal_to_self"}"#).await, 1.0);
    assert_eq!(server.metric(r#"signaling_errors_total{code="malformed_message"}"#).await, 1.0);
    assert_eq!(server.metric(r#"signaling_errors_total{code="room_full"}"#).await, 0.0);

    // A fourth connection from this address is over the limit.
    let _refused = Client::unserved(server.addr).await;
    let sample = r#"signaling_rejected_connections_total{reason="connection_limit"}"#;
    server.wait_for_metric(sample, 1.0).await;

    drop(a);
    server.wait_for_metric("signaling_peers", 2.0).await;
    server.wait_for_metric("signaling_connections", 2.0).await;
    let (status, body) = server.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(body.contains("# TYPE signaling_peers gauge"), "{body}");
    assert!(body.ends_with("# EOF\n"), "OpenMetrics text ends with # EOF");
    server.stop().await;
}

#[tokio::test]
async fn metrics_can_be_turned_off() {
    let server = Server::start(Config { metrics: false, ..Config::default() }).await;
    assert_eq!(server.get("/metrics").await.0, 404);
    server.stop().await;
}
