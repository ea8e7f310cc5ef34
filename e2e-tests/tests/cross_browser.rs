//! Chromium and Firefox in one room: every payload kind each way (a message over each
//! browser's SCTP limit included, so chunking follows the remote's limit), and a
//! disconnect and a departure seen on both sides. The reference scenario across
//! browsers is in `scenario.rs`.

use e2e_tests::{Engine, Harness, Tab};
use serde_json::{Value, json};
use std::time::Duration;

const BUDGET: Duration = Duration::from_secs(180);

/// Joins one peer in each browser to `room` and connects the first to the second.
async fn pair<'a>(
    harness: &'a Harness,
    room: &str,
    engines: [Engine; 2],
) -> ((Tab<'a>, String), (Tab<'a>, String)) {
    let first = harness.open_tab_in(engines[0]).await;
    let second = harness.open_tab_in(engines[1]).await;
    let first_id = first.join_peer(room, engines[0].name()).await;
    let second_id = second.join_peer(room, engines[1].name()).await;
    first.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    first.eval(&format!("await window.peer.connect({});", json!(second_id))).await;
    second.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;
    ((first, first_id), (second, second_id))
}

/// Sends one message of every kind to `to`, in order. The big ones are past both
/// browsers' one-message limit (Chromium's is 256 KiB).
const SEND_EVERY_KIND: &str = "
    const pattern = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 251);
    const floats = new Float32Array([1.5, -2, 3.25]);
    const messages = [
      'héllo 👋',
      pattern(1000),
      { move: 'e4', scores: [1, 2.5, null] },
      floats,
      new DataView(pattern(16).buffer),
      pattern(600 * 1024 + 3),
      'x'.repeat(300 * 1024),
      new Float64Array(70000).map((_, i) => i / 2),
    ];
    for (const message of messages) window.peer.sendTo(to, message);
    return messages.length;";

/// What arrived, one line per message: its kind (by tag, as the page sees it), its
/// size, and a checksum of its content.
const SUMMARISE: &str = "
    const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
    const bytes = (v) => new Uint8Array(v.buffer ?? v, v.byteOffset ?? 0, v.byteLength);
    const sum = (b) => b.reduce((s, x, i) => (s + x * (i % 13 + 1)) % 1000003, 0);
    return window.received.map((d) => typeof d === 'string'
      ? { kind: 'string', size: d.length, sum: d.length > 100 ? d.slice(0, 3) : d }
      : ArrayBuffer.isView(d) ? { kind: tag(d), size: d.byteLength, sum: sum(bytes(d)) }
      : { kind: 'json', size: 0, sum: JSON.stringify(d) });";

/// Keeps every message's data as received (the tab's own inbox flattens bytes).
async fn record_raw(tab: &Tab<'_>) {
    tab.eval("window.received = []; window.peer.onMessage((m) => window.received.push(m.data));")
        .await;
}

fn expected_summary() -> Value {
    let pattern = |n: usize| -> Vec<u8> { (0..n).map(|i| ((i * 7) % 251) as u8).collect() };
    let sum = |bytes: &[u8]| -> u64 {
        bytes
            .iter()
            .enumerate()
            .fold(0, |s, (i, &x)| (s + u64::from(x) * (i as u64 % 13 + 1)) % 1_000_003)
    };
    let floats: Vec<u8> = [1.5f32, -2.0, 3.25].iter().flat_map(|f| f.to_le_bytes()).collect();
    let halves: Vec<u8> = (0..70000).flat_map(|i| (f64::from(i) / 2.0).to_le_bytes()).collect();
    json!([
        { "kind": "string", "size": 8, "sum": "héllo 👋" },
        { "kind": "Uint8Array", "size": 1000, "sum": sum(&pattern(1000)) },
        { "kind": "json", "size": 0, "sum": "{\"move\":\"e4\",\"scores\":[1,2.5,null]}" },
        { "kind": "Float32Array", "size": 12, "sum": sum(&floats) },
        { "kind": "DataView", "size": 16, "sum": sum(&pattern(16)) },
        { "kind": "Uint8Array", "size": 600 * 1024 + 3, "sum": sum(&pattern(600 * 1024 + 3)) },
        { "kind": "string", "size": 300 * 1024, "sum": "xxx" },
        { "kind": "Float64Array", "size": 560000, "sum": sum(&halves) },
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_payload_kind_crosses_between_chromium_and_firefox_both_ways() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let ((chromium, chromium_id), (firefox, firefox_id)) =
            pair(&harness, "kinds", [Engine::Chromium, Engine::Firefox]).await;
        for tab in [&chromium, &firefox] {
            record_raw(tab).await;
        }
        for (from, to, to_id) in
            [(&chromium, &firefox, &firefox_id), (&firefox, &chromium, &chromium_id)]
        {
            let sent = from.eval(&format!("const to = {};{SEND_EVERY_KIND}", json!(to_id))).await;
            to.wait_until(&format!("window.received.length == {sent}"), "JSON.stringify({n: window.received.length, events: window.events, kinds: window.received.map((d) => Object.prototype.toString.call(d))})")
                .await;
            assert_eq!(to.eval(SUMMARISE).await, expected_summary(), "to {to_id}");
        }
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_and_a_departure_are_seen_on_both_sides_across_browsers() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        // Firefox connects to Chromium.
        let ((firefox, firefox_id), (chromium, chromium_id)) =
            pair(&harness, "leaving", [Engine::Firefox, Engine::Chromium]).await;
        // Chromium hangs up: both sides see it.
        chromium.eval(&format!("await window.peer.disconnect({});", json!(firefox_id))).await;
        firefox
            .wait_until("window.events.includes('Disconnected:chromium')", "window.events")
            .await;
        assert_eq!(firefox.eval("return window.peer.connectedPeers();").await, json!([]));
        // Firefox calls again, then its tab closes: Chromium sees the channel end, then
        // the peer leave, in that order.
        firefox.eval(&format!("await window.peer.connect({});", json!(chromium_id))).await;
        chromium.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;
        firefox.close().await;
        chromium.wait_until("window.events.includes('PeerLeft:firefox')", "window.events").await;
        assert_eq!(
            chromium.eval("return window.events;").await,
            json!([
                "Connected:firefox",
                "Disconnected:firefox",
                "Connected:firefox",
                "Disconnected:firefox",
                "PeerLeft:firefox"
            ])
        );
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
