//! Native peers (`peer-native`) with each other and with browser tabs, in one room of
//! the real server, over real data channels: every kind of message both ways (text,
//! JSON, bytes, a chunked message over 256 KiB, unreliable), the reference scenario with
//! Peer 2 native, and a native peer keeping its id through a server restart.

use e2e_tests::{Engine, Harness, NativePeer, Tab};
use peer_native::{Delivery, Payload, PeerId};
use serde_json::{Value, json};
use std::time::Duration;

/// The whole of one test may take this long before it fails instead of hanging.
const BUDGET: Duration = Duration::from_secs(120);

/// A message over 256 KiB: chunked on the wire by either side.
const BIG: usize = 300 * 1024;

/// Every kind of message a native peer sends reliably (the unreliable one goes once
/// these arrived: it may overtake them), and how a tab's inbox shows each.
fn native_kinds() -> Vec<(Payload, Delivery)> {
    vec![
        (Payload::Text("héllo from native".into()), Delivery::Reliable),
        (Payload::Json(r#"{"move":"e4","scores":[1,2.5,null]}"#.into()), Delivery::Reliable),
        (Payload::Bytes(vec![0, 1, 254, 255]), Delivery::Reliable),
        (Payload::Bytes(big_bytes()), Delivery::Reliable),
    ]
}

fn big_bytes() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8).collect()
}

/// The inbox entries [`native_kinds`] make, from `name` with `id`, the big one as its
/// length (a tab reports it so, not its 300 K numbers).
fn expected_from(name: &str, id: &str) -> Value {
    json!([
        { "from": name, "fromId": id, "data": "héllo from native" },
        { "from": name, "fromId": id, "data": { "move": "e4", "scores": [1, 2.5, null] } },
        { "from": name, "fromId": id, "data": { "bytes": [0, 1, 254, 255] } },
        { "from": name, "fromId": id, "data": { "length": BIG, "sum": big_sum() } },
        { "from": name, "fromId": id, "data": "unreliable" },
    ])
}

fn big_sum() -> u64 {
    big_bytes().iter().map(|&b| u64::from(b)).sum()
}

/// The inbox with each byte array over 1000 bytes replaced by its length and sum.
fn summarized(inbox: Value) -> Value {
    let Value::Array(entries) = inbox else { return inbox };
    let summarize = |mut entry: Value| {
        if let Some(bytes) = entry["data"]["bytes"].as_array().filter(|b| b.len() > 1000) {
            let sum: u64 = bytes.iter().filter_map(Value::as_u64).sum();
            entry["data"] = json!({ "length": bytes.len(), "sum": sum });
        }
        entry
    };
    Value::Array(entries.into_iter().map(summarize).collect())
}

async fn send_every_kind(from: &NativePeer, to: &str) {
    let to = PeerId::new(to.to_owned());
    for (payload, delivery) in native_kinds() {
        from.peer.send_to(&to, payload, delivery).await.expect("sends");
    }
}

async fn send_unreliable(from: &NativePeer, to: &str) {
    let to = PeerId::new(to.to_owned());
    let unreliable = Payload::Text("unreliable".into());
    from.peer.send_to(&to, unreliable, Delivery::Unreliable).await.expect("sends");
}

