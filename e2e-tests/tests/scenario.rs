//! The reference scenario of DEVELOPERS.md, with real browsers: one Chromium tab per
//! peer, the real signaling server, real data channels. Every delivery is asserted.

use e2e_tests::{Harness, Tab};
use serde_json::{Value, json};
use std::time::Duration;

/// The whole test may take this long before it fails instead of hanging.
const BUDGET: Duration = Duration::from_secs(180);

async fn inbox(tab: &Tab<'_>) -> Value {
    tab.eval("return window.inbox;").await
}

async fn connected(tab: &Tab<'_>) -> Value {
    tab.eval("return window.peer.connectedPeers().map((p) => p.name);").await
}

async fn send(tab: &Tab<'_>, text: &str) -> Value {
    tab.eval(&format!("return window.peer.sendMessage({});", json!(text))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_scenario_three_peers_in_three_tabs() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let peer1 = harness.open_tab().await;
        let peer2 = harness.open_tab().await;
        let peer3 = harness.open_tab().await;
        let _id1 = peer1.join_peer("scenario", "Peer 1").await;
        let id2 = peer2.join_peer("scenario", "Peer 2").await;
        let id3 = peer3.join_peer("scenario", "Peer 3").await;
        peer1.wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;

        // peer1.connect(peer2); peer1.connect(peer3)
        peer1.eval(&format!("await window.peer.connect({});", json!(id2))).await;
        peer1.eval(&format!("await window.peer.connect({});", json!(id3))).await;
        for tab in [&peer2, &peer3] {
            tab.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;
        }

        assert_eq!(send(&peer1, "Hello, everyone!").await, json!(2));
        peer2.wait_until("window.inbox.length == 1", "window.inbox").await;
        peer3.wait_until("window.inbox.length == 1", "window.inbox").await;
        assert_eq!(send(&peer2, "Hi, Peer 1!").await, json!(1));
        peer1.wait_until("window.inbox.length == 1", "window.inbox").await;
        assert_eq!(send(&peer3, "Greetings from Peer 3!").await, json!(1));
        peer1.wait_until("window.inbox.length == 2", "window.inbox").await;

        // peer1.disconnect(peer2); peer2.disconnect(peer3) -- the second is a no-op
        peer1.eval(&format!("await window.peer.disconnect({});", json!(id2))).await;
        peer2.wait_until("window.events.includes('Disconnected:Peer 1')", "window.events").await;
        peer2.eval(&format!("await window.peer.disconnect({});", json!(id3))).await;

        assert_eq!(send(&peer1, "Goodbye!").await, json!(1));
        peer3.wait_until("window.inbox.length == 2", "window.inbox").await;
        // Give a stray delivery to peer2 the time to show up, were there one.
        tokio::time::sleep(Duration::from_millis(500)).await;

        let said = |from: &str, text: &str| json!({ "from": from, "data": text });
        assert_eq!(
            inbox(&peer1).await,
            json!([said("Peer 2", "Hi, Peer 1!"), said("Peer 3", "Greetings from Peer 3!")])
        );
        assert_eq!(inbox(&peer2).await, json!([said("Peer 1", "Hello, everyone!")]));
        assert_eq!(
            inbox(&peer3).await,
            json!([said("Peer 1", "Hello, everyone!"), said("Peer 1", "Goodbye!")])
        );
        assert_eq!(connected(&peer1).await, json!(["Peer 3"]));
        assert_eq!(connected(&peer2).await, json!([]));
        assert_eq!(connected(&peer3).await, json!(["Peer 1"]));
        harness.close().await;
    })
    .await
    .expect("the scenario finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_and_json_arrive_as_sent_and_leaving_is_seen() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        alice.join_peer("kinds", "Alice").await;
        let bob_id = bob.join_peer("kinds", "Bob").await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        alice
            .eval(&format!(
                "const id = {};
                 window.peer.sendTo(id, new Uint8Array([0, 1, 254, 255]));
                 window.peer.sendTo(id, {{ move: 'e4', scores: [1, 2.5, null], ok: true }});
                 window.peer.sendTo(id, '{{\"not\": \"json\"}}');",
                json!(bob_id)
            ))
            .await;
        bob.wait_until("window.inbox.length == 3", "window.inbox").await;
        assert_eq!(
            inbox(&bob).await,
            json!([
                { "from": "Alice", "data": { "bytes": [0, 1, 254, 255] } },
                { "from": "Alice", "data": { "move": "e4", "scores": [1, 2.5, null], "ok": true } },
                { "from": "Alice", "data": "{\"not\": \"json\"}" },
            ])
        );

        // Bob leaves: Alice sees him go, and the channel with him.
        bob.eval("window.peer.close();").await;
        alice.wait_until("window.events.includes('PeerLeft:Bob')", "window.events").await;
        alice.wait_until("window.events.includes('Disconnected:Bob')", "window.events").await;
        assert_eq!(connected(&alice).await, json!([]));
        assert_eq!(alice.eval("return window.peer.peers();").await, json!([]));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
