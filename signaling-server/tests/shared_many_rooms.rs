//! Many rooms joined at once over two instances: however the joins' answers
//! and the rooms' events interleave, every peer ends up knowing every member of its
//! room, on either instance, and reaches each with a signal.

mod common;

use common::{Client, Server, offer, with_redis};
use futures_util::future::join_all;
use signaling_protocol::{ClientMessage, PeerId, ServerMessage};
use signaling_server::Config;
use signaling_server::testing::RedisProcess;
use std::time::Duration;

const ROOMS: usize = 30;
const ROOM_SIZE: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_peer_reaches_every_member_after_a_storm_of_joins() {
    let redis = RedisProcess::start();
    // The storm's 240 join proofs keep both instances busy for seconds in a debug build:
    // an instance's liveness key must not lapse meanwhile, or the other sweeps its peers
    // as gone (this test is about joins meeting, not about sweeps, which have their own).
    let config = Config {
        max_connections_per_ip: 10_000,
        redis_liveness_ttl: Duration::from_secs(5),
        ..with_redis(&redis.url(), Config::default())
    };
    let servers = [Server::start(config.clone()).await, Server::start(config).await];
    for server in &servers {
        server.wait_for_metric("signaling_redis_up", 1.0).await;
    }
    // Every join at once, alternating instances within each room.
    let joins = (0..ROOMS * ROOM_SIZE).map(|n| {
        let server = &servers[n % 2];
        async move {
            let mut client = server.client().await;
            let (id, _) = client.join(&format!("storm-{}", n / ROOM_SIZE), &format!("P{n}")).await;
            (client, id)
        }
    });
    let mut peers: Vec<(Client, PeerId)> = join_all(joins).await;
    let ids: Vec<PeerId> = peers.iter().map(|(_, id)| id.clone()).collect();
    // Each peer signals every other member of its room...
    for (n, (client, _)) in peers.iter_mut().enumerate() {
        let room = n / ROOM_SIZE;
        for m in (room * ROOM_SIZE..(room + 1) * ROOM_SIZE).filter(|m| *m != n) {
            let to = ids[m].clone();
            client.send(&ClientMessage::Signal { to, signal: offer(&n.to_string()) }).await;
        }
    }
    // ...and every peer hears from all of them (and of every join after its own).
    for (n, (client, _)) in peers.iter_mut().enumerate() {
        let room = n / ROOM_SIZE;
        let mut heard = 0;
        while heard < ROOM_SIZE - 1 {
            match client.recv().await {
                ServerMessage::Signal { from, .. } => {
                    let sender = ids.iter().position(|id| *id == from).expect("a known sender");
                    assert_eq!(sender / ROOM_SIZE, room, "a signal from another room");
                    heard += 1;
                }
                ServerMessage::PeerJoined { .. } => {}
                other => panic!("peer {n}: unexpected {other:?}"),
            }
        }
    }
    drop(peers);
    for server in servers {
        server.stop().await;
    }
}
