//! Mesh benchmarks (built only with the `mesh-bench` feature, so not in the test run;
//! they print numbers, they assert nothing a noisy machine could break). Run them on
//! the release build:
//!
//! ```text
//! cd peer-wasm && wasm-pack test --headless --chrome --release -- --features mesh-bench --test mesh_bench -- --include-ignored
//! ```
//!
//! - Forming a full mesh of 16 peers: once through the hub (the server's part), then, in
//!   the same run, with the hub gone after a random spanning tree of links, every other pair
//!   negotiated through the mesh.
//! - Latency of a broadcast over 3 hops (a line of 4), beside a direct message over one
//!   hop, in the same run.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{TestPeer, numbered_room, shut_hub_down, wait_until};
use peer_wasm::{Payload, PeerError, PeerEvent};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

// Counts the adverts and digests every data channel of the page sends (frames and bytes), by
// wrapping `RTCDataChannel.prototype.send`: the membership's cost, measured without a
// hook in the library.
#[wasm_bindgen(inline_js = r#"
const counted = { frames: 0, bytes: 0 };
const send = RTCDataChannel.prototype.send;
RTCDataChannel.prototype.send = function (data) {
  if (typeof data === "string" && /^g\{"kind":"(advert|digest)"/.test(data)) {
    counted.frames += 1;
    counted.bytes += new TextEncoder().encode(data).length;
  }
  return send.call(this, data);
};
export function adverts_sent() { return [counted.frames, counted.bytes]; }
"#)]
extern "C" {
    fn adverts_sent() -> Vec<f64>;
}

/// Waits (up to 60 s) until every peer has a channel to every other; returns how long.
async fn full_mesh(peers: &[TestPeer], started: f64) -> f64 {
    let n = peers.len();
    for _ in 0..12_000 {
        if peers.iter().all(|peer| peer.peer.connected_peers().len() == n - 1) {
            return now() - started;
        }
        common::sleep(5).await;
    }
    panic!("no full mesh within 60 s");
}

/// Every pair not yet connected connects, all at once (the smaller index calls);
/// returns when every call is answered. With the hub gone, a call refused for want of
/// a known path (adverts still on their way) is retried.
async fn connect_all(peers: &[TestPeer]) {
    let mut calls = Vec::new();
    for (i, from) in peers.iter().enumerate() {
        for to in &peers[i + 1..] {
            if from.peer.connected_peers().iter().any(|p| p.id == to.id()) {
                continue;
            }
            calls.push(async move {
                let started = now();
                for _ in 0..200 {
                    match from.peer.connect(&to.id()).await {
                        Err(PeerError::SignalingClosed) => common::sleep(10).await,
                        outcome => return outcome.map(|()| now() - started),
                    }
                }
                Err(PeerError::SignalingClosed)
            });
        }
    }
    let outcomes = futures_util::future::join_all(calls).await;
    let mut took: Vec<f64> = outcomes.iter().filter_map(|outcome| outcome.clone().ok()).collect();
    let failed: Vec<_> = outcomes.into_iter().filter(|outcome| outcome.is_err()).collect();
    assert!(failed.is_empty(), "{} calls failed: {failed:?}", failed.len());
    took.sort_by(f64::total_cmp);
    console_log!(
        "connect calls: {} took p50 {:.0} ms, max {:.0} ms; over 5 s: {}",
        took.len(),
        took[took.len() / 2],
        took[took.len() - 1],
        took.iter().filter(|ms| **ms > 5000.0).count()
    );
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run with --include-ignored"]
async fn forming_a_mesh_of_16_through_the_hub_and_through_the_mesh() {
    // One run per page: Chromium allows 500 RTCPeerConnections per page, closed ones
    // included until collected, and a run makes 480.
    for run in 0..1 {
        let through_hub = {
            let peers = numbered_room(16).await;
            console_log!("run {run}: through the hub");
            let started = now();
            let before = adverts_sent();
            connect_all(&peers).await;
            let ms = full_mesh(&peers, started).await;
            common::sleep(500).await; // the last adverts go out
            let after = adverts_sent();
            for peer in &peers {
                peer.peer.close();
            }
            console_log!(
                "run {run}: through the hub {ms:.0} ms; adverts and digests the 16 peers sent: \
                 {} frames, {} bytes ({:.0} bytes per peer)",
                after[0] - before[0],
                after[1] - before[1],
                (after[1] - before[1]) / 16.0
            );
            ms
        };
        let through_mesh = {
            let peers = numbered_room(16).await;
            // A random spanning tree (each peer linked to one before it, xorshift-chosen).
            let mut random = 2026u32;
            for i in 1..16 {
                random ^= random << 13;
                random ^= random >> 17;
                random ^= random << 5;
                let parent = random as usize % i;
                peers[parent].peer.connect(&peers[i].id()).await.expect("a spanning link");
            }
            // The line's adverts spread, then the server goes.
            common::sleep(500).await;
            shut_hub_down(&peers).await;
            let started = now();
            connect_all(&peers).await;
            let ms = full_mesh(&peers, started).await;
            for peer in &peers {
                peer.peer.close();
            }
            ms
        };
        console_log!(
            "run {run}: 16 peers fully meshed (120 channels): through the hub {through_hub:.0} ms; \
             with the hub gone after 15 spanning links (a random tree), the other 105 through the mesh \
             {through_mesh:.0} ms ({:.2}x)",
            through_mesh / through_hub
        );
        common::sleep(1000).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Records when each message (direct or broadcast) reaches `peer`, in the event handler
/// itself, so the waiting loop's own timer granularity does not count.
fn arrivals(peer: &TestPeer) -> Rc<RefCell<Vec<f64>>> {
    let times = Rc::new(RefCell::new(Vec::new()));
    let recorded = Rc::clone(&times);
    peer.peer.set_event_handler(move |event| {
        if matches!(event, PeerEvent::Message { .. } | PeerEvent::Broadcast { .. }) {
            recorded.borrow_mut().push(now());
        }
    });
    times
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run with --include-ignored"]
async fn broadcast_latency_over_three_hops() {
    let peers = numbered_room(4).await;
    for i in 0..3 {
        peers[i].peer.connect(&peers[i + 1].id()).await.expect("a link");
    }
    wait_until("the far end", || peers[3].peer.connected_peers().len() == 1, String::new).await;
    let (near, far) = (arrivals(&peers[1]), arrivals(&peers[3]));
    let samples = 500;
    let (mut direct, mut broadcast) = (Vec::new(), Vec::new());
    for k in 0..samples {
        // One direct message over one hop, then one broadcast to the far end.
        let started = now();
        peers[0].peer.send_to(&peers[1].id(), &Payload::text("ping")).expect("sends");
        while near.borrow().len() <= 2 * k {
            common::sleep(1).await;
        }
        direct.push(near.borrow()[2 * k] - started);
        let started = now();
        peers[0].peer.broadcast(&Payload::text(&format!("b{k}"))).expect("broadcasts");
        while far.borrow().len() <= k {
            common::sleep(1).await;
        }
        broadcast.push(far.borrow()[k] - started);
    }
    for list in [&mut direct, &mut broadcast] {
        list.sort_by(f64::total_cmp);
    }
    let (d50, d99) = (percentile(&direct, 0.5), percentile(&direct, 0.99));
    let (b50, b99) = (percentile(&broadcast, 0.5), percentile(&broadcast, 0.99));
    console_log!(
        "{samples} samples, one at a time: direct message over 1 hop p50 {d50:.2} ms p99 \
         {d99:.2} ms; broadcast over 3 hops p50 {b50:.2} ms ({:.2}x) p99 {b99:.2} ms ({:.2}x)",
        b50 / d50,
        b99 / d99
    );
}
