//! Signals held against their senders' keys: only a signal whose signature checks out is
//! acted on, once; a forged or altered one fails its connect at once, saying so; a key
//! that is not the key of its id is refused the same way. (That a signature covers every
//! field, so that an altered or misaddressed signal fails its check, is
//! `signaling-protocol`'s `tests/signatures.rs`.) With a passphrase, a signal sealed
//! with another one, sealed when we have none, or sent in the clear is refused alike,
//! saying which.

use super::harness::{Harness, good, keyed, offer};
use super::*;
use signaling_protocol::{Step, peer_id_for};

/// Two real P-256 public keys, as WebCrypto exports them.
const ALICE: &str =
    "BFsLh3u2fNzB8qd-Gqy_d4ehmHvKyLeRa9k0pWGr9OT-zy0AtL5gJ8btbbAMY3KrFblCCQnMwvzusRmUHRK6nHM";
const MALLORY: &str =
    "BOI1O6Zkmykpj4zSapOful4FUFm--CFHy3gRTZD8RJIfLU22ddJelVKOP86Q9qM5smDJrpVVzpZxzjTQms_Djf0";

/// Alice as the room announces her: her id, her key.
fn alice() -> PeerInfo {
    PeerInfo { key: Some(ALICE.into()), ..PeerInfo::new(peer_id_for(ALICE), "Alice") }
}

/// A harness for `m`, in a room with Alice (as `roster_alice` has her).
fn room_with(roster_alice: PeerInfo) -> (Harness, String) {
    let alice = roster_alice.id.to_string();
    (Harness::with_roster(keyed("m"), vec![roster_alice]), alice)
}

fn signed(session: u32, step: Step, sig: &str) -> Signal {
    Signal { at: 1, sig: sig.into(), ..Signal::new(SessionId(session), step) }
}

#[test]
fn a_signal_is_checked_against_its_senders_key_before_it_is_acted_on() {
    let (mut h, a) = room_with(alice());
    h.apply(Input::Signal { from: id_of(&a), signal: signed(5, offer(), "s1") });
    assert!(h.started.is_empty(), "nothing done before the check");
    assert_eq!(h.verifies.len(), 1);
    let (from, signal, key, via) = h.verifies.remove(0);
    assert_eq!((from.as_str(), key.as_str(), via), (a.as_str(), ALICE, None));
    h.apply(good(from, signal));
    assert_eq!(h.key(&a).session, SessionId(5), "the offer, once good, is answered");
}

#[test]
fn a_forged_answer_fails_the_connect_at_once_and_says_why() {
    let (mut h, a) = room_with(alice());
    let call = h.connect(&a);
    let key = h.key(&a);
    let answer = signed(key.session.0, Step::Answer { sdp: "altered".into() }, "bad");
    h.apply(Input::Checked {
        from: id_of(&a),
        signal: answer,
        via: None,
        verdict: Verdict::Forged,
    });
    let failure = h.connect_failure(call);
    assert!(failure.contains(&format!("a signal from {a} failed verification")), "{failure}");
    assert!(h.released.contains(&key), "no channel opens");
    assert!(h.bye_sent(&a, key.session), "the sender is told why");
    assert_eq!(h.core.rejected_signals(), 1);
}

#[test]
fn a_forged_offer_is_refused_with_a_bye_saying_why() {
    let (mut h, a) = room_with(alice());
    let offer = signed(9, offer(), "forged");
    h.apply(Input::Checked { from: id_of(&a), signal: offer, via: None, verdict: Verdict::Forged });
    assert!(h.started.is_empty(), "no connection for a forged offer");
    let Some((to, Signal { session, step: Step::Bye { reason: Some(reason) }, .. })) =
        h.sent.last().cloned()
    else {
        panic!("no bye: {:?}", h.sent)
    };
    assert_eq!((to.as_str(), session), (a.as_str(), SessionId(9)));
    assert!(reason.contains("failed verification"), "{reason}");
}

