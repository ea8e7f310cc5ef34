//! A peer is its key, in real Chromium: what a man in the middle changes on the way (an
//! SDP's fingerprint, a key in the roster) fails the connect it touches at once, saying
//! so, with no channel opened; ids come back after a server restart with nothing kept by
//! the server; a page that keeps its identity in IndexedDB keeps its id (and a second
//! page with it takes its place); two peers show each other the same safety number.
//!
//! Every tab here joins with `sameOriginSignaling: false`, so that its signals go through
//! the server (and the proxy), not over a `BroadcastChannel` between the tabs.

use e2e_tests::{Harness, Tab, TamperProxy, tamper};
use serde_json::{Value, json};
use signaling_protocol::{peer_id_for, safety_number};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BUDGET: Duration = Duration::from_secs(150);
/// Well under a connect's open deadline (15 s): a refused signal ends its connect at
/// once, it does not time out.
const AT_ONCE: Duration = Duration::from_secs(5);
/// How long the peers may take to be back in the room after the server's return.
const BACK_WITHIN: Duration = Duration::from_secs(5);

/// The public key of the tab's `window.peer` (or of the key pair the JS expression
/// `pair` names), as the protocol writes it.
async fn key_of(tab: &Tab<'_>, pair: &str) -> String {
    let key = tab
        .eval(&format!(
            "const raw = new Uint8Array(await crypto.subtle.exportKey('raw', ({pair}).publicKey));
             return btoa(String.fromCharCode(...raw))
               .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');"
        ))
        .await;
    key.as_str().expect("a key").to_owned()
}

/// `connect(id)` in `tab`, which must fail well before the open deadline: its message.
async fn connect_fails_at_once(tab: &Tab<'_>, id: &str) -> String {
    let started = Instant::now();
    let outcome = tab.try_connect(id).await;
    let took = started.elapsed();
    assert_ne!(outcome, "connected", "the connect to {id} went through");
    assert!(took < AT_ONCE, "the connect to {id} failed after {took:?}, not at once: {outcome}");
    println!("the connect to {id} failed after {took:.2?}: {outcome}");
    outcome
}

