//! Files between two tabs (`sendFile` / `onFile`): a 200 MiB file arrives intact with a
//! chat message overtaking it, cancel from either side stops both ends, a sender that
//! leaves fails the receiver clearly, and lying frames are refused without ending the
//! connection.

use e2e_tests::{FILE_HELPERS, Harness, Tab};
use serde_json::{Value, json};
use std::time::Duration;

/// Records every file `bob` receives in `window.files`: `{name, size, type, progress:
/// [bytes...], error, blob, doneAt}` (the incoming handle itself in `window.incoming`).
const RECORD_FILES: &str = "
    window.files = []; window.incoming = [];
    window.peer.onFile((file) => {
      const entry = { name: file.name, size: file.size, type: file.type, from: file.from,
                      progress: [], startedAt: Date.now() };
      window.files.push(entry); window.incoming.push(file);
      file.onProgress((done, total) => entry.progress.push(done));
      file.done.then(
        (blob) => { entry.blob = blob; entry.doneAt = Date.now(); },
        (error) => { entry.error = error.message; entry.doneAt = Date.now(); });
    });";

/// Two tabs in `room`, Alice connected to Bob, Bob recording files; returns their ids.
async fn connected_pair(alice: &Tab<'_>, bob: &Tab<'_>, room: &str) -> (String, String) {
    let alice_id = alice.join_peer(room, "Alice").await;
    let bob_id = bob.join_peer(room, "Bob").await;
    for tab in [alice, bob] {
        tab.eval(FILE_HELPERS).await;
    }
    bob.eval(RECORD_FILES).await;
    alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
    (alice_id, bob_id)
}

