//! Rooms across instances: three servers on one real Redis serve one room as
//! if they were one server: welcomes list every member, joins and leaves reach everyone,
//! signals cross instances, a peer's key joining through another instance moves it there
//! (under the same id), and the room rules hold across them.

mod common;

use common::{Server, offer};
use signaling_protocol::{ClientMessage, ErrorCode, PeerInfo, ServerMessage};
use signaling_server::Config;
use signaling_server::testing::RedisProcess;

fn named(peers: &[PeerInfo]) -> Vec<&str> {
    peers.iter().map(|peer| peer.name.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_room_over_three_instances_is_one_room() {
    let redis = RedisProcess::start();
    let s = [
        Server::shared(&redis.url(), Config::default()).await,
        Server::shared(&redis.url(), Config::default()).await,
        Server::shared(&redis.url(), Config::default()).await,
    ];
    let (mut a, a_id, peers) = s[0].joined("lobby", "A").await;
    assert!(peers.is_empty());
    let (mut b, b_id, peers) = s[1].joined("lobby", "B").await;
    assert_eq!(named(&peers), ["A"]);
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: b.info("B") });
    let (mut c, c_id, peers) = s[2].joined("lobby", "C").await;
    assert_eq!(named(&peers), ["A", "B"], "oldest first, across instances");
    for client in [&mut a, &mut b] {
        assert!(
            matches!(client.recv().await, ServerMessage::PeerJoined { peer } if peer.id == c_id)
        );
    }

    // Signals cross every pair of instances, the sender stamped, in order.
    for n in 0..3 {
        let sdp = format!("a to b {n}");
        a.send(&ClientMessage::Signal { to: b_id.clone(), signal: offer(&sdp) }).await;
    }
    for n in 0..3 {
        let sdp = format!("a to b {n}");
        assert_eq!(
            b.recv().await,
            ServerMessage::Signal { from: a_id.clone(), signal: offer(&sdp) }
        );
    }
    b.send(&ClientMessage::Signal { to: c_id.clone(), signal: offer("b to c") }).await;
    assert_eq!(
        c.recv().await,
        ServerMessage::Signal { from: b_id.clone(), signal: offer("b to c") }
    );
    c.send(&ClientMessage::Signal { to: a_id.clone(), signal: offer("c to a") }).await;
    assert_eq!(
        a.recv().await,
        ServerMessage::Signal { from: c_id.clone(), signal: offer("c to a") }
    );

    // A peer of another room is out of reach through any instance.
    let (mut stranger, stranger_id, peers) = s[1].joined("elsewhere", "S").await;
    assert!(peers.is_empty(), "no one of lobby is listed");
    a.send(&ClientMessage::Signal { to: stranger_id.clone(), signal: offer("x") }).await;
    a.expect_refusal(ErrorCode::UnknownPeer, Some(&stranger_id)).await;
    stranger.send(&ClientMessage::Signal { to: a_id.clone(), signal: offer("x") }).await;
    stranger.expect_refusal(ErrorCode::UnknownPeer, Some(&a_id)).await;

    // A leave reaches the members on the other instances.
    let b_info = b.info("B");
    drop(b);
    for client in [&mut a, &mut c] {
        let left = ServerMessage::PeerLeft { peer: b_info.clone() };
        assert_eq!(client.recv().await, left);
    }
    a.send(&ClientMessage::Signal { to: b_id.clone(), signal: offer("gone") }).await;
    a.expect_refusal(ErrorCode::UnknownPeer, Some(&b_id)).await;
    for server in s {
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_rules_hold_across_instances() {
    let redis = RedisProcess::start();
    let config = Config { max_peers_per_room: 2, max_rooms: 2, ..Config::default() };
    let (s1, s2) = (
        Server::shared(&redis.url(), config.clone()).await,
        Server::shared(&redis.url(), config).await,
    );
    let (_a, _, _) = s1.joined("full", "A").await;
    let (_b, _, _) = s2.joined("full", "B").await;
    let mut c = s1.client().await;
    c.send_join("full", "C", None).await;
    c.expect_error(ErrorCode::RoomFull).await;

    // The first join's secret binds every instance.
    let mut d = s2.client().await;
    d.join_private("private", "D", Some("open sesame")).await;
    let mut e = s1.client().await;
    e.send_join("private", "E", Some("guess")).await;
    e.expect_error(ErrorCode::WrongSecret).await;
    e.send_join("private", "E", None).await;
    e.expect_error(ErrorCode::WrongSecret).await;
    e.join_private("private", "E", Some("open sesame")).await;

    // --max-rooms counts the rooms of every instance.
    let mut f = s1.client().await;
    f.send_join("third", "F", None).await;
    f.expect_error(ErrorCode::TooManyRooms).await;
    s1.stop().await;
    s2.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_joining_on_another_instance_takes_its_seat_and_the_old_connection_closes() {
    let redis = RedisProcess::start();
    let (s1, s2) = (
        Server::shared(&redis.url(), Config::default()).await,
        Server::shared(&redis.url(), Config::default()).await,
    );
    let (mut a, a_id, _) = s1.joined("lobby", "A").await;
    let (mut b, b_id, _) = s2.joined("lobby", "B").await;
    a.recv().await; // B joined

    let mut a_again = s2.client_as(&a.identity).await;
    let (again, peers) = a_again.join("lobby", "A").await;
    assert_eq!(again, a_id, "the same id on another instance");
    assert_eq!(named(&peers), ["B"]);
    a.expect_close(4000).await;
    b.expect_silence().await; // for B, A never left
    assert_eq!(s2.metric("signaling_takeovers_total").await, 1.0);

    b.send(&ClientMessage::Signal { to: a_id.clone(), signal: offer("to the new A") }).await;
    let relayed = a_again.recv().await;
    assert_eq!(
        relayed,
        ServerMessage::Signal { from: b_id.clone(), signal: offer("to the new A") }
    );
    a_again.send(&ClientMessage::Signal { to: b_id.clone(), signal: offer("back") }).await;
    assert_eq!(b.recv().await, ServerMessage::Signal { from: a_id.clone(), signal: offer("back") });
    s1.stop().await;
    s2.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_report_redis() {
    let redis = RedisProcess::start();
    let server = Server::shared(&redis.url(), Config::default()).await;
    let (_a, _, _) = server.joined("lobby", "A").await;
    assert_eq!(server.metric("signaling_peers").await, 1.0);
    assert_eq!(server.metric("signaling_redis_restores_total").await, 1.0, "the first, empty");
    for sample in [
        "signaling_redis_reconnects_total",
        "signaling_redis_forwarded_signals_total",
        "signaling_redis_dead_instances_total",
        "signaling_redis_swept_peers_total",
    ] {
        assert_eq!(server.metric(sample).await, 0.0, "{sample}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_s_public_key_reaches_the_members_of_other_instances() {
    let redis = RedisProcess::start();
    let (s1, s2) = (
        Server::shared(&redis.url(), Config::default()).await,
        Server::shared(&redis.url(), Config::default()).await,
    );
    let (mut a, _, _) = s1.joined("lobby", "A").await;
    let (b, _, _) = s2.joined("lobby", "B").await;
    let with_key = b.info("B");
    assert!(with_key.key.is_some());
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: with_key.clone() });
    let (_c, _, peers) = s1.joined("lobby", "C").await;
    assert_eq!(peers[1], with_key, "listed with its key on the other instance");
    s1.stop().await;
    s2.stop().await;
}
