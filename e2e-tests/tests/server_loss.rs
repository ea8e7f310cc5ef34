//! The mesh outlives its server: the signaling server is
//! killed (every socket dropped, no goodbye) and started again on the same port; the
//! peers come back to the room as themselves, open channels never notice, and no call
//! is left hanging.

use e2e_tests::{Harness, Tab};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_secs(180);
/// How long the peers may take to be back in the room after the server's return.
const BACK_WITHIN: Duration = Duration::from_secs(5);

async fn connect(tab: &Tab<'_>, id: &str) {
    tab.eval(&format!("await window.peer.connect({});", json!(id))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mesh_outlives_a_server_restart_with_nothing_lost() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let tabs = [harness.open_tab().await, harness.open_tab().await, harness.open_tab().await];
        let names = ["P1", "P2", "P3"];
        let mut ids = Vec::new();
        for (tab, name) in tabs.iter().zip(names) {
            ids.push(tab.join_peer("chaos", name).await);
        }
        tabs[0].wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;
        connect(&tabs[0], &ids[1]).await;
        connect(&tabs[0], &ids[2]).await;
        tabs[1].wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;
        connect(&tabs[1], &ids[2]).await;
        for tab in &tabs {
            let open = "window.peer.connectedPeers().length == 2";
            tab.wait_until(open, "window.peer.connectedPeers()").await;
        }

        harness.kill_server();
        for tab in &tabs {
            tab.wait_until("window.signaling.includes('reconnecting')", "window.signaling").await;
        }
        // Each sends 1,000 numbered messages to the two others while the server is gone.
        for (tab, name) in tabs.iter().zip(names) {
            let sent = tab
                .eval(&format!(
                    "let sent = 0;
                     for (let n = 0; n < 1000; n++) sent += window.peer.sendMessage({} + n);
                     return sent;",
                    json!(format!("{name} "))
                ))
                .await;
            assert_eq!(sent, json!(2000), "{name} sent to both others throughout");
        }

        harness.restart_server();
        let restarted = Instant::now();
        for tab in &tabs {
            let back = "window.signaling.at(-1) == 'connected' && window.peer.peers().length == 2";
            tab.wait_until_within(BACK_WITHIN, back, "[window.signaling, window.peer.peers()]")
                .await;
        }
        println!(
            "after the server's return, all three peers were back in {:.2?}",
            restarted.elapsed()
        );

        for (n, tab) in tabs.iter().enumerate() {
            assert_eq!(tab.eval("return window.peer.id;").await, json!(ids[n]), "same id");
            tab.wait_until("window.inbox.length >= 2000", "window.inbox.length").await;
            for (m, name) in names.iter().enumerate().filter(|(m, _)| *m != n) {
                let got = tab
                    .eval(&format!(
                        "return window.inbox.filter((m) => m.fromId == {}).map((m) => m.data);",
                        json!(ids[m])
                    ))
                    .await;
                let want: Vec<String> = (0..1000).map(|k| format!("{name} {k}")).collect();
                assert_eq!(got, json!(want), "{} got {name}'s messages", names[n]);
            }
            assert_eq!(tab.eval("return window.inbox.length;").await, json!(2000), "none twice");
            let events = tab.eval("return window.events;").await;
            let ended = |event: &&Value| {
                let event = event.as_str().unwrap_or_default();
                event.starts_with("Disconnected") || event.starts_with("PeerLeft")
            };
            let ended: Vec<&Value> =
                events.as_array().into_iter().flatten().filter(ended).collect();
            assert!(ended.is_empty(), "{}: {ended:?}", names[n]);
        }

        // A newcomer finds all three, and connects to each.
        let fourth = harness.open_tab().await;
        fourth.join_peer("chaos", "P4").await;
        fourth.wait_until("window.peer.peers().length == 3", "window.peer.peers()").await;
        for id in &ids {
            connect(&fourth, id).await;
        }
        assert_eq!(fourth.eval("return window.peer.sendMessage('hello');").await, json!(3));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_in_flight_when_the_server_restarts_all_settle() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let (caller, hosts) = (harness.open_tab().await, harness.open_tab().await);
        caller.join_peer("inflight", "Caller").await;
        // Ten peers in one page (each its own `Peer`).
        let ids = hosts
            .eval(&format!(
                "const {{ default: init, Peer }} = await import('/pkg/peer_wasm.js');
                 await init();
                 window.hosts = [];
                 for (let n = 0; n < 10; n++) {{
                   window.hosts.push(await Peer.join({}, 'inflight', 'Host ' + n));
                 }}
                 return window.hosts.map((p) => p.id);",
                json!(harness.ws_url())
            ))
            .await;
        caller.wait_until("window.peer.peers().length == 10", "window.peer.peers()").await;

        caller
            .eval(&format!(
                "window.settled = [];
                 for (const id of {ids}) {{
                   window.peer.connect(id).then(
                     () => window.settled.push('connected'),
                     (error) => window.settled.push(error.message));
                 }}"
            ))
            .await;
        harness.restart_server();
        let restarted = Instant::now();
        // Each settles within its open deadline (15 s).
        let all = "window.settled.length == 10";
        caller.wait_until_within(Duration::from_secs(20), all, "window.settled").await;
        let settled = caller.eval("return window.settled;").await;
        println!(
            "10 connects in flight at a server restart settled in {:.2?}: {settled}",
            restarted.elapsed()
        );

        // Once all are back, connecting works again, to all ten.
        let back = "window.signaling.at(-1) == 'connected' && window.peer.peers().length == 10";
        caller
            .wait_until_within(BACK_WITHIN, back, "[window.signaling, window.peer.peers()]")
            .await;
        caller
            .eval(&format!("await Promise.all({ids}.map((id) => window.peer.connect(id)));"))
            .await;
        let connected = caller.eval("return window.peer.connectedPeers().length;").await;
        assert_eq!(connected, json!(10));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
