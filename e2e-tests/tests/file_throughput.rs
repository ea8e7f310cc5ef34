//! The benchmark row of `docs/BENCHMARKS.md` for files: 256 MiB through `sendFile`
//! against the same bytes through a raw `RTCDataChannel` between the same two tabs, in
//! the same run. Ignored in the suite (a minute of transfers);
//! `cargo test -p e2e-tests --test file_throughput -- --ignored --nocapture` prints it.

use e2e_tests::Harness;
use serde_json::json;
use std::time::Duration;

/// 256 MiB, as the issue asks.
const MIB: u32 = 256;

/// JS for both tabs: a raw connection whose offer and answer travel as library
/// messages (no trickle: each side waits for its candidates), its channel as
/// `window.raw` once open, received bytes counted in `window.rawGot`.
const RAW: &str = "
    window.rawPc = new RTCPeerConnection();
    const channel = window.rawPc.createDataChannel('raw', { negotiated: true, id: 0 });
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => { window.raw = channel; };
    window.rawGot = 0;
    channel.onmessage = (e) => {
      if (!window.rawStart) window.rawStart = Date.now();
      window.rawGot += e.data.byteLength;
      if (window.rawGot >= window.rawWant) window.rawEnd = Date.now();
    };
    const gathered = () => new Promise((done) => {
      if (window.rawPc.iceGatheringState == 'complete') return done();
      window.rawPc.onicegatheringstatechange = () => {
        if (window.rawPc.iceGatheringState == 'complete') done();
      };
    });
    window.peer.onMessage(async ({ from, data }) => {
      if (!data || !data.sdp) return;
      await window.rawPc.setRemoteDescription(data);
      if (data.type == 'offer') {
        await window.rawPc.setLocalDescription();
        await gathered();
        window.peer.sendTo(from, window.rawPc.localDescription.toJSON());
      }
    });
    window.rawOffer = async (to) => {
      await window.rawPc.setLocalDescription();
      await gathered();
      window.peer.sendTo(to, window.rawPc.localDescription.toJSON());
    };";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: a minute of transfers"]
async fn file_throughput_against_a_raw_data_channel() {
    tokio::time::timeout(Duration::from_secs(400), async {
        let harness = Harness::start().await;
        let (alice, bob, bob_id) = harness.alice_and_bob("file-bench").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        let bytes = f64::from(MIB) * 1024.0 * 1024.0;
        for tab in [&alice, &bob] {
            tab.eval(RAW).await;
            tab.eval(&format!("window.rawWant = {bytes};")).await;
        }
        alice.eval(&format!("await window.rawOffer({});", json!(bob_id))).await;
        alice.wait_until("window.raw", "window.rawPc.connectionState").await;
        // The same bytes both ways: one Blob of random 64 KiB pieces.
        alice
            .eval(&format!(
                "const parts = [];
                 for (let i = 0; i < {MIB} * 16; i++) parts.push(crypto.getRandomValues(new Uint8Array(65536)));
                 window.file = new Blob(parts);"
            ))
            .await;
        // Raw: 256 KiB slices read from the Blob, paced by bufferedamountlow as ours is.
        alice
            .eval(
                "const channel = window.raw;
                 channel.bufferedAmountLowThreshold = 32 * 1024;
                 (async () => {
                   for (let at = 0; at < window.file.size; at += 262144) {
                     const slice = await window.file.slice(at, at + 262144).arrayBuffer();
                     if (channel.bufferedAmount >= 64 * 1024) {
                       await new Promise((go) => channel.addEventListener('bufferedamountlow', go, { once: true }));
                     }
                     channel.send(slice);
                   }
                 })();",
            )
            .await;
        bob.wait_until_within(Duration::from_secs(180), "window.rawEnd", "window.rawGot").await;
        let raw_ms = bob.eval("return window.rawEnd - window.rawStart;").await;
        bob.eval(
            "window.peer.onFile((file) => {
               window.fileStart = Date.now();
               file.done.then(() => { window.fileEnd = Date.now(); }, (e) => { window.fileError = e.message; });
             });",
        )
        .await;
        alice.eval(&format!("window.peer.sendFile({}, window.file, {{ name: 'bench.bin' }});", json!(bob_id))).await;
        bob.wait_until_within(Duration::from_secs(180), "window.fileEnd || window.fileError", "0").await;
        let error = bob.eval("return window.fileError || null;").await;
        assert_eq!(error, json!(null), "events: {}", bob.eval("return window.events;").await);
        let file_ms = bob.eval("return window.fileEnd - window.fileStart;").await;
        let rate = |ms: &serde_json::Value| bytes / 1e6 / (ms.as_f64().expect("ms") / 1000.0);
        let (raw, file) = (rate(&raw_ms), rate(&file_ms));
        println!(
            "| file {MIB} MiB, MB/s | {raw:.1} | {file:.1} ({:.2}x) | (raw: {raw_ms} ms, file: {file_ms} ms)",
            file / raw
        );
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
