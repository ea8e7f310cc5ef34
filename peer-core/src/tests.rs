//! The machine driven by hand, one input at a time: each fault the review found, as it
//! was triggered in the browser, and the rules of the crate docs. No browser, no
//! sockets, no sleeps.

use super::harness::{Harness, id, info, offer};
use super::*;
use signaling_protocol::{ErrorCode, Step};

#[test]
fn connect_opens_and_only_then_counts_as_connected() {
    let mut h = Harness::new("m", &["b"]);
    let call = h.connect("b");
    let key = h.key("b");
    assert_eq!(h.result(call), None);
    assert!(h.connected().is_empty());
    h.apply(Input::Outbound { key: key.clone(), step: offer() });
    assert_eq!(h.sent, vec![(id("b"), Signal::new(key.session, offer()))]);
    h.remote("b", key.session, Step::Answer { sdp: "a".into() });
    h.apply(Input::ChannelOpen { key });
    assert_eq!(h.result(call), Some(&Ok(())));
    assert_eq!(h.connected(), ["b"]);
    assert_eq!(h.log(), ["+b"]);
    assert!(h.phase_timers().is_empty(), "the open deadline is cancelled once open");
}

/// After `disconnect(b)`, `b` is not "open": were it, its queue would refuse sends, and
/// `sendMessage` would throw after having sent to some peers.
#[test]
fn a_disconnecting_peer_stops_counting_as_connected_at_once() {
    let mut h = Harness::new("m", &["b", "c"]);
    let b = h.open_as_offerer("b");
    h.open_as_offerer("c");
    let call = h.disconnect("b");
    assert_eq!(h.connected(), ["c"], "connectedPeers() drops b at once");
    assert_eq!(h.core.open_keys().len(), 1, "sendMessage goes to c only");
    assert_eq!(h.core.open_key(&id("b")), Err(CoreError::NotConnected(id("b"))));
    assert_eq!(h.closing, std::slice::from_ref(&b), "b's channel closes behind what was queued");
    let byes = h.sent.iter().filter(|(_, signal)| matches!(signal.step, Step::Bye { .. })).count();
    assert_eq!(byes, 0, "the channel's close tells b, after the data (a bye could overtake it)");
    assert_eq!(h.result(call), None, "disconnect() resolves when the channel has closed");
    // b's last messages still arrive while its channel drains...
    h.apply(Input::Received { key: b.clone(), message: "last words" });
    h.apply(Input::ChannelClosing { key: b.clone() });
    h.apply(Input::ChannelClosed { key: b.clone() });
    assert_eq!(h.result(call), Some(&Ok(())));
    assert_eq!(h.log(), ["+b", "+c", "b: last words", "-b"]);
    // ...and nothing after its Disconnected.
    h.apply(Input::Received { key: b, message: "too late" });
    assert_eq!(h.log().len(), 4);
    assert!(h.phase_timers().is_empty());
}

/// Connect, disconnect, connect: the answer to the first offer, arriving late, is not
/// taken by the new connection (whose own answer would then be dropped).
#[test]
fn a_late_answer_to_an_earlier_offer_is_dropped_by_its_session() {
    let mut h = Harness::new("m", &["b"]);
    let first = h.connect("b");
    let old = h.key("b");
    h.apply(Input::Outbound { key: old.clone(), step: offer() });
    let gone = h.disconnect("b");
    assert_eq!(h.result(gone), Some(&Ok(())));
    assert!(matches!(h.result(first), Some(Err(CoreError::ConnectFailed { .. }))));
    assert!(h.bye_sent("b", old.session));
    let second = h.connect("b");
    let new = h.key("b");
    assert_ne!(new.session, old.session);
    h.apply(Input::Outbound { key: new.clone(), step: offer() });
    h.remote("b", old.session, Step::Answer { sdp: "stale".into() });
    h.remote(
        "b",
        old.session,
        Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None },
    );
    assert!(h.applied.is_empty(), "nothing of the old session reaches the new connection");
    h.remote("b", new.session, Step::Answer { sdp: "fresh".into() });
    assert_eq!(h.applied, [(new.clone(), Step::Answer { sdp: "fresh".into() })]);
    h.apply(Input::ChannelOpen { key: new });
    assert_eq!(h.result(second), Some(&Ok(())));
    // The old connection's late reports change nothing either.
    h.apply(Input::ChannelOpen { key: old.clone() });
    h.apply(Input::Failed { key: old, reason: "late".into() });
    assert_eq!(h.connected(), ["b"]);
}

