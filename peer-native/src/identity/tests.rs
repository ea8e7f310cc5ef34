//! The identity module against the protocol's formats and against vectors made by
//! Node's WebCrypto (the browser's crypto), so that a native peer and a browser tab
//! sign, check, seal and open each other's signals.

use super::keys::{Identity, IdentityError, join_proof, verify};
use super::sealing::{MAX_DATA_CHARS, SealKey};
use super::signals::{check_incoming, check_signal, outgoing, sign_signal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use peer_core::FRESH_MS;
use peer_core::Verdict;
use signaling_protocol::{PeerId, SessionId, Signal, Step, join_text, peer_id_for, validate_key};

/// A key pair WebCrypto generated: its private scalar `d`, its public key as exported
/// raw, and its signature of [`WEB_TEXT`].
const WEB_SECRET: &str = "629888cbe1a8e443b623e7373a50014a406d08427b6ad95a043cb2804d30e59e";
const WEB_KEY: &str =
    "BJFRDHZAwy86vLhyJFSR1BLlmRoQhg34ufE9P9FVoPKmphUhz4xwLxMM_U9E_2s_TeWhrOR8W9WU5qVAarJvtqI";
const WEB_TEXT: &str = "peer-wasm signal\nlobby\naa\nbb\n7\n1765000000160\nbye\n";
const WEB_SIG: &str =
    "836ENpF0jvF58UlMHrXwohoI9t-9-jUKbijQjEe5z0sXQwwelsUQ81RfvGE6sp9gqKG6x29sdcTOrAxQeY-1xg";

/// WebCrypto's PBKDF2 key of "correct horse" in room "lobby", and what it sealed: the
/// JSON of [`sealed_offer`] under the nonce 0, 1, ... 11.
const WEB_SEAL_KEY: &str = "dc797303dddd8f0883b9b227c9ddf0da18a4e2864b217b3904ac7d10041cf449";
const WEB_SEALED: &str = "AAECAwQFBgcICQoLIQ24iqYvB73AJXO38_zgHgDU9Ek9lGLsB-sY0jGCo0IzvgC0tAcIOWj\
                          PrxOcc2eesCAjmOv-OB6U0Zv5xJvfzhlKKGrKa6vDeymDiOxstzM6J_ysvu8SUaPgxTM";
/// WebCrypto's sealing, under that key and the nonce of twelve 9s, of the very JSON text
/// serde writes for [`sealed_offer`].
const WEB_SEALED_SERDE: &str = "CQkJCQkJCQkJCQkJnE47rw6FM0qD8I_Jo-AWrI81DxbHC225ln-vjNYoQVoVAgFqu\
                                hUVde1zspmlNvPH5NeQj7_fE--krqfQbvXgLE1z_iz_EK_JZT6IE1tCZRiFlgZEdqWz\
                                FIAbMsA";

const NOW: u64 = 1_765_000_000_000;

fn unhex(text: &str) -> Vec<u8> {
    let digit = |i: usize| u8::from_str_radix(&text[i..i + 2], 16).expect("hex");
    (0..text.len()).step_by(2).map(digit).collect()
}

fn sealed_offer() -> Signal {
    Signal { session: SessionId(7), at: 1_765_000_000_123, sig: "c2ln".into(), step: offer() }
}

fn offer() -> Step {
    Step::Offer { sdp: "v=0\r\n".into() }
}

#[test]
fn keys_and_ids_have_the_protocols_form() {
    let identity = Identity::generate();
    assert_eq!(identity.key().len(), 87);
    assert_eq!(validate_key(identity.key()), Ok(()));
    assert_eq!(identity.id(), peer_id_for(identity.key()));
    assert_eq!(identity.id().as_str().len(), 32);
    let again = Identity::from_secret_bytes(&identity.secret_bytes()).expect("its own secret");
    assert_eq!(again.key(), identity.key());
    assert_ne!(Identity::generate().key(), identity.key());
    assert!(!format!("{identity:?}").contains(&format!("{:?}", identity.secret_bytes())));
}

#[test]
fn only_scalars_of_32_bytes_in_range_are_secrets() {
    for bad in [vec![], vec![1; 31], vec![1; 33], vec![0; 32], vec![0xff; 32]] {
        assert_eq!(Identity::from_secret_bytes(&bad).err(), Some(IdentityError::InvalidSecret));
    }
}

#[test]
fn a_webcrypto_key_has_the_same_text_and_its_signature_verifies() {
    let identity = Identity::from_secret_bytes(&unhex(WEB_SECRET)).expect("a WebCrypto key");
    assert_eq!(identity.key(), WEB_KEY);
    assert!(verify(WEB_KEY, WEB_TEXT, WEB_SIG));
    assert!(verify(WEB_KEY, WEB_TEXT, &identity.sign(WEB_TEXT)));
    assert!(!verify(WEB_KEY, &WEB_TEXT.replace("bye", "bye!"), WEB_SIG));
}

#[test]
fn a_signature_verifies_for_its_text_and_key_only() {
    let identity = Identity::generate();
    let sig = identity.sign("hello");
    assert_eq!(sig.len(), 86);
    assert!(verify(identity.key(), "hello", &sig));
    assert!(!verify(identity.key(), "hellO", &sig));
    assert!(!verify(Identity::generate().key(), "hello", &sig));
    let flipped = format!("{}{}", if sig.starts_with('A') { "B" } else { "A" }, &sig[1..]);
    for bad in [flipped, format!("{sig}=="), sig[..85].to_owned(), String::new()] {
        assert!(!verify(identity.key(), "hello", &bad), "{bad}");
    }
    assert!(!verify("", "hello", &sig));
    // One character changed (to one it is not: an 'A' there would leave the key as it is,
    // one run in 64).
    let other = if identity.key().as_bytes()[40] == b'A' { 'B' } else { 'A' };
    let off_curve = format!("{}{other}{}", &identity.key()[..40], &identity.key()[41..]);
    assert!(!verify(&off_curve, "hello", &sig));
}

#[test]
fn join_proofs_pass_the_servers_check_and_its_proofs_pass_ours() {
    let identity = Identity::generate();
    let proof = join_proof(&identity, "AAECAwQFBgcICQoLDA0ODw", "lobby");
    // The server's decoding (`signaling-server/src/credentials/identity.rs`), step by step.
    let point = URL_SAFE_NO_PAD.decode(identity.key()).expect("base64url");
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).expect("a point");
    let bytes = URL_SAFE_NO_PAD.decode(&proof).expect("base64url");
    let signature = p256::ecdsa::Signature::from_slice(&bytes).expect("r || s");
    let text = join_text("AAECAwQFBgcICQoLDA0ODw", "lobby");
    use p256::ecdsa::signature::Verifier;
    assert!(key.verify(text.as_bytes(), &signature).is_ok());
    // And the other way: a proof as the server's test peers make it.
    let theirs = signaling_server::testing::Identity::random();
    assert!(verify(theirs.key(), &text, &theirs.prove("AAECAwQFBgcICQoLDA0ODw", "lobby")));
}

