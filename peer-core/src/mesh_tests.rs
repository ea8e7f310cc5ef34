//! The mesh in the machine, driven by hand: adverts flood without echo, membership
//! follows the mesh while the server is gone, signals take a route and keep it,
//! answers go back the way they came, broadcasts are passed on once, forgeries cost the
//! neighbour its connection.

use super::harness::{Harness, id, info, keyed, offer};
use super::*;
use signaling_protocol::Step;

fn advert(origin: &str, version: u32, links: &[&str]) -> MeshFrame<&'static str> {
    let links = links.iter().map(|link| id(link)).collect();
    MeshFrame::Advert(Advert { origin: info(origin), version, links })
}

/// The mesh frames sent since `from`, as (to, what).
fn sent_since(h: &Harness, from: usize) -> Vec<(String, String)> {
    let describe = |frame: &MeshFrame<&str>| match frame {
        MeshFrame::Advert(advert) => format!("advert of {} v{}", advert.origin.id, advert.version),
        MeshFrame::Digest(held) => format!("digest of {}", held.len()),
        MeshFrame::Relay(relayed) => format!("relay {}->{}", relayed.from, relayed.to),
        MeshFrame::Broadcast { origin, ttl, message, .. } => {
            format!("{origin} ttl {ttl}: {message}")
        }
    };
    h.mesh_out[from..].iter().map(|(key, frame)| (key.peer.to_string(), describe(frame))).collect()
}

#[test]
fn an_advert_goes_on_to_every_other_neighbour_once() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    let b = h.open_as_offerer("b");
    h.open_as_offerer("c");
    let before = h.mesh_out.len();
    h.apply(Input::Mesh { key: b.clone(), frame: advert("d", 3, &["b"]) });
    assert_eq!(sent_since(&h, before), [("c".to_owned(), "advert of d v3".to_owned())]);
    h.apply(Input::Mesh { key: b.clone(), frame: advert("d", 3, &["b"]) });
    assert_eq!(h.mesh_out.len(), before + 1, "the same version again goes nowhere");
    h.apply(Input::Mesh { key: b, frame: advert("d", 4, &["b", "c"]) });
    assert_eq!(h.mesh_out.len(), before + 1, "not to c: d told c itself");
}

#[test]
fn an_advert_skips_a_neighbour_whose_own_advert_lists_its_origin() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    let b = h.open_as_offerer("b");
    let c = h.open_as_offerer("c");
    h.apply(Input::Mesh { key: c, frame: advert("c", 1, &["m", "d"]) });
    let before = h.mesh_out.len();
    // d's advert does not list c yet (their channel opened after it), but c's does: d
    // advertises again to c itself.
    h.apply(Input::Mesh { key: b, frame: advert("d", 3, &["b"]) });
    assert_eq!(sent_since(&h, before), []);
}

#[test]
fn our_advert_waits_for_our_connects_under_way_for_a_bounded_time() {
    let mut h = Harness::new("m", &["b", "c"]);
    h.open_as_offerer("b");
    h.connect("c");
    let before = h.mesh_out.len();
    let mut delays = 0;
    while h.mesh_out.len() == before {
        let timer = h.core.advert_at.expect("armed while our links changed");
        h.fire(timer);
        delays += 1;
    }
    assert_eq!(delays, 21, "the first delay, then 20 more while c connects");
    assert_eq!(sent_since(&h, before), [("b".to_owned(), "advert of m v1".to_owned())]);

    // A connect that ends within the wait: advertised at the next delay.
    let mut h = Harness::new("m", &["b", "c"]);
    h.open_as_offerer("b");
    h.connect("c");
    h.fire(h.core.advert_at.expect("armed"));
    let key = h.key("c");
    h.apply(Input::Outbound { key: key.clone(), step: offer() });
    h.remote("c", key.session, Step::Answer { sdp: "answer".into() });
    h.apply(Input::ChannelOpen { key });
    let before = h.mesh_out.len();
    h.fire(h.core.advert_at.expect("armed"));
    let adverts: Vec<(String, String)> =
        sent_since(&h, before).into_iter().filter(|(_, what)| what.starts_with("advert")).collect();
    assert_eq!(
        adverts,
        [
            ("b".to_owned(), "advert of m v1".to_owned()),
            ("c".to_owned(), "advert of m v1".to_owned())
        ]
    );
}