/// No data channel opened in any of `tabs`.
async fn no_channel(tabs: &[&Tab<'_>]) {
    for tab in tabs {
        let open = tab.eval("return [window.peer.connectedPeers(), window.events];").await;
        assert_eq!(open[0], json!([]), "a channel opened: {open}");
        let events = open[1].as_array().cloned().unwrap_or_default();
        assert!(!events.iter().any(|e| e.as_str().is_some_and(|e| e.starts_with("Connected"))));
    }
}

async fn rejected(tab: &Tab<'_>) -> u64 {
    tab.eval("return window.peer.rejectedSignals;").await.as_u64().expect("a count")
}

fn server_only() -> Value {
    json!({ "sameOriginSignaling": false })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_fingerprint_fails_the_connect_at_once_either_way() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let proxy = TamperProxy::start(harness.ws_url(), tamper::fingerprints()).await;
        let (a, b) = (harness.open_tab_through(&proxy).await, harness.open_tab().await);
        let a_id = a.join_with("fingerprint", "A", server_only()).await;
        let b_id = b.join_with("fingerprint", "B", server_only()).await;
        a.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;

        // A's offer is altered on its way out: B refuses it and tells A why.
        let failed = connect_fails_at_once(&a, &b_id).await;
        assert!(failed.contains(&format!("a signal from {a_id} failed verification")), "{failed}");
        assert!(rejected(&b).await > 0, "B counted the altered offer");
        // B's offer is altered on its way in: A refuses it and tells B why.
        let failed = connect_fails_at_once(&b, &a_id).await;
        assert!(failed.contains(&format!("a signal from {b_id} failed verification")), "{failed}");
        assert!(rejected(&a).await > 0, "A counted the altered offer");

        no_channel(&[&a, &b]).await;
        assert!(proxy.tampered() >= 2, "the proxy altered both offers");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_swapped_in_the_roster_fails_the_connects_at_once() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        // B's identity first, to know its id before anyone joins.
        let b = harness.open_tab().await;
        b.eval(
            "const { default: init, Peer } = await import('/pkg/peer_wasm.js');
             await init();
             window.mine = await Peer.createIdentity();",
        )
        .await;
        let b_id = peer_id_for(&key_of(&b, "window.mine").await).to_string();
        let swap = tamper::swap_key(b_id.clone(), tamper::STRANGER_KEY.into());
        let proxy = TamperProxy::start(harness.ws_url(), swap).await;
        let a = harness.open_tab_through(&proxy).await;
        a.join_with("swapped", "A", server_only()).await;
        let joined = b.join_as("swapped", "B", server_only(), "window.mine").await;
        assert_eq!(joined, b_id, "the id is the one of the key");
        // A hears of B (`peer_joined`) with the stranger's key.
        a.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;

        let wrong_key = format!(
            "a signal from {b_id} failed verification: the key announced for it is not the key \
             of its id"
        );
        let failed = connect_fails_at_once(&a, &b_id).await;
        assert!(failed.contains(&wrong_key), "{failed}");
        // B's offer is B's own, but A holds it against the wrong key: A refuses it.
        let a_id = a.eval("return window.peer.id;").await;
        let failed = connect_fails_at_once(&b, a_id.as_str().unwrap_or_default()).await;
        assert!(failed.contains(&format!("a signal from {b_id} failed verification")), "{failed}");
        assert!(rejected(&a).await > 0, "A counted B's offer");
        no_channel(&[&a, &b]).await;

        // A joins again: now the room's roster (`welcome`) gives it the stranger's key.
        a.eval("window.peer.close();").await;
        a.join_with("swapped", "A again", server_only()).await;
        let failed = connect_fails_at_once(&a, &b_id).await;
        assert!(failed.contains(&wrong_key), "{failed}");
        no_channel(&[&a, &b]).await;
        assert!(proxy.tampered() >= 2, "the proxy swapped the key in both messages");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_come_back_after_a_restart_of_a_server_with_default_config() {
    tokio::time::timeout(BUDGET, async {
        // `Harness::start` serves with the default config (only the page's folder set):
        // no key of any kind to carry ids over a restart.
        let harness = Harness::start().await;
        let tabs = [harness.open_tab().await, harness.open_tab().await, harness.open_tab().await];
        let mut ids = Vec::new();
        for (n, tab) in tabs.iter().enumerate() {
            ids.push(tab.join_with("restart", &format!("P{n}"), server_only()).await);
        }
        for (from, to) in [(0, 1), (1, 2), (2, 0)] {
            let seen = "window.peer.peers().length == 2";
            tabs[from].wait_until(seen, "window.peer.peers()").await;
            tabs[from].eval(&format!("await window.peer.connect({});", json!(ids[to]))).await;
        }

        harness.kill_server();
        for tab in &tabs {
            tab.wait_until("window.signaling.includes('reconnecting')", "window.signaling").await;
        }
        harness.restart_server();
        let restarted = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970");
        let restarted = restarted.as_millis() as u64;
        for (n, tab) in tabs.iter().enumerate() {
            let back = "window.signaling.at(-1) == 'connected' && window.peer.peers().length == 2";
            let observed = "[window.signalingLog, window.peer.peers()]";
            tab.wait_until_within(BACK_WITHIN * 2, back, observed).await;
            let at = tab.eval("return window.signalingLog.at(-1).at;").await;
            let after = Duration::from_millis(at.as_u64().expect("a time") - restarted);
            println!("P{n} was back {after:.2?} after the server's return");
            assert!(after < BACK_WITHIN, "P{n} was back only after {after:?}");
            assert_eq!(tab.eval("return window.peer.id;").await, json!(ids[n]), "same id");
        }

        // A newcomer finds all three under their ids, and connects to each.
        let newcomer = harness.open_tab().await;
        newcomer.join_with("restart", "Newcomer", server_only()).await;
        newcomer.wait_until("window.peer.peers().length == 3", "window.peer.peers()").await;
        let mut seen = newcomer.eval("return window.peer.peers().map((p) => p.id);").await;
        let mut want = ids.clone();
        want.sort();
        if let Value::Array(seen) = &mut seen {
            seen.sort_by_key(|id| id.to_string());
        }
        assert_eq!(seen, json!(want));
        for id in &ids {
            newcomer.eval(&format!("await window.peer.connect({});", json!(id))).await;
        }
        assert_eq!(newcomer.eval("return window.peer.sendMessage('hello');").await, json!(3));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// Defines `window.keep(pair)` and `window.kept()`: a key pair in this origin's IndexedDB.
const KEEPER: &str = "
    const db = () => new Promise((resolve, reject) => {
      const opening = indexedDB.open('identity', 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore('pairs');
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error);
    });
    const done = (request) => new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    window.keep = async (pair) =>
      done((await db()).transaction('pairs', 'readwrite').objectStore('pairs').put(pair, 'me'));
    window.kept = async () =>
      done((await db()).transaction('pairs').objectStore('pairs').get('me'));";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_kept_in_indexeddb_keeps_its_id_and_a_second_page_takes_it_over() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let first = harness.open_tab().await;
        first.eval(KEEPER).await;
        let create =
            "Peer.createIdentity().then(async (pair) => { await window.keep(pair); return pair; })";
        let id = first.join_as("kept", "Kept", server_only(), create).await;
        assert_eq!(peer_id_for(&key_of(&first, "window.peer.identity").await).as_str(), id);
        first.eval("window.peer.close();").await;

        first.client().await.refresh().await.expect("reloads the page");
        first.eval(KEEPER).await;
        let again = first.join_as("kept", "Kept", server_only(), "window.kept()").await;
        assert_eq!(again, id, "the same id after a reload");
        let observer = harness.open_tab().await;
        observer.join_with("kept", "Observer", server_only()).await;

        // Another page of the origin joins with the same identity: it takes the id over.
        let second = harness.open_tab().await;
        second.eval(KEEPER).await;
        let taken = second.join_as("kept", "Kept", server_only(), "window.kept()").await;
        assert_eq!(taken, id);
        let closed = "window.signaling.at(-1) == 'closed'";
        first.wait_until(closed, "window.signalingLog").await;
        let log = first.eval("return window.signalingLog;").await;
        println!("the first page's signaling after the takeover: {log}");
        let reason = log[0]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("taken over"), "the first page is told why: {log}");
        // And it stays that way: the first page does not take the id back.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(first.eval("return window.signaling;").await, json!(["closed"]));
        assert_eq!(second.eval("return window.signaling;").await, json!([]));
        let peers = observer.eval("return [window.peer.peers(), window.events];").await;
        println!("the observer after the takeover: {peers}");
        assert_eq!(peers[0], json!([{ "id": id, "name": "Kept" }]));
        assert_eq!(peers[1], json!([]), "the room saw no one leave or join");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connected_peers_show_the_same_safety_number() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let (a, b) = (harness.open_tab().await, harness.open_tab().await);
        let a_id = a.join_with("safety", "A", server_only()).await;
        let b_id = b.join_with("safety", "B", server_only()).await;
        a.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        a.eval(&format!("await window.peer.connect({});", json!(b_id))).await;
        b.wait_until("window.peer.connectedPeers().length == 1", "window.events").await;

        let of_b = a.eval(&format!("return window.peer.safetyNumber({});", json!(b_id))).await;
        let of_a = b.eval(&format!("return window.peer.safetyNumber({});", json!(a_id))).await;
        assert_eq!(of_b, of_a, "both ends show the same number");
        let number = of_a.as_str().expect("a safety number").to_owned();
        let groups: Vec<&str> = number.split(' ').collect();
        assert_eq!(groups.len(), 4, "{number}");
        assert!(groups.iter().all(|g| g.len() == 5 && g.bytes().all(|c| c.is_ascii_digit())));
        // The number any implementation of the protocol computes from the two keys.
        let keys =
            [key_of(&a, "window.peer.identity").await, key_of(&b, "window.peer.identity").await];
        assert_eq!(number, safety_number(&keys[0], &keys[1]));
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
