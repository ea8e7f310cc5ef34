//! Two native peers in this process, connected over loopback through a real signaling
//! server: the round trip (pings with one in flight) and reliable throughput.

use crate::bench_result::BenchResult;
use crate::stats::percentile;
use peer_native::{Delivery, Events, JoinOptions, Payload, Peer, PeerError, PeerEvent};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::time::{sleep, timeout};

/// How long one ping, the connect, or one size's whole transfer may take.
const PING_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(120);
/// Messages up to this size are pings, echoed; larger ones are counted as bulk.
const PING_BYTES: usize = 8;
/// Pings before the measured ones: the first few pay for warming up.
const WARM_UP_PINGS: usize = 50;

/// What the pair measured.
pub struct PairFigures {
    /// Round trips, in microseconds, sorted.
    pub round_trips_us: Vec<f64>,
    /// For each message size: bytes sent and the seconds until all had arrived.
    pub transfers: Vec<Transfer>,
}

/// One size's transfer.
pub struct Transfer {
    /// The size of each message.
    pub message_bytes: usize,
    /// Bytes sent in all.
    pub total_bytes: u64,
    /// From the first send to the last byte's arrival.
    pub seconds: f64,
}

impl Transfer {
    /// Throughput in MB/s (10^6 bytes).
    pub fn megabytes_per_second(&self) -> f64 {
        self.total_bytes as f64 / 1e6 / self.seconds.max(f64::EPSILON)
    }
}

impl PairFigures {
    /// The round trip at `fraction` (0.5 for the median), in microseconds.
    pub fn round_trip_us(&self, fraction: f64) -> f64 {
        percentile(&self.round_trips_us, fraction)
    }
}

/// Join options binding loopback only, as every peer of the benchmark does.
pub fn loopback_options(url: &str, room: &str, name: &str) -> JoinOptions {
    let mut options = JoinOptions::new(url, room, name);
    options.bind = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    options
}

/// Joins two peers to a room of their own on `url`, connects them, and measures.
pub async fn run(url: &str, pings: usize, sizes: &[usize], total: u64) -> BenchResult<PairFigures> {
    let (a, mut a_events) = Peer::join(loopback_options(url, "bench-pair", "A")).await?;
    let (b, b_events) = Peer::join(loopback_options(url, "bench-pair", "B")).await?;
    let (received, arrived) = watch::channel(0u64);
    let echo = tokio::spawn(echo_and_count(b.clone(), b_events, received));
    timeout(CONNECT_TIMEOUT, connect_once_known(&a, b.id()))
        .await
        .map_err(|_| "the pair did not connect")??;

    let mut round_trips_us = Vec::with_capacity(pings);
    for n in 0..WARM_UP_PINGS + pings {
        let started = Instant::now();
        a.send_to(b.id(), Payload::bytes((n as u64).to_le_bytes()), Delivery::Reliable).await?;
        timeout(PING_TIMEOUT, next_message(&mut a_events))
            .await
            .map_err(|_| "a ping got no echo")??;
        if n >= WARM_UP_PINGS {
            round_trips_us.push(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    round_trips_us.sort_by(f64::total_cmp);

    let mut transfers = Vec::new();
    for &size in sizes {
        transfers.push(transfer(&a, b.id(), size, total, arrived.clone()).await?);
    }
    a.close().await;
    b.close().await;
    echo.abort();
    Ok(PairFigures { round_trips_us, transfers })
}

/// Sends `total` bytes to `to` in messages of `size`, waiting while the send queue is
/// full, and times it until `arrived` (the receiver's byte count) has them all.
async fn transfer(
    from: &Peer,
    to: &peer_native::PeerId,
    size: usize,
    total: u64,
    mut arrived: watch::Receiver<u64>,
) -> BenchResult<Transfer> {
    let message = vec![0x5a_u8; size];
    let count = total.div_ceil(size as u64);
    let target = *arrived.borrow() + count * size as u64;
    let started = Instant::now();
    let deadline = started + TRANSFER_TIMEOUT;
    for _ in 0..count {
        loop {
            match from.send_to(to, Payload::Bytes(message.clone()), Delivery::Reliable).await {
                Ok(()) => break,
                // The queue drains at the network's pace: wait a little and send again.
                Err(PeerError::QueueFull(_)) if Instant::now() < deadline => {
                    sleep(Duration::from_millis(1)).await;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    let all_in = arrived.wait_for(|bytes| *bytes >= target);
    timeout(deadline.saturating_duration_since(Instant::now()), all_in)
        .await
        .map_err(|_| format!("the {size}-byte transfer did not finish in time"))??;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Transfer { message_bytes: size, total_bytes: count * size as u64, seconds })
}

/// The far end: echoes pings to their sender and adds bulk messages' bytes to `received`.
async fn echo_and_count(peer: Peer, mut events: Events, received: watch::Sender<u64>) {
    while let Some(event) = events.next().await {
        if let PeerEvent::Message { from, payload } = event {
            if payload.byte_len() <= PING_BYTES {
                let _ = peer.send_to(&from.id, payload, Delivery::Reliable).await;
            } else {
                received.send_modify(|bytes| *bytes += payload.byte_len() as u64);
            }
        }
    }
}

/// Connects `from` to `to`, retried while the server's news of `to` is on its way.
async fn connect_once_known(from: &Peer, to: &peer_native::PeerId) -> BenchResult<()> {
    loop {
        match from.connect(to).await {
            Err(PeerError::UnknownPeer(_)) => sleep(Duration::from_millis(20)).await,
            outcome => return outcome.map_err(Into::into),
        }
    }
}

/// Waits for the next message among `events`, skipping every other event.
async fn next_message(events: &mut Events) -> BenchResult<Payload> {
    loop {
        match events.next().await {
            Some(PeerEvent::Message { payload, .. }) => return Ok(payload),
            Some(_) => continue,
            None => return Err("the peer closed during the pings".into()),
        }
    }
}
