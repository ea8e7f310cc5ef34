//! The mesh does the server's work: a connection negotiated through a common
//! neighbour while the real signaling server is dead, then the server back with nothing
//! duplicated; and, with `meshSignaling`, a connection that costs the live server not
//! one relayed signal. One tab per peer, real Chromium, real server.

use e2e_tests::{Harness, Tab};
use serde_json::{Value, json};
use std::time::Duration;

const BUDGET: Duration = Duration::from_secs(180);

async fn connect(tab: &Tab<'_>, id: &str) {
    tab.eval(&format!("await window.peer.connect({});", json!(id))).await;
}

/// Three tabs A, B and C joined to one room with `options`, B connected to A and to C
/// (A and C not to each other); their ids.
async fn a_line_through_b(harness: &Harness, options: Value) -> ([Tab<'_>; 3], Vec<String>) {
    let tabs = [harness.open_tab().await, harness.open_tab().await, harness.open_tab().await];
    let mut ids = Vec::new();
    for (tab, name) in tabs.iter().zip(["A", "B", "C"]) {
        ids.push(tab.join_with("mesh", name, options.clone()).await);
    }
    let [a, b, c] = &tabs;
    b.wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;
    connect(b, &ids[0]).await;
    connect(b, &ids[2]).await;
    for tab in [a, c] {
        tab.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;
    }
    (tabs, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_dead_a_neighbour_introduces_two_peers_and_its_return_duplicates_nothing() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let names = ["A", "B", "C"];
        let (tabs, ids) = a_line_through_b(&harness, json!({})).await;
        let [a, _, c] = &tabs;

        harness.kill_server();
        for tab in &tabs {
            tab.wait_until("window.signaling.includes('reconnecting')", "window.signaling").await;
        }
        assert_eq!(a.connect_through_mesh(&ids[2]).await, json!("connected"));
        c.wait_until("window.peer.connectedPeers().length == 2", "window.events").await;
        a.eval(&format!("window.peer.sendTo({}, 'hello C, through nobody');", json!(ids[2]))).await;
        c.wait_until("window.inbox.length == 1", "window.inbox").await;
        assert_eq!(c.eval("return window.inbox[0];").await["data"], "hello C, through nobody");

        harness.restart_server();
        for tab in &tabs {
            let back = "window.signaling.at(-1) == 'connected' && window.peer.peers().length == 2";
            tab.wait_until(back, "[window.signaling, window.peer.peers()]").await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await; // a late duplicate would show
        for (n, tab) in tabs.iter().enumerate() {
            let others: Vec<&str> = names.iter().copied().filter(|m| *m != names[n]).collect();
            let mut events: Vec<String> =
                serde_json::from_value(tab.eval("return window.events;").await).expect("strings");
            events.sort();
            let mut want: Vec<String> = others
                .iter()
                .flat_map(|m| [format!("Connected:{m}"), format!("PeerJoined:{m}")])
                .collect();
            // The peers joined before or after this one: the welcome or a PeerJoined.
            let joined_later = |m: &str| names.iter().position(|x| *x == m) > Some(n);
            want.retain(|event| !event.starts_with("PeerJoined:") || joined_later(&event[11..]));
            want.sort();
            assert_eq!(
                events, want,
                "{}: each peer connected once, nobody left or came twice",
                names[n]
            );
            let connected =
                tab.eval("return window.peer.connectedPeers().map((p) => p.name).sort();").await;
            assert_eq!(connected, json!(others), "{}: a full mesh", names[n]);
        }
        harness.close().await;
    })
    .await
    .expect("within the budget");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_mesh_signaling_a_connection_through_a_neighbour_costs_the_server_nothing() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let (tabs, ids) = a_line_through_b(&harness, json!({ "meshSignaling": true })).await;
        let [a, _, c] = &tabs;
        // The adverts that show A the way to C take a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = a.signals_relayed().await;
        connect(a, &ids[2]).await;
        c.wait_until("window.peer.connectedPeers().length == 2", "window.events").await;
        assert_eq!(a.signals_relayed().await, before, "not one signal through the server");
        harness.close().await;
    })
    .await
    .expect("within the budget");
}
