//! ICE restart, driven by hand: a failed path is restored on the same connection by the
//! larger id, the channel counts as connected throughout, and the link ends with its
//! reason only when the restarts give up.

use super::harness::{Harness, id};
use super::*;
use signaling_protocol::Step;

fn restart_offer() -> Step {
    Step::Restart { sdp: "restart".into() }
}

fn answer() -> Step {
    Step::Answer { sdp: "answer".into() }
}

/// The machine's one armed timer.
fn only_timer(h: &Harness) -> Instant {
    assert_eq!(h.phase_timers().len(), 1, "one timer: {:?}", h.phase_timers());
    h.phase_timers()[0]
}

#[test]
fn a_failed_path_is_restored_on_the_same_connection_by_the_larger_id() {
    // "m" > "b": m restarts.
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Down });
    assert_eq!(h.connected(), ["b"], "a quiet path still counts as connected");
    assert!(h.restarted.is_empty(), "first a grace time: the path may come back");
    h.fire(only_timer(&h));
    assert_eq!(h.restarted, std::slice::from_ref(&b), "the same connection restarts ICE");
    h.apply(Input::Outbound { key: b.clone(), step: restart_offer() });
    let sent = Signal::new(b.session, restart_offer());
    assert_eq!(h.sent.last(), Some(&(id("b"), sent)), "in the same session");
    h.remote("b", b.session, answer());
    assert_eq!(h.applied.last(), Some(&(b.clone(), answer())));
    h.apply(Input::Received { key: b.clone(), message: "sent during the outage" });
    h.apply(Input::Path { key: b.clone(), state: PathState::Up });
    assert_eq!(h.connected(), ["b"]);
    assert_eq!(h.started, std::slice::from_ref(&b), "no new connection");
    assert!(h.released.is_empty());
    assert_eq!(h.log(), ["+b", "b: sent during the outage"], "no Disconnected");
    assert!(h.phase_timers().is_empty(), "the retry timer is gone once the path is back");
}

#[test]
fn the_smaller_id_answers_the_restart_and_never_offers_one() {
    // "m" < "z": z restarts, m answers.
    let mut h = Harness::new("m", &["z"]);
    let z = h.open_as_offerer("z");
    h.apply(Input::Path { key: z.clone(), state: PathState::Failed });
    assert!(h.restarted.is_empty());
    assert_eq!(h.connected(), ["z"]);
    h.remote("z", z.session, restart_offer());
    assert_eq!(h.applied.last(), Some(&(z.clone(), restart_offer())));
    h.apply(Input::Outbound { key: z.clone(), step: answer() });
    assert_eq!(h.sent.last(), Some(&(id("z"), Signal::new(z.session, answer()))));
    h.apply(Input::Path { key: z, state: PathState::Up });
    assert!(h.phase_timers().is_empty());
    assert_eq!(h.log(), ["+z"]);
}

#[test]
fn a_restart_offer_from_the_smaller_id_or_a_stray_answer_never_reaches_the_connection() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    let applied = h.applied.len();
    // b < m: b is not the side that restarts (two restarting sides would collide).
    h.remote("b", b.session, restart_offer());
    // No restart offer of ours waits for an answer: applying one would break the
    // connection ("called in wrong state: stable").
    h.remote("b", b.session, answer());
    assert_eq!(h.applied.len(), applied);
    assert_eq!(h.connected(), ["b"]);
}

#[test]
fn a_path_that_comes_back_within_the_grace_time_is_not_restarted() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Down });
    h.apply(Input::Path { key: b, state: PathState::Up });
    assert!(h.phase_timers().is_empty(), "the grace timer is cancelled");
    assert!(h.restarted.is_empty());
}

#[test]
fn the_restarter_offers_again_each_period_but_never_over_an_unanswered_offer() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    assert_eq!(h.restarted.len(), 1);
    h.fire(only_timer(&h));
    assert_eq!(h.restarted.len(), 1, "the first offer is not answered yet");
    h.remote("b", b.session, answer());
    h.fire(only_timer(&h));
    assert_eq!(h.restarted.len(), 2, "answered, still no path: a new restart");
}

