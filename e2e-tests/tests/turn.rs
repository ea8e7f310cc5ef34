//! Through a real TURN relay: coturn on loopback, the signaling server handing out
//! credentials it mints for each peer (the TURN REST scheme), and tabs that may use
//! relayed paths only (`iceTransportPolicy: "relay"`).

use e2e_tests::{Harness, Tab, TurnServer, reference_scenario};
use serde_json::{Value, json};
use signaling_server::{TurnSecret, mint_turn_credentials};
use std::time::{Duration, Instant, SystemTime};

const BUDGET: Duration = Duration::from_secs(180);

/// A harness whose server hands out `turn`'s URL with credentials signed by `secret`.
async fn harness_with_turn(turn: &TurnServer, secret: &str) -> Harness {
    harness_with_turn_urls(vec![turn.url()], secret).await
}

/// A harness whose server hands out `urls` with credentials signed by `secret`.
async fn harness_with_turn_urls(urls: Vec<String>, secret: &str) -> Harness {
    Harness::start_with(|config| {
        config.turn_urls = urls;
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

/// TURN over TCP only (`turn:...?transport=tcp`, as from networks that drop UDP), handed
/// out by the server, relay only: both sides reach the relay over TCP, connect, and say so
/// in their stats.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_relay_reached_over_tcp_connects() {
    tokio::time::timeout(BUDGET, async {
        const SECRET: &str = "tcp secret";
        let turn = TurnServer::start(SECRET).await;
        let harness = harness_with_turn_urls(vec![turn.tcp_url()], SECRET).await;
        let relay_only = json!({ "iceTransportPolicy": "relay" });
        connect_through_the_relay(&harness, relay_only, "tcp").await;
    })
    .await
    .expect("the test finishes in time");
}

/// The same with the page's own `iceServers` (credentials it got elsewhere), the server
/// handing out none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_relay_over_tcp_from_the_page_connects() {
    tokio::time::timeout(BUDGET, async {
        const SECRET: &str = "page secret";
        let turn = TurnServer::start(SECRET).await;
        let harness = Harness::start().await;
        let secret = TurnSecret::new(SECRET);
        let page = signaling_protocol::PeerId::new("the-page".to_owned());
        let minted =
            mint_turn_credentials(&secret, &page, SystemTime::now(), Duration::from_secs(600));
        let server = json!({
            "urls": [turn.tcp_url()],
            "username": minted.username,
            "credential": minted.credential,
        });
        let options = json!({ "iceServers": [server], "iceTransportPolicy": "relay" });
        connect_through_the_relay(&harness, options, "tcp").await;
    })
    .await
    .expect("the test finishes in time");
}

/// Alice and Bob join with `options`, connect, and exchange a message; both sides' path is
/// a relay reached over `protocol`.
async fn connect_through_the_relay(harness: &Harness, options: Value, protocol: &str) {
    let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
    let alice_id = alice.join_with("relayed", "Alice", options.clone()).await;
    let bob_id = bob.join_with("relayed", "Bob", options).await;
    alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    let started = Instant::now();
    assert_eq!(alice.try_connect(&bob_id).await, "connected");
    println!("connected through TURN over {protocol} in {:?}", started.elapsed());
    for (tab, other) in [(&alice, &bob_id), (&bob, &alice_id)] {
        let path = stats(tab, other).await;
        assert_eq!((&path["path"], &path["relayProtocol"]), (&json!("relay"), &json!(protocol)));
    }
    bob.eval(&format!("window.peer.sendTo({}, 'through the relay');", json!(alice_id))).await;
    alice
        .wait_until("window.inbox.some((m) => m.data == 'through the relay')", "window.inbox")
        .await;
}

/// TURN over TLS only (`turns:`, coturn on a self-signed certificate the browser is
/// told to accept), relay only: both sides reach the relay over TLS and connect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_relay_reached_over_tls_connects() {
    tokio::time::timeout(BUDGET, async {
        const SECRET: &str = "tls secret";
        let turn = TurnServer::start_tls(SECRET).await;
        let url = turn.tls_url().expect("a TLS port");
        let harness = harness_with_turn_urls(vec![url], SECRET).await;
        let relay_only = json!({ "iceTransportPolicy": "relay" });
        connect_through_the_relay(&harness, relay_only, "tls").await;
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
        let failure = alice.try_connect(&bob_id).await;
        assert!(started.elapsed() < Duration::from_secs(25), "took {:?}", started.elapsed());
        assert!(failure.starts_with(&format!("connection to peer {bob_id} failed")), "{failure}");
        assert!(failure.contains("an ICE server refused us"), "{failure}");
        assert!(failure.contains("401"), "{failure}");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// The path under a live channel dies (its TURN server crashes) and comes back (the
/// server restarts on the same port, with none of its allocations): ICE restarts on
/// the same connection, and the 1,000 messages sent during the outage all arrive, in
/// order, with no `Disconnected` on either side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_channel_survives_its_turn_server_restarting_with_nothing_lost() {
    tokio::time::timeout(BUDGET, async {
        const SECRET: &str = "restart secret";
        let turn = TurnServer::start(SECRET).await;
        let port = turn.port;
        let harness = harness_with_turn(&turn, SECRET).await;
        let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
        let relay_only = json!({ "iceTransportPolicy": "relay" });
        let alice_id = alice.join_with("outage", "Alice", relay_only.clone()).await;
        let bob_id = bob.join_with("outage", "Bob", relay_only).await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        bob.wait_until("window.events.includes('Connected:Alice')", "window.events").await;
        assert_eq!(stats(&alice, &bob_id).await["path"], json!("relay"));

        turn.kill().await;
        let killed = Instant::now();
        alice
            .eval(&format!(
                "for (let n = 0; n < 1000; n++) window.peer.sendTo({}, 'message ' + n);",
                json!(bob_id)
            ))
            .await;
        // The browser notices the dead path (consent checks go unanswered).
        let noticed = until_state(&alice, &bob_id, &["disconnected", "failed"]).await;
        let noticed = noticed.duration_since(killed);
        // Down long enough for ICE to restart with no TURN server (after the 2 s grace)
        // and fail: the path comes back only by a later restart.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let down = killed.elapsed();

        let _turn = TurnServer::start_on(port, SECRET).await;
        let back = Instant::now();
        let long = Duration::from_secs(60);
        let path_up = until_state(&alice, &bob_id, &["connected"]).await.duration_since(back);
        bob.wait_until_within(long, "window.inbox.length > 0", "window.inbox.length").await;
        let first = back.elapsed();
        bob.wait_until_within(long, "window.inbox.length >= 1000", "window.inbox.length").await;
        let all = back.elapsed();
        println!(
            "ICE restart: coturn down {down:.1?} (noticed after {noticed:.1?}); after its \
             return the path was up in {path_up:.2?}, the first message arrived in \
             {first:.2?}, all 1,000 in {all:.2?}"
        );

        let received = bob.eval("return window.inbox.map((m) => m.data);").await;
        let expected: Vec<String> = (0..1000).map(|n| format!("message {n}")).collect();
        assert_eq!(received, json!(expected), "all 1,000, in order, none twice");
        for tab in [&alice, &bob] {
            let events = tab.eval("return window.events;").await;
            let disconnected = events.as_array().into_iter().flatten();
            assert!(disconnected.clone().all(|e| !e.as_str().unwrap_or("").starts_with("Disc")));
        }
        // The same connection, on a new relayed path, both ways.
        for (tab, other) in [(&alice, &bob_id), (&bob, &alice_id)] {
            let path = stats(tab, other).await;
            assert_eq!((&path["state"], &path["path"]), (&json!("connected"), &json!("relay")));
        }
        bob.eval(&format!("window.peer.sendTo({}, 'and back');", json!(alice_id))).await;
        alice.wait_until("window.inbox.some((m) => m.data == 'and back')", "window.inbox").await;
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// Polls `p.stats(id).state` until it is one of `states`; when it got there.
async fn until_state(tab: &Tab<'_>, id: &str, states: &[&str]) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let state = stats(tab, id).await["state"].clone();
        if states.iter().any(|wanted| state == json!(wanted)) {
            return Instant::now();
        }
        assert!(Instant::now() < deadline, "the state stayed {state}, never one of {states:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A path that never comes back: the restarts give up after a bounded time, and both
/// sides are told why in `onDisconnected`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_never_comes_back_ends_the_connection_with_the_reason() {
    tokio::time::timeout(BUDGET, async {
        const SECRET: &str = "gone for good";
        let turn = TurnServer::start(SECRET).await;
        let harness = harness_with_turn(&turn, SECRET).await;
        let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
        let relay_only = json!({ "iceTransportPolicy": "relay" });
        alice.join_with("gone", "Alice", relay_only.clone()).await;
        let bob_id = bob.join_with("gone", "Bob", relay_only).await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        bob.wait_until("window.events.includes('Connected:Alice')", "window.events").await;

        turn.kill().await;
        // Noticing (a few seconds), the grace (2 s), then 30 s of restarts.
        let limit = Duration::from_secs(60);
        let reasons = "window.reasons";
        alice.wait_until_within(limit, "window.reasons.length == 1", reasons).await;
        bob.wait_until_within(limit, "window.reasons.length == 1", reasons).await;
        let gave_up = "ICE restarts did not restore it within 30 s";
        let mut reasons = Vec::new();
        for tab in [&alice, &bob] {
            let reason = tab.eval("return window.reasons[0];").await;
            reasons.push(reason.as_str().unwrap_or_default().to_owned());
        }
        println!("the restarts gave up: {reasons:?}");
        // Whichever side gave up first told the other (`bye`).
        for reason in &reasons {
            let told = reason.ends_with("the peer closed the connection");
            assert!(reason.contains(gave_up) || told, "{reasons:?}");
        }
        assert!(reasons.iter().any(|reason| reason.contains(gave_up)), "{reasons:?}");
        for tab in [&alice, &bob] {
            assert_eq!(tab.eval("return window.peer.connectedPeers().length;").await, json!(0));
        }
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
