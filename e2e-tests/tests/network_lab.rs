//! Two Chromiums behind two home routers built from Linux network namespaces, with the
//! signaling server and coturn on the "internet" between them (`e2e_tests::netlab`):
//! cone NATs, symmetric NATs, a firewall that drops UDP, 5 % random loss, and a NAT
//! that forgets its mappings mid-transfer. Each case also connects a bare
//! `RTCPeerConnection` with the same servers where that tells the network's part from
//! the library's. Needs root: elsewhere each test prints why it skipped, and passes.

use e2e_tests::netlab::{
    IceServers, Lab, LabOptions, Nat, RECORD_FILES, forget_udp_mappings, ice_restarts, lose,
    plain_connect, reboot, stats, timed_connect,
};
use e2e_tests::{FILE_HELPERS, Tab};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Per test: building the lab takes a few seconds, a failing connect up to 60 s.
const BUDGET: Duration = Duration::from_secs(240);

/// Fresh pages on both sides, joined to `room` with `options`; Alice (side a) knows
/// Bob (side b). Returns the tabs and Bob's and Alice's ids.
async fn joined_pair<'a>(
    lab: &'a Lab,
    room: &str,
    options: Value,
) -> (Tab<'a>, Tab<'a>, String, String) {
    let (alice, bob) = (lab.tab(0).await, lab.tab(1).await);
    let alice_id = alice.join_with(room, "Alice", options.clone()).await;
    let bob_id = bob.join_with(room, "Bob", options).await;
    alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    (alice, bob, bob_id, alice_id)
}

