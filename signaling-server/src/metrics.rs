//! What `GET /metrics` reports, in the Prometheus / OpenMetrics text format.
//!
//! Counters are atomics bumped where things happen (no lock, no allocation on the relay
//! path). The gauges (connections, peers, rooms) are read from the server's own state
//! when scraped, so nothing keeps them up to date in between.

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

impl Rejection {
    const ALL: [Rejection; 2] = [Rejection::ConnectionLimit, Rejection::Origin];

    fn label(self) -> &'static str {
        match self {
            Self::ConnectionLimit => "connection_limit",
            Self::Origin => "origin",
        }
    }
}

/// The gauges, read when scraped.
#[derive(Clone, Copy, Debug)]
pub struct Occupancy {
    /// Open WebSocket connections.
    pub connections: usize,
    /// Peers joined to a room.
    pub peers: usize,
    /// Rooms with at least one peer.
    pub rooms: usize,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    connections: Gauge,
    peers: Gauge,
    rooms: Gauge,
    signals: Counter,
    evictions: Counter,
    /// The series of `signaling_errors_total`, in the order of [`ErrorCode::ALL`]:
    /// counting one is an atomic add, not a lookup behind the family's lock.
    errors: Vec<Counter>,
    /// The series of `signaling_rejected_connections_total`, in the order of
    /// [`Rejection::ALL`].
    rejected: Vec<Counter>,
    takeovers: Counter,
}

impl Metrics {
    /// Every metric at zero, registered under the `signaling_` prefix. Every label value
    /// exists from the start, so a dashboard sees zeros rather than missing series.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("signaling");
        let (connections, peers, rooms) = (Gauge::default(), Gauge::default(), Gauge::default());
        let (signals, evictions, takeovers) =
            (Counter::default(), Counter::default(), Counter::default());
        let by_code = Family::<CodeLabel, Counter>::default();
        let errors = ErrorCode::ALL
            .iter()
            .map(|code| by_code.get_or_create(&CodeLabel { code: code.as_str() }).clone())
            .collect();
        let by_reason = Family::<ReasonLabel, Counter>::default();
        let rejected = Rejection::ALL
            .iter()
            .map(|why| by_reason.get_or_create(&ReasonLabel { reason: why.label() }).clone())
            .collect();
        registry.register("connections", "Open WebSocket connections", connections.clone());
        registry.register("peers", "Peers joined to a room", peers.clone());
        registry.register("rooms", "Rooms with at least one peer", rooms.clone());
        registry.register(
            "signals_relayed",
            "Signals (offers, answers, candidates, byes) delivered to their target's queue",
            signals.clone(),
        );
        registry.register(
            "evicted_peers",
            "Peers disconnected because they stopped reading their messages",
            evictions.clone(),
        );
        registry.register("errors", "Error replies sent to clients, by code", by_code);
        registry.register(
            "rejected_connections",
            "WebSocket connections refused before joining, by reason",
            by_reason,
        );
        registry.register(
            "takeovers",
            "Joins that took the seat of an earlier connection with the same key",
            takeovers.clone(),
        );
        Self {
            registry,
            connections,
            peers,
            rooms,
            signals,
            evictions,
            errors,
            rejected,
            takeovers,
        }
    }

    /// The registry, to add series to before the metrics are shared (the Redis ones).
    pub fn registry(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The text a Prometheus scrape gets, with the gauges at `now`.
    pub fn render(&self, now: Occupancy) -> String {
        let gauge = |value: usize| i64::try_from(value).unwrap_or(i64::MAX);
        self.connections.set(gauge(now.connections));
        self.peers.set(gauge(now.peers));
        self.rooms.set(gauge(now.rooms));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
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
        if let Some(counter) = self.errors.get(index) {
            counter.inc();
        }
    }

    /// One join took the seat of its key's earlier connection.
    pub fn took_over(&self) {
        self.takeovers.inc();
    }

    /// One connection was refused.
    pub fn rejected(&self, why: Rejection) {
        if let Some(counter) = self.rejected.get(why as usize) {
            counter.inc();
        }
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
        metrics.relayed();
        metrics.error(ErrorCode::UnknownPeer);
        metrics.rejected(Rejection::Origin);
        metrics.took_over();
        let text = metrics.render(Occupancy { connections: 1, peers: 3, rooms: 2 });
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
            "signaling_takeovers_total 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }
}
