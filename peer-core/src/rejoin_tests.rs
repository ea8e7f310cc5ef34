//! Losing the signaling server and coming back as the same peer, driven by hand.

use super::harness::{Harness, id, info};
use super::*;
use signaling_protocol::ErrorCode;

/// The wait the machine armed for its next rejoin attempt, in ms.
fn next_wait(h: &Harness) -> Option<Instant> {
    match h.core.signaling {
        Signaling::Reconnecting { wait, .. } => wait,
        _ => None,
    }
}

#[test]
fn a_dropped_server_is_rejoined_and_channels_never_notice() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::SignalingClosed { reason: "server gone".into() });
    assert_eq!(h.log(), ["+b", "reconnecting"]);
    assert_eq!(h.connected(), ["b"], "channels need no server");
    assert_eq!(h.rejoins, 0, "first the backoff");
    h.fire(next_wait(&h).expect("a wait is armed"));
    assert_eq!(h.rejoins, 1);
    // The restarted server knows only who came back so far: c, and a newcomer e. b (our
    // channel) and d (no channel) have not rejoined yet.
    h.apply(Input::Rejoined { roster: vec![info("c"), info("e")] });
    assert_eq!(h.log(), ["+b", "reconnecting", "left d", "joined e", "reconnected"]);
    assert_eq!(h.connected(), ["b"]);
    let ids: Vec<String> = h.core.roster().iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids, ["b", "c", "e"], "b stays: its channel works");
    // b comes back: nothing to report, it never left for us.
    h.apply(Input::PeerJoined(info("b")));
    assert_eq!(h.log().len(), 5);
    h.apply(Input::Received { key: b, message: "hi" });
    assert_eq!(h.log().last().map(String::as_str), Some("b: hi"));
}

#[test]
fn failed_attempts_back_off_up_to_the_maximum() {
    let mut h = Harness::new("m", &[]);
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    let mut waits = Vec::new();
    for _ in 0..8 {
        let timer = next_wait(&h).expect("armed");
        h.fire(timer);
        h.apply(Input::SignalingClosed { reason: "still gone".into() });
        waits.push(timer);
    }
    assert_eq!(h.rejoins, 8);
    assert_eq!(h.log(), ["reconnecting"], "one report for the whole outage");
    let failures = match h.core.signaling {
        Signaling::Reconnecting { failures, .. } => failures,
        _ => panic!(),
    };
    assert_eq!(failures, 8);
}

#[test]
fn backoff_waits_double_within_their_bounds_and_are_jittered() {
    let mut h = Harness::new("m", &[]);
    let backoff = Backoff::default();
    let waits: Vec<u32> = (0..10).map(|failures| h.core.backoff_wait(backoff, failures)).collect();
    for (failures, wait) in waits.iter().enumerate() {
        let ceiling = (backoff.min_ms << failures).min(backoff.max_ms);
        assert!((ceiling / 2..=ceiling).contains(wait), "{failures}: {wait} of {ceiling}");
    }
    let again: Vec<u32> = (0..10).map(|_| h.core.backoff_wait(backoff, 9)).collect();
    assert!(again.windows(2).any(|pair| pair[0] != pair[1]), "jittered: {again:?}");
}

#[test]
fn connect_while_reconnecting_says_so_and_a_refused_rejoin_ends_signaling() {
    let mut h = Harness::new("m", &["b"]);
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    let call = h.connect("b");
    assert_eq!(h.result(call), Some(&Err(CoreError::SignalingReconnecting)));
    h.fire(next_wait(&h).expect("armed"));
    h.apply(Input::SignalingOver { reason: "invalid_resume".into() });
    assert_eq!(h.log(), ["reconnecting", "signaling closed"]);
    let call = h.connect("b");
    assert_eq!(h.result(call), Some(&Err(CoreError::SignalingClosed)));
    assert!(h.timers().is_empty());
}

#[test]
fn close_while_reconnecting_stops_rejoining() {
    let mut h = Harness::new("m", &["b"]);
    h.open_as_offerer("b");
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    h.apply(Input::Close);
    assert!(h.timers().is_empty(), "no rejoin, no heartbeat");
    h.apply(Input::Rejoined { roster: vec![info("b")] });
    assert_eq!(h.log(), ["+b", "reconnecting", "-b"]);
}

#[test]
fn without_backoff_a_dropped_server_ends_signaling() {
    let mut h = Harness::new("m", &["b"]);
    h.core.backoff = None;
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    assert_eq!(h.log(), ["signaling closed"]);
    assert!(h.timers().is_empty());
}

#[test]
fn an_identity_resumed_elsewhere_is_not_taken_back() {
    let mut h = Harness::new("m", &["b"]);
    h.open_as_offerer("b");
    h.apply(Input::SignalingOver { reason: "resumed on another connection".into() });
    assert_eq!(h.log(), ["+b", "signaling closed"]);
    assert_eq!(h.rejoins, 0);
    assert_eq!(h.connected(), ["b"], "the channel goes on");
    assert_eq!(h.phase_timers(), Vec::<Instant>::new());
}

#[test]
fn a_full_or_busy_server_is_tried_again_and_a_refusal_that_would_repeat_ends_signaling() {
    let mut h = Harness::new("m", &["b"]);
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    for (failure, error) in [
        (RejoinFailure::Unreachable, "the server cannot be reached"),
        (RejoinFailure::Refused(ErrorCode::RoomFull), "the room is full"),
        (RejoinFailure::Refused(ErrorCode::Unavailable), "try again later"),
    ] {
        h.fire(next_wait(&h).expect("armed"));
        h.apply(Input::RejoinFailed { failure, error: error.into() });
        assert!(next_wait(&h).is_some(), "{failure:?}: tried again later");
    }
    assert_eq!(h.log(), ["reconnecting"]);
    h.fire(next_wait(&h).expect("armed"));
    let failure = RejoinFailure::Refused(ErrorCode::InvalidKey);
    h.apply(Input::RejoinFailed { failure, error: "the server refused: bad key".into() });
    assert_eq!(h.log(), ["reconnecting", "signaling closed"]);
    let Some(Event::SignalingClosed { reason }) = h.events.last() else { panic!("closed") };
    assert_eq!(reason, "could not rejoin the room: the server refused: bad key");
    assert!(h.timers().is_empty());
}

#[test]
fn a_peer_the_mesh_stopped_reaching_while_the_server_was_back_stays_when_it_goes_again() {
    let mut h = Harness::new("m", &["b", "c"]);
    let b = h.open_as_offerer("b");
    let advert = |version, links: &[&str]| {
        let links = links.iter().map(|link| id(link)).collect();
        MeshFrame::Advert(Advert { origin: info("b"), version, links })
    };
    h.apply(Input::Mesh { key: b.clone(), frame: advert(1, &["m", "c"]) });
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    h.fire(next_wait(&h).expect("a wait is armed"));
    h.apply(Input::Rejoined { roster: vec![info("b"), info("c")] });
    // With the server back, b's channel to c closes: c's presence is the server's word.
    h.apply(Input::Mesh { key: b, frame: advert(2, &["m"]) });
    h.apply(Input::SignalingClosed { reason: "gone again".into() });
    assert_eq!(h.log(), ["+b", "reconnecting", "reconnected", "reconnecting"]);
    let ids: Vec<String> = h.core.roster().iter().map(|p| p.id.to_string()).collect();
    assert_eq!(ids, ["b", "c"], "c stays as the server last said");
}