#[test]
fn restarts_give_up_after_a_bounded_time_with_the_reason() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    let periods = RESTART_GIVE_UP_MS / RESTART_RETRY_MS;
    for _ in 0..periods {
        assert_eq!(h.connected(), ["b"]);
        h.remote("b", b.session, answer());
        h.fire(only_timer(&h));
    }
    assert!(h.connected().is_empty());
    assert!(h.phase_timers().is_empty());
    assert_eq!(h.released, std::slice::from_ref(&b));
    assert!(h.bye_sent("b", b.session));
    let Some(Event::Disconnected { reason, .. }) = h.events.last() else {
        panic!("no Disconnected: {:?}", h.log())
    };
    assert!(reason.contains("ICE restarts did not restore it within 30 s"), "{reason}");
}

#[test]
fn disconnect_during_a_restart_ends_the_link_at_once_and_tells_the_remote() {
    let mut h = Harness::new("m", &["z"]);
    let z = h.open_as_offerer("z");
    h.apply(Input::Path { key: z.clone(), state: PathState::Failed });
    let call = h.disconnect("z");
    assert_eq!(h.result(call), Some(&Ok(())), "nothing can drain through a dead path");
    assert!(h.bye_sent("z", z.session));
    assert!(h.phase_timers().is_empty());
    let Some(Event::Disconnected { reason, .. }) = h.events.last() else { panic!() };
    assert_eq!(reason, "disconnect was called");
    // The remote, told by its bye, ends its side too.
    let mut remote = Harness::new("z", &["m"]);
    let m = remote.open_as_offerer("m");
    remote.apply(Input::Path { key: m.clone(), state: PathState::Failed });
    remote.remote("m", m.session, Step::Bye { reason: None });
    assert!(remote.connected().is_empty());
    assert!(remote.phase_timers().is_empty());
}

#[test]
fn an_ice_failure_before_the_channel_opened_fails_the_connect_unless_ice_recovers() {
    let mut h = Harness::new("m", &["b"]);
    let call = h.connect("b");
    let b = h.key("b");
    h.apply(Input::Path { key: b, state: PathState::Failed });
    assert_eq!(h.result(call), None, "late candidates may still bring a path");
    h.fire(only_timer(&h));
    assert_eq!(h.connect_failure(call), "ICE failed");
    assert!(h.restarted.is_empty());
    assert!(h.phase_timers().is_empty());
}

#[test]
fn ice_that_recovers_from_failed_while_connecting_goes_on_to_open() {
    let mut h = Harness::new("m", &["b"]);
    let (call, b) = h.answered("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    h.apply(Input::Path { key: b.clone(), state: PathState::Up });
    // The short wait runs out as a deadline that saw progress: a full one follows.
    h.fire(only_timer(&h));
    assert_eq!(h.result(call), None);
    h.apply(Input::ChannelOpen { key: b });
    assert_eq!(h.result(call), Some(&Ok(())));
    assert!(h.phase_timers().is_empty());
}

#[test]
fn a_restart_offer_lost_with_the_signaling_connection_is_offered_again_after_the_rejoin() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::Path { key: b.clone(), state: PathState::Failed });
    assert_eq!(h.restarted.len(), 1);
    // The socket that carried it dies (a router rebooted): the offer may be lost.
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    let Signaling::Reconnecting { wait: Some(rejoin), .. } = h.core.signaling else {
        panic!("no rejoin scheduled: {:?}", h.core.signaling)
    };
    h.fire(rejoin);
    assert_eq!(h.rejoins, 1);
    h.apply(Input::Rejoined { roster: vec![super::harness::info("b")] });
    assert_eq!(h.restarted, [b.clone(), b.clone()], "offered again at once, in the same session");
    assert_eq!(h.connected(), ["b"]);
    h.remote("b", b.session, answer());
    assert_eq!(h.applied.last(), Some(&(b, answer())), "and its answer is taken");
}
