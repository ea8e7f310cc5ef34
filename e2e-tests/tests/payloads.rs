//! Every kind of payload crosses a real data channel between two tabs and arrives as
//! the kind it was sent as: bytes as a `Uint8Array`, JSON values as equal values, and
//! a string that merely looks like JSON still as a string.

use e2e_tests::Harness;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_and_json_arrive_as_the_kind_sent() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let alice_id = alice.join_peer("kinds", "Alice").await;
        let bob_id = bob.join_peer("kinds", "Bob").await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        alice
            .eval(&format!(
                "const id = {};
                 window.peer.sendTo(id, new Uint8Array([0, 1, 254, 255]));
                 window.peer.sendTo(id, {{ move: 'e4', scores: [1, 2.5, null], ok: true }});
                 window.peer.sendTo(id, '{{\"not\": \"json\"}}');
                 window.peer.sendTo(id, [42, 'x', {{ nested: {{ deep: [] }} }}]);
                 window.peer.sendTo(id, 7);
                 window.peer.sendTo(id, '');
                 window.peer.sendTo(id, 'héllo 👋');",
                json!(bob_id)
            ))
            .await;
        bob.wait_until("window.inbox.length == 7", "window.inbox").await;
        let from_alice = |data| json!({ "from": "Alice", "fromId": alice_id, "data": data });
        assert_eq!(
            bob.eval("return window.inbox;").await,
            json!([
                from_alice(json!({ "bytes": [0, 1, 254, 255] })),
                from_alice(json!({ "move": "e4", "scores": [1, 2.5, null], "ok": true })),
                from_alice(json!("{\"not\": \"json\"}")),
                from_alice(json!([42, "x", { "nested": { "deep": [] } }])),
                from_alice(json!(7)),
                from_alice(json!("")),
                from_alice(json!("héllo 👋")),
            ])
        );
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// A payload far past one SCTP message (256 KiB in Chromium) still arrives whole, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_binary_payload_arrives_whole() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        alice.join_peer("large", "Alice").await;
        let bob_id = bob.join_peer("large", "Bob").await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        // Bytes i * 7 mod 251: a pattern that a dropped, doubled or reordered chunk breaks.
        let pattern = "(n) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 251)";
        alice
            .eval(&format!("return window.peer.sendMessage(({pattern})(3 * 1024 * 1024 + 5));"))
            .await;
        bob.wait_until("window.inbox.length >= 1", "window.inbox.length").await;
        let summary = bob
            .eval(&format!(
                "const got = window.inbox[0].data.bytes;
                 const want = ({pattern})(3 * 1024 * 1024 + 5);
                 return {{ count: window.inbox.length, length: got.length,
                          equal: got.length == want.length && got.every((b, i) => b == want[i]) }};"
            ))
            .await;
        assert_eq!(summary, json!({ "count": 1, "length": 3 * 1024 * 1024 + 5, "equal": true }));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
