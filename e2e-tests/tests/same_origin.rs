//! Tabs of one browser signal each other over a `BroadcastChannel`: two tabs
//! of the same room connect without one signal through the server, while the server
//! still assigns the ids and announces who is in the room; with `sameOriginSignaling:
//! false` the same connection goes through the server.

use e2e_tests::Harness;
use serde_json::json;
use std::time::Duration;

const BUDGET: Duration = Duration::from_secs(120);

async fn connected_through(harness: &Harness, options: serde_json::Value) -> u64 {
    let (a, b) = (harness.open_tab().await, harness.open_tab().await);
    let room = format!("tabs-{}", options["sameOriginSignaling"]);
    a.join_with(&room, "A", options.clone()).await;
    let b_id = b.join_with(&room, "B", options).await;
    a.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    let before = a.signals_relayed().await;
    a.eval(&format!("await window.peer.connect({});", json!(b_id))).await;
    b.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;
    a.eval(&format!("window.peer.sendTo({}, 'hi, next tab');", json!(b_id))).await;
    b.wait_until("window.inbox.length == 1", "window.inbox").await;
    let through_server = a.signals_relayed().await - before;
    for tab in [a, b] {
        tab.close().await;
    }
    through_server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_of_one_browser_connect_without_a_signal_through_the_server() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        assert_eq!(connected_through(&harness, json!({})).await, 0, "not one relayed signal");
        let off = connected_through(&harness, json!({ "sameOriginSignaling": false })).await;
        assert!(off >= 2, "with the fast path off, offer and answer go through the server: {off}");
        harness.close().await;
    })
    .await
    .expect("within the budget");
}
