//! The relay fallback, driven by hand: a connect with no path after its fallback time, or
//! whose ICE fails, restarts ICE through the TURN relay only, on the same connection, and
//! fails saying what was tried only when the relay fails too.

use super::harness::{Harness, id};
use super::link::Fallback;
use super::*;
use signaling_protocol::Step;

fn restart_offer() -> Step {
    Step::Restart { sdp: "relay restart".into() }
}

fn answer() -> Step {
    Step::Answer { sdp: "answer".into() }
}

/// Peer `me` with TURN servers configured (so a connect may fall back).
fn with_relay(me: &str, others: &[&str]) -> Harness {
    let mut h = Harness::new(me, others);
    h.core.set_relay_fallback(true);
    h
}

/// The armed fallback timer of the link to `peer`.
fn fallback_timer(h: &Harness, peer: &str) -> Instant {
    match h.core.link(&id(peer)).map(|link| link.fallback) {
        Some(Fallback::Armed { at }) => at,
        other => panic!("no fallback armed for {peer}: {other:?}"),
    }
}

#[test]
fn a_connect_with_no_path_in_time_restarts_through_the_relay_only_and_connects() {
    // "m" > "b": m is the side that restarts.
    let mut h = with_relay("m", &["b"]);
    let (call, b) = h.answered("b");
    h.fire(fallback_timer(&h, "b"));
    assert_eq!(h.relay_only, [b.clone(), b.clone()], "relayed candidates only, then a restart");
    assert_eq!(h.restarted, std::slice::from_ref(&b), "the same connection restarts ICE");
    h.apply(Input::Outbound { key: b.clone(), step: restart_offer() });
    let sent = Signal::new(b.session, restart_offer());
    assert_eq!(h.sent.last(), Some(&(id("b"), sent)), "in the same session");
    h.remote("b", b.session, answer());
    assert_eq!(h.applied.last(), Some(&(b.clone(), answer())), "the restart's answer applied");
    h.apply(Input::Path { key: b.clone(), state: PathState::Up });
    h.apply(Input::ChannelOpen { key: b.clone() });
    assert_eq!(h.result(call), Some(&Ok(())));
    assert_eq!(h.started, std::slice::from_ref(&b), "no new connection");
    assert_eq!(h.log(), ["+b"]);
    assert!(h.phase_timers().is_empty(), "every timer of the connect is gone");
}