#[test]
fn a_new_neighbour_gets_only_the_adverts_it_lacks() {
    let mut h = Harness::new("m", &["b", "c", "d", "e"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Mesh { key: b.clone(), frame: advert("d", 3, &["b"]) });
    h.apply(Input::Mesh { key: b, frame: advert("e", 2, &["b"]) });
    let before = h.mesh_out.len();
    let c = h.open_as_offerer("c");
    assert_eq!(
        sent_since(&h, before),
        [("c".to_owned(), "digest of 3".to_owned())],
        "ours and the two held"
    );
    let before = h.mesh_out.len();
    let held = vec![(id("c"), 4), (id("d"), 3), (id("e"), 1)];
    h.apply(Input::Mesh { key: c.clone(), frame: MeshFrame::Digest(held.clone()) });
    assert_eq!(sent_since(&h, before), [("c".to_owned(), "advert of e v2".to_owned())]);
    let before = h.mesh_out.len();
    h.apply(Input::Mesh { key: c, frame: MeshFrame::Digest(held) });
    assert_eq!(sent_since(&h, before), [], "one digest per channel is answered");
}

#[test]
fn our_links_are_advertised_once_after_a_burst_of_changes() {
    let mut h = Harness::new("m", &["b", "c"]);
    h.open_as_offerer("b");
    h.open_as_offerer("c");
    let timer = h.core.advert_at.expect("armed by the first change");
    let before = h.mesh_out.len();
    h.fire(timer);
    let sent = sent_since(&h, before);
    assert_eq!(
        sent,
        [("b".into(), "advert of m v1".into()), ("c".into(), "advert of m v1".into())]
    );
}

#[test]
fn with_the_server_gone_a_peer_out_of_the_meshs_reach_leaves_and_one_in_it_joins() {
    let mut h = Harness::new("m", &["b", "c"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Mesh { key: b.clone(), frame: advert("b", 1, &["m", "c"]) });
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    // b now also reaches x, whom the server never told us of; and no longer c.
    h.apply(Input::Mesh { key: b.clone(), frame: advert("x", 1, &["b"]) });
    h.apply(Input::Mesh { key: b, frame: advert("b", 2, &["m", "x"]) });
    assert_eq!(h.log()[1..], ["reconnecting", "left c", "joined x"]);
    let names: Vec<String> = h.core.roster().iter().map(|peer| peer.id.to_string()).collect();
    assert_eq!(names, ["b", "x"]);
}

#[test]
fn with_the_server_gone_a_signal_takes_a_route_and_keeps_it() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Mesh { key: b.clone(), frame: advert("b", 1, &["m", "c"]) });
    h.apply(Input::Mesh { key: b.clone(), frame: advert("c", 1, &["b", "d"]) });
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    let call = h.connect("d");
    assert_eq!(h.result(call), None, "not refused: the mesh leads there");
    let d = h.key("d");
    h.apply(Input::Outbound { key: d.clone(), step: offer() });
    let candidate =
        Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None };
    h.apply(Input::Outbound { key: d, step: candidate });
    let routes: Vec<Vec<PeerId>> =
        h.core.mesh.pinned.iter().map(|(_, route)| route.clone()).collect();
    assert_eq!(routes, [vec![id("b"), id("c"), id("d")]]);
    assert_eq!(h.relays.len(), 2);
    assert!(h.relays.iter().all(|(hop, to, _)| *hop == b && *to == id("d")));
    assert!(h.sent.iter().all(|(to, _)| *to != id("d")), "nothing through the dead server");
}

#[test]
fn a_relay_for_us_is_checked_and_answered_the_way_it_came() {
    // d has a key of its own (its id is that key's); without one its signals are dropped.
    let d = harness::signing_peer();
    let mut h = Harness::with_roster(keyed("m"), vec![info("b"), d.clone()]);
    let b = h.open_as_offerer("b");
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    let relayed = Relayed {
        from: d.id.clone(),
        to: id("m"),
        route: vec![id("c"), id("b"), id("m")],
        signal: Signal::new(SessionId(9), offer()),
    };
    h.apply(Input::Mesh { key: b.clone(), frame: MeshFrame::Relay(relayed) });
    assert_eq!(h.verifies.len(), 1, "handed over for its signature check");
    let (from, signal, _, via) = h.verifies.remove(0);
    assert_eq!(via, Some(b.clone()));
    // It checked out: the offer, then our answer goes back by b and c, though no advert
    // told us of that way.
    h.apply(Input::Checked { from, signal, via, verdict: Verdict::Good });
    let key = h.key(d.id.as_str());
    h.apply(Input::Outbound { key, step: Step::Answer { sdp: "a".into() } });
    assert_eq!(
        h.relays.last().map(|(hop, to, _)| (hop.clone(), to.clone())),
        Some((b, d.id.clone()))
    );
    let routes: Vec<Vec<PeerId>> =
        h.core.mesh.pinned.iter().map(|(_, route)| route.clone()).collect();
    assert_eq!(routes, [vec![id("b"), id("c"), d.id]]);
}