#[test]
fn a_signed_signal_checks_for_its_room_recipient_and_time_only() {
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let signal = Signal::new(SessionId(3), offer());
    let signed = sign_signal(&alice, "lobby", &bob.id(), signal, NOW);
    assert_eq!(signed.at, NOW);
    let check = |room: &str, me: &PeerId, signal: &Signal, now: u64| {
        check_signal(alice.key(), room, &alice.id(), me, signal, now)
    };
    assert_eq!(check("lobby", &bob.id(), &signed, NOW + FRESH_MS), Verdict::Good);
    assert_eq!(check("lobby", &bob.id(), &signed, NOW - FRESH_MS), Verdict::Good);
    assert_eq!(check("lobby", &bob.id(), &signed, NOW + FRESH_MS + 1), Verdict::Stale);
    assert_eq!(check("other", &bob.id(), &signed, NOW), Verdict::Forged);
    assert_eq!(check("lobby", &alice.id(), &signed, NOW), Verdict::Forged);
    let altered = Signal { step: Step::Offer { sdp: "v=1\r\n".into() }, ..signed.clone() };
    assert_eq!(check("lobby", &bob.id(), &altered, NOW), Verdict::Forged);
    let other_session = Signal { session: SessionId(4), ..signed.clone() };
    assert_eq!(check("lobby", &bob.id(), &other_session, NOW), Verdict::Forged);
    let unsigned = Signal { sig: String::new(), ..signed };
    assert_eq!(check("lobby", &bob.id(), &unsigned, NOW), Verdict::Forged);
}

