//! The mesh in headless Chromium: broadcasts across partial meshes (a line, a ring, a
//! random graph), connections negotiated through the mesh with the hub gone, membership
//! that follows the mesh, and neighbours that forge, flood or break the mesh frames.
//! Several peers of one page on an in-page hub, real data channels.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{TestPeer, numbered_room, shut_hub_down, sleep, wait_until};
use peer_wasm::{Payload, PeerError, PeerEvent};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Opens a channel for each edge, one after the other.
async fn link(peers: &[TestPeer], edges: &[(usize, usize)]) {
    for &(a, b) in edges {
        let connected = peers[a].peer.connect(&peers[b].id()).await;
        assert_eq!(connected, Ok(()), "P{a} - P{b}");
    }
    let degree = |i: usize| edges.iter().filter(|(a, b)| *a == i || *b == i).count();
    let all_open = || (0..peers.len()).all(|i| peers[i].peer.connected_peers().len() == degree(i));
    wait_until("every channel open on both sides", all_open, String::new).await;
}

/// Broadcasts received so far, as `(origin name, text)`.
fn broadcasts(peer: &TestPeer) -> Vec<(String, String)> {
    let events = peer.events.borrow();
    let texts = events.iter().filter_map(|event| match event {
        PeerEvent::Broadcast { from, payload } => Some((from.name.clone(), payload.as_text()?)),
        _ => None,
    });
    texts.collect()
}

/// A small deterministic random sequence (xorshift), so a failure replays.
struct Random(u32);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 as usize % n
    }
}

/// 100 broadcasts from random peers: every peer gets every one of the others' exactly
/// once, from the right origin, and direct messages are not mistaken for them.
async fn every_broadcast_reaches_everyone_once(peers: &[TestPeer], random: &mut Random) {
    let mut sent: Vec<(String, String)> = Vec::new();
    for k in 0..100 {
        let from = random.below(peers.len());
        let text = format!("m{k}");
        assert!(peers[from].peer.broadcast(&Payload::text(&text)).expect("broadcasts") > 0);
        sent.push((format!("P{from}"), text));
    }
    let expected = |i: usize| sent.iter().filter(|(from, _)| *from != format!("P{i}")).count();
    let arrived = || (0..peers.len()).all(|i| broadcasts(&peers[i]).len() >= expected(i));
    let counts = || format!("{:?}", peers.iter().map(|p| broadcasts(p).len()).collect::<Vec<_>>());
    wait_until("every broadcast everywhere", arrived, counts).await;
    sleep(200).await; // time for a duplicate to show up, if any would
    for (i, peer) in peers.iter().enumerate() {
        let mut got = broadcasts(peer);
        got.sort();
        let mut wanted: Vec<_> =
            sent.iter().filter(|(from, _)| *from != format!("P{i}")).cloned().collect();
        wanted.sort();
        assert_eq!(got, wanted, "P{i}: each broadcast once, from its origin");
        assert!(peer.messages().is_empty(), "P{i}: broadcasts are not direct messages");
    }
}

#[wasm_bindgen_test]
async fn a_broadcast_crosses_a_line_of_eight_and_reaches_each_peer_once() {
    let peers = numbered_room(8).await;
    let line: Vec<(usize, usize)> = (0..7).map(|i| (i, i + 1)).collect();
    link(&peers, &line).await;
    assert_eq!(peers[0].peer.broadcast(&Payload::text("from one end")), Ok(1));
    let arrived = || peers[1..].iter().all(|peer| !broadcasts(peer).is_empty());
    wait_until("the far end to get it", arrived, String::new).await;
    sleep(100).await;
    for peer in &peers[1..] {
        assert_eq!(broadcasts(peer), [("P0".to_owned(), "from one end".to_owned())]);
    }
    for peer in &peers {
        peer.events.borrow_mut().clear();
    }
    every_broadcast_reaches_everyone_once(&peers, &mut Random(7)).await;
}