#[test]
fn a_replayed_signal_is_dropped_and_counted() {
    let (mut h, a) = room_with(alice());
    h.apply(good(id_of(&a), signed(5, offer(), "s1")));
    let started = h.started.len();
    // The same signed offer again, once its connection is gone: not a new attempt. Its
    // signature rewritten into another that still verifies (ECDSA's `s` to `n - s`, or
    // base64 padding a lenient decoder reads the same) makes it no less a replay.
    h.apply(Input::Disconnect { peer: id_of(&a), call: CallId(99) });
    h.apply(good(id_of(&a), signed(5, offer(), "s1")));
    h.apply(good(id_of(&a), signed(5, offer(), "s1==")));
    assert_eq!(h.started.len(), started, "the replays started nothing");
    assert_eq!(h.core.rejected_signals(), 2);
}

#[test]
fn a_stale_signal_is_dropped_and_counted() {
    let (mut h, a) = room_with(alice());
    let offer = signed(5, offer(), "old");
    h.apply(Input::Checked { from: id_of(&a), signal: offer, via: None, verdict: Verdict::Stale });
    assert!(h.started.is_empty());
    assert_eq!(h.core.rejected_signals(), 1);
}

#[test]
fn a_key_announced_for_the_wrong_id_is_refused() {
    // The server (or whoever sits in the middle) hands out Mallory's key for Alice's id.
    let swapped = PeerInfo { key: Some(MALLORY.into()), ..alice() };
    let (mut h, a) = room_with(swapped);
    let call = h.connect(&a);
    let failure = h.connect_failure(call);
    assert!(failure.contains(&format!("a signal from {a} failed verification")), "{failure}");
    assert!(h.started.is_empty(), "no connection to a peer whose key is not its own");
    // Her offer, signed with the key of her id, cannot be checked against the swapped one.
    h.apply(Input::Signal { from: id_of(&a), signal: signed(5, offer(), "s") });
    assert!(h.verifies.is_empty() && h.started.is_empty());
    assert!(matches!(h.sent.last(), Some((_, Signal { step: Step::Bye { .. }, .. }))));
    assert_eq!(h.core.rejected_signals(), 1);
}

#[test]
fn a_signal_from_a_peer_without_a_key_is_dropped() {
    let nameless = PeerInfo { key: None, ..alice() };
    let (mut h, a) = room_with(nameless);
    h.apply(Input::Signal { from: id_of(&a), signal: signed(5, offer(), "s") });
    assert!(h.verifies.is_empty() && h.started.is_empty());
    assert_eq!(h.core.rejected_signals(), 1);
}

#[test]
fn a_neighbour_that_relays_a_forgery_is_disconnected() {
    let mut h = Harness::with_roster(keyed("m"), vec![alice(), harness::info("b")]);
    let a = alice().id.to_string();
    let b = h.open_as_offerer("b");
    let forged = signed(9, offer(), "forged");
    h.apply(Input::Checked {
        from: id_of(&a),
        signal: forged,
        via: Some(b),
        verdict: Verdict::Forged,
    });
    assert!(h.closing.iter().any(|key| key.peer.as_str() == "b"), "b is disconnected");
}

#[test]
fn a_newer_connection_with_the_same_key_is_the_same_peer() {
    // Takeover: the server seats a second page with Alice's key under her id; for the
    // room it is Alice, so her signals (from either page) are checked against her key.
    let (mut h, a) = room_with(alice());
    h.apply(Input::PeerJoined(alice()));
    h.apply(Input::Signal { from: id_of(&a), signal: signed(5, offer(), "s1") });
    assert_eq!(h.verifies.last().map(|(_, _, key, _)| key.as_str()), Some(ALICE));
}

fn id_of(id: &str) -> PeerId {
    PeerId::new(id)
}

fn sealed(session: u32) -> Signal {
    Signal::new(SessionId(session), Step::Sealed { data: "bm9pc2U".into() })
}

/// The reasons of the byes sent to `peer`.
fn bye_reasons(h: &Harness, peer: &str) -> Vec<String> {
    let byes = h.sent.iter().filter_map(|(to, signal)| match &signal.step {
        Step::Bye { reason } if to.as_str() == peer => reason.clone(),
        _ => None,
    });
    byes.collect()
}