/// The tab sends the same kinds to `id`, reliably.
async fn tab_sends_every_kind(tab: &Tab<'_>, id: &str) {
    tab.eval(&format!(
        "const id = {};
         const big = new Uint8Array({BIG}).map((_, i) => i % 251);
         window.peer.sendTo(id, 'héllo from native');
         window.peer.sendTo(id, {{ move: 'e4', scores: [1, 2.5, null] }});
         window.peer.sendTo(id, new Uint8Array([0, 1, 254, 255]));
         window.peer.sendTo(id, big);",
        json!(id)
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_peers_send_every_kind_of_message_both_ways() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let url = harness.ws_url();
        let alice = NativePeer::join(&url, "native", "Alice").await;
        let bob = NativePeer::join(&url, "native", "Bob").await;
        alice.wait_for_event("PeerJoined:Bob").await;
        alice.peer.connect(bob.peer.id()).await.expect("connects");
        bob.wait_for_event("Connected:Alice").await;

        send_every_kind(&alice, &bob.id()).await;
        send_every_kind(&bob, &alice.id()).await;
        bob.wait_for_messages(4).await;
        alice.wait_for_messages(4).await;
        send_unreliable(&alice, &bob.id()).await;
        send_unreliable(&bob, &alice.id()).await;
        bob.wait_for_messages(5).await;
        alice.wait_for_messages(5).await;
        assert_eq!(summarized(bob.inbox()), expected_from("Alice", &alice.id()));
        assert_eq!(summarized(alice.inbox()), expected_from("Bob", &bob.id()));

        // Bob got 5 messages (the big one in chunks), over 300 KiB, from an address of Alice's.
        let stats = bob.peer.stats(alice.peer.id()).await.expect("connected");
        assert!(stats.messages_received >= 5, "{stats:?}");
        assert!(stats.bytes_received > BIG as u64, "{stats:?}");
        assert!(stats.remote.is_some(), "{stats:?}");

        bob.peer.disconnect(alice.peer.id()).await.expect("disconnects");
        alice.wait_for_event("Disconnected:Bob").await;
        assert!(alice.peer.connected().await.expect("open").is_empty());
        alice.close().await;
        bob.close().await;
        harness.close().await;
    })
    .await
    .expect("finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_native_peer_and_chromium_send_every_kind_both_ways() {
    with_a_browser(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_native_peer_and_firefox_send_every_kind_both_ways() {
    with_a_browser(Engine::Firefox).await;
}

async fn with_a_browser(engine: Engine) {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let tab = harness.open_tab_in(engine).await;
        let tab_id = tab.join_peer("mixed", "Tab").await;
        let native = NativePeer::join(&harness.ws_url(), "mixed", "Native").await;

        // The native peer offers this time; the tab offers below, after a disconnect.
        native.peer.connect(&PeerId::new(tab_id.clone())).await.expect("connects");
        tab.wait_until("window.events.includes('Connected:Native')", "window.events").await;
        send_every_kind(&native, &tab_id).await;
        tab.wait_until("window.inbox.length == 4", "window.inbox").await;
        send_unreliable(&native, &tab_id).await;
        tab.wait_until("window.inbox.length == 5", "window.inbox").await;
        let inbox = tab.eval("return window.inbox;").await;
        assert_eq!(summarized(inbox), expected_from("Native", &native.id()));

        tab_sends_every_kind(&tab, &native.id()).await;
        native.wait_for_messages(4).await;
        let id = json!(native.id());
        tab.eval(&format!("window.peer.sendTo({id}, 'unreliable', {{ reliable: false }});")).await;
        native.wait_for_messages(5).await;
        assert_eq!(summarized(native.inbox()), expected_from("Tab", &tab_id));

        native.peer.disconnect(&PeerId::new(tab_id.clone())).await.expect("disconnects");
        tab.wait_until("window.events.includes('Disconnected:Native')", "window.events").await;
        assert_eq!(tab.try_connect(&native.id()).await, "connected");
        native
            .wait_until("connected again", |r| {
                r.events.iter().filter(|e| *e == "Connected:Tab").count() == 2
            })
            .await;
        native.close().await;
        harness.close().await;
    })
    .await
    .expect("finishes in time");
}

/// `sendMessage(text)` in `tab`: how many peers it went to.
async fn send(tab: &Tab<'_>, text: &str) -> Value {
    tab.eval(&format!("return window.peer.sendMessage({});", json!(text))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_scenario_with_peer_2_native() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let peer1 = harness.open_tab().await;
        let peer3 = harness.open_tab().await;
        let id1 = peer1.join_peer("scenario", "Peer 1").await;
        let peer2 = NativePeer::join(&harness.ws_url(), "scenario", "Peer 2").await;
        let id2 = peer2.id();
        let id3 = peer3.join_peer("scenario", "Peer 3").await;
        peer1.wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;

        // peer1.connect(peer2); peer1.connect(peer3)
        for id in [&id2, &id3] {
            assert_eq!(peer1.try_connect(id).await, "connected");
        }
        peer2.wait_for_event("Connected:Peer 1").await;
        peer3.wait_until("window.events.includes('Connected:Peer 1')", "window.events").await;

        assert_eq!(send(&peer1, "Hello, everyone!").await, json!(2));
        peer2.wait_for_messages(1).await;
        peer3.wait_until("window.inbox.length == 1", "window.inbox").await;
        let sent = peer2.peer.send_message(Payload::Text("Hi, Peer 1!".into())).await;
        assert_eq!(sent.expect("sends"), 1);
        peer1.wait_until("window.inbox.length == 1", "window.inbox").await;
        assert_eq!(send(&peer3, "Greetings from Peer 3!").await, json!(1));
        peer1.wait_until("window.inbox.length == 2", "window.inbox").await;

        // peer1.disconnect(peer2); peer2.disconnect(peer3) -- the second is a no-op
        peer1.eval(&format!("await window.peer.disconnect({});", json!(id2))).await;
        peer2.wait_for_event("Disconnected:Peer 1").await;
        peer2.peer.disconnect(&PeerId::new(id3.clone())).await.expect("a no-op");

        assert_eq!(send(&peer1, "Goodbye!").await, json!(1));
        peer3.wait_until("window.inbox.length == 2", "window.inbox").await;
        tokio::time::sleep(Duration::from_millis(500)).await;

        let said =
            |from: &str, id: &str, text: &str| json!({ "from": from, "fromId": id, "data": text });
        assert_eq!(
            peer1.eval("return window.inbox;").await,
            json!([
                said("Peer 2", &id2, "Hi, Peer 1!"),
                said("Peer 3", &id3, "Greetings from Peer 3!")
            ])
        );
        assert_eq!(peer2.inbox(), json!([said("Peer 1", &id1, "Hello, everyone!")]));
        assert_eq!(
            peer3.eval("return window.inbox;").await,
            json!([said("Peer 1", &id1, "Hello, everyone!"), said("Peer 1", &id1, "Goodbye!")])
        );
        peer2.close().await;
        harness.close().await;
    })
    .await
    .expect("finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_native_peer_rejoins_with_its_id_after_a_server_restart() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let url = harness.ws_url();
        let alice = NativePeer::join(&url, "restart", "Alice").await;
        let bob = NativePeer::join(&url, "restart", "Bob").await;
        alice.wait_for_event("PeerJoined:Bob").await;
        alice.peer.connect(bob.peer.id()).await.expect("connects");
        let before = alice.id();

        harness.kill_server();
        alice
            .wait_until("reconnecting", |r| {
                r.events.iter().any(|e| e.starts_with("SignalingReconnecting"))
            })
            .await;
        // The channel does not need the server.
        alice.peer.send_message(Payload::Text("still here".into())).await.expect("sends");
        bob.wait_for_messages(1).await;
        harness.restart_server();
        alice.wait_for_event("SignalingReconnected").await;
        bob.wait_for_event("SignalingReconnected").await;
        assert_eq!(alice.id(), before);

        // Signaling works again: a new peer connects to Alice through the server.
        let carol = NativePeer::join(&url, "restart", "Carol").await;
        carol.peer.connect(alice.peer.id()).await.expect("connects after the restart");
        alice.wait_for_event("Connected:Carol").await;
        for peer in [alice, bob, carol] {
            peer.close().await;
        }
        harness.close().await;
    })
    .await
    .expect("finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_dead_a_native_neighbour_introduces_two_tabs() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let a = harness.open_tab().await;
        let c = harness.open_tab().await;
        let id_a = a.join_peer("mesh", "A").await;
        let id_c = c.join_peer("mesh", "C").await;
        let b = NativePeer::join(&harness.ws_url(), "mesh", "B").await;
        for id in [&id_a, &id_c] {
            b.peer.connect(&PeerId::new(id.clone())).await.expect("connects");
        }
        for tab in [&a, &c] {
            tab.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;
        }

        harness.kill_server();
        for tab in [&a, &c] {
            tab.wait_until("window.signaling.includes('reconnecting')", "window.signaling").await;
        }
        assert_eq!(a.connect_through_mesh(&id_c).await, json!("connected"));
        a.eval(&format!("window.peer.sendTo({}, 'hello C, through B');", json!(id_c))).await;
        c.wait_until("window.inbox.length == 1", "window.inbox").await;
        assert_eq!(c.eval("return window.inbox[0];").await["data"], "hello C, through B");
        b.close().await;
        harness.close().await;
    })
    .await
    .expect("finishes in time");
}
