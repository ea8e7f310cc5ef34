//! The reference scenario, with real browsers: one tab per peer (all Chromium, or Peer 2
//! in Firefox), the real signaling server, real data channels (`e2e_tests::scenario`
//! asserts every inbox).

use e2e_tests::{Engine, Harness, reference_scenario};
use serde_json::json;
use std::time::Duration;

/// The whole test may take this long before it fails instead of hanging.
const BUDGET: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_scenario_three_peers_in_three_tabs() {
    in_tabs(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_scenario_with_peer_2_in_firefox() {
    in_tabs(Engine::Firefox).await;
}

/// The scenario with Peer 1 and Peer 3 in Chromium, Peer 2 in `peer2_in`.
async fn in_tabs(peer2_in: Engine) {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let peer1 = harness.open_tab().await;
        let peer2 = harness.open_tab_in(peer2_in).await;
        let peer3 = harness.open_tab().await;
        reference_scenario([&peer1, &peer2, &peer3], json!({})).await;
        harness.close().await;
    })
    .await
    .expect("the scenario finishes in time");
}
