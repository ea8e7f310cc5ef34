//! What every request handler and every session shares: the config, the rooms (in memory,
//! or in Redis when `--redis-url` is set), the open connections, the metrics, and the
//! shutdown signal.

use crate::config::Config;
use crate::limits::Connections;
use crate::metrics::Metrics;
use crate::room::backend::RoomBackend;
use crate::room::memory::Rooms;
use crate::room::redis::SharedRooms;
use crate::room::redis::health::RedisMetrics;
use std::sync::Arc;
use tokio::sync::watch;

/// What every request handler and session shares.
pub struct AppState {
    /// The options, which the rooms read their rules from too.
    pub config: Arc<Config>,
    /// Every room, in memory or in Redis.
    pub rooms: RoomBackend,
    /// The open connections, counted against the caps.
    pub connections: Arc<Connections>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// Flips to `true` on shutdown, so open sockets end.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// Empty rooms, no connections, every metric at zero, all as `config` says.
    pub fn new(config: Config, shutdown: watch::Receiver<bool>) -> Self {
        let config = Arc::new(config);
        let mut metrics = Metrics::new();
        let redis_metrics =
            config.redis_url.as_ref().map(|_| RedisMetrics::register(metrics.registry()));
        let metrics = Arc::new(metrics);
        let rooms = match (&config.redis_url, redis_metrics) {
            (Some(url), Some(redis_metrics)) => RoomBackend::Redis(SharedRooms::start(
                url,
                Arc::clone(&config),
                Arc::clone(&metrics),
                redis_metrics,
                shutdown.clone(),
            )),
            _ => RoomBackend::Memory(Rooms::new(Arc::clone(&config), Arc::clone(&metrics))),
        };
        let connections =
            Arc::new(Connections::new(config.max_connections, config.max_connections_per_ip));
        Self { config, rooms, connections, metrics, shutdown }
    }
}
