//! Signals sealed with a passphrase, between real peers in headless Chromium on the
//! in-page hub: peers with the same passphrase connect, and what passes through
//! signaling holds no SDP and no candidate; peers with another passphrase, or one with
//! and one without, fail to connect at once, saying why. Run with
//! `wasm-pack test --headless --chrome --test sealed_signals`.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{TestPeer, wait_until};
use peer_wasm::{
    JoinOptions, LocalHub, Payload, Peer, PeerError, SignalingLink, SignalingTransport,
};
use signaling_protocol::{ClientMessage, Step};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Everything peers sent to the hub, in order.
type Sent = Rc<RefCell<Vec<ClientMessage>>>;

/// A transport that keeps a copy of each message it passes on: what the server saw.
struct Recording {
    inner: Rc<dyn SignalingTransport>,
    sent: Sent,
}

impl SignalingTransport for Recording {
    fn send(&self, message: &ClientMessage) -> Result<(), PeerError> {
        self.sent.borrow_mut().push(message.clone());
        self.inner.send(message)
    }

    fn close(&self) {
        self.inner.close();
    }
}

/// Joins `hub` as `name`, with `passphrase` if any, recording what it sends into `sent`.
async fn join(hub: &LocalHub, name: &str, passphrase: Option<&str>, sent: &Sent) -> TestPeer {
    let link = hub.link();
    let inner = link.transport;
    let transport = Rc::new(Recording { inner, sent: Rc::clone(sent) });
    let link = SignalingLink { transport, events: link.events };
    let options = match passphrase {
        Some(passphrase) => JoinOptions::default().passphrase(passphrase),
        None => JoinOptions::default(),
    };
    let peer = Peer::join_over(link, "room", name, options).await.expect("joins");
    let events = Rc::new(RefCell::new(Vec::new()));
    let recorded = Rc::clone(&events);
    peer.set_event_handler(move |event| recorded.borrow_mut().push(event));
    TestPeer { peer, hub: hub.clone(), events }
}

/// Alice and Bob in one room, with these passphrases; and what they sent.
async fn pair(alice: Option<&str>, bob: Option<&str>) -> (TestPeer, TestPeer, Sent) {
    let (hub, sent) = (LocalHub::new(), Sent::default());
    let alice = join(&hub, "Alice", alice, &sent).await;
    let bob = join(&hub, "Bob", bob, &sent).await;
    let both_known = || alice.peer.peers().len() == 1 && bob.peer.peers().len() == 1;
    wait_until("Alice and Bob to know each other", both_known, String::new).await;
    (alice, bob, sent)
}

#[wasm_bindgen_test]
async fn the_same_passphrase_connects_and_signaling_sees_no_sdp_or_candidate() {
    let passphrase = "correct horse battery staple";
    let (alice, bob, sent) = pair(Some(passphrase), Some(passphrase)).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    let open = || bob.connected_names() == ["Alice"];
    wait_until("Bob to count Alice as connected", open, || format!("{:?}", bob.connected_names()))
        .await;
    bob.peer.send_to(&alice.id(), &Payload::text("sealed hello")).expect("sends");
    let hello = || alice.texts() == [("Bob".to_owned(), "sealed hello".to_owned())];
    wait_until("Bob's message", hello, || format!("{:?}", alice.texts())).await;

    let sent = sent.borrow();
    let signals: Vec<_> = sent
        .iter()
        .filter_map(|message| match message {
            ClientMessage::Signal { signal, .. } => Some(signal.clone()),
            ClientMessage::Join { .. } => None,
        })
        .collect();
    let sealed = |step: &Step| matches!(step, Step::Sealed { .. });
    assert!(signals.len() >= 2, "an offer and an answer at least: {signals:?}");
    assert!(signals.iter().all(|signal| sealed(&signal.step)), "{signals:?}");
    for message in sent.iter() {
        // The ciphertext, the keys and the signatures are random base64url (a key can
        // spell "sdp" by chance): blanked, what is left is all the server reads.
        let mut message = message.clone();
        match &mut message {
            ClientMessage::Signal { signal, .. } => {
                signal.step = Step::Sealed { data: String::new() };
                signal.sig.clear();
            }
            ClientMessage::Join { key, proof, .. } => {
                key.clear();
                proof.clear();
            }
        }
        let text = serde_json::to_string(&message).expect("encodes");
        for secret in ["sdp", "candidate", "a=", "IP4", passphrase] {
            assert!(!text.contains(secret), "{secret:?} passed through signaling: {text}");
        }
    }
}

/// Alice connects to Bob, and fails at once (well before the 15 s connect timeout)
/// with a reason that contains `reason`.
async fn refused(alice: &TestPeer, bob: &TestPeer, reason: &str) {
    let started = js_sys::Date::now();
    let failure = alice.peer.connect(&bob.id()).await.expect_err("must not connect");
    let waited = js_sys::Date::now() - started;
    assert!(failure.to_string().contains(reason), "{failure}");
    assert!(waited < 5_000.0, "failed after {waited} ms: {failure}");
    assert!(alice.connected_names().is_empty() && bob.connected_names().is_empty());
}

#[wasm_bindgen_test]
async fn another_passphrase_is_refused_at_once_saying_so() {
    let (alice, bob, _) = pair(Some("one passphrase"), Some("another passphrase")).await;
    let reason = format!("{} encrypts its signals with a passphrase other than ours", alice.id());
    refused(&alice, &bob, &reason).await;
    assert!(bob.peer.rejected_signals() >= 1);
}

#[wasm_bindgen_test]
async fn a_peer_without_a_passphrase_cannot_read_sealed_signals() {
    let (alice, bob, _) = pair(Some("a passphrase"), None).await;
    let reason = format!("{} encrypts its signals with a passphrase and we have none", alice.id());
    refused(&alice, &bob, &reason).await;
}

#[wasm_bindgen_test]
async fn a_peer_with_a_passphrase_refuses_signals_in_the_clear() {
    let (alice, bob, _) = pair(None, Some("a passphrase")).await;
    let reason =
        format!("{} sent its signals in the clear, and this peer uses a passphrase", alice.id());
    refused(&alice, &bob, &reason).await;
}
