//! Several peers' machines in one simulated room (`sim/`): connecting, offers crossing,
//! ICE restarts, signaling going and coming back, signals through the mesh, silent
//! remotes and files (whole, stalled, cancelled), with the time each took checked against
//! simulated time.

mod sim;

use peer_core::files::{Direction, STALL_MS};
use sim::{BYTES_PER_MS, LATENCY_MS, OPEN_DELAY_MS, Sim};

/// Whether `call` of `name` returned `Ok`.
fn ok(sim: &Sim, name: &str, call: peer_core::CallId) -> bool {
    matches!(sim.result(name, call), Some(Ok(())))
}

#[test]
fn two_peers_connect_and_talk() {
    let mut sim = Sim::new(&["a", "b"]);
    let call = sim.connect("a", "b");
    sim.run_until(1_000, |sim| ok(sim, "a", call) && sim.connected("b") == ["a"]);
    assert_eq!(sim.connected("a"), ["b"]);
    // Offer there, answer back, then the channel opens.
    let took = sim.now.as_millis();
    assert!((2 * LATENCY_MS + OPEN_DELAY_MS..1_000).contains(&took), "took {took} ms");
    sim.send("a", "b", "hello");
    sim.run_for(100);
    assert_eq!(sim.log("b"), ["+a", "a: hello"]);
    assert_eq!(sim.log("a"), ["joined b", "+b"]);
}

#[test]
fn offers_crossing_end_in_one_connection() {
    let mut sim = Sim::new(&["a", "b"]);
    let from_a = sim.connect("a", "b");
    let from_b = sim.connect("b", "a");
    sim.run_until(1_000, |sim| ok(sim, "a", from_a) && ok(sim, "b", from_b));
    sim.run_for(5_000);
    assert_eq!(sim.connected("a"), ["b"]);
    assert_eq!(sim.connected("b"), ["a"]);
    // One connection each way, never dropped: one `Connected`, no `Disconnected`.
    assert_eq!(sim.log("a"), ["joined b", "+b"]);
    assert_eq!(sim.log("b"), ["+a"]);
}

#[test]
fn a_failed_path_comes_back_by_ice_restart() {
    let mut sim = Sim::new(&["a", "b"]);
    let call = sim.connect("a", "b");
    sim.run_until(1_000, |sim| ok(sim, "a", call) && sim.connected("b") == ["a"]);
    sim.path_fails("a", "b");
    // Longer than restarts may take before they give up (30 s).
    sim.run_for(40_000);
    assert_eq!(sim.restarts, 1, "one restart, by the larger id");
    // Both still connected, never told of a disconnect, and the channel carries on.
    assert_eq!(sim.connected("a"), ["b"]);
    assert_eq!(sim.connected("b"), ["a"]);
    sim.send("b", "a", "still here");
    sim.run_for(100);
    assert_eq!(sim.log("a"), ["joined b", "+b", "b: still here"]);
    assert_eq!(sim.log("b"), ["+a"]);
}

#[test]
fn signaling_comes_back_after_the_server_does() {
    let mut sim = Sim::new(&["a", "b", "c"]);
    let call = sim.connect("a", "b");
    sim.run_until(1_000, |sim| ok(sim, "a", call));
    sim.server_down();
    // Several failed attempts while the server is away; the channel goes on.
    sim.run_for(10_000);
    assert_eq!(sim.connected("a"), ["b"]);
    sim.server_up();
    let back_from = sim.now;
    sim.run_until(5_000, |sim| {
        ["a", "b", "c"].iter().all(|name| sim.log(name).contains(&"reconnected".into()))
    });
    // Within the longest backoff (3 s) and a round trip.
    let took = sim.now.saturating_duration_since(back_from).as_millis();
    assert!(took <= 3_000 + 2 * u128::from(LATENCY_MS), "took {took} ms");
    // The open channel to b went on throughout; c, with no channel, was gone from the
    // room until it rejoined too.
    let log = sim.log("a");
    assert_eq!(log[..4], ["joined b", "joined c", "+b", "reconnecting"]);
    assert!(log.contains(&"reconnected".into()));
    assert!(!log.contains(&"-b".into()) && !log.contains(&"left b".into()), "{log:?}");
    // A new connection through the server that is back.
    let call = sim.connect("c", "a");
    sim.run_until(1_000, |sim| ok(sim, "c", call) && sim.connected("a").len() == 2);
    assert_eq!(sim.connected("a"), ["b", "c"]);
}

#[test]
fn a_signal_goes_through_the_mesh_when_the_server_is_gone() {
    let mut sim = Sim::new(&["a", "b", "c"]);
    let ab = sim.connect("a", "b");
    let bc = sim.connect("b", "c");
    // The adverts of the new links go round.
    sim.run_until(1_000, |sim| ok(sim, "a", ab) && ok(sim, "b", bc));
    sim.run_for(2_000);
    sim.server_down();
    sim.run_for(100);
    let ac = sim.connect("a", "c");
    // Offer and answer hop through b.
    sim.run_until(1_000, |sim| ok(sim, "a", ac) && sim.connected("c").len() == 2);
    assert_eq!(sim.connected("a"), ["b", "c"]);
    assert_eq!(sim.connected("c"), ["a", "b"]);
    assert!(sim.relayed >= 2, "offer and answer through the mesh");
}

#[test]
fn a_silent_remote_is_dropped_in_seconds() {
    let mut sim = Sim::new(&["a", "b"]);
    let call = sim.connect("a", "b");
    sim.run_until(1_000, |sim| ok(sim, "a", call));
    sim.crash("b");
    let crashed = sim.now;
    sim.run_until(60_000, |sim| sim.connected("a").is_empty());
    let took = sim.now.saturating_duration_since(crashed).as_millis();
    // More than three heartbeat periods of silence, and well within a minute.
    assert!((3_000..=5_000).contains(&took), "took {took} ms");
    assert_eq!(sim.log("a"), ["joined b", "+b", "-b", "left b"]);
}