#[test]
fn whether_a_signal_must_be_sealed_is_known_before_any_crypto() {
    let bye = Step::Bye { reason: None };
    let sealed_step = sealed(1).step;
    assert_eq!(sealing_verdict(&sealed_step, false), Some(Verdict::SealedWithoutPassphrase));
    assert_eq!(sealing_verdict(&sealed_step, true), None, "opened, then checked");
    assert_eq!(sealing_verdict(&offer(), true), Some(Verdict::InTheClear));
    assert_eq!(sealing_verdict(&offer(), false), None);
    assert_eq!(sealing_verdict(&bye, true), None, "byes go in the clear");
    assert_eq!(sealing_verdict(&bye, false), None);
}

#[test]
fn a_sealed_signal_holds_one_signal_of_its_own_session() {
    let inner = signed(4, offer(), "s");
    assert_eq!(unsealed(SessionId(4), Some(inner.clone())), Ok(inner.clone()));
    assert_eq!(unsealed(SessionId(5), Some(inner)), Err(Verdict::Forged), "moved to a session");
    assert_eq!(unsealed(SessionId(4), Some(sealed(4))), Err(Verdict::Forged), "sealed twice");
    assert_eq!(unsealed(SessionId(4), None), Err(Verdict::Forged), "not a signal");
}

#[test]
fn an_offer_sealed_with_another_passphrase_is_answered_with_one_bye_saying_why() {
    let (mut h, a) = room_with(alice());
    let checked = |signal| Input::Checked {
        from: id_of(&a),
        signal,
        via: None,
        verdict: Verdict::OtherPassphrase,
    };
    // The offer and its candidates: all sealed, so all alike.
    for _ in 0..3 {
        h.apply(checked(sealed(9)));
    }
    assert!(h.started.is_empty());
    let reasons = bye_reasons(&h, &a);
    assert_eq!(reasons, [format!("{a} encrypts its signals with a passphrase other than ours")]);
    assert!(h.bye_sent(&a, SessionId(9)));
    assert_eq!(h.core.rejected_signals(), 3);
    h.apply(checked(sealed(10)));
    assert_eq!(bye_reasons(&h, &a).len(), 2, "a new session gets its own bye");
}

#[test]
fn a_sealed_answer_without_a_passphrase_fails_the_connect_at_once() {
    let (mut h, a) = room_with(alice());
    let call = h.connect(&a);
    let key = h.key(&a);
    h.apply(Input::Checked {
        from: id_of(&a),
        signal: sealed(key.session.0),
        via: None,
        verdict: Verdict::SealedWithoutPassphrase,
    });
    let failure = h.connect_failure(call);
    let reason = format!("{a} encrypts its signals with a passphrase and we have none");
    assert!(failure.contains(&reason), "{failure}");
    assert!(h.released.contains(&key));
    assert_eq!(bye_reasons(&h, &a), [reason]);
}

#[test]
fn an_offer_in_the_clear_is_refused_by_a_peer_with_a_passphrase() {
    let (mut h, a) = room_with(alice());
    let offer = signed(9, offer(), "s");
    h.apply(Input::Checked {
        from: id_of(&a),
        signal: offer,
        via: None,
        verdict: Verdict::InTheClear,
    });
    assert!(h.started.is_empty());
    let reason = format!("{a} sent its signals in the clear, and this peer uses a passphrase");
    assert_eq!(bye_reasons(&h, &a), [reason]);
    // Its candidates in the clear: dropped, without a bye each.
    let step = Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None };
    let candidate = signed(9, step, "s2");
    let verdict = Verdict::InTheClear;
    h.apply(Input::Checked { from: id_of(&a), signal: candidate, via: None, verdict });
    assert_eq!(bye_reasons(&h, &a).len(), 1);
    assert_eq!(h.core.rejected_signals(), 2);
}

#[test]
fn a_signal_stamped_more_than_five_minutes_from_our_clock_is_stale_either_way() {
    let now = 1_800_000_000_000;
    assert_eq!(freshness_verdict(now - FRESH_MS, now), None);
    assert_eq!(freshness_verdict(now + FRESH_MS, now), None);
    assert_eq!(freshness_verdict(now - FRESH_MS - 1, now), Some(Verdict::Stale));
    assert_eq!(freshness_verdict(now + FRESH_MS + 1, now), Some(Verdict::Stale));
    // A clock set before 1970 reads as 0: every real signal is then stale, none panics.
    assert_eq!(freshness_verdict(now, 0), Some(Verdict::Stale));
}
