//! The same connection with a bare `RTCPeerConnection` and the same ICE servers and
//! credentials (minted in the page with WebCrypto, as the server mints them), so that a
//! result can be put down to the network or to the library. The offer, answer and
//! candidates (trickled) go through this process, tab to tab, over WebDriver.

use super::services::{IceServers, TURN_PORT, TURN_SECRET};
use super::topology::INTERNET_IP;
use crate::tab::Tab;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long a plain connect may take before it counts as failed.
const CONNECT_WITHIN: Duration = Duration::from_secs(20);

/// `window.plainSetup(role, urls, secret, policy)`, `window.plainTake(items)` (takes the
/// other side's descriptions and candidates, returns its own), `plainPing(n)` and
/// `plainSend(mib)` on the open channel, `plainPath()` from `getStats()`.
const PLAIN_JS: &str = include_str!("plain.js");

/// How a plain connect went.
#[derive(Clone, Debug, Default)]
pub struct PlainOutcome {
    /// The channel opened.
    pub connected: bool,
    /// From the offerer's `setLocalDescription` to its channel's `open`, when it opened.
    pub ms: f64,
    /// The offerer's end of the selected pair ("host", "srflx", "relay", ...).
    pub path: String,
    /// How the offerer reaches its relay, when `path` is "relay".
    pub relay_protocol: String,
    /// Why it did not connect.
    pub error: String,
}

/// Connects a bare `RTCPeerConnection` in `a` (offerer) to one in `b`, given the ICE
/// servers the lab's signaling server hands out and `policy` ("all" or "relay").
pub async fn plain_connect(
    a: &Tab<'_>,
    b: &Tab<'_>,
    ice: IceServers,
    policy: &str,
) -> PlainOutcome {
    let turn = format!("turn:{INTERNET_IP}:{TURN_PORT}");
    let stun = format!("stun:{INTERNET_IP}:{TURN_PORT}");
    let urls = match ice {
        IceServers::Stun => vec![stun],
        IceServers::StunAndTurn => vec![stun, turn],
        IceServers::TurnUdpAndTcp => vec![turn.clone(), format!("{turn}?transport=tcp")],
    };
    for (tab, role) in [(a, "offerer"), (b, "answerer")] {
        let args = json!([role, urls, TURN_SECRET, policy]);
        tab.eval(&format!("{PLAIN_JS}\nawait window.plainSetup(...{args});")).await;
    }
    let deadline = Instant::now() + CONNECT_WITHIN;
    let mut to_a = Value::Array(vec![]);
    loop {
        let from_a = a.eval(&format!("return await window.plainTake({to_a});")).await;
        let from_b = b.eval(&format!("return await window.plainTake({});", from_a["out"])).await;
        to_a = from_b["out"].clone();
        if let Some(ms) = from_a["openMs"].as_f64() {
            let path = a.eval("return await window.plainPath();").await;
            return PlainOutcome {
                connected: true,
                ms,
                path: path["path"].as_str().unwrap_or_default().to_owned(),
                relay_protocol: path["relayProtocol"].as_str().unwrap_or_default().to_owned(),
                error: String::new(),
            };
        }
        let failed = from_a["failed"].as_str().or(from_b["failed"].as_str());
        if failed.is_some() || Instant::now() > deadline {
            let error = failed.map_or(format!("not open within {CONNECT_WITHIN:?}"), str::to_owned);
            return PlainOutcome { error, ..PlainOutcome::default() };
        }
    }
}

/// The median round trip of `n` pings on the open plain channel, in ms.
pub async fn plain_rtt_ms(a: &Tab<'_>, n: u32) -> f64 {
    a.eval(&format!("return await window.plainPing({n});")).await.as_f64().unwrap_or(f64::NAN)
}

/// `mib` MiB from `a` to `b` on the open plain channel (64 KiB messages), in MB/s. Run
/// detached and polled: a lossy path may take longer than one WebDriver script may.
pub async fn plain_throughput_mbps(a: &Tab<'_>, mib: u32) -> f64 {
    a.eval(&format!(
        "window.plainThroughput = null;
         window.plainSend({mib}).then((value) => {{ window.plainThroughput = value; }},
                                      (error) => {{ window.plainThroughput = String(error); }});"
    ))
    .await;
    let limit = Duration::from_secs(180);
    a.wait_until_within(limit, "window.plainThroughput !== null", "window.plainThroughput").await;
    a.eval("return window.plainThroughput;").await.as_f64().unwrap_or(f64::NAN)
}
