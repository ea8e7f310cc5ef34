//! The room benchmarks, each with a server process of its own: a full mesh formed
//! through the server, and one formed through the mesh after the server is killed.

use crate::bench_result::BenchResult;
use crate::room::{ConnectOutcome, Room, all_pairs_spread};
use crate::server::{ServerProcess, cpu_seconds};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long the far ends' `Connected` events may trail the last connect's answer.
const LAST_EVENTS: Duration = Duration::from_secs(5);
/// How long the peers may take to notice the killed server.
const NOTICE_TIMEOUT: Duration = Duration::from_secs(10);
/// The sparse graph's chords: peer `i` links to `i + 1` and `i + CHORD` (mod n), so
/// that every peer is a few hops from every other (a route has at most 16 hops).
const CHORD: usize = 10;

/// How the full mesh through the server went.
pub struct ThroughServer {
    /// Peers in the room.
    pub peers: usize,
    /// From the first join until every peer knew every other.
    pub joined_s: f64,
    /// From the first join until the last `Connected` event.
    pub formed_s: f64,
    /// The connects (one per pair).
    pub connects: ConnectOutcome,
    /// Signals the server relayed, per peer.
    pub signals_per_peer: f64,
    /// The server's CPU seconds from its start until the mesh had formed.
    pub server_cpu_s: f64,
    /// This process's (the peers') CPU seconds over the same time.
    pub peers_cpu_s: f64,
}

/// How the mesh formed with the server gone.
pub struct WithoutServer {
    /// Peers in the room.
    pub peers: usize,
    /// The sparse graph's connects, through the server.
    pub sparse: ConnectOutcome,
    /// From the kill until the last `Connected` event.
    pub formed_s: f64,
    /// The other pairs' connects, through the mesh.
    pub through_mesh: ConnectOutcome,
    /// This process's (the peers') CPU seconds from the kill until the mesh had formed.
    pub peers_cpu_s: f64,
}

/// `n` peers join a room, then every pair connects through the server, `concurrency`
/// connects at once, within `budget`.
pub async fn through_server(
    binary: &Path,
    n: usize,
    concurrency: usize,
    budget: Duration,
) -> BenchResult<ThroughServer> {
    let server = ServerProcess::start(binary, n).await?;
    let (cpu_before, signals_before) = (server.cpu_seconds()?, server.signals_relayed().await?);
    let peers_cpu_before = cpu_seconds("self")?;
    let started = Instant::now();
    let room = Room::join(&server.ws_url(), "bench-full-mesh", n).await?;
    let knowing = room.wait_all_known(started + budget).await?;
    if knowing < n {
        return Err(format!("only {knowing} of {n} peers knew every other in time").into());
    }
    let joined_s = started.elapsed().as_secs_f64();

    let pairs = all_pairs_spread(n);
    // A connect that fails (its 15 s ran out on a busy machine) is tried again, as a
    // program forming a mesh would.
    let connects = room.connect_pairs(&pairs, concurrency, true, Instant::now() + budget).await;
    let expected = 2 * connects.succeeded;
    let counts = room.wait_counts(Instant::now() + LAST_EVENTS, |c| c.connected >= expected).await;
    let formed_s = seconds_since(started, counts.last_connected);
    let server_cpu_s = server.cpu_seconds()? - cpu_before;
    let peers_cpu_s = cpu_seconds("self")? - peers_cpu_before;
    let signals = server.signals_relayed().await? - signals_before;
    room.close().await;
    Ok(ThroughServer {
        peers: n,
        joined_s,
        formed_s,
        connects,
        signals_per_peer: signals / n as f64,
        server_cpu_s,
        peers_cpu_s,
    })
}

/// `n` peers join and connect a sparse graph through the server; the server is killed;
/// then every other pair connects through the mesh, retried while adverts spread.
pub async fn without_server(
    binary: &Path,
    n: usize,
    concurrency: usize,
    budget: Duration,
) -> BenchResult<WithoutServer> {
    let mut server = ServerProcess::start(binary, n).await?;
    let room = Room::join(&server.ws_url(), "bench-server-gone", n).await?;
    let knowing = room.wait_all_known(Instant::now() + budget).await?;
    if knowing < n {
        return Err(format!("only {knowing} of {n} peers knew every other in time").into());
    }
    let sparse_pairs = sparse_graph(n);
    let sparse =
        room.connect_pairs(&sparse_pairs, concurrency, false, Instant::now() + budget).await;
    let settled = Instant::now() + LAST_EVENTS;
    room.wait_counts(settled, |c| c.connected >= 2 * sparse.succeeded).await;

    server.kill().await?;
    let killed = Instant::now();
    let peers_cpu_before = cpu_seconds("self")?;
    room.wait_counts(killed + NOTICE_TIMEOUT, |c| c.reconnecting >= n).await;
    let linked: BTreeSet<(usize, usize)> = sparse_pairs.into_iter().collect();
    let rest: Vec<_> = all_pairs_spread(n).into_iter().filter(|p| !linked.contains(p)).collect();
    let connected_before = room.counts().connected;
    let through_mesh = room.connect_pairs(&rest, concurrency, true, killed + budget).await;
    let expected = connected_before + 2 * through_mesh.succeeded;
    let counts = room.wait_counts(Instant::now() + LAST_EVENTS, |c| c.connected >= expected).await;
    let formed_s = seconds_since(killed, counts.last_connected);
    let peers_cpu_s = cpu_seconds("self")? - peers_cpu_before;
    room.close().await;
    Ok(WithoutServer { peers: n, sparse, formed_s, through_mesh, peers_cpu_s })
}

/// The sparse graph: a ring with chords, as `(smaller, larger)` index pairs.
fn sparse_graph(n: usize) -> Vec<(usize, usize)> {
    let mut pairs = BTreeSet::new();
    for from in 0..n {
        for step in [1, CHORD] {
            let to = (from + step) % n;
            if to != from {
                pairs.insert((from.min(to), from.max(to)));
            }
        }
    }
    pairs.into_iter().collect()
}

/// Seconds from `start` to `end` (0 when nothing happened).
fn seconds_since(start: Instant, end: Option<Instant>) -> f64 {
    end.map_or(0.0, |end| end.saturating_duration_since(start).as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::{all_pairs_spread, sparse_graph};

    #[test]
    fn every_pair_once_and_a_sparse_ring_with_chords() {
        let all = all_pairs_spread(100);
        assert_eq!(all.len(), 4950);
        assert!(all.iter().all(|(i, j)| i < j && *j < 100));
        let sparse = sparse_graph(100);
        assert_eq!(sparse.len(), 200);
        assert!(sparse.contains(&(0, 99)) && sparse.contains(&(0, 90)));
    }
}