#[test]
fn a_connect_to_a_peer_that_never_answers_fails_after_the_open_deadline() {
    let mut sim = Sim::new(&["a", "b"]);
    sim.hang("b");
    let call = sim.connect("a", "b");
    sim.run_until(60_000, |sim| sim.result("a", call).is_some());
    // Nothing came back, so nothing extended the deadline: 15 s, not a moment less.
    assert_eq!(sim.now.as_millis(), 15_000);
    let Some(Err(peer_core::CoreError::ConnectFailed { reason, .. })) = sim.result("a", call)
    else {
        panic!("the connect failed");
    };
    assert_eq!(reason, "no data channel within 15 s");
}

#[test]
fn a_silent_remote_is_dropped_in_seconds_with_the_server_gone() {
    let mut sim = Sim::new(&["a", "b"]);
    let call = sim.connect("a", "b");
    sim.run_until(1_000, |sim| ok(sim, "a", call));
    sim.server_down();
    sim.hang("b");
    let hung = sim.now;
    sim.run_until(60_000, |sim| sim.connected("a").is_empty());
    // Nobody can vouch for it: its silence is enough.
    let took = sim.now.saturating_duration_since(hung).as_millis();
    assert!((3_000..=5_000).contains(&took), "took {took} ms");
    assert_eq!(sim.log("a")[..4], ["joined b", "+b", "reconnecting", "-b"]);
}

/// `a` and `b` connected.
fn connected_pair() -> Sim {
    let mut sim = Sim::new(&["a", "b"]);
    let call = sim.connect("a", "b");
    sim.run_until(1_000, |sim| ok(sim, "a", call) && sim.connected("b") == ["a"]);
    sim
}

fn file_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_whole_file_crosses_a_connection_beside_its_messages() {
    let mut sim = connected_pair();
    let file = file_bytes(1_000_000);
    let id = sim.send_file("a", "b", "f.bin", file.clone(), 16 * 1024);
    sim.send("a", "b", "sent you a file");
    let start = sim.now.as_millis();
    sim.run_until(60_000, |sim| sim.file_result("a", "b", id, Direction::Outgoing).is_some());
    assert_eq!(sim.file_result("b", "a", id, Direction::Incoming), Some(Ok(())));
    assert_eq!(sim.file_result("a", "b", id, Direction::Outgoing), Some(Ok(())));
    assert!(sim.file_received("b", "a", id) == file, "the bytes arrive as sent");
    // As fast as the queue drains, then the last frame's way there and the `k`'s back.
    let took = sim.now.as_millis() - start;
    let draining = 1_000_000_u64.div_ceil(BYTES_PER_MS);
    assert!((draining + 2 * LATENCY_MS..draining + 3 * LATENCY_MS).contains(&took), "{took} ms");
    // Paced: a report every 250 ms at most, and the last.
    assert!(sim.file_progress_reports("b", "a", id) <= (took / 250 + 2) as usize);
    assert_eq!(sim.log("b"), ["+a", "a: sent you a file"]);
}

#[test]
fn a_stalled_file_fails_at_both_ends_after_thirty_seconds_and_the_connection_goes_on() {
    let mut sim = connected_pair();
    sim.hold_reads("a", "b", true);
    let id = sim.send_file("a", "b", "f.bin", file_bytes(100_000), 16 * 1024);
    let start = sim.now.as_millis();
    sim.run_until(STALL_MS + 1_000, |sim| {
        sim.file_result("a", "b", id, Direction::Outgoing).is_some()
    });
    let stalled = "no data for 30 seconds";
    assert_eq!(sim.file_result("b", "a", id, Direction::Incoming), Some(Err(stalled.into())));
    let told = format!("the receiver stopped: {stalled}");
    assert_eq!(sim.file_result("a", "b", id, Direction::Outgoing), Some(Err(told)));
    // From the offer's arrival: the stall, then the refusal's way back.
    let took = sim.now.as_millis() - start;
    assert_eq!(took, LATENCY_MS + STALL_MS + LATENCY_MS);
    // The read that comes back late sends nothing, and the connection carries on.
    sim.hold_reads("a", "b", false);
    sim.send("b", "a", "still here");
    sim.run_for(1_000);
    assert_eq!(sim.connected("a"), ["b"]);
    assert_eq!(sim.log("a"), ["joined b", "+b", "b: still here"]);
}

#[test]
fn a_file_cancelled_halfway_ends_at_both_ends_and_a_new_one_goes_through() {
    let mut sim = connected_pair();
    let file = file_bytes(1_000_000);
    let id = sim.send_file("a", "b", "f.bin", file.clone(), 16 * 1024);
    sim.run_until(10_000, |sim| sim.file_received("b", "a", id).len() >= 500_000);
    sim.cancel_file("a", "b", id);
    sim.run_for(1_000);
    let reason = "cancelled by the sender";
    assert_eq!(sim.file_result("a", "b", id, Direction::Outgoing), Some(Err(reason.into())));
    let told = format!("the sender stopped: {reason}");
    assert_eq!(sim.file_result("b", "a", id, Direction::Incoming), Some(Err(told)));
    let again = sim.send_file("a", "b", "f.bin", file.clone(), 16 * 1024);
    assert_ne!(again, id);
    sim.run_until(60_000, |sim| sim.file_result("a", "b", again, Direction::Outgoing).is_some());
    assert_eq!(sim.file_result("b", "a", again, Direction::Incoming), Some(Ok(())));
    assert!(sim.file_received("b", "a", again) == file);
}
