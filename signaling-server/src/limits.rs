//! Limits on what one stranger can take: connections (in total and per IP address) and
//! the pace of its messages.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tokio::time::Instant;

/// Counts open connections, in total and per client address.
pub struct Connections {
    counts: Mutex<Counts>,
    max_total: usize,
    max_per_ip: usize,
    /// Told when the last open connection ends, for a shutdown waiting on it.
    none_open: Notify,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One admitted connection; dropping it frees its place.
pub struct Admission {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Connections {
    /// Admits at most `max_total` connections, `max_per_ip` from one address.
    pub fn new(max_total: usize, max_per_ip: usize) -> Self {
        let counts = Mutex::new(Counts::default());
        Self { counts, max_total, max_per_ip, none_open: Notify::new() }
    }

    /// Connections open now (admitted, not yet ended).
    pub fn open(&self) -> usize {
        self.counts.lock().unwrap_or_else(|poison| poison.into_inner()).total
    }

    /// Resolves once no connection is open. Each admission lives as long as its session
    /// task, so this is when every session has ended (after its close frame).
    pub async fn all_closed(&self) {
        loop {
            // Registered before the count is read, so a wake-up in between is not lost.
            let notified = self.none_open.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.open() == 0 {
                return;
            }
            notified.await;
        }
    }

    /// A place for a connection from `ip`, or `None` when a limit is reached.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admission> {
        let mut counts = self.counts.lock().unwrap_or_else(|poison| poison.into_inner());
        let from_ip = counts.per_ip.get(&ip).copied().unwrap_or(0);
        if counts.total >= self.max_total || from_ip >= self.max_per_ip {
            return None;
        }
        counts.total += 1;
        counts.per_ip.insert(ip, from_ip + 1);
        Some(Admission { connections: Arc::clone(self), ip })
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut counts =
            self.connections.counts.lock().unwrap_or_else(|poison| poison.into_inner());
        counts.total -= 1;
        if let Some(count) = counts.per_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
        if counts.total == 0 {
            drop(counts);
            self.connections.none_open.notify_waiters();
        }
    }
}

/// A token bucket: `burst` messages at once, `per_second` sustained.
pub struct RateLimit {
    tokens: f64,
    burst: f64,
    per_second: f64,
    refilled: Instant,
}

impl RateLimit {
    /// A full bucket.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self::with_rate(f64::from(per_second), burst)
    }

    /// A full bucket refilled at `per_second`, which may be below one.
    pub fn with_rate(per_second: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self { tokens: burst, burst, per_second, refilled: Instant::now() }
    }

    /// Takes one token; `false` when the bucket is empty (the message is to be refused).
    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.refilled).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + earned).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_counts_per_ip_and_in_total_and_frees_on_drop() {
        let connections = Arc::new(Connections::new(3, 2));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = connections.admit(a).expect("room");
        let _second = connections.admit(a).expect("room");
        assert!(connections.admit(a).is_none(), "per-ip limit");
        let _third = connections.admit(b).expect("room");
        assert!(connections.admit(b).is_none(), "total limit");
        drop(first);
        assert!(connections.admit(a).is_some());
    }

    #[tokio::test]
    async fn all_closed_waits_for_the_last_admission() {
        let connections = Arc::new(Connections::new(3, 3));
        connections.all_closed().await; // none open
        let open = connections.admit([10, 0, 0, 1].into()).expect("room");
        let waiting = tokio::spawn({
            let connections = Arc::clone(&connections);
            async move { connections.all_closed().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(open);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("woken")
            .expect("finished");
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_allows_a_burst_then_the_sustained_rate() {
        let mut limit = RateLimit::new(10, 5);
        assert_eq!((0..10).filter(|_| limit.allow()).count(), 5);
        tokio::time::advance(std::time::Duration::from_millis(500)).await;
        assert_eq!((0..10).filter(|_| limit.allow()).count(), 5);
    }
}
