//! What each deadline of a connect does when it comes, driven by hand (`timeouts.rs`,
//! `lifecycle.rs`).

use super::harness::Harness;
use super::*;

/// Every deadline and linger timer ends with its phase.
#[test]
fn every_timer_is_cancelled_when_its_phase_ends() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    h.open_as_offerer("b");
    assert!(h.phase_timers().is_empty(), "open: the deadline is gone");
    h.connect("c");
    assert_eq!(h.phase_timers().len(), 1);
    h.disconnect("c");
    assert!(h.phase_timers().is_empty(), "a connect called off: its deadline is gone");
    let d = h.open_as_offerer("d");
    h.disconnect("d");
    h.apply(Input::ChannelClosing { key: d.clone() });
    assert_eq!(h.phase_timers().len(), 1, "the linger timer");
    h.apply(Input::ChannelClosed { key: d });
    assert!(h.phase_timers().is_empty(), "closed in time: the linger timer is gone");
    h.connect("c");
    h.apply(Input::Close);
    assert!(h.phase_timers().is_empty());
}

#[test]
fn a_connection_that_never_opens_fails_at_its_deadline_and_says_bye() {
    let mut h = Harness::new("m", &["b"]);
    let call = h.connect("b");
    let key = h.key("b");
    let deadline = h.phase_timers()[0];
    h.fire(deadline);
    let reason = h.connect_failure(call);
    assert!(reason.contains("15 s"), "{reason}");
    assert!(h.bye_sent("b", key.session));
    assert_eq!(h.released, [key]);
}

#[test]
fn a_deadline_that_comes_during_progress_is_extended_a_bounded_number_of_times() {
    let mut h = Harness::new("m", &["b"]);
    let (call, key) = h.answered("b");
    let mut deadlines = Vec::new();
    for _ in 0..10 {
        let deadline = h.phase_timers()[0];
        deadlines.push(deadline);
        // Progress, then the deadline: another one, up to the bound.
        h.apply(Input::Path { key: key.clone(), state: PathState::Down });
        h.fire(deadline);
        if h.result(call).is_some() {
            break;
        }
    }
    assert_eq!(deadlines.len(), 1 + usize::from(OPEN_DEADLINE_EXTENSIONS));
    let reason = h.connect_failure(call);
    assert!(reason.ends_with("no data channel within 60 s"), "{reason}");
}

#[test]
fn a_deadline_that_comes_with_no_progress_since_the_last_ends_the_attempt() {
    let mut h = Harness::new("m", &["b"]);
    let (call, _) = h.answered("b");
    h.fire(h.phase_timers()[0]);
    assert_eq!(h.result(call), None, "the answer came meanwhile");
    h.fire(h.phase_timers()[0]);
    let reason = h.connect_failure(call);
    assert!(reason.ends_with("no data channel within 30 s"), "{reason}");
}

#[test]
fn a_connection_refused_by_its_turn_server_says_so_when_it_gives_up() {
    let mut h = Harness::new("m", &["b"]);
    let call = h.connect("b");
    let key = h.key("b");
    let detail = "turn:127.0.0.1:3478 answered 401 Unauthorized".to_owned();
    h.apply(Input::IceServerError { key: key.clone(), detail });
    assert_eq!(h.result(call), None, "an ICE server error alone is not fatal");
    let deadline = h.phase_timers()[0];
    h.fire(deadline);
    let reason = h.connect_failure(call);
    assert_eq!(
        reason,
        "no data channel within 15 s (an ICE server refused us: \
         turn:127.0.0.1:3478 answered 401 Unauthorized)"
    );
}

#[test]
fn a_released_connection_lingers_three_seconds_plus_its_queue_at_one_megabyte_a_second() {
    assert_eq!(crate::release_linger_ms(0), 3_000);
    assert_eq!(crate::release_linger_ms(2_000_000), 5_000);
    assert_eq!(crate::release_linger_ms(u64::MAX), u64::MAX / 1000 + 3_000);
}
