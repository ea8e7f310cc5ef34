//! A room of many native peers in this process: joining them, reading their events into
//! one tally, connecting given pairs with bounded concurrency, and closing them. Every
//! wait has a deadline; what did not happen by then is counted, not waited for.

use crate::bench_result::BenchResult;
use crate::pair::loopback_options;
use peer_native::{Events, Peer, PeerEvent};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout, timeout_at};

/// Pause between two attempts of one connect (adverts spread in about 100 ms a hop).
const RETRY_PAUSE: Duration = Duration::from_millis(200);
/// How often a wait on the tally or on the peers' rosters looks again.
const POLL: Duration = Duration::from_millis(50);
/// Joins under way at once: each proves a key to the server.
const JOIN_CONCURRENCY: usize = 8;
/// How long closing every peer may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

/// What every peer's events added up to so far.
#[derive(Default, Debug, Clone, Copy)]
pub struct Counts {
    /// `Connected` events, both ends of each channel.
    pub connected: usize,
    /// `Disconnected` events.
    pub disconnected: usize,
    /// `SignalingReconnecting` events.
    pub reconnecting: usize,
    /// When the last `Connected` event came.
    pub last_connected: Option<Instant>,
}

/// How a batch of connects went.
#[derive(Default, Debug, Clone, Copy)]
pub struct ConnectOutcome {
    /// Connects that resolved with an open channel.
    pub succeeded: usize,
    /// Connects that failed every attempt, or ran out of time under way.
    pub failed: usize,
    /// Connects never started: the deadline came while they waited for their turn.
    pub not_started: usize,
    /// Calls of `connect`, retries included.
    pub attempts: usize,
}

/// The peers of one room, in join order.
pub struct Room {
    /// The peers; "peer `i`" is `peers[i]`.
    pub peers: Vec<Peer>,
    counts: Arc<Mutex<Counts>>,
}

impl Room {
    /// Joins `n` peers to `room` on `url`, a few at a time; fails if any join fails.
    pub async fn join(url: &str, room: &str, n: usize) -> BenchResult<Room> {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let permits = Arc::new(Semaphore::new(JOIN_CONCURRENCY));
        let mut joins = JoinSet::new();
        for index in 0..n {
            let options = loopback_options(url, room, &format!("peer-{index}"));
            let permits = permits.clone();
            joins.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (index, Peer::join(options).await)
            });
        }
        let mut joined = Vec::with_capacity(n);
        while let Some(result) = joins.join_next().await {
            let (index, result) = result?;
            let (peer, events) =
                result.map_err(|error| format!("peer {index} joining: {error}"))?;
            tokio::spawn(tally(events, counts.clone()));
            joined.push((index, peer));
        }
        joined.sort_by_key(|(index, _)| *index);
        Ok(Room { peers: joined.into_iter().map(|(_, peer)| peer).collect(), counts })
    }

    /// The tally of every peer's events so far.
    pub fn counts(&self) -> Counts {
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until every peer knows all the others, or `deadline`; returns how many do.
    pub async fn wait_all_known(&self, deadline: Instant) -> BenchResult<usize> {
        loop {
            let mut knowing = 0;
            for peer in &self.peers {
                if peer.peers().await?.len() + 1 >= self.peers.len() {
                    knowing += 1;
                }
            }
            if knowing == self.peers.len() || Instant::now() >= deadline {
                return Ok(knowing);
            }
            sleep(POLL).await;
        }
    }

    /// Waits until `ready` holds for the tally, or `deadline`; returns the tally.
    pub async fn wait_counts(&self, deadline: Instant, ready: impl Fn(&Counts) -> bool) -> Counts {
        loop {
            let counts = self.counts();
            if ready(&counts) || Instant::now() >= deadline {
                return counts;
            }
            sleep(POLL).await;
        }
    }

    /// Connects each `(from, to)` pair (`from` calls `connect`), at most `concurrency`
    /// at once, in the order given. With `retry`, a failed connect is tried again
    /// after a pause until `deadline`; without, once.
    pub async fn connect_pairs(
        &self,
        pairs: &[(usize, usize)],
        concurrency: usize,
        retry: bool,
        deadline: Instant,
    ) -> ConnectOutcome {
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut connects = JoinSet::new();
        for &(from, to) in pairs {
            let (Some(from), Some(to)) = (self.peers.get(from), self.peers.get(to)) else {
                continue;
            };
            let (from, to, permits) = (from.clone(), to.id().clone(), permits.clone());
            connects.spawn(async move {
                let _permit = permits.acquire_owned().await;
                if Instant::now() >= deadline {
                    return None;
                }
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    let opened = timeout_at(deadline.into(), from.connect(&to)).await;
                    match opened {
                        Ok(Ok(())) => return Some((true, attempts)),
                        Ok(Err(_)) if retry && Instant::now() + RETRY_PAUSE < deadline => {
                            sleep(RETRY_PAUSE).await;
                        }
                        _ => return Some((false, attempts)),
                    }
                }
            });
        }
        let mut outcome = ConnectOutcome::default();
        while let Some(result) = connects.join_next().await {
            let Some((opened, attempts)) = result.unwrap_or(Some((false, 0))) else {
                outcome.not_started += 1;
                continue;
            };
            outcome.attempts += attempts;
            if opened {
                outcome.succeeded += 1;
            } else {
                outcome.failed += 1;
            }
        }
        outcome
    }

    /// Closes every peer at once, for a bounded time.
    pub async fn close(self) {
        let mut closes = JoinSet::new();
        for peer in self.peers {
            closes.spawn(async move { peer.close().await });
        }
        let _ = timeout(CLOSE_TIMEOUT, closes.join_all()).await;
    }
}

/// Every pair `(i, j)` with `i < j < n`, ordered by `j - i`, so that the connects under
/// way at once belong to many different peers instead of all to peer 0.
pub fn all_pairs_spread(n: usize) -> Vec<(usize, usize)> {
    (1..n).flat_map(|gap| (0..n - gap).map(move |from| (from, from + gap))).collect()
}

/// Adds one peer's events to `counts` until the peer closes.
async fn tally(mut events: Events, counts: Arc<Mutex<Counts>>) {
    while let Some(event) = events.next().await {
        let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            PeerEvent::Connected(_) => {
                counts.connected += 1;
                counts.last_connected = Some(Instant::now());
            }
            PeerEvent::Disconnected { .. } => counts.disconnected += 1,
            PeerEvent::SignalingReconnecting { .. } => counts.reconnecting += 1,
            _ => {}
        }
    }
}
