//! A remote tab that crashes (its browser killed: no goodbye on any socket) is reported
//! disconnected within 5 s, with the server and without it.

use e2e_tests::Harness;
use serde_json::json;
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_secs(120);
const DETECTED_WITHIN: Duration = Duration::from_secs(5);

/// Alice (in the shared browser) connected to Bob (in a browser of his own, then
/// killed); `server_down` kills the signaling server first. Returns the time from the
/// kill to Alice's `onDisconnected`.
async fn crash_bob(server_down: bool) -> Duration {
    let harness = Harness::start().await;
    let spare = harness.spare_browser().await;
    let alice = harness.open_tab().await;
    let bob = harness.open_tab_of_browser(&spare).await;
    alice.join_peer("crash", "Alice").await;
    let bob_id = bob.join_peer("crash", "Bob").await;
    alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
    bob.wait_until("window.events.includes('Connected:Alice')", "window.events").await;
    if server_down {
        harness.kill_server();
        alice.wait_until("window.signaling.includes('reconnecting')", "window.signaling").await;
    }

    drop(bob);
    drop(spare); // SIGKILL to its whole process group
    let killed = Instant::now();
    let gone = "window.events.includes('Disconnected:Bob')";
    alice.wait_until_within(DETECTED_WITHIN, gone, "window.events").await;
    let detected = killed.elapsed();
    assert_eq!(alice.eval("return window.peer.connectedPeers().length;").await, json!(0));
    let reasons = alice.eval("return window.reasons;").await;
    println!("Bob's crash (server down: {server_down}) was detected in {detected:.2?}: {reasons}");
    if !server_down {
        // The server noticed too: Bob's leave follows his disconnect.
        let left = "window.events.at(-1) == 'PeerLeft:Bob'";
        alice.wait_until(left, "window.events").await;
        assert_eq!(alice.eval("return window.peer.peers().length;").await, json!(0));
    }
    harness.close().await;
    detected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_tab_is_reported_disconnected_within_5_s() {
    tokio::time::timeout(BUDGET, crash_bob(false)).await.expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_tab_is_reported_disconnected_within_5_s_with_the_server_gone() {
    tokio::time::timeout(BUDGET, crash_bob(true)).await.expect("the test finishes in time");
}
