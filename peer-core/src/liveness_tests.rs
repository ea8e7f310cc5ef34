//! Is the remote still there: silent remotes, driven by hand (`liveness.rs`).

use super::harness::{Harness, info};
use super::*;

/// A remote the server reports left keeps its open channel (its socket may only have
/// dropped), and is found dead when the channel falls silent; `PeerLeft` comes before
/// `Disconnected`.
#[test]
fn a_peer_the_server_says_left_keeps_its_channel_until_the_channel_falls_silent() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.apply(Input::PeerLeft(info("b")));
    assert_eq!(h.connected(), ["b"], "the server's view does not end a working channel");
    h.apply(Input::Received { key: b.clone(), message: "still here" });
    assert_eq!(h.log(), ["+b", "b: still here"]);
    // Then it crashed: nothing more comes. A few heartbeat periods later it is dead.
    for _ in 0..=SILENT_PERIODS {
        h.heartbeat_period();
    }
    assert_eq!(h.log(), ["+b", "b: still here", "-b", "left b"]);
    let Some(Event::Disconnected { reason, .. }) = h.events.get(2) else { panic!() };
    assert!(reason.starts_with("the peer stopped answering"), "{reason}");
    assert!(h.core.roster().is_empty());
    assert!(h.timers().is_empty(), "no channel left: the heartbeat stops too");
    assert_eq!(h.released, [b]);
}

/// While the server still has the remote in the room, silence is the path's problem
/// (ICE restart's), not a death; heartbeats go out every period.
#[test]
fn a_silent_peer_the_server_still_has_is_kept() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    for _ in 0..10 {
        h.heartbeat_period();
    }
    assert_eq!(h.connected(), ["b"]);
    assert_eq!(h.heartbeats.len(), 10);
    assert!(h.heartbeats.iter().all(|key| *key == b));
}

/// With the server down nobody vouches for a silent remote: dead after the silence.
/// A remote heard from in time is kept.
#[test]
fn with_signaling_down_a_silent_peer_is_dead_and_a_heard_one_is_kept() {
    let mut h = Harness::new("m", &["b", "c"]);
    let (b, c) = (h.open_as_offerer("b"), h.open_as_offerer("c"));
    h.apply(Input::SignalingClosed { reason: "server gone".into() });
    for _ in 0..=SILENT_PERIODS {
        h.apply(Input::Heard { key: c.clone() });
        h.heartbeat_period();
    }
    assert_eq!(h.connected(), ["c"]);
    assert_eq!(h.released, [b]);
}