/// A refusal of our signal fails the connect at once: logged only, connect() would wait
/// out its 15 s.
#[test]
fn a_refused_signal_fails_the_connect_with_the_servers_reason() {
    let mut h = Harness::new("m", &["b", "c"]);
    let call = h.connect("b");
    let other = h.connect("c");
    let message = "too many messages".to_owned();
    let code = ErrorCode::RateLimited;
    h.apply(Input::Refused { code, message: message.clone(), to: Some(id("b")) });
    assert_eq!(h.result(call), Some(&Err(CoreError::Refused { code, message })));
    assert_eq!(h.result(other), None, "only the negotiation that lost a signal fails");
    // A refusal that names nobody we negotiate with only warns.
    let code = ErrorCode::UnknownPeer;
    h.apply(Input::Refused { code, message: "gone".into(), to: Some(id("zz")) });
    assert_eq!(h.result(other), None);
}

#[test]
fn crossing_offers_are_settled_by_id() {
    // We are "m": "z" has the larger id (its offer wins), "a" the smaller (ours wins).
    let mut h = Harness::new("m", &["a", "z"]);
    let to_z = h.connect("z");
    let ours = h.key("z");
    h.remote("z", SessionId(7), offer());
    assert_eq!(h.released, [ours], "we yield: our offer is dropped");
    let answering = h.key("z");
    assert_eq!(answering.session, SessionId(7));
    assert_eq!(h.applied, [(answering.clone(), offer())]);
    h.apply(Input::ChannelOpen { key: answering });
    assert_eq!(h.result(to_z), Some(&Ok(())), "the connect() joins the winner");

    let to_a = h.connect("a");
    let ours = h.key("a");
    h.remote("a", SessionId(9), offer());
    assert_eq!(h.key("a"), ours, "we win: their offer is ignored");
    assert_eq!(h.released.len(), 1);
    h.remote("a", ours.session, Step::Answer { sdp: "a".into() });
    h.apply(Input::ChannelOpen { key: ours });
    assert_eq!(h.result(to_a), Some(&Ok(())));
    assert_eq!(h.connected(), ["a", "z"]);
}

/// At the machine's level: close() reports every open connection's end.
#[test]
fn close_ends_everything_and_reports_every_disconnect() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    let b = h.open_as_offerer("b");
    let c = h.open_as_offerer("c");
    let pending = h.connect("d");
    let leaving = h.disconnect("c");
    h.apply(Input::Close);
    assert_eq!(h.log(), ["+b", "+c", "-b", "-c"]);
    assert_eq!(h.result(pending), Some(&Err(CoreError::Closed)));
    assert_eq!(h.result(leaving), Some(&Ok(())));
    assert!(h.phase_timers().is_empty());
    assert_eq!(h.started.len(), h.released.len(), "every connection released");
    let byes = h.sent.iter().filter(|(_, signal)| matches!(signal.step, Step::Bye { .. })).count();
    assert_eq!(byes, 1, "d told by a bye, b and c by their channel's close: {:?}", h.sent);
    // After close: calls are answered, everything else is ignored.
    let late = h.connect("b");
    assert_eq!(h.result(late), Some(&Err(CoreError::Closed)));
    h.apply(Input::Received { key: b, message: "late" });
    h.apply(Input::PeerJoined(info("e")));
    assert_eq!(h.log().len(), 4);
    let _ = c;
}

#[test]
fn connect_during_a_disconnect_reconnects_once_the_old_channel_has_closed() {
    let mut h = Harness::new("m", &["b"]);
    let old = h.open_as_offerer("b");
    let gone = h.disconnect("b");
    let again = h.connect("b");
    assert_eq!(h.started.len(), 1, "the new connection waits for the old one to close");
    h.apply(Input::ChannelClosed { key: old.clone() });
    assert_eq!(h.result(gone), Some(&Ok(())));
    let new = h.key("b");
    assert_ne!(new, old);
    h.apply(Input::Outbound { key: new.clone(), step: offer() });
    h.remote("b", new.session, Step::Answer { sdp: "a".into() });
    h.apply(Input::ChannelOpen { key: new });
    assert_eq!(h.result(again), Some(&Ok(())));
    assert_eq!(h.log(), ["+b", "-b", "+b"]);
}

#[test]
fn a_bye_on_an_open_channel_closes_it_behind_the_last_messages() {
    let mut h = Harness::new("m", &["b"]);
    let b = h.open_as_offerer("b");
    h.remote("b", SessionId(12345), Step::Bye { reason: None });
    assert_eq!(h.connected(), ["b"], "a bye of another session is stale");
    h.remote("b", b.session, Step::Bye { reason: None });
    assert!(h.connected().is_empty());
    assert_eq!(h.closing, std::slice::from_ref(&b));
    h.apply(Input::Received { key: b.clone(), message: "bye now" });
    h.apply(Input::ChannelClosed { key: b });
    assert_eq!(h.log(), ["+b", "b: bye now", "-b"]);
    let byes = h.sent.iter().filter(|(_, signal)| matches!(signal.step, Step::Bye { .. })).count();
    assert_eq!(byes, 0, "the remote ended it: no bye back");
}

