//! Load generator for the signaling server, run as a separate process from it.
//!
//! Opens `--peers` WebSocket clients in rooms of `--room-size`, each joining with a key
//! pair of its own (drawn before the clock starts) and a join signed for its connection's
//! challenge, then relays offers between roommates at `--rate` signals per second for
//! `--seconds`, and prints: joins per second and join latency p50/p99 (join sent to
//! welcome, and TCP connect to welcome), peers held, signals per second delivered, relay
//! latency p50/p99/max, the server's CPU per join, RSS and RSS per connection (with
//! `--server-pid`), and every error seen.
//!
//! With several `--url`s (instances sharing rooms through Redis), peer `i` joins through
//! URL `i mod n`, so every room spans the instances; half the signals go to a peer of
//! the same instance and half across, and the latencies of each are reported apart.
//! `--redis ADDR --redis-pid PID` adds Redis's commands per second and CPU.
//!
//! ```sh
//! cargo run --release -p signaling-server -- --listen 127.0.0.1:9000 --max-connections-per-ip 20000 &
//! cargo run --release -p signaling-load -- --url ws://127.0.0.1:9000/ws --server-pid $!
//! ```
//!
//! `scripts/load-shared.sh` runs two instances on one Redis under it.

mod client;
mod identity;
mod report;

use clap::Parser;
use client::{Client, Tally};
use identity::Identity;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Command-line options.
#[derive(Parser, Debug, Clone)]
#[command(about = "Opens many peers on a signaling server and relays signals between them")]
pub struct Options {
    /// WebSocket URL of the server; several (comma-separated or repeated) for instances
    /// sharing rooms through Redis.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws", value_delimiter = ',')]
    pub url: Vec<String>,
    /// Peers to open.
    #[arg(long, default_value_t = 10_000)]
    pub peers: usize,
    /// Peers per room.
    #[arg(long, default_value_t = 10)]
    pub room_size: usize,
    /// Signals per second to relay during the load phase.
    #[arg(long, default_value_t = 20_000)]
    pub rate: u64,
    /// Length of the load phase, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 128)]
    pub connect_concurrency: usize,
    /// Process id of the server (one per `--url`), to read its memory and CPU from /proc.
    #[arg(long, value_delimiter = ',')]
    pub server_pid: Vec<u32>,
    /// Address (host:port) of the Redis the instances share, to read its commands per
    /// second.
    #[arg(long)]
    pub redis: Option<String>,
    /// Process id of that Redis, to read its CPU time.
    #[arg(long)]
    pub redis_pid: Option<u32>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    if options.room_size < 2 {
        return Err("--room-size must be at least 2".into());
    }
    let baseline_rss = report::total_rss_kib(&options.server_pid);
    let tally = Arc::new(Tally::default());
    let epoch = Instant::now();

    // Key pairs are drawn before the clock starts: a browser keeps its key, and makes
    // one signature per join.
    let identities =
        (0..options.peers).map(|_| Identity::random()).collect::<Result<Vec<_>, _>>()?;
    let before_joins = report::Usage::now(&options).await;
    let started = Instant::now();
    let clients = connect_all(&options, identities, &tally, epoch).await?;
    let connect_secs = started.elapsed().as_secs_f64();
    let joining = report::Usage::now(&options).await.since(&before_joins);
    println!(
        "opened {} peers in {connect_secs:.2} s ({:.0} joins/s)",
        clients.len(),
        clients.len() as f64 / connect_secs
    );
    report::print_joins(&tally, clients.len(), &joining);

    // Let the join notifications settle before reading the idle footprint.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = report::total_rss_kib(&options.server_pid);

    let before = report::Usage::now(&options).await;
    let sent = relay_load(&options, &clients, epoch).await;
    let usage = report::Usage::now(&options).await.since(&before);
    // In-flight signals get a moment to land.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let loaded_rss = report::total_rss_kib(&options.server_pid);

    let held = clients.iter().filter(|client| client.is_open()).count();
    report::print(&report::Summary {
        options: &options,
        held,
        sent,
        tally: &tally,
        baseline_rss,
        idle_rss,
        loaded_rss,
        usage,
    });
    Ok(())
}

/// Opens and joins every peer (peer `i` as `identities[i]`), `--connect-concurrency` at
/// a time.
async fn connect_all(
    options: &Options,
    identities: Vec<Identity>,
    tally: &Arc<Tally>,
    epoch: Instant,
) -> Result<Vec<Client>, Box<dyn std::error::Error>> {
    let permits = Arc::new(Semaphore::new(options.connect_concurrency));
    let mut joins = Vec::with_capacity(options.peers);
    for (index, identity) in identities.into_iter().enumerate() {
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let url = options.url[index % options.url.len()].clone();
        let room = format!("load-{}", index / options.room_size);
        let tally = Arc::clone(tally);
        joins.push(tokio::spawn(async move {
            let name = format!("peer {index}");
            let client = Client::join(&url, &room, &name, &identity, tally, epoch).await;
            drop(permit);
            client
        }));
    }
    let mut clients = Vec::with_capacity(options.peers);
    for join in joins {
        clients.push(join.await??);
    }
    Ok(clients)
}

/// Sends `--rate` offers per second, each from one peer to the next peer of its room
/// (or, every other one with several URLs, to the next peer of its room on its own
/// instance), for `--seconds`; returns how many were sent.
async fn relay_load(options: &Options, clients: &[Client], epoch: Instant) -> u64 {
    let ticks_per_second = 1000;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = options.rate * options.seconds;
    let mut sent = 0u64;
    let mut next = 0usize;
    for tick_index in 0..options.seconds * ticks_per_second {
        tick.tick().await;
        // Spread the rate evenly: by the end of this tick, this many should be out.
        let due = total * (tick_index + 1) / (options.seconds * ticks_per_second);
        while sent < due {
            let from = next % clients.len();
            let room_start = from - from % options.room_size;
            let room_len = options.room_size.min(clients.len() - room_start);
            let instances = options.url.len();
            let step = if next % 2 == 1 && room_len > instances { instances } else { 1 };
            let to = room_start + (from - room_start + step) % room_len;
            next += 1;
            if to != from {
                let across = from % instances != to % instances;
                clients[from].send_offer(clients[to].id(), across, epoch);
            }
            sent += 1;
        }
    }
    sent
}