#[wasm_bindgen_test]
async fn broadcasts_on_a_ring_of_eight_arrive_once_despite_two_paths() {
    let peers = numbered_room(8).await;
    let ring: Vec<(usize, usize)> = (0..8).map(|i| (i, (i + 1) % 8)).collect();
    link(&peers, &ring).await;
    every_broadcast_reaches_everyone_once(&peers, &mut Random(11)).await;
}

#[wasm_bindgen_test]
async fn broadcasts_on_a_random_connected_graph_of_sixteen_arrive_once() {
    let peers = numbered_room(16).await;
    let mut random = Random(2026);
    // A random spanning tree, so the graph is connected, plus ten random chords.
    let mut edges: Vec<(usize, usize)> = (1..16).map(|i| (random.below(i), i)).collect();
    while edges.len() < 25 {
        let (a, b) = (random.below(16), random.below(16));
        if a != b && !edges.iter().any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a)) {
            edges.push((a, b));
        }
    }
    link(&peers, &edges).await;
    every_broadcast_reaches_everyone_once(&peers, &mut random).await;
}

/// Connects `from` to `to`, retrying while the mesh's adverts are still on their way
/// (until then no path is known, and with the hub gone the call is refused).
async fn connect_through_mesh(from: &TestPeer, to: &TestPeer) -> Result<(), PeerError> {
    for _ in 0..50 {
        match from.peer.connect(&to.id()).await {
            Err(PeerError::SignalingClosed) => sleep(50).await,
            other => return other,
        }
    }
    from.peer.connect(&to.id()).await
}

#[wasm_bindgen_test]
async fn with_the_hub_gone_a_connection_is_negotiated_through_a_common_neighbour() {
    let peers = numbered_room(3).await;
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);
    link(&peers, &[(0, 1), (1, 2)]).await;
    shut_hub_down(&peers).await;

    assert_eq!(connect_through_mesh(a, c).await, Ok(()));
    wait_until(
        "C to count A as connected",
        || c.connected_names().contains(&"P0".to_owned()),
        String::new,
    )
    .await;
    a.peer.send_to(&c.id(), &Payload::text("direct, at last")).expect("sends");
    c.peer.send_to(&a.id(), &Payload::text("and back")).expect("sends");
    wait_until("A-C messages", || c.texts().len() == 1 && a.texts().len() == 1, String::new).await;
    assert_eq!(c.texts(), [("P0".to_owned(), "direct, at last".to_owned())]);
    assert_eq!(a.texts(), [("P2".to_owned(), "and back".to_owned())]);
    assert!(b.texts().is_empty(), "messages go direct, not through B");
}

#[wasm_bindgen_test]
async fn with_the_hub_gone_membership_follows_the_mesh() {
    let peers = numbered_room(4).await;
    let (a, c) = (&peers[0], &peers[2]);
    link(&peers, &[(0, 1), (1, 2), (2, 3)]).await;
    sleep(300).await; // the adverts spread
    shut_hub_down(&peers).await;
    // P3 leaves: A, two hops away and with no channel to it, hears of it through the mesh.
    peers[3].peer.close();
    let left = |peer: &TestPeer| {
        peer.count(|e| matches!(e, PeerEvent::PeerLeft(p) if p.name == "P3")) == 1
    };
    wait_until(
        "A and B to see P3 leave",
        || left(a) && left(&peers[1]),
        || format!("{:?}", a.events.borrow()),
    )
    .await;
    let names = |peer: &TestPeer| {
        let mut names: Vec<String> = peer.peer.peers().into_iter().map(|p| p.name).collect();
        names.sort();
        names
    };
    assert_eq!(names(a), ["P1", "P2"]);
    assert_eq!(names(c), ["P0", "P1"]);
}