#[test]
fn webcryptos_sealed_signal_opens_and_ours_is_the_same_bytes() {
    let key = SealKey::derive("correct horse", "lobby");
    let envelope = Signal::new(SessionId(7), Step::Sealed { data: WEB_SEALED.replace(' ', "") });
    assert_eq!(key.open(&envelope), Ok(sealed_offer()));
    let raw: [u8; 32] = unhex(WEB_SEAL_KEY).try_into().expect("32 bytes");
    assert_eq!(SealKey::from_key_bytes(raw).open(&envelope), Ok(sealed_offer()));
    let ours = key.seal_with_nonce(&sealed_offer(), [9; 12]);
    let expected = Step::Sealed { data: WEB_SEALED_SERDE.replace(' ', "") };
    assert_eq!(ours, Signal::new(SessionId(7), expected));
}

#[test]
fn a_sealed_signal_opens_with_its_passphrase_and_room_only() {
    let key = SealKey::derive("correct horse", "lobby");
    let sealed = key.seal(&sealed_offer());
    assert_eq!((sealed.session, sealed.at, sealed.sig.as_str()), (SessionId(7), 0, ""));
    assert_ne!(key.seal(&sealed_offer()), sealed, "a fresh nonce each time");
    assert_eq!(key.open(&sealed), Ok(sealed_offer()));
    let other = SealKey::derive("battery staple", "lobby");
    assert_eq!(other.open(&sealed), Err(Verdict::OtherPassphrase));
    let other_room = SealKey::derive("correct horse", "lobby2");
    assert_eq!(other_room.open(&sealed), Err(Verdict::OtherPassphrase));
    // The envelope's session must be the inner one's.
    let moved = Signal { session: SessionId(8), ..sealed.clone() };
    assert_eq!(key.open(&moved), Err(Verdict::Forged));
    // Sealed twice, or not a signal inside: forged.
    assert_eq!(key.open(&key.seal(&sealed)), Err(Verdict::Forged));
    for data in ["", "AAAA", "not base64!", &"A".repeat(MAX_DATA_CHARS + 4)] {
        let junk = Signal::new(SessionId(7), Step::Sealed { data: data.into() });
        assert_eq!(key.open(&junk), Err(Verdict::OtherPassphrase), "{data:.10}");
    }
}

#[test]
fn outgoing_and_incoming_signals_agree_with_and_without_a_passphrase() {
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let key = SealKey::derive("correct horse", "lobby");
    let other = SealKey::derive("battery staple", "lobby");
    let send = |step: Step, seal: Option<&SealKey>| {
        outgoing(&alice, "lobby", &bob.id(), Signal::new(SessionId(5), step), seal, NOW)
    };
    let receive = |signal: Signal, seal: Option<&SealKey>| {
        check_incoming(alice.key(), "lobby", &alice.id(), &bob.id(), signal, seal, NOW).1
    };
    let sealed = send(offer(), Some(&key));
    assert!(matches!(sealed.step, Step::Sealed { .. }));
    let (inner, verdict) = check_incoming(
        alice.key(),
        "lobby",
        &alice.id(),
        &bob.id(),
        sealed.clone(),
        Some(&key),
        NOW,
    );
    assert_eq!((inner.step, verdict), (offer(), Verdict::Good));
    assert_eq!(receive(sealed.clone(), Some(&other)), Verdict::OtherPassphrase);
    assert_eq!(receive(sealed, None), Verdict::SealedWithoutPassphrase);
    let clear = send(offer(), None);
    assert_eq!(receive(clear.clone(), None), Verdict::Good);
    assert_eq!(receive(clear, Some(&key)), Verdict::InTheClear);
    // A bye is never sealed, and is read by anyone.
    let bye = send(Step::Bye { reason: Some("no".into()) }, Some(&key));
    assert!(matches!(bye.step, Step::Bye { .. }));
    assert_eq!(receive(bye.clone(), Some(&other)), Verdict::Good);
    assert_eq!(receive(bye, None), Verdict::Good);
}