/// Connects Alice to Bob; panics with the failure (and both sides' stats) if it fails.
async fn connect(alice: &Tab<'_>, bob: &Tab<'_>, bob_id: &str) -> Duration {
    let (outcome, took) = timed_connect(alice, bob_id).await;
    assert_eq!(outcome, "connected", "after {took:.1?}");
    bob.wait_until("window.events.includes('Connected:Alice')", "window.events").await;
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cone_nats_connect_through_the_servers_stun() {
    tokio::time::timeout(BUDGET, async {
        let options = LabOptions { nats: [Nat::Cone, Nat::Cone], ice: IceServers::Stun };
        let Some(lab) = Lab::start(options).await else { return };
        let (alice, bob, bob_id, alice_id) = joined_pair(&lab, "cone", json!({})).await;
        let took = connect(&alice, &bob, &bob_id).await;
        for (tab, other) in [(&alice, &bob_id), (&bob, &alice_id)] {
            let path = stats(tab, other).await;
            assert_eq!((&path["state"], &path["path"]), (&json!("connected"), &json!("srflx")));
        }
        let plain = plain_connect(&alice, &bob, IceServers::Stun, "all").await;
        println!("cone NATs, STUN: peer-wasm {took:.2?} (srflx); plain {plain:?}");
        lab.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// Symmetric NATs on both sides defeat STUN; the relay is the only path, and the
/// default options must find it every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symmetric_nats_connect_through_the_relay_every_time() {
    const RUNS: usize = 3;
    tokio::time::timeout(BUDGET, async {
        let options =
            LabOptions { nats: [Nat::Symmetric, Nat::Symmetric], ice: IceServers::StunAndTurn };
        let Some(lab) = Lab::start(options).await else { return };
        let mut report = Vec::new();
        for run in 0..RUNS {
            let room = format!("symmetric-{run}");
            let (alice, bob, bob_id, alice_id) = joined_pair(&lab, &room, json!({})).await;
            let (outcome, took) = timed_connect(&alice, &bob_id).await;
            let plain = plain_connect(&alice, &bob, IceServers::StunAndTurn, "all").await;
            report.push(format!("run {run}: peer-wasm {outcome} in {took:.2?}; plain {plain:?}"));
            assert_eq!(outcome, "connected", "run {run} after {took:.1?}; so far {report:#?}");
            bob.wait_until("window.events.includes('Connected:Alice')", "window.events").await;
            let ours = stats(&alice, &bob_id).await;
            let theirs = stats(&bob, &alice_id).await;
            assert!(
                ours["path"] == "relay" || theirs["path"] == "relay",
                "run {run}: a relay on neither side: {ours} / {theirs}"
            );
        }
        println!("symmetric NATs, STUN + TURN, default policy:\n{}", report.join("\n"));
        lab.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// A firewall in front of Alice drops UDP: TURN over TCP is her only way out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_dropped_at_one_router_connects_through_turn_over_tcp() {
    tokio::time::timeout(BUDGET, async {
        let options = LabOptions { nats: [Nat::Cone, Nat::Cone], ice: IceServers::TurnUdpAndTcp };
        let Some(lab) = Lab::start(options).await else { return };
        e2e_tests::netlab::block_udp(lab.router(0)).expect("drops UDP at router a");
        let (alice, bob, bob_id, _) = joined_pair(&lab, "no-udp", json!({})).await;
        let (outcome, took) = timed_connect(&alice, &bob_id).await;
        let plain = plain_connect(&alice, &bob, IceServers::TurnUdpAndTcp, "all").await;
        println!("UDP dropped, TURN UDP + TCP: peer-wasm {outcome} in {took:.2?}; plain {plain:?}");
        assert_eq!(outcome, "connected", "after {took:.1?}");
        let path = stats(&alice, &bob_id).await;
        assert_eq!(
            (&path["path"], &path["relayProtocol"]),
            (&json!("relay"), &json!("tcp")),
            "{path}"
        );
        lab.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// Starts a 16 MiB file from Alice to Bob (`window.original`; its end in `window.sent`).
async fn start_file(alice: &Tab<'_>, bob: &Tab<'_>, bob_id: &str) {
    for tab in [alice, bob] {
        tab.eval(FILE_HELPERS).await;
    }
    bob.eval(RECORD_FILES).await;
    alice
        .eval(&format!(
            "window.original = window.makeFile(16);
             window.sent = null;
             window.peer.sendFile({}, window.original, {{ name: 'lab.bin' }}).done.then(
               () => {{ window.sent = {{ ok: true }}; }},
               (error) => {{ window.sent = {{ error: error.message }}; }});",
            json!(bob_id)
        ))
        .await;
}

/// Waits for the file of [`start_file`] to arrive and checks it against the original.
async fn file_arrived_intact(alice: &Tab<'_>, bob: &Tab<'_>, within: Duration) {
    let seen = "window.files.map((f) => [f.received, f.error])";
    bob.wait_until_within(within, "window.files.length == 1 && window.files[0].doneAt", seen).await;
    let error = bob.eval("return window.files[0].error || null;").await;
    if error != Value::Null {
        let why = "return {signaling: window.signaling, reasons: window.reasons, \
                   events: window.events, iceRestarts: window.iceRestarts, \
                   stats: await Promise.all(window.peer.connectedPeers().map((p) => \
                     window.peer.stats(p.id)))};";
        let (a, b) = (alice.eval(why).await, bob.eval(why).await);
        panic!("the file failed: {error}; Alice saw {a}, Bob saw {b}");
    }
    let received = bob.eval("return await window.sha256(window.files[0].blob);").await;
    let sent = alice.eval("return await window.sha256(window.original);").await;
    assert_eq!(received, sent, "the SHA-256 of what arrived");
    alice.wait_until("window.sent", "window.sent").await;
    assert_eq!(alice.eval("return window.sent;").await, json!({ "ok": true }));
}

/// The messages Bob received, in order.
async fn bob_inbox(bob: &Tab<'_>) -> Value {
    bob.eval("return window.inbox.map((m) => m.data);").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_percent_loss_both_ways_loses_no_message_and_no_byte() {
    tokio::time::timeout(BUDGET, async {
        let options = LabOptions { nats: [Nat::Cone, Nat::Cone], ice: IceServers::StunAndTurn };
        let Some(lab) = Lab::start(options).await else { return };
        for side in 0..2 {
            lose(lab.router(side), 0.05).expect("adds random loss");
        }
        let (alice, bob, bob_id, _) = joined_pair(&lab, "lossy", json!({})).await;
        let took = connect(&alice, &bob, &bob_id).await;
        start_file(&alice, &bob, &bob_id).await;
        alice
            .eval(&format!(
                "for (let n = 0; n < 500; n++) window.peer.sendTo({}, 'message ' + n);",
                json!(bob_id)
            ))
            .await;
        let started = Instant::now();
        file_arrived_intact(&alice, &bob, Duration::from_secs(120)).await;
        let file = started.elapsed();
        bob.wait_until("window.inbox.length >= 500", "window.inbox.length").await;
        let expected: Vec<String> = (0..500).map(|n| format!("message {n}")).collect();
        assert_eq!(bob_inbox(&bob).await, json!(expected), "all 500, in order, none twice");
        println!(
            "5 % loss both ways: connected in {took:.2?}; 500 messages and 16 MiB in {file:.1?}"
        );
        lab.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// What happens to Alice's router mid-transfer.
#[derive(Clone, Copy, Debug)]
enum Mishap {
    /// Its UDP mappings forgotten, new UDP flows mapped to other ports.
    ForgetsUdpMappings,
    /// Down 3 s, then back with no mapping at all (TCP ones too) and other ports.
    Reboots,
}

/// A path that dies for good mid-transfer (the server hands out STUN only, so no relay
/// path survives either): ICE restarts onto a new one, and what was sent meanwhile
/// arrives, in order, with the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nat_forgetting_its_udp_mappings_mid_transfer_loses_nothing() {
    survives_mid_transfer(Mishap::ForgetsUdpMappings).await;
}

/// The same through a router reboot (3 s down), which also cuts the signaling socket's
/// mapping. Here the browser may find a new pair by itself before the library's grace
/// ends (Alice's new mapping reaching Bob's relay, which is as good), so an ICE restart
/// is not required; that nothing is lost is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fails about 1 run in 3: Alice's signaling socket dies with the reboot and she \
            does not notice (she sends nothing on it), so when Bob restarts ICE his offer \
            is lost; 15 s later the server drops her as silent and Bob ends the connection \
            (the peer left the room); `cargo test -p e2e-tests --test network_lab -- \
            --ignored` runs it"]
async fn a_router_rebooting_mid_transfer_loses_nothing() {
    survives_mid_transfer(Mishap::Reboots).await;
}

/// Waits until either side restarted ICE; how long that took.
async fn until_ice_restart(alice: &Tab<'_>, bob: &Tab<'_>, bob_id: &str) -> Duration {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    while ice_restarts(alice).await + ice_restarts(bob).await == 0 {
        let state = stats(alice, bob_id).await;
        assert!(Instant::now() < deadline, "no ICE restart within 60 s; Alice's path {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

async fn survives_mid_transfer(mishap: Mishap) {
    tokio::time::timeout(BUDGET, async {
        // STUN only where ICE must restart: with a relay the browser may find a new pair
        // by itself (Alice's new mapping to Bob's relay) before the library's grace ends.
        let ice = match mishap {
            Mishap::ForgetsUdpMappings => IceServers::Stun,
            Mishap::Reboots => IceServers::StunAndTurn,
        };
        let options = LabOptions { nats: [Nat::Cone, Nat::Cone], ice };
        let Some(lab) = Lab::start(options).await else { return };
        let (alice, bob, bob_id, _) = joined_pair(&lab, "forgetful", json!({})).await;
        connect(&alice, &bob, &bob_id).await;
        start_file(&alice, &bob, &bob_id).await;
        // One message every 20 ms from now until told to stop, numbered.
        alice
            .eval(&format!(
                "window.numbered = 0;
                 window.ticker = setInterval(
                   () => window.peer.sendTo({}, 'message ' + window.numbered++), 20);",
                json!(bob_id)
            ))
            .await;
        bob.wait_until("window.files.length == 1 && window.files[0].received > 0", "window.files")
            .await;
        let before = bob.eval("return window.files[0].received;").await;
        match mishap {
            Mishap::ForgetsUdpMappings => forget_udp_mappings(lab.router(0)),
            Mishap::Reboots => reboot(lab.router(0), Duration::from_secs(3)).await,
        }
        .expect("changes router a");
        let restarted = match mishap {
            Mishap::ForgetsUdpMappings => Some(until_ice_restart(&alice, &bob, &bob_id).await),
            Mishap::Reboots => None,
        };
        file_arrived_intact(&alice, &bob, Duration::from_secs(90)).await;
        let sent = alice.eval("clearInterval(window.ticker); return window.numbered;").await;
        let sent = sent.as_u64().expect("a count");
        bob.wait_until_within(
            Duration::from_secs(30),
            &format!("window.inbox.length >= {sent}"),
            "window.inbox.length",
        )
        .await;
        let expected: Vec<String> = (0..sent).map(|n| format!("message {n}")).collect();
        assert_eq!(bob_inbox(&bob).await, json!(expected), "every message, in order, none twice");
        let path = stats(&alice, &bob_id).await;
        println!(
            "{mishap:?}: {before} bytes of 16 MiB across before; ICE restarted {restarted:.1?} \
             after ({} restarts in all); {sent} messages in order and the file intact; path now \
             {path}",
            ice_restarts(&alice).await + ice_restarts(&bob).await
        );
        lab.close().await;
    })
    .await
    .expect("the test finishes in time");
}
