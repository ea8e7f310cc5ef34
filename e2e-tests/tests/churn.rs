//! 500 cycles of connect, message, disconnect between two peers of one page: every `RTCPeerConnection` made is closed again (counted by wrapping
//! the browser's constructor and `close`) and collected (Chromium refuses a 501st live
//! one, so 1,000 of them only fit if the closed ones are garbage: nothing of ours holds
//! them), and the page's JS heap, measured after a `gc()`, does not grow beyond noise.

use e2e_tests::Harness;
use serde_json::json;
use std::time::{Duration, Instant};

const CYCLES: u32 = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_message_disconnect_cycles_leak_no_connections() {
    tokio::time::timeout(Duration::from_secs(300), async {
        let harness = Harness::start().await;
        let tab = harness.open_tab().await;
        tab.eval(&format!(
            "const Native = window.RTCPeerConnection;
             window.pcs = {{ made: 0, closed: 0 }};
             window.RTCPeerConnection = class extends Native {{
               constructor(...args) {{ super(...args); window.pcs.made++; }}
               close() {{ if (this.signalingState != 'closed') window.pcs.closed++; super.close(); }}
             }};
             const {{ default: init, Peer }} = await import('/pkg/peer_wasm.js');
             await init();
             window.a = await Peer.join({url}, 'churn', 'A');
             window.b = await Peer.join({url}, 'churn', 'B');
             window.got = 0;
             window.b.onMessage(() => window.got++);",
            url = json!(harness.ws_url())
        ))
        .await;
        tab.wait_until("window.a.peers().length == 1", "window.a.peers()").await;
        let heap = "gc(); return performance.memory ? performance.memory.usedJSHeapSize : null;";
        let started = Instant::now();
        let mut heap_after_warmup = json!(null);
        for round in 0..CYCLES / 50 {
            // Closed connections count against Chromium's 500 until collected.
            tab.eval(
                "for (let n = 0; n < 50; n++) {
                   await window.a.connect(window.b.id);
                   window.a.sendTo(window.b.id, 'ping ' + n);
                   await window.a.disconnect(window.b.id);
                 }
                 gc();",
            )
            .await;
            if round == 0 {
                heap_after_warmup = tab.eval(heap).await;
            }
        }
        let elapsed = started.elapsed();
        tab.wait_until(&format!("window.got == {CYCLES}"), "window.got").await;
        // Released connections linger until their channel closed (at most a few seconds).
        tab.wait_until("window.pcs.made == window.pcs.closed", "window.pcs").await;
        let pcs = tab.eval("return window.pcs;").await;
        let heap_end = tab.eval(heap).await;
        println!(
            "{CYCLES} cycles in {elapsed:.1?} ({:.1?} each): RTCPeerConnections {pcs}, JS heap \
             after 50 cycles {heap_after_warmup} bytes, after {CYCLES} {heap_end} bytes",
            elapsed / CYCLES
        );
        assert_eq!(pcs["made"], json!(2 * CYCLES), "one per side per cycle");
        if let (Some(before), Some(after)) = (heap_after_warmup.as_f64(), heap_end.as_f64()) {
            // Growth beyond noise would be per cycle: 450 more cycles leaking even 10 KB
            // each would show as 4.5 MB.
            assert!(after < before + 4e6, "the heap grew from {before} to {after}");
        }
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
