//! Through a real TURN relay: coturn on loopback, the signaling server handing out
//! credentials it mints for each peer (the TURN REST scheme), and tabs that may use
//! relayed paths only (`iceTransportPolicy: "relay"`).

use e2e_tests::{Harness, Tab, TurnServer, reference_scenario};
use serde_json::{Value, json};
use signaling_server::TurnSecret;
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_secs(180);

/// A harness whose server hands out `turn`'s URL with credentials signed by `secret`.
async fn harness_with_turn(turn: &TurnServer, secret: &str) -> Harness {
    Harness::start_with(|config| {
        config.turn_urls = vec![turn.url()];
        config.turn_secret = Some(TurnSecret::new(secret));
    })
    .await
}

/// `p.stats(id)` of the tab's one connection to `id`.
async fn stats(tab: &Tab<'_>, id: &str) -> Value {
    tab.eval(&format!("return await window.peer.stats({});", json!(id))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_scenario_through_a_turn_relay_only() {
    tokio::time::timeout(BUDGET, async {
        let turn = TurnServer::start("relay secret").await;
        let harness = harness_with_turn(&turn, "relay secret").await;
        let tabs = [harness.open_tab().await, harness.open_tab().await, harness.open_tab().await];
        let relay_only = json!({ "iceTransportPolicy": "relay" });
        let [id1, _, id3] = reference_scenario([&tabs[0], &tabs[1], &tabs[2]], relay_only).await;
        // Peer 1 and Peer 3 are still connected: a relay pair on both ends.
        for (tab, other) in [(&tabs[0], &id3), (&tabs[2], &id1)] {
            let path = stats(tab, other).await;
            assert_eq!((&path["path"], &path["remotePath"]), (&json!("relay"), &json!("relay")));
            assert_eq!(path["state"], json!("connected"));
        }
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// A server whose TURN secret is not coturn's: with relay only there is no path, and
/// the connect says why within the open deadline instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_turn_secret_fails_the_connect_with_a_reason() {
    tokio::time::timeout(BUDGET, async {
        let turn = TurnServer::start("the right secret").await;
        let harness = harness_with_turn(&turn, "a wrong secret").await;
        let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
        let relay_only = json!({ "iceTransportPolicy": "relay" });
        alice.join_with("wrong", "Alice", relay_only.clone()).await;
        let bob_id = bob.join_with("wrong", "Bob", relay_only).await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        let started = Instant::now();
        let failure = alice
            .eval(&format!(
                "try {{ await window.peer.connect({}); return 'connected'; }}
                 catch (error) {{ return error.message; }}",
                json!(bob_id)
            ))
            .await;
        let failure = failure.as_str().unwrap_or_default().to_owned();
        assert!(started.elapsed() < Duration::from_secs(25), "took {:?}", started.elapsed());
        assert!(failure.starts_with(&format!("connection to peer {bob_id} failed")), "{failure}");
        assert!(failure.contains("an ICE server refused us"), "{failure}");
        assert!(failure.contains("401"), "{failure}");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
