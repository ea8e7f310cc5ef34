//! What the browser says about one connection's path (`getStats()`): which kind of
//! candidates carry it, its round trip, the bytes it moved.

use crate::error::PeerError;
use crate::timer;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

/// How long `getStats()` may take: its promise may never settle once the connection
/// closes, so every wait on it is bounded.
const STATS_TIMEOUT_MS: u32 = 5_000;

/// The path of one connection, as the browser reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathStats {
    /// `RTCPeerConnection.connectionState` ("connected", "disconnected", ...).
    pub state: String,
    /// Our end of the selected candidate pair: "host", "srflx", "prflx" or "relay"
    /// (empty until a pair is selected).
    pub path: String,
    /// The remote's end of the selected pair, the same way.
    pub remote_path: String,
    /// How we reach our TURN server when our end is a relay: "udp", "tcp" or "tls"
    /// (empty otherwise).
    pub relay_protocol: String,
    /// The pair's current round trip, in milliseconds, when known.
    pub rtt_ms: Option<f64>,
    /// Bytes sent on the pair.
    pub bytes_sent: f64,
    /// Bytes received on the pair.
    pub bytes_received: f64,
    /// Bytes waiting to go out (queued by this crate plus in the channel).
    pub buffered_amount: f64,
}

/// Reads the stats of `pc`.
pub(crate) async fn read(pc: RtcPeerConnection, buffered: usize) -> Result<PathStats, PeerError> {
    let report = timer::timeout(STATS_TIMEOUT_MS, JsFuture::from(pc.get_stats()))
        .await
        .ok_or(PeerError::Timeout { what: "getStats()", ms: STATS_TIMEOUT_MS })?
        .map_err(PeerError::browser)?;
    let state = Reflect::get(&pc, &"connectionState".into()).ok().and_then(|s| s.as_string());
    let mut stats = PathStats {
        state: state.unwrap_or_default(),
        buffered_amount: buffered as f64,
        ..PathStats::default()
    };
    if let Some(pair) = selected_pair(&report) {
        let candidate = |end| text(&pair, end).and_then(|id| entry(&report, &id));
        let field = |candidate: &Option<JsValue>, key| {
            candidate.as_ref().and_then(|c| text(c, key)).unwrap_or_default()
        };
        let (local, remote) = (candidate("localCandidateId"), candidate("remoteCandidateId"));
        stats.path = field(&local, "candidateType");
        stats.remote_path = field(&remote, "candidateType");
        // Only a relayed end has one (Chromium and Firefox both name it so).
        if stats.path == "relay" {
            stats.relay_protocol = field(&local, "relayProtocol");
        }
        stats.rtt_ms = number(&pair, "currentRoundTripTime").map(|seconds| seconds * 1000.0);
        stats.bytes_sent = number(&pair, "bytesSent").unwrap_or_default();
        stats.bytes_received = number(&pair, "bytesReceived").unwrap_or_default();
    }
    Ok(stats)
}

/// The candidate pair in use: the one the transport names (Chromium), else the one
/// marked `selected` (Firefox), else a nominated pair that succeeded.
fn selected_pair(report: &JsValue) -> Option<JsValue> {
    // The report iterates as `[id, stat]` entries.
    let entries = js_sys::try_iter(report).ok()??.filter_map(Result::ok);
    let stats: Vec<JsValue> =
        entries.map(|entry| Reflect::get(&entry, &1.into()).unwrap_or_default()).collect();
    let of_type =
        |kind: &'static str| stats.iter().filter(move |s| text(s, "type").as_deref() == Some(kind));
    let named = of_type("transport")
        .find_map(|transport| text(transport, "selectedCandidatePairId"))
        .and_then(|id| entry(report, &id));
    named
        .or_else(|| of_type("candidate-pair").find(|pair| flag(pair, "selected")).cloned())
        .or_else(|| {
            of_type("candidate-pair")
                .find(|pair| {
                    flag(pair, "nominated") && text(pair, "state").as_deref() == Some("succeeded")
                })
                .cloned()
        })
}

/// `report.get(id)`.
fn entry(report: &JsValue, id: &str) -> Option<JsValue> {
    let get: Function = Reflect::get(report, &"get".into()).ok()?.dyn_into().ok()?;
    get.call1(report, &id.into()).ok().filter(|stat| stat.is_object())
}

fn text(stat: &JsValue, key: &str) -> Option<String> {
    Reflect::get(stat, &key.into()).ok()?.as_string()
}

fn number(stat: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(stat, &key.into()).ok()?.as_f64()
}

fn flag(stat: &JsValue, key: &str) -> bool {
    Reflect::get(stat, &key.into()).ok().and_then(|v| v.as_bool()).unwrap_or(false)
}
