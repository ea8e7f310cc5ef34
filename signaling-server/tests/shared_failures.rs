//! Instances and Redis failing under live rooms: an instance killed outright
//! is swept within its liveness TTL and a heartbeat, its peers reported left and nothing
//! of it left in Redis; a Redis restart is survived: meanwhile joins and signals to other
//! instances get `unavailable` (never a hang), and afterwards the instances put their
//! peers back and the room works as before, no one reported left.

mod common;

use common::killable::Killable;
use common::{Client, Server, offer, with_redis};
use signaling_protocol::{ClientMessage, ErrorCode, ServerMessage};
use signaling_server::Config;
use signaling_server::testing::RedisProcess;
use std::time::{Duration, Instant};

/// The keys in Redis now.
async fn keys(redis: &RedisProcess) -> Vec<String> {
    let client = redis::Client::open(redis.url()).expect("a URL");
    let mut connection = client.get_multiplexed_async_connection().await.expect("connects");
    let mut keys: Vec<String> =
        redis::cmd("KEYS").arg("*").query_async(&mut connection).await.expect("KEYS");
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_instance_is_swept_its_peers_reported_left() {
    let redis = RedisProcess::start();
    let survivor = Server::shared(&redis.url(), Config::default()).await;
    let mut doomed = Killable::start(with_redis(&redis.url(), Config::default()));
    let (mut a, _, _) = survivor.joined("lobby", "A").await;
    let mut victims = Vec::new();
    for name in ["V1", "V2"] {
        let mut client = connect_when_up(&doomed).await;
        let (id, _) = client.join("lobby", name).await;
        assert!(matches!(a.recv().await, ServerMessage::PeerJoined { .. }));
        victims.push((client, id));
    }
    let mut alone = connect_when_up(&doomed).await;
    alone.join("its-own-room", "W").await;

    doomed.kill();
    let killed = Instant::now();
    let mut left = Vec::new();
    for _ in 0..2 {
        match a.recv().await {
            ServerMessage::PeerLeft { peer } => left.push(peer.id),
            other => panic!("expected a peer_left, got {other:?}"),
        }
    }
    let noticed = killed.elapsed();
    println!("a killed instance's peers were reported left after {noticed:.2?}");
    // TTL 300 ms + heartbeat 100 ms, and a margin for a loaded machine.
    assert!(noticed < Duration::from_millis(1500), "{noticed:?}");
    left.sort();
    let mut ids: Vec<_> = victims.iter().map(|(_, id)| id.clone()).collect();
    ids.sort();
    assert_eq!(left, ids);
    assert_eq!(survivor.metric("signaling_redis_dead_instances_total").await, 1.0);
    assert_eq!(survivor.metric("signaling_redis_swept_peers_total").await, 3.0);

    // Nothing of it stays: only the survivor's liveness key, its room and the sets.
    let held = keys(&redis).await;
    assert!(held.iter().all(|key| !key.contains("its-own-room")), "{held:?}");
    assert_eq!(held.iter().filter(|key| key.starts_with("sig:inst:")).count(), 2, "{held:?}");
    survivor.stop().await;
}

/// A client of `server`, once it answers (its runtime starts in the background).
async fn connect_when_up(server: &Killable) -> Client {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut client = Client::connect(server.addr).await;
        client.send_join("probe-room", "probe", None).await;
        match client.recv().await {
            ServerMessage::Welcome { .. } => {
                drop(client);
                return Client::connect(server.addr).await;
            }
            ServerMessage::Error { code: ErrorCode::Unavailable, .. } => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(Instant::now() < deadline, "the instance never reached Redis");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_mid_session_is_survived() {
    let mut redis = RedisProcess::start();
    let (s1, s2) = (
        Server::shared(&redis.url(), Config::default()).await,
        Server::shared(&redis.url(), Config::default()).await,
    );
    let (mut a, a_id, _) = s1.joined("lobby", "A").await;
    let (mut b, b_id, _) = s2.joined("lobby", "B").await;
    a.recv().await; // B joined
    let (mut a2, a2_id, _) = s1.joined("lobby", "A2").await;
    a.recv().await; // A2 joined
    b.recv().await; // A2 joined

    redis.kill();
    s1.wait_for_metric("signaling_redis_up", 0.0).await;
    s2.wait_for_metric("signaling_redis_up", 0.0).await;
    // Meanwhile: refusals, at once.
    let mut late = s1.client().await;
    late.send_join("lobby", "Late", None).await;
    late.expect_error(ErrorCode::Unavailable).await;
    a.send(&ClientMessage::Signal { to: b_id.clone(), signal: offer("across") }).await;
    a.expect_refusal(ErrorCode::Unavailable, Some(&b_id)).await;
    // Peers of one instance still reach each other.
    a.send(&ClientMessage::Signal { to: a2_id.clone(), signal: offer("next door") }).await;
    assert_eq!(
        a2.recv().await,
        ServerMessage::Signal { from: a_id.clone(), signal: offer("next door") }
    );

    redis.restart();
    s1.wait_for_metric("signaling_redis_up", 1.0).await;
    s2.wait_for_metric("signaling_redis_up", 1.0).await;
    assert!(s1.metric("signaling_redis_reconnects_total").await >= 1.0);
    // Give both a heartbeat to put their peers back, and the reconciliation its turn.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for client in [&mut a, &mut a2, &mut b] {
        client.expect_silence().await; // no one left, no one joined twice
    }
    a.send(&ClientMessage::Signal { to: b_id.clone(), signal: offer("across again") }).await;
    assert_eq!(
        b.recv().await,
        ServerMessage::Signal { from: a_id.clone(), signal: offer("across again") }
    );
    b.send(&ClientMessage::Signal { to: a2_id.clone(), signal: offer("and back") }).await;
    assert_eq!(
        a2.recv().await,
        ServerMessage::Signal { from: b_id.clone(), signal: offer("and back") }
    );
    let mut c = s2.client().await;
    let (_, peers) = c.join("lobby", "C").await;
    let mut names: Vec<&str> = peers.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["A", "A2", "B"], "the room as it was, rebuilt");
    s1.stop().await;
    s2.stop().await;
}