#[wasm_bindgen_test]
async fn a_neighbour_that_forges_a_relayed_signal_is_disconnected_with_the_reason() {
    let peers = numbered_room(3).await;
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);
    link(&peers, &[(0, 1), (1, 2)]).await;
    // B makes up an offer "from A" for C; it cannot sign it as A.
    let now = js_sys::Date::now();
    let forged = format!(
        r#"g{{"kind":"relay","from":"{a}","to":"{c}","route":["{c}"],"signal":"{{\"kind\":\"offer\",\"session\":9,\"at\":{now},\"sig\":\"AAAA\",\"sdp\":\"v=0\"}}"}}"#,
        a = a.id(),
        c = c.id()
    );
    b.peer.send_raw_frame(&c.id(), &forged).expect("sends");
    let reason = || {
        c.events.borrow().iter().find_map(|event| match event {
            PeerEvent::Disconnected { peer, reason } if peer.name == "P1" => Some(reason.clone()),
            _ => None,
        })
    };
    wait_until("C to drop B", || reason().is_some(), || format!("{:?}", c.events.borrow())).await;
    assert!(reason().unwrap_or_default().contains("forged or altered"), "{:?}", reason());
    assert!(c.connected_names().is_empty(), "and no connection to A came of it");
}

#[wasm_bindgen_test]
async fn malformed_or_flooding_mesh_frames_cost_the_sender_its_connection() {
    let peers = numbered_room(4).await;
    let (a, b, c, d) = (&peers[0], &peers[1], &peers[2], &peers[3]);
    link(&peers, &[(0, 1), (1, 2), (2, 3)]).await;
    let reason_at = |peer: &TestPeer, name: &str| {
        peer.events.borrow().iter().find_map(|event| match event {
            PeerEvent::Disconnected { peer, reason } if peer.name == name => Some(reason.clone()),
            _ => None,
        })
    };
    b.peer.send_raw_frame(&c.id(), "g{not json").expect("sends");
    wait_until("C to drop B", || reason_at(c, "P1").is_some(), String::new).await;
    assert_eq!(reason_at(c, "P1").as_deref(), Some("the peer broke the framing"));
    // A digest whose version is not a whole number.
    d.peer.send_raw_frame(&c.id(), r#"g{"kind":"digest","have":{"P9":-1}}"#).expect("sends");
    wait_until("C to drop D", || reason_at(c, "P3").is_some(), String::new).await;
    assert_eq!(reason_at(c, "P3").as_deref(), Some("the peer broke the framing"));

    // A floods B with adverts of a made-up peer, each newer than the last.
    for version in 1..=12_000 {
        let advert = format!(
            r#"g{{"kind":"advert","id":"ghost","name":"Ghost","version":{version},"links":[]}}"#
        );
        if a.peer.send_raw_frame(&b.id(), &advert).is_err() {
            break; // B already cut it off
        }
    }
    let seen = || format!("{:?}", b.events.borrow());
    wait_until("B to drop A", || reason_at(b, "P0").is_some(), seen).await;
    assert!(
        reason_at(b, "P0").unwrap_or_default().contains("more than 2000 mesh control messages")
    );
}

#[wasm_bindgen_test]
async fn a_broadcast_sent_twice_or_out_of_hops_is_not_delivered_twice_or_passed_on() {
    let peers = numbered_room(3).await;
    let (a, b, c) = (&peers[0], &peers[1], &peers[2]);
    link(&peers, &[(0, 1), (1, 2)]).await;
    let header = format!("b1:5:{}", a.id());
    for _ in 0..2 {
        a.peer.send_raw_frame(&b.id(), &header).expect("sends");
        a.peer.send_raw_frame(&b.id(), "sloop").expect("sends");
    }
    wait_until("B to get it", || !broadcasts(b).is_empty(), String::new).await;
    sleep(200).await;
    assert_eq!(broadcasts(b), [("P0".to_owned(), "loop".to_owned())], "once");
    assert!(broadcasts(c).is_empty(), "its last hop was to B");
}

#[wasm_bindgen_test]
async fn with_the_hub_gone_a_connection_is_negotiated_across_three_hops() {
    let peers = numbered_room(4).await;
    link(&peers, &[(0, 1), (1, 2), (2, 3)]).await;
    shut_hub_down(&peers).await;
    assert_eq!(connect_through_mesh(&peers[0], &peers[3]).await, Ok(()));
    assert_eq!(connect_through_mesh(&peers[3], &peers[1]).await, Ok(()), "and back, two hops");
}
