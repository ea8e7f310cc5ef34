//! What `GET /metrics` reports, in the Prometheus / OpenMetrics text format.
//!
//! Counters and gauges are atomics updated where things happen (no lock, no
//! allocation on the relay path); the registry only encodes them when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use signaling_protocol::ErrorCode;

/// The `code` label of `signaling_errors_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabel {
    code: &'static str,
}

/// The `reason` label of `signaling_rejected_connections_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

/// Why a WebSocket was refused before it could join.
#[derive(Clone, Copy, Debug)]
pub enum Rejection {
    /// Over `max_connections` or `max_connections_per_ip` (closed with 1013).
    ConnectionLimit,
    /// Its `Origin` is not on the allow-list (HTTP 403).
    Origin,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    connections: Gauge,
    peers: Gauge,
    rooms: Gauge,
    signals: Counter,
    evictions: Counter,
    errors: Family<CodeLabel, Counter>,
    rejected: Family<ReasonLabel, Counter>,
    /// The counters of `errors`, in the order of [`ErrorCode::ALL`]: counting one is an
    /// atomic add, not a lookup behind the family's lock.
    by_code: Vec<Counter>,
}

impl Metrics {
    /// Every metric at zero, registered under the `signaling_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("signaling");
        let metrics = Self {
            registry: Registry::default(),
            connections: Gauge::default(),
            peers: Gauge::default(),
            rooms: Gauge::default(),
            signals: Counter::default(),
            evictions: Counter::default(),
            errors: Family::default(),
            rejected: Family::default(),
            by_code: Vec::new(),
        };
        // Every label value exists from the start, so a dashboard sees zeros rather than
        // missing series.
        let by_code = ErrorCode::ALL
            .iter()
            .map(|code| metrics.errors.get_or_create(&CodeLabel { code: code.as_str() }).clone())
            .collect();
        for reason in ["connection_limit", "origin"] {
            let _ = metrics.rejected.get_or_create(&ReasonLabel { reason });
        }
        registry.register("connections", "Open WebSocket connections", metrics.connections.clone());
        registry.register("peers", "Peers joined to a room", metrics.peers.clone());
        registry.register("rooms", "Rooms with at least one peer", metrics.rooms.clone());
        registry.register(
            "signals_relayed",
            "Signals (offers, answers, candidates, byes) delivered to their target's queue",
            metrics.signals.clone(),
        );
        registry.register(
            "evicted_peers",
            "Peers disconnected because they stopped reading their messages",
            metrics.evictions.clone(),
        );
        registry.register(
            "errors",
            "Error replies sent to clients, by code",
            metrics.errors.clone(),
        );
        registry.register(
            "rejected_connections",
            "WebSocket connections refused before joining, by reason",
            metrics.rejected.clone(),
        );
        Self { registry, by_code, ..metrics }
    }

    /// The text a Prometheus scrape gets.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }

    /// A WebSocket opened (`+1`) or closed (`-1`).
    pub fn connection(&self, delta: i64) {
        self.connections.inc_by(delta);
    }

    /// Peers and rooms now held, after a join or a leave.
    pub fn occupancy(&self, peers: usize, rooms: usize) {
        self.peers.set(i64::try_from(peers).unwrap_or(i64::MAX));
        self.rooms.set(i64::try_from(rooms).unwrap_or(i64::MAX));
    }

    /// One signal reached its target's queue.
    pub fn relayed(&self) {
        self.signals.inc();
    }

    /// One peer was disconnected for not reading.
    pub fn evicted(&self) {
        self.evictions.inc();
    }

    /// One error reply was sent.
    pub fn error(&self, code: ErrorCode) {
        // `ALL` ends with `Other`, which stands for any code not listed.
        let index = ErrorCode::ALL.iter().position(|known| *known == code);
        let index = index.unwrap_or(ErrorCode::ALL.len() - 1);
        if let Some(counter) = self.by_code.get(index) {
            counter.inc();
        }
    }

    /// One connection was refused.
    pub fn rejected(&self, why: Rejection) {
        let reason = match why {
            Rejection::ConnectionLimit => "connection_limit",
            Rejection::Origin => "origin",
        };
        self.rejected.get_or_create(&ReasonLabel { reason }).inc();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_series_with_its_labels() {
        let metrics = Metrics::new();
        metrics.connection(1);
        metrics.occupancy(3, 2);
        metrics.relayed();
        metrics.error(ErrorCode::UnknownPeer);
        metrics.rejected(Rejection::Origin);
        let text = metrics.render();
        for line in [
            "signaling_connections 1",
            "signaling_peers 3",
            "signaling_rooms 2",
            "signaling_signals_relayed_total 1",
            "signaling_evicted_peers_total 0",
            "signaling_errors_total{code=\"unknown_peer\"} 1",
            "signaling_errors_total{code=\"rate_limited\"} 0",
            "signaling_rejected_connections_total{reason=\"origin\"} 1",
            "signaling_rejected_connections_total{reason=\"connection_limit\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }
}