/// Starts sending a file of `mib` MiB from Alice to `bob_id` as `window.sending`, its
/// end recorded in `window.sent` (`{error?, doneAt}`).
async fn send_file(alice: &Tab<'_>, bob_id: &str, mib: u32, name: &str) {
    alice
        .eval(&format!(
            "window.original = window.makeFile({mib});
             window.sent = null;
             const sending = window.peer.sendFile({}, window.original, {{ name: {} }});
             window.sending = sending;
             sending.done.then(
               () => {{ window.sent = {{ doneAt: Date.now() }}; }},
               (error) => {{ window.sent = {{ error: error.message, doneAt: Date.now() }}; }});",
            json!(bob_id),
            json!(name)
        ))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mib_file_arrives_intact_behind_a_chat_message_with_bounded_memory() {
    tokio::time::timeout(Duration::from_secs(300), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let (alice_id, bob_id) = connected_pair(&alice, &bob, "big-file").await;
        // The receiver's memory before, then sampled every 50 ms while the file arrives:
        // the JS heap and the WASM memory.
        bob.eval(
            "gc();
             const { default: init } = await import('/pkg/peer_wasm.js');
             const wasm = await init();
             window.memory = () => ({ heap: performance.memory.usedJSHeapSize,
                                      wasm: wasm.memory.buffer.byteLength });
             window.before = window.memory();
             window.peak = { heap: 0, wasm: 0 };
             window.sampler = setInterval(() => {
               const now = window.memory();
               window.peak.heap = Math.max(window.peak.heap, now.heap);
               window.peak.wasm = Math.max(window.peak.wasm, now.wasm);
             }, 50);
             window.peer.onMessage((m) => {
               const file = window.files[0];
               window.chat = { data: m.data, fileDone: !!(file && file.doneAt) };
             });",
        )
        .await;
        send_file(&alice, &bob_id, 200, "random.bin").await;
        bob.wait_until(
            "window.files.length == 1 && window.files[0].progress.length > 0",
            "window.files",
        )
        .await;
        alice.eval(&format!("window.peer.sendTo({}, 'while the file goes');", json!(bob_id))).await;
        bob.wait_until_within(
            Duration::from_secs(180),
            "window.files[0].doneAt",
            "[window.files[0].progress.slice(-1), window.files[0].error]",
        )
        .await;
        let bob_summary = bob
            .eval(
                "clearInterval(window.sampler);
                 const file = window.files[0];
                 gc();
                 const after = window.memory();
                 return { name: file.name, size: file.size, type: file.type, from: file.from,
                          error: file.error || null, blobSize: file.blob && file.blob.size,
                          ms: file.doneAt - file.startedAt, events: file.progress.length,
                          last: file.progress[file.progress.length - 1],
                          chat: window.chat, before: window.before, peak: window.peak, after };",
            )
            .await;
        let size = 200 * 1024 * 1024;
        assert_eq!(bob_summary["error"], Value::Null, "{bob_summary}");
        assert_eq!(bob_summary["name"], "random.bin");
        assert_eq!(bob_summary["size"], size);
        assert_eq!(bob_summary["type"], "application/octet-stream");
        assert_eq!(bob_summary["from"], json!(alice_id));
        assert_eq!(bob_summary["blobSize"], size);
        assert_eq!(bob_summary["last"], size, "the last progress event is the whole size");
        assert_eq!(
            bob_summary["chat"],
            json!({ "data": "while the file goes", "fileDone": false }),
            "the chat message overtook the file"
        );
        let ms = bob_summary["ms"].as_f64().expect("ms");
        let events = bob_summary["events"].as_f64().expect("events");
        assert!(events <= ms / 250.0 + 2.0, "{events} progress events in {ms} ms: throttled");
        let mib = |value: &Value| value.as_f64().expect("bytes") / (1024.0 * 1024.0);
        let (before, peak, after) =
            (&bob_summary["before"], &bob_summary["peak"], &bob_summary["after"]);
        println!(
            "200 MiB file: {:.0} ms, {:.1} MB/s; receiver JS heap {:.1} MiB before, peak {:.1}, \
             after {:.1}; WASM memory {:.1} MiB before, peak {:.1}; {events} progress events",
            ms,
            size as f64 / 1e6 / (ms / 1000.0),
            mib(&before["heap"]),
            mib(&peak["heap"]),
            mib(&after["heap"]),
            mib(&before["wasm"]),
            mib(&peak["wasm"]),
        );
        // The bound held: the received bytes never sit in the JS heap or in WASM memory
        // (they go to Blob storage 8 MiB at a time).
        assert!(mib(&peak["heap"]) - mib(&before["heap"]) < 64.0, "{bob_summary}");
        assert!(mib(&peak["wasm"]) - mib(&before["wasm"]) < 8.0, "{bob_summary}");
        // Intact: the same SHA-256 on both sides, computed by the test itself.
        let received = bob.eval("return await window.sha256(window.files[0].blob);").await;
        let sent = alice.eval("return await window.sha256(window.original);").await;
        assert_eq!(received, sent);
        alice.wait_until("window.sent && window.sent.doneAt", "window.sent").await;
        assert_eq!(alice.eval("return window.sent.error || null;").await, Value::Null);
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// Three files at once, two one way and one the other, share the connection: each is
/// under way before any ends, all arrive whole, and messages go through meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_files_both_ways_share_the_connection() {
    tokio::time::timeout(Duration::from_secs(180), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let (alice_id, bob_id) = connected_pair(&alice, &bob, "many-files").await;
        alice.eval(RECORD_FILES).await;
        alice
            .eval(&format!(
                "window.peer.sendFile({id}, window.makeFile(24), {{ name: 'one.bin' }});
                 window.peer.sendFile({id}, window.makeFile(24), {{ name: 'two.bin' }});",
                id = json!(bob_id)
            ))
            .await;
        bob.eval(&format!(
            "window.peer.sendFile({}, window.makeFile(24), {{ name: 'back.bin' }});",
            json!(alice_id)
        ))
        .await;
        alice.eval(&format!("window.peer.sendTo({}, 'meanwhile');", json!(bob_id))).await;
        bob.wait_until("window.inbox.some((m) => m.data == 'meanwhile')", "window.inbox").await;
        let all_done = "window.files.length == WANT && window.files.every((f) => f.doneAt)";
        let seen = "window.files.map((f) => [f.name, f.progress.slice(-1), f.error])";
        bob.wait_until_within(Duration::from_secs(120), &all_done.replace("WANT", "2"), seen).await;
        alice
            .wait_until_within(Duration::from_secs(120), &all_done.replace("WANT", "1"), seen)
            .await;
        let summary = "return window.files.map((f) => ({ name: f.name, error: f.error || null,
                         size: f.blob && f.blob.size, started: f.startedAt, done: f.doneAt }));";
        let (at_bob, at_alice) = (bob.eval(summary).await, alice.eval(summary).await);
        let size = 24 * 1024 * 1024;
        for (file, name) in
            [(&at_bob[0], "one.bin"), (&at_bob[1], "two.bin"), (&at_alice[0], "back.bin")]
        {
            assert_eq!(
                (&file["name"], &file["error"], &file["size"]),
                (&json!(name), &Value::Null, &json!(size))
            );
        }
        // Interleaved, not one after the other: the second started before the first ended.
        let at = |file: &Value, key: &str| file[key].as_f64().expect("a time");
        let first_done = at(&at_bob[0], "done").min(at(&at_bob[1], "done"));
        assert!(at(&at_bob[1], "started") < first_done, "{at_bob}");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_from_either_side_stops_both_within_a_second() {
    tokio::time::timeout(Duration::from_secs(180), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let (_, bob_id) = connected_pair(&alice, &bob, "cancel-file").await;
        // The receiver cancels.
        send_file(&alice, &bob_id, 64, "first.bin").await;
        bob.wait_until(
            "window.files.length == 1 && window.files[0].progress.length > 0",
            "window.files",
        )
        .await;
        let cancelled_at = bob.eval("window.incoming[0].cancel(); return Date.now();").await;
        alice.wait_until("window.sent", "window.sent").await;
        let sent = alice.eval("return window.sent;").await;
        let error = sent["error"].as_str().expect("the sender's done rejected");
        assert!(error.contains("the receiver stopped: cancelled by the receiver"), "{error}");
        let ms = sent["doneAt"].as_f64().expect("doneAt") - cancelled_at.as_f64().expect("ms");
        assert!(ms < 1000.0, "the sender stopped {ms} ms after the receiver cancelled");
        let bob_error = bob.eval("return window.files[0].error;").await;
        assert!(bob_error.as_str().expect("an error").contains("cancelled by the receiver"));
        // The sender cancels.
        send_file(&alice, &bob_id, 64, "second.bin").await;
        bob.wait_until(
            "window.files.length == 2 && window.files[1].progress.length > 0",
            "window.files",
        )
        .await;
        let cancelled_at = alice.eval("window.sending.cancel(); return Date.now();").await;
        bob.wait_until("window.files[1].doneAt", "window.files[1]").await;
        let (error, done_at) = (
            bob.eval("return window.files[1].error;").await,
            bob.eval("return window.files[1].doneAt;").await,
        );
        let error = error.as_str().expect("the receiver's done rejected");
        assert!(error.contains("the sender stopped: cancelled by the sender"), "{error}");
        let ms = done_at.as_f64().expect("doneAt") - cancelled_at.as_f64().expect("ms");
        assert!(ms < 1000.0, "the receiver stopped {ms} ms after the sender cancelled");
        // The connection goes on.
        alice.eval(&format!("window.peer.sendTo({}, 'still here');", json!(bob_id))).await;
        bob.wait_until("window.inbox.some((m) => m.data == 'still here')", "window.inbox").await;
        assert_eq!(bob.eval("return window.reasons;").await, json!([]));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_leaving_mid_transfer_fails_the_sender_clearly() {
    tokio::time::timeout(Duration::from_secs(180), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let (_, bob_id) = connected_pair(&alice, &bob, "leaving-receiver").await;
        send_file(&alice, &bob_id, 128, "unfinished.bin").await;
        bob.wait_until(
            "window.files.length == 1 && window.files[0].progress.length > 0",
            "window.files",
        )
        .await;
        bob.close().await;
        alice.wait_until("window.sent", "window.sent").await;
        let error = alice.eval("return window.sent.error;").await;
        let error = error.as_str().expect("the sender's done rejected");
        println!("sender's error when the receiver left: {error}");
        assert!(error.contains("sending \"unfinished.bin\" to peer"), "{error}");
        assert!(error.contains("before the transfer"), "{error}");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_leaving_mid_transfer_fails_the_receiver_clearly() {
    tokio::time::timeout(Duration::from_secs(180), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let (_, bob_id) = connected_pair(&alice, &bob, "leaving-file").await;
        send_file(&alice, &bob_id, 128, "unfinished.bin").await;
        bob.wait_until(
            "window.files.length == 1 && window.files[0].progress.length > 0",
            "window.files",
        )
        .await;
        alice.close().await;
        bob.wait_until("window.files[0].doneAt", "window.files[0]").await;
        let error = bob.eval("return window.files[0].error;").await;
        let error = error.as_str().expect("the receiver's done rejected");
        println!("receiver's error when the sender left: {error}");
        assert!(error.contains("receiving \"unfinished.bin\" from peer"), "{error}");
        assert!(error.contains("before the transfer"), "{error}");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// A page that lies (frames written by hand on the library's own channel): data for a
/// transfer never offered, more bytes than announced, an oversized offer, fewer bytes
/// than announced, a wrong digest, an offer followed by silence. Each is refused (with
/// an `r` frame where the sender should hear it), the receiver's transfer fails with a
/// clear error, and the connection survives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lying_file_frames_are_refused_and_the_connection_survives() {
    tokio::time::timeout(Duration::from_secs(150), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        // Keep Alice's data channels where the test can reach them.
        alice
            .eval(
                "window.channels = [];
                 const create = RTCPeerConnection.prototype.createDataChannel;
                 RTCPeerConnection.prototype.createDataChannel = function (...args) {
                   const channel = create.apply(this, args);
                   window.channels.push(channel);
                   return channel;
                 };",
            )
            .await;
        let (_, bob_id) = connected_pair(&alice, &bob, "lying-file").await;
        alice
            .eval(
                "const channel = window.channels.find((c) => c.label == 'peer-wasm');
                 window.raw = [];
                 channel.addEventListener('message', (e) => {
                   if (typeof e.data == 'string' && e.data[0] == 'r') window.raw.push(e.data);
                 });
                 const offer = (id, name, size) =>
                   channel.send('f' + JSON.stringify({ id, name, size, type: '' }));
                 offer(502, 'silent.bin', 100);
                 channel.send('d77'); channel.send(new Uint8Array(10));
                 channel.send('f' + JSON.stringify({ id: 500, name: 'liar.bin', size: 10, type: '' }));
                 channel.send('d500'); channel.send(new Uint8Array(20));
                 channel.send('f' + JSON.stringify({ id: 501, name: 'huge.bin', size: 1e15, type: '' }));
                 offer(503, 'short.bin', 10); channel.send('d503'); channel.send(new Uint8Array(3));
                 channel.send('e503');
                 offer(504, 'damaged.bin', 3); channel.send('d504'); channel.send(new Uint8Array(3));
                 channel.send('e504:' + '0'.repeat(64));",
            )
            .await;
        alice.wait_until("window.raw.length >= 5", "window.raw").await;
        assert_eq!(
            alice.eval("return window.raw.slice(0, 5).sort();").await,
            json!([
                "r500:the sender sent more than the 10 bytes it announced",
                "r501:a size must be a whole number of bytes up to 68719476736",
                "r503:the file ended after 3 of its 10 bytes",
                "r504:the file arrived damaged: its SHA-256 does not match",
                "r77:unknown transfer",
            ])
        );
        let ended = "window.files.filter((f) => f.doneAt).map((f) => f.name + ': ' + f.error)";
        bob.wait_until(&format!("{ended}.length == 3"), ended).await;
        let from = bob.eval("return window.files[0].from;").await;
        let from = from.as_str().expect("an id");
        let error = |name: &str, why: &str| format!("{name}: receiving \"{name}\" from peer {from}: {why}");
        let mut errors: Vec<String> =
            serde_json::from_value(bob.eval(&format!("return {ended};")).await).expect("texts");
        errors.sort();
        assert_eq!(
            errors,
            [
                error("damaged.bin", "the file arrived damaged: its SHA-256 does not match"),
                error("liar.bin", "the sender sent more than the 10 bytes it announced"),
                error("short.bin", "the file ended after 3 of its 10 bytes"),
            ]
        );
        alice.eval(&format!("window.peer.sendTo({}, 'still connected');", json!(bob_id))).await;
        bob.wait_until("window.inbox.some((m) => m.data == 'still connected')", "window.inbox").await;
        // The offer with no data after it: cancelled 30 s after it arrived.
        let silent = "window.files.find((f) => f.name == 'silent.bin')";
        bob.wait_until_within(Duration::from_secs(45), &format!("{silent}.doneAt"), silent).await;
        let error = bob.eval(&format!("return {silent}.error;")).await;
        assert!(error.as_str().expect("an error").ends_with(": no data for 30 seconds"), "{error}");
        alice.wait_until("window.raw.length == 6", "window.raw").await;
        assert_eq!(alice.eval("return window.raw[5];").await, "r502:no data for 30 seconds");
        assert_eq!(bob.eval("return window.reasons;").await, json!([]));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// 1 GiB (16 times the same 64 MiB of random bytes) arrives with its size and SHA-256
/// checked by the library itself. Ignored in the suite (about two minutes);
/// `cargo test -p e2e-tests --test files -- --ignored --nocapture` runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "two minutes of transfer"]
async fn a_1_gib_file_arrives() {
    tokio::time::timeout(Duration::from_secs(600), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let (_, bob_id) = connected_pair(&alice, &bob, "gib-file").await;
        bob.eval(
            "gc();
             window.before = performance.memory.usedJSHeapSize; window.peak = 0;
             window.sampler = setInterval(() => {
               window.peak = Math.max(window.peak, performance.memory.usedJSHeapSize);
             }, 100);",
        )
        .await;
        alice
            .eval(&format!(
                "const chunk = window.makeFile(64);
                 window.peer.sendFile({}, new Blob(Array(16).fill(chunk)), {{ name: 'gib.bin' }});",
                json!(bob_id)
            ))
            .await;
        bob.wait_until_within(
            Duration::from_secs(500),
            "window.files.length == 1 && window.files[0].doneAt",
            "window.files.map((f) => [f.progress.slice(-1), f.error])",
        )
        .await;
        let summary = bob
            .eval(
                "clearInterval(window.sampler);
                 const file = window.files[0];
                 return { error: file.error || null, size: file.blob && file.blob.size,
                          ms: file.doneAt - file.startedAt,
                          heapMiB: [window.before, window.peak].map((b) => b / 1048576) };",
            )
            .await;
        println!("1 GiB file: {summary}");
        assert_eq!(summary["error"], Value::Null, "{summary}");
        assert_eq!(summary["size"], 1u64 << 30);
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