#[test]
fn losing_the_server_fails_unanswered_offers_only() {
    let mut h = Harness::new("m", &["b", "c", "d"]);
    h.open_as_offerer("b");
    let answered = h.connect("c");
    let c = h.key("c");
    h.remote("c", c.session, Step::Answer { sdp: "a".into() });
    let unanswered = h.connect("d");
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    assert!(matches!(h.result(unanswered), Some(Err(CoreError::ConnectFailed { .. }))));
    assert_eq!(h.result(answered), None, "ICE needs no server once offer and answer are in");
    h.apply(Input::ChannelOpen { key: c });
    assert_eq!(h.result(answered), Some(&Ok(())));
    assert_eq!(h.connected(), ["b", "c"]);
    let call = h.connect("d");
    assert_eq!(h.result(call), Some(&Err(CoreError::SignalingReconnecting)));
}

#[test]
fn bad_calls_are_answered_at_once() {
    let mut h = Harness::new("m", &["b"]);
    let to_self = h.connect("m");
    let stranger = h.connect("zz");
    let idle = h.disconnect("b");
    assert_eq!(h.result(to_self), Some(&Err(CoreError::SelfConnect)));
    assert_eq!(h.result(stranger), Some(&Err(CoreError::UnknownPeer(id("zz")))));
    assert_eq!(h.result(idle), Some(&Ok(())));
    assert!(h.started.is_empty());
}

/// `onDisconnected` says why, in words a person understands.
#[test]
fn each_disconnected_event_carries_its_reason() {
    let mut h = Harness::new("m", &["b", "c", "d", "e"]);
    let (b, c, d, e) = (
        h.open_as_offerer("b"),
        h.open_as_offerer("c"),
        h.open_as_offerer("d"),
        h.open_as_offerer("e"),
    );
    h.disconnect("b");
    h.apply(Input::ChannelClosed { key: b });
    h.apply(Input::ChannelClosed { key: c });
    h.apply(Input::PeerLeft(info("d")));
    h.apply(Input::ChannelClosed { key: d });
    h.remote("e", e.session, Step::Bye { reason: None });
    h.apply(Input::ChannelClosed { key: e });
    h.apply(Input::Close);
    let reasons: Vec<(String, String)> = h
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Disconnected { peer, reason } => Some((peer.id.to_string(), reason.clone())),
            _ => None,
        })
        .collect();
    let expected = [
        ("b", "disconnect was called"),
        ("c", "the peer closed the data channel"),
        // The server's word alone does not end a channel: the channel's close does.
        ("d", "the peer closed the data channel"),
        ("e", "the peer closed the connection"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(peer, reason)| (peer.to_string(), reason.to_string())).collect();
    assert_eq!(reasons, expected);
}

/// Issue 12: an answerer that cannot create its connection (Chromium refuses a 501st)
/// tells the offerer why at once; the offerer's connect() rejects with that reason.
#[test]
fn an_answerer_that_cannot_connect_fails_the_offerers_connect_at_once_with_why() {
    let mut answerer = Harness::new("m", &["z"]);
    answerer.remote("z", SessionId(7), offer());
    let key = answerer.key("z");
    let refused = "browser error: Cannot create so many PeerConnections";
    answerer.apply(Input::Failed { key, reason: refused.into() });
    let Some((_, Signal { step: bye @ Step::Bye { .. }, .. })) = answerer.sent.last().cloned()
    else {
        panic!("no bye: {:?}", answerer.sent)
    };
    let mut offerer = Harness::new("z", &["m"]);
    let call = offerer.connect("m");
    let session = offerer.key("m").session;
    offerer.remote("m", session, bye);
    let Some(Err(CoreError::ConnectFailed { reason, .. })) = offerer.result(call) else {
        panic!("{:?}", offerer.result(call))
    };
    assert_eq!(reason, &format!("the peer closed the connection: {refused}"));
}

/// Firefox may fire a message on the first channel before the second channel's `open`
/// (the connection reports open once both are): the message waits for `Connected`.
#[test]
fn a_message_that_arrives_before_the_open_is_delivered_right_after_it() {
    let mut h = Harness::new("m", &["z"]);
    h.remote("z", SessionId(7), offer());
    let z = h.key("z");
    h.apply(Input::Received { key: z.clone(), message: "first" });
    h.apply(Input::Received { key: z.clone(), message: "second" });
    assert!(h.log().is_empty(), "held until the connection is open");
    h.apply(Input::ChannelOpen { key: z });
    assert_eq!(h.log(), ["+z", "z: first", "z: second"]);
}