#[test]
fn an_ice_failure_falls_back_at_once_and_a_relay_failure_says_what_was_tried() {
    let mut h = with_relay("m", &["b"]);
    let (call, b) = h.answered("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    assert_eq!(h.restarted, std::slice::from_ref(&b), "no waiting for the fallback time");
    assert_eq!(h.result(call), None, "the connect goes on");
    // What ICE said of the old candidates, reported before the relay restart applied.
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    assert_eq!(h.result(call), None, "the old candidates' verdict does not count");
    h.remote("b", b.session, answer());
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    assert_eq!(h.result(call), None, "a short wait: ICE may still recover");
    assert_eq!(h.phase_timers().len(), 1);
    h.fire(h.phase_timers()[0]);
    assert_eq!(
        h.connect_failure(call),
        "ICE failed on all paths, then through the relay: ICE failed"
    );
    assert!(h.bye_sent("b", b.session));
    assert_eq!(h.released, [b]);
    assert!(h.phase_timers().is_empty());
}

#[test]
fn the_smaller_id_goes_relay_only_and_answers_the_restart() {
    // "m" < "z": z restarts, m answers.
    let mut h = with_relay("m", &["z"]);
    let (call, z) = h.answered("z");
    h.fire(fallback_timer(&h, "z"));
    assert_eq!(h.relay_only, std::slice::from_ref(&z));
    assert!(h.restarted.is_empty(), "the larger id offers the restart");
    h.remote("z", z.session, restart_offer());
    assert_eq!(h.applied.last(), Some(&(z.clone(), restart_offer())));
    h.apply(Input::Outbound { key: z.clone(), step: answer() });
    assert_eq!(h.sent.last(), Some(&(id("z"), Signal::new(z.session, answer()))));
    h.apply(Input::Path { key: z.clone(), state: PathState::Failed });
    h.fire(h.phase_timers()[0]);
    let failure = h.connect_failure(call);
    assert!(failure.starts_with("ICE failed on all paths, then through the relay"), "{failure}");
}

#[test]
fn a_restart_from_the_remote_before_our_own_fallback_time_switches_us_too() {
    let mut h = with_relay("m", &["z"]);
    let (_, z) = h.answered("z");
    h.remote("z", z.session, restart_offer());
    assert_eq!(h.relay_only, std::slice::from_ref(&z), "relayed candidates for its restart");
    assert_eq!(h.applied.last(), Some(&(z.clone(), restart_offer())));
    assert_eq!(h.phase_timers().len(), 1, "our own fallback timer is cancelled");
    h.apply(Input::ChannelOpen { key: z });
    assert_eq!(h.log(), ["+z"]);
    assert!(h.phase_timers().is_empty());
}

#[test]
fn without_a_relay_a_remote_restart_is_answered_with_our_candidates_as_they_are() {
    let mut h = Harness::new("m", &["z"]);
    let (_, z) = h.answered("z");
    h.remote("z", z.session, restart_offer());
    assert_eq!(h.applied.last(), Some(&(z, restart_offer())));
    assert!(h.relay_only.is_empty(), "no TURN server of ours: no candidates at all");
}

#[test]
fn no_restart_goes_over_an_unanswered_offer() {
    let mut h = with_relay("m", &["b"]);
    let call = h.connect("b");
    let b = h.key("b");
    h.apply(Input::Outbound { key: b.clone(), step: super::harness::offer() });
    h.fire(fallback_timer(&h, "b"));
    assert!(h.restarted.is_empty() && h.relay_only.is_empty(), "the answer may bring a path");
    h.remote("b", b.session, answer());
    h.fire(fallback_timer(&h, "b"));
    assert_eq!(h.restarted, [b]);
    assert_eq!(h.result(call), None);
}

#[test]
fn a_path_that_comes_up_in_time_is_never_relayed() {
    let mut h = with_relay("m", &["b"]);
    let (_, b) = h.answered("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Up });
    assert_eq!(h.phase_timers().len(), 1, "only the open deadline is left");
    h.apply(Input::ChannelOpen { key: b });
    assert!(h.phase_timers().is_empty());
    assert!(h.restarted.is_empty() && h.relay_only.is_empty());
}

#[test]
fn a_relayed_link_restarts_through_the_relay_when_its_path_fails_later() {
    let mut h = with_relay("m", &["b"]);
    let (_, b) = h.answered("b");
    h.fire(fallback_timer(&h, "b"));
    h.remote("b", b.session, answer());
    h.apply(Input::ChannelOpen { key: b.clone() });
    h.relay_only.clear();
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    assert_eq!(h.relay_only, [b], "the direct paths failed once already");
}

#[test]
fn the_open_deadline_after_a_fallback_says_the_relay_was_tried() {
    let mut h = with_relay("m", &["b"]);
    let (call, b) = h.answered("b");
    h.fire(fallback_timer(&h, "b"));
    let deadline = match h.core.link(&b.peer).map(|link| link.phase) {
        Some(Phase::Connecting { deadline }) => deadline,
        other => panic!("{other:?}"),
    };
    // The restart offer counts as progress once (the deadline is extended for it).
    h.fire(deadline);
    let deadline = h.core.link(&b.peer).and_then(|link| link.phase.deadline());
    if let Some(deadline) = deadline {
        h.fire(deadline);
    }
    let failure = h.connect_failure(call);
    assert!(
        failure.starts_with("ICE found no path, then through the relay: no data channel within"),
        "{failure}"
    );
    assert!(h.phase_timers().is_empty());
}