#[test]
fn a_relay_is_passed_to_the_next_peer_on_its_route_or_dropped() {
    let mut h = Harness::new("m", &["b", "c"]);
    let b = h.open_as_offerer("b");
    h.open_as_offerer("c");
    let relay = |route: &[&str]| Relayed {
        from: id("b"),
        to: id("z"),
        route: route.iter().map(|hop| id(hop)).collect(),
        signal: Signal::new(SessionId(1), offer()),
    };
    let before = h.mesh_out.len();
    h.apply(Input::Mesh { key: b.clone(), frame: MeshFrame::Relay(relay(&["m", "c", "z"])) });
    assert_eq!(sent_since(&h, before), [("c".to_owned(), "relay b->z".to_owned())]);
    h.apply(Input::Mesh { key: b.clone(), frame: MeshFrame::Relay(relay(&["m", "y", "z"])) });
    h.apply(Input::Mesh { key: b, frame: MeshFrame::Relay(relay(&["c", "z"])) });
    assert_eq!(h.mesh_out.len(), before + 1, "no channel to y; not on the second route");
}

#[test]
fn a_broadcast_is_delivered_once_and_passed_on_while_it_has_hops() {
    let mut h = Harness::new("m", &["b", "c", "o"]);
    let b = h.open_as_offerer("b");
    let c = h.open_as_offerer("c");
    h.open_as_offerer("o");
    let broadcast = |ttl| MeshFrame::Broadcast { origin: id("o"), seq: 1, ttl, message: "hi" };
    let before = h.mesh_out.len();
    h.apply(Input::Mesh { key: b, frame: broadcast(3) });
    h.apply(Input::Mesh { key: c.clone(), frame: broadcast(3) });
    assert_eq!(
        sent_since(&h, before),
        [("c".to_owned(), "o ttl 2: hi".to_owned())],
        "not back, not to its origin"
    );
    assert_eq!(h.log().iter().filter(|line| *line == "o to all: hi").count(), 1);
    let last = MeshFrame::Broadcast { origin: id("o"), seq: 2, ttl: 1, message: "last hop" };
    h.apply(Input::Mesh { key: c, frame: last });
    assert_eq!(h.mesh_out.len(), before + 1, "its last hop was to us");
}

#[test]
fn a_neighbour_that_hands_us_a_forgery_or_floods_is_disconnected_with_the_reason() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    let b = h.open_as_offerer("b");
    let forged = Signal::new(SessionId(9), offer());
    let via = Some(b.clone());
    h.apply(Input::Checked { from: id("d"), signal: forged, via, verdict: Verdict::Forged });
    h.apply(Input::ChannelClosed { key: b });
    let c = h.open_as_offerer("c");
    for version in 0..=gossip::CONTROL_BUDGET {
        h.apply(Input::Mesh { key: c.clone(), frame: advert("x", version + 1, &[]) });
    }
    h.apply(Input::ChannelClosed { key: c });
    let reasons: Vec<String> = h
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Disconnected { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons[0].contains("forged or altered"), "{}", reasons[0]);
    assert!(reasons[1].contains("more than 2000 mesh control messages"), "{}", reasons[1]);
}

#[test]
fn an_offer_stranded_with_the_dead_server_is_made_again_through_the_mesh() {
    let mut h = Harness::new("m", &["b", "d"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Mesh { key: b.clone(), frame: advert("b", 1, &["m", "d"]) });
    let call = h.connect("d");
    let first = h.key("d");
    h.apply(Input::Outbound { key: first.clone(), step: offer() });
    assert!(h.sent.iter().any(|(to, _)| *to == id("d")), "the first offer went to the server");
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    assert_eq!(h.result(call), None, "the call waits for the new attempt");
    let second = h.key("d");
    assert_ne!(second, first, "a new connection, with a new session");
    assert!(h.released.contains(&first));
    h.apply(Input::Outbound { key: second.clone(), step: offer() });
    assert_eq!(h.relays.last().map(|(hop, to, _)| (hop.clone(), to.clone())), Some((b, id("d"))));
    h.remote("d", second.session, Step::Answer { sdp: "a".into() });
    h.apply(Input::ChannelOpen { key: second });
    assert_eq!(h.result(call), Some(&Ok(())));
}
