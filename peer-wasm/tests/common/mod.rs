//! Helpers for the browser tests: peers on an in-page hub, recorded events, and waits
//! with deadlines (a failing test fails fast with what it saw, instead of hanging).

// Each test binary uses a different part of these helpers.
#![allow(dead_code)]

use peer_wasm::{LocalHub, Payload, Peer, PeerEvent, PeerId};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// A peer joined to a hub, with every event it reports recorded.
pub struct TestPeer {
    pub peer: Peer,
    /// The hub the peer joined through.
    pub hub: LocalHub,
    pub events: Rc<RefCell<Vec<PeerEvent>>>,
}

impl TestPeer {
    /// Joins `hub` as `name`.
    pub async fn join(hub: &LocalHub, name: &str) -> Self {
        let peer = Peer::join_with(hub.link(), "room", name).await.expect("joins");
        let events = Rc::new(RefCell::new(Vec::new()));
        let recorded = Rc::clone(&events);
        peer.set_event_handler(move |event| recorded.borrow_mut().push(event));
        Self { peer, hub: hub.clone(), events }
    }

    pub fn id(&self) -> PeerId {
        self.peer.id().clone()
    }

    /// Texts received so far, as `(sender name, text)`.
    pub fn texts(&self) -> Vec<(String, String)> {
        self.messages()
            .into_iter()
            .filter_map(|(from, payload)| Some((from, payload.as_text()?)))
            .collect()
    }

    /// Messages received so far, as `(sender name, payload)`.
    pub fn messages(&self) -> Vec<(String, Payload)> {
        let events = self.events.borrow();
        let messages = events.iter().filter_map(|event| match event {
            PeerEvent::Message { from, payload } => Some((from.name.clone(), payload.clone())),
            _ => None,
        });
        messages.collect()
    }

    /// How many events match `predicate`.
    pub fn count(&self, predicate: impl Fn(&PeerEvent) -> bool) -> usize {
        self.events.borrow().iter().filter(|event| predicate(event)).count()
    }

    /// Names of the peers with an open channel.
    pub fn connected_names(&self) -> Vec<String> {
        self.peer.connected_peers().into_iter().map(|peer| peer.name).collect()
    }
}

/// Joins one peer per name to a fresh hub, and waits until each knows all the others
/// (so their ids can be used at once, as a page would after `onPeerJoined`).
pub async fn room<const N: usize>(names: [&str; N]) -> [TestPeer; N] {
    match joined(names.map(str::to_owned)).await.try_into() {
        Ok(peers) => peers,
        Err(_) => unreachable!("exactly N peers were joined"),
    }
}

/// [`room`] of `n` peers named `P0`..`P{n-1}`.
pub async fn numbered_room(n: usize) -> Vec<TestPeer> {
    joined((0..n).map(|i| format!("P{i}"))).await
}

async fn joined(names: impl IntoIterator<Item = String>) -> Vec<TestPeer> {
    let hub = LocalHub::new();
    let mut peers = Vec::new();
    for name in names {
        peers.push(TestPeer::join(&hub, &name).await);
    }
    let n = peers.len();
    let everyone_known = || peers.iter().all(|peer| peer.peer.peers().len() == n - 1);
    wait_until("everyone to know everyone", everyone_known, String::new).await;
    peers
}

/// Shuts the peers' hub down, as a server dying would, and waits until each of them
/// has seen signaling end.
pub async fn shut_hub_down(peers: &[TestPeer]) {
    peers[0].hub.shut_down();
    let closed = |peer: &TestPeer| {
        peer.count(|event| matches!(event, PeerEvent::SignalingClosed { .. })) == 1
    };
    wait_until("every peer to see signaling end", || peers.iter().all(closed), String::new).await;
}

/// Polls `condition` every 5 ms for up to 5 s; panics with `what` and `observed()`.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool, observed: impl Fn() -> String) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        sleep(5).await;
    }
    panic!("timed out waiting for {what}; observed: {}", observed());
}
