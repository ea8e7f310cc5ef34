//! Whether this instance can reach Redis, and the `/metrics` series that say so: while it
//! cannot, joins and signals to other instances are refused with `unavailable` at once
//! (never left hanging), and signals between this instance's own peers go on.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicBool, Ordering};

/// The Redis series of `/metrics`, registered only when the server has `--redis-url`.
#[derive(Default)]
pub struct RedisMetrics {
    up: Gauge,
    reconnects: Counter,
    errors: Counter,
    forwarded: Counter,
    dead_instances: Counter,
    swept_peers: Counter,
    restores: Counter,
}

impl RedisMetrics {
    /// Registers every series, at zero (`redis_up` at 0 until first reached).
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self::default();
        let redis = registry.sub_registry_with_prefix("redis");
        redis.register(
            "up",
            "1 while Redis is reachable (commands and subscription)",
            metrics.up.clone(),
        );
        redis.register(
            "reconnects",
            "Times the connection to Redis came back after it was lost",
            metrics.reconnects.clone(),
        );
        redis.register("errors", "Redis commands that failed or timed out", metrics.errors.clone());
        redis.register(
            "forwarded_signals",
            "Signals published to the instance that holds their target",
            metrics.forwarded.clone(),
        );
        redis.register(
            "dead_instances",
            "Instances whose liveness key expired, swept by this one",
            metrics.dead_instances.clone(),
        );
        redis.register(
            "swept_peers",
            "Peers of dead instances removed from their rooms by this one",
            metrics.swept_peers.clone(),
        );
        redis.register(
            "restores",
            "Times this instance put its peers back into Redis (after a restart or an outage)",
            metrics.restores.clone(),
        );
        metrics
    }

    pub fn reconnected(&self) {
        self.reconnects.inc();
    }

    pub fn failed(&self) {
        self.errors.inc();
    }

    pub fn forwarded(&self, count: u64) {
        self.forwarded.inc_by(count);
    }

    pub fn swept(&self, instances: u64, peers: u64) {
        self.dead_instances.inc_by(instances);
        self.swept_peers.inc_by(peers);
    }

    pub fn restored(&self) {
        self.restores.inc();
    }
}

/// Whether the two links to Redis are up: the command connection (its last heartbeat
/// answered) and the subscription (this instance's channel is listened to).
pub struct Health {
    commands: AtomicBool,
    subscription: AtomicBool,
    pub metrics: RedisMetrics,
}

impl Health {
    /// Both down until first reached.
    pub fn new(metrics: RedisMetrics) -> Self {
        Self { commands: AtomicBool::new(false), subscription: AtomicBool::new(false), metrics }
    }

    /// Both links up.
    pub fn up(&self) -> bool {
        self.commands.load(Ordering::Relaxed) && self.subscription.load(Ordering::Relaxed)
    }

    /// The command connection answered (`true`) or failed; returns whether it was down.
    pub fn commands(&self, up: bool) -> bool {
        let was = self.commands.swap(up, Ordering::Relaxed);
        self.update(was, up)
    }

    /// The subscription is listening (`true`) or lost; returns whether it was down.
    pub fn subscription(&self, up: bool) -> bool {
        let was = self.subscription.swap(up, Ordering::Relaxed);
        self.update(was, up)
    }

    fn update(&self, was: bool, up: bool) -> bool {
        if !up {
            self.metrics.failed();
        }
        if was != up {
            if up {
                tracing::info!("Redis reachable");
            } else {
                tracing::warn!(
                    "Redis unreachable: joins and signals to other instances are refused with 'unavailable'"
                );
            }
        }
        self.metrics.up.set(i64::from(self.up()));
        !was
    }
}
