//! Many peers at once, and a peer that stops reading, against a real server.

mod common;

use common::{Client, Server, WAIT, bye, offer};
use futures_util::{SinkExt, StreamExt};
use signaling_protocol::{ClientMessage, ErrorCode, ServerMessage};
use signaling_server::Config;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Waits for the next relayed signal, skipping news of peers joining.
/// Bounds a stuck peer in these tests cannot reach (a queue of 100,000 messages and no
/// byte limit, 100,000 messages of burst, a minute of silence): each test lowers the one
/// it is about.
fn unreachable_bounds() -> Config {
    Config {
        peer_queue_len: 100_000,
        peer_queue_bytes: usize::MAX,
        idle_timeout: Duration::from_secs(60),
        heartbeat: Duration::from_secs(30),
        message_burst: 100_000,
        ..Config::default()
    }
}

async fn next_signal(client: &mut Client) -> ServerMessage {
    loop {
        match client.recv().await {
            ServerMessage::PeerJoined { .. } => continue,
            other => return other,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_peers_in_four_hundred_rooms_all_get_their_signals() {
    const PEERS: usize = 2_000;
    const ROOM_SIZE: usize = 5;
    let config = Config { max_connections_per_ip: PEERS, ..Config::default() };
    let server = Server::start(config).await;
    let mut peers = Vec::with_capacity(PEERS);
    for index in 0..PEERS {
        let (client, id, _) = server.joined(&format!("room-{}", index / ROOM_SIZE), "P").await;
        peers.push((client, id));
    }
    assert_eq!(server.metric("signaling_connections").await, PEERS as f64);
    assert_eq!(server.metric("signaling_peers").await, PEERS as f64);
    assert_eq!(server.metric("signaling_rooms").await, (PEERS / ROOM_SIZE) as f64);

    // In every room, each peer signals the next one round the ring.
    for index in 0..PEERS {
        let room_start = index - index % ROOM_SIZE;
        let next = room_start + (index + 1 - room_start) % ROOM_SIZE;
        let to = peers[next].1.clone();
        let sdp = format!("from {index}");
        let signal = ClientMessage::Signal { to, signal: offer(&sdp) };
        peers[index].0.send(&signal).await;
    }
    for index in 0..PEERS {
        let room_start = index - index % ROOM_SIZE;
        let previous = room_start + (index + ROOM_SIZE - 1 - room_start) % ROOM_SIZE;
        let expected = ServerMessage::Signal {
            from: peers[previous].1.clone(),
            signal: offer(&format!("from {previous}")),
        };
        assert_eq!(next_signal(&mut peers[index].0).await, expected, "peer {index}");
    }
    assert_eq!(server.metric("signaling_signals_relayed_total").await, PEERS as f64);

    // All gone: nothing is left behind.
    drop(peers);
    server.wait_for_metric("signaling_connections", 0.0).await;
    assert_eq!(server.metric("signaling_peers").await, 0.0);
    assert_eq!(server.metric("signaling_rooms").await, 0.0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_is_disconnected_and_the_others_go_on() {
    let config = Config { peer_queue_len: 8, ..Config::default() };
    let server = Server::start(config).await;
    let (mut sender, _, _) = server.joined("lobby", "Sender").await;
    let (mut stuck, stuck_id, _) = server.joined("lobby", "Stuck").await;
    let (mut calm, calm_id, _) = server.joined("lobby", "Calm").await;

    // `stuck` never reads again. The sender pushes 32 KiB signals at it: more than the
    // kernel's socket buffers and the server's queue of 8 can hold.
    let big = offer(&"x".repeat(32 * 1024));
    let to_stuck = ClientMessage::Signal { to: stuck_id.clone(), signal: big };
    let mut sent = 0;
    let left = loop {
        assert!(sent < 900, "still not disconnected after {sent} signals (~{} MiB)", sent / 32);
        sender.send(&to_stuck).await;
        sent += 1;
        // Anything for the sender so far? (News of Calm joining comes first.)
        match tokio::time::timeout(Duration::from_millis(1), sender.socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str::<ServerMessage>(&text)
            {
                Ok(ServerMessage::PeerLeft { peer }) => break peer,
                Ok(ServerMessage::PeerJoined { .. }) => continue,
                other => panic!("unexpected {other:?}"),
            },
            Ok(Some(Ok(_))) | Err(_) => continue,
            Ok(other) => panic!("the sender's socket ended: {other:?}"),
        }
    };
    assert_eq!(left.id, stuck_id);
    assert_eq!(server.metric("signaling_evicted_peers_total").await, 1.0);

    // The others carry on.
    assert!(matches!(calm.recv().await, ServerMessage::PeerLeft { .. }), "Calm sees it go");
    sender.send(&ClientMessage::Signal { to: calm_id, signal: bye() }).await;
    assert!(matches!(next_signal(&mut calm).await, ServerMessage::Signal { .. }));

    // The stuck peer's socket was closed by the server: reading now drains what the
    // kernel buffered, then ends.
    let drained = tokio::time::timeout(WAIT, async {
        while let Some(Ok(frame)) = stuck.socket.next().await {
            if frame.is_close() {
                break;
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "the stuck peer's socket was not closed");
    server.wait_for_metric("signaling_connections", 2.0).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_whose_socket_stays_full_is_dropped_after_the_send_deadline() {
    // A queue far too long to fill: only the send deadline (`idle_timeout`) can end it.
    let config = Config {
        idle_timeout: Duration::from_millis(1500),
        heartbeat: Duration::from_millis(200),
        ..unreachable_bounds()
    };
    let server = Server::start(config).await;
    let (mut sender, _, _) = server.joined("lobby", "Sender").await;
    let (stuck, stuck_id, _) = server.joined("lobby", "Stuck").await;
    // It never reads, but keeps talking (unsolicited pongs), so the idle timeout cannot
    // be what ends it.
    let (mut stuck_sink, _unread) = stuck.socket.split();
    let talker = tokio::spawn(async move {
        while stuck_sink.send(Message::Pong(Default::default())).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let big = offer(&"x".repeat(32 * 1024));
    let to_stuck = ClientMessage::Signal { to: stuck_id.clone(), signal: big };
    // 32 MiB: more than the kernel's buffers both ways hold, far less than the queue.
    // (Bounded: without the deadline of 1.5 s this would wait forever. Generously: a
    // debug build on a busy machine takes seconds to push and parse 32 MiB.)
    let left = tokio::time::timeout(Duration::from_secs(30), async {
        for _ in 0..1000 {
            sender.send(&to_stuck).await;
        }
        // On a slow machine the deadline may pass while we still send: the signals
        // after it are refused as to an unknown peer (possibly before the news).
        loop {
            match next_signal(&mut sender).await {
                ServerMessage::PeerLeft { peer } => break peer,
                ServerMessage::Error { code: ErrorCode::UnknownPeer, .. } => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .expect("the stuck peer is dropped");
    assert_eq!(left.id, stuck_id);
    // Not through the queue: it never filled.
    assert_eq!(server.metric("signaling_evicted_peers_total").await, 0.0);
    talker.abort();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_reader_is_evicted_once_its_queued_bytes_pass_the_bound() {
    // A count bound 32 KiB signals cannot reach here, and a send deadline that cannot
    // pass: only the bound in bytes can evict the stuck peer.
    let config = Config { peer_queue_bytes: 256 * 1024, ..unreachable_bounds() };
    let server = Server::start(config).await;
    let (mut sender, _, _) = server.joined("lobby", "Sender").await;
    let (_stuck, stuck_id, _) = server.joined("lobby", "Stuck").await;
    assert!(matches!(sender.recv().await, ServerMessage::PeerJoined { .. }));
    let to_stuck =
        ClientMessage::Signal { to: stuck_id.clone(), signal: offer(&"x".repeat(32 * 1024)) };
    // Up to 28 MiB: past what the kernel buffers both ways hold, by 8 signals' worth of
    // queue (256 KiB), and far fewer than the 100,000 messages of the count bound.
    let mut sent = 0;
    let left = loop {
        assert!(sent < 900, "still not evicted after {sent} signals of 32 KiB");
        sender.send(&to_stuck).await;
        sent += 1;
        match tokio::time::timeout(Duration::from_millis(1), sender.socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str::<ServerMessage>(&text)
            {
                Ok(ServerMessage::PeerLeft { peer }) => break peer,
                other => panic!("unexpected {other:?}"),
            },
            Ok(Some(Ok(_))) | Err(_) => continue,
            Ok(other) => panic!("the sender's socket ended: {other:?}"),
        }
    };
    assert_eq!(left.id, stuck_id);
    assert_eq!(server.metric("signaling_evicted_peers_total").await, 1.0, "through the queue");
    server.wait_for_metric("signaling_connections", 1.0).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_does_not_hold_up_the_shutdown() {
    // Nothing evicts the stuck peer in this test: its session waits on its full socket.
    let config = unreachable_bounds();
    let server = Server::start(config).await;
    let (mut sender, _, _) = server.joined("lobby", "Sender").await;
    let (_stuck, stuck_id, _) = server.joined("lobby", "Stuck").await;
    let to_stuck = ClientMessage::Signal { to: stuck_id, signal: offer(&"x".repeat(32 * 1024)) };
    for _ in 0..600 {
        sender.send(&to_stuck).await; // 19 MiB: more than the kernel buffers hold
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopping = tokio::time::Instant::now();
    server.stop().await;
    // Not the 60 s of the send deadline: a second to notice, one for the close frame.
    assert!(stopping.elapsed() < Duration::from_secs(3), "took {:?}", stopping.elapsed());
}
