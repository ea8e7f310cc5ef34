//! A peer that goes away is seen going: by closing its tab (no `close()` called, the
//! browser just drops the page) or by calling `close()`. Either way the others get
//! `onPeerLeft` and `onDisconnected`, and it is gone from `peers()` and
//! `connectedPeers()`.

use e2e_tests::Harness;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_tab_or_calling_close_is_seen_as_leaving() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let carol = harness.open_tab().await;
        alice.join_peer("leaving", "Alice").await;
        let bob_id = bob.join_peer("leaving", "Bob").await;
        let carol_id = carol.join_peer("leaving", "Carol").await;
        alice.wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;
        for id in [&bob_id, &carol_id] {
            alice.eval(&format!("await window.peer.connect({});", json!(id))).await;
        }

        bob.close().await;
        let closed = std::time::Instant::now();
        let events = "window.events";
        alice.wait_until("window.events.includes('PeerLeft:Bob')", events).await;
        alice.wait_until("window.events.includes('Disconnected:Bob')", events).await;
        let reasons = alice.eval("return window.reasons;").await;
        println!("a closed tab was reported disconnected in {:.2?}: {reasons}", closed.elapsed());
        // At once, through its channel's close (its page closed its peer on `pagehide`),
        // not seconds later by the silence of a crashed one.
        assert!(closed.elapsed() < Duration::from_secs(2), "took {:?}", closed.elapsed());
        assert_eq!(reasons, json!(["Bob: the peer closed the data channel"]));
        assert_eq!(names(&alice, "connectedPeers").await, json!(["Carol"]));
        assert_eq!(names(&alice, "peers").await, json!(["Carol"]));
        carol.wait_until("window.events.includes('PeerLeft:Bob')", events).await;

        carol.eval("window.peer.close();").await;
        let closed = std::time::Instant::now();
        alice.wait_until("window.events.includes('Disconnected:Carol')", "window.events").await;
        println!("close() was reported disconnected in {:.2?}", closed.elapsed());
        assert!(closed.elapsed() < Duration::from_secs(2), "took {:?}", closed.elapsed());
        alice.wait_until("window.events.includes('PeerLeft:Carol')", events).await;
        alice.wait_until("window.events.includes('Disconnected:Carol')", events).await;
        assert_eq!(names(&alice, "connectedPeers").await, json!([]));
        assert_eq!(names(&alice, "peers").await, json!([]));
        assert_eq!(alice.eval("return window.peer.sendMessage('anyone?');").await, json!(0));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

async fn names(tab: &e2e_tests::Tab<'_>, list: &str) -> serde_json::Value {
    tab.eval(&format!("return window.peer.{list}().map((p) => p.name);")).await
}

/// A peer freed from JS (`free()`) is gone for good: its channels close, and `sendTo`,
/// `sendMessage` and `bufferedAmount` throw instead of sending (plain messages are sent
/// from JS without entering the module, so this is not the module's check alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freed_peer_sends_nothing_and_says_so() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let (alice, bob, bob_id) = harness.alice_and_bob("freed").await;
        let outcome = alice
            .eval(&format!(
                "const id = {};
                 const p = window.peer;
                 await p.connect(id);
                 p.sendTo(id, 'before');
                 const counted = typeof p.bufferedAmount(id) === 'number';
                 p.free();
                 const throws = (call) => {{
                   try {{ call(); return false; }} catch (e) {{ return e instanceof Error; }}
                 }};
                 return {{
                   counted,
                   sendTo: throws(() => p.sendTo(id, 'after')),
                   sendMessage: throws(() => p.sendMessage('after')),
                   bufferedAmount: throws(() => p.bufferedAmount(id)),
                 }};",
                json!(bob_id)
            ))
            .await;
        assert_eq!(
            outcome,
            json!({ "counted": true, "sendTo": true, "sendMessage": true, "bufferedAmount": true })
        );
        bob.wait_until("window.events.includes('Disconnected:Alice')", "window.events").await;
        let inbox = bob.eval("return window.inbox.map((m) => m.data);").await;
        assert_eq!(inbox, json!(["before"]));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
