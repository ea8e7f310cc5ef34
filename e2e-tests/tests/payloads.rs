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
        let (alice, bob, bob_id) = harness.alice_and_bob("large").await;
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

/// Small strings and bytes go straight into the channel from JS while nothing is queued,
/// and through the library's queue otherwise (behind a chunked message, or a typed array
/// behind its header): messages mixing every path arrive in the order they were sent,
/// each whole, both when sent in one burst and when sent one task at a time while a
/// chunked message drains (when the channel's buffer runs low before the queue is empty).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_messages_never_overtake_a_chunked_one() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let (alice, bob, bob_id) = harness.alice_and_bob("order").await;
        alice
            .eval(&format!(
                "const id = {};
                 const p = window.peer;
                 await p.connect(id);
                 for (let round = 0; round < 3; round++) {{
                   p.sendTo(id, 'a' + round);
                   p.sendTo(id, new Uint8Array(600 * 1024).fill(round + 1));
                   p.sendTo(id, 'b' + round);
                   p.sendTo(id, new Uint8Array([round]));
                   p.sendTo(id, new Float32Array([round, 0.5]));
                   p.sendMessage('c' + round);
                   p.sendTo(id, {{ round }});
                   p.sendTo(id, 'd' + round);
                 }}
                 p.sendTo(id, new Uint8Array(3 * 1024 * 1024).fill(9));
                 for (let n = 0; n < 100; n++) {{
                   await new Promise((resolve) => setTimeout(resolve, 2));
                   p.sendTo(id, n % 2 ? 'e' + n : new Uint8Array([n]));
                 }}",
                json!(bob_id)
            ))
            .await;
        bob.wait_until("window.inbox.length >= 125", "window.inbox.length").await;
        let received = bob
            .eval(
                "return window.inbox.map(({ data }) => {
                   if (data instanceof Float32Array) return ['f32', ...data];
                   if (typeof data !== 'object' || data === null || !('bytes' in data)) return data;
                   const bytes = data.bytes;
                   return bytes.length > 4 ? 'bytes ' + bytes.length + ' of ' + bytes[0] : bytes;
                 });",
            )
            .await;
        let round = |n: u8| {
            let kib = 600 * 1024;
            vec![
                json!(format!("a{n}")),
                json!(format!("bytes {kib} of {}", n + 1)),
                json!(format!("b{n}")),
                json!([n]),
                json!(["f32", n, 0.5]),
                json!(format!("c{n}")),
                json!({ "round": n }),
                json!(format!("d{n}")),
            ]
        };
        let mut expected: Vec<_> = (0..3).flat_map(round).collect();
        expected.push(json!(format!("bytes {} of 9", 3 * 1024 * 1024)));
        expected.extend(
            (0..100u8).map(|n| if n % 2 == 1 { json!(format!("e{n}")) } else { json!([n]) }),
        );
        assert_eq!(received, json!(expected));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// `{reliable: false}` through the page's API: 200 unreliable messages all arrive between
/// two tabs on one machine (order not asserted), a message past the channel's limit and
/// malformed options throw `Error`s a person can read, and nothing refused goes out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreliable_messages_arrive_and_bad_send_options_throw() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let (alice, bob, bob_id) = harness.alice_and_bob("unreliable").await;
        let outcome = alice
            .eval(&format!(
                "const id = {};
                 const p = window.peer;
                 await p.connect(id);
                 for (let n = 0; n < 200; n++) p.sendTo(id, {{ n }}, {{ reliable: false }});
                 const sent = p.sendMessage(new Float32Array([1.5, -2]), {{ reliable: false }});
                 const thrown = (send) => {{
                   try {{ send(); return null; }}
                   catch (e) {{ return e instanceof Error ? e.message : 'not an Error: ' + e; }}
                 }};
                 return {{
                   sent,
                   tooBig: thrown(() => p.sendTo(id, new Uint8Array(256 * 1024), {{ reliable: false }})),
                   notAnObject: thrown(() => p.sendTo(id, 'x', 'unreliable')),
                   notABoolean: thrown(() => p.sendMessage('x', {{ reliable: 'no' }})),
                   reliableByDefault: thrown(() => p.sendTo(id, 'last', {{}})),
                 }};",
                json!(bob_id)
            ))
            .await;
        assert_eq!(
            outcome,
            json!({
                "sent": 1,
                "tooBig": "message of 262145 bytes is over the unreliable channel's limit of \
                           262144 bytes; send it reliably",
                "notAnObject": "invalid send options: expected an object like {reliable: false}",
                "notABoolean": "invalid reliable: expected a boolean",
                "reliableByDefault": null,
            })
        );
        bob.wait_until("window.inbox.length >= 202", "window.inbox.length").await;
        let summary = bob
            .eval(
                "const ns = window.inbox.map((m) => m.data && m.data.n)
                   .filter((n) => typeof n === 'number').sort((a, b) => a - b);
                 const floats = window.inbox.find((m) => m.data instanceof Float32Array);
                 return { count: window.inbox.length, numbers: ns.length,
                          complete: ns.every((n, i) => n === i),
                          floats: floats ? Array.from(floats.data) : null,
                          last: window.inbox.some((m) => m.data === 'last') };",
            )
            .await;
        assert_eq!(
            summary,
            json!({ "count": 202, "numbers": 200, "complete": true, "floats": [1.5, -2], "last": true })
        );
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
