//! What the benchmark measures in the pages with the library: round trips (`sendTo`
//! ping, `pong` back) and throughput (64 KiB `Uint8Array` messages, the same sizes the
//! plain channel sends, at the channel's pace), and the samples' percentiles.

use e2e_tests::Tab;
use serde_json::json;
use std::time::Duration;

/// Connect times of one contender in one case, and its data path.
#[derive(Default)]
pub struct Samples {
    /// How many connects were tried.
    pub tried: usize,
    /// How many connected.
    pub connected: usize,
    /// The connect times of those that connected, in ms.
    pub times_ms: Vec<f64>,
    /// The first failure's message, if any failed.
    pub first_error: Option<String>,
    /// The median round trip, in ms.
    pub rtt_ms: Option<f64>,
    /// Throughput of the transfer, in MB/s.
    pub mbps: Option<f64>,
}

impl Samples {
    /// Records one connect.
    pub fn record(&mut self, connected: bool, took: Duration, error: &str) {
        self.tried += 1;
        if connected {
            self.connected += 1;
            self.times_ms.push(took.as_secs_f64() * 1000.0);
        } else if self.first_error.is_none() {
            self.first_error = Some(error.to_owned());
        }
    }

    /// The `p`th percentile (0 to 100) of the connect times, nearest rank.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        let mut sorted = self.times_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
        sorted.get(rank - 1).copied()
    }
}

/// Whether Alice's peer counts Bob as connected.
pub async fn connected(alice: &Tab<'_>, bob_id: &str) -> bool {
    let script =
        format!("return window.peer.connectedPeers().some((p) => p.id == {});", json!(bob_id));
    alice.eval(&script).await == json!(true)
}

/// Bob answers `ping` with `pong` and counts bytes, saying `got` once all arrived;
/// Alice hands Bob's replies to whoever waits for one.
pub async fn prepare(alice: &Tab<'_>, bob: &Tab<'_>, bob_id: &str) {
    bob.eval(
        "window.got = 0; window.expect = 0;
         window.peer.onMessage((m) => {
           if (m.data === 'ping') return window.peer.sendTo(m.from, 'pong');
           if (typeof m.data === 'string' && m.data.startsWith('expect:')) {
             window.got = 0; window.expect = Number(m.data.slice(7)); return;
           }
           window.got += m.data.byteLength;
           if (window.got === window.expect) window.peer.sendTo(m.from, 'got');
         });",
    )
    .await;
    alice
        .eval(&format!(
            "window.bobId = {};
             window.waiting = null;
             window.reply = () => new Promise((done) => {{ window.waiting = done; }});
             window.peer.onMessage((m) => {{
               if (window.waiting) {{ const done = window.waiting; window.waiting = null; done(m.data); }}
             }});",
            json!(bob_id)
        ))
        .await;
}

/// The median of `n` round trips from Alice to Bob and back, in ms.
pub async fn rtt_ms(alice: &Tab<'_>, _bob_id: &str, n: u32) -> f64 {
    let script = format!(
        "const times = [];
         for (let i = 0; i < {n}; i++) {{
           const started = performance.now();
           const reply = window.reply();
           window.peer.sendTo(window.bobId, 'ping');
           await reply;
           times.push(performance.now() - started);
         }}
         times.sort((x, y) => x - y);
         return times[Math.floor(times.length / 2)];"
    );
    alice.eval(&script).await.as_f64().unwrap_or(f64::NAN)
}

/// `mib` MiB from Alice to Bob in 64 KiB messages, until Bob says all arrived, in MB/s.
/// Run detached and polled: a lossy path may take longer than one WebDriver script may.
pub async fn throughput_mbps(alice: &Tab<'_>, _bob_id: &str, mib: u32) -> f64 {
    let script = format!(
        "window.throughput = null;
         (async () => {{
           const total = {mib} * 1024 * 1024;
           const chunk = new Uint8Array(65536);
           const started = performance.now();
           const got = window.reply();
           window.peer.sendTo(window.bobId, 'expect:' + total);
           for (let sent = 0; sent < total; sent += chunk.length) {{
             if (window.peer.bufferedAmount(window.bobId) > (4 << 20)) {{
               await window.peer.ready(window.bobId);
             }}
             window.peer.sendTo(window.bobId, chunk);
           }}
           await got;
           return total / 1e6 / ((performance.now() - started) / 1000);
         }})().then((value) => {{ window.throughput = value; }},
                    (error) => {{ window.throughput = String(error); }});"
    );
    alice.eval(&script).await;
    let limit = Duration::from_secs(180);
    alice.wait_until_within(limit, "window.throughput !== null", "window.throughput").await;
    alice.eval("return window.throughput;").await.as_f64().unwrap_or(f64::NAN)
}
