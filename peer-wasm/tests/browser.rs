//! Real `RTCPeerConnection`s and data channels in headless Chromium, between peers of
//! one page introduced by the in-page hub. Run with `wasm-pack test --headless --chrome`.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{TestPeer, room, sleep, wait_until};
use peer_wasm::{LocalHub, Payload, Peer, PeerError, PeerEvent, PeerId};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn text_binary_and_json_arrive_as_the_kind_sent() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    wait_until(
        "Bob to count Alice as connected",
        || bob.connected_names() == ["Alice"],
        || format!("{:?}", bob.connected_names()),
    )
    .await;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Move {
        x: i32,
        tags: Vec<String>,
    }
    let bytes: Vec<u8> = (0..=255).collect();
    let chess = Move { x: 7, tags: vec!["check".into()] };
    assert_eq!(alice.peer.send_message(&Payload::text("héllo 🦀")), Ok(1));
    assert_eq!(alice.peer.send_message(&Payload::bytes(&bytes)), Ok(1));
    assert_eq!(alice.peer.send_message(&Payload::json(&chess).expect("json")), Ok(1));
    // A string that looks like a tag or like JSON stays a string.
    alice.peer.send_to(&bob.id(), &Payload::text("j{\"x\":1}")).expect("sends");
    alice.peer.send_to(&bob.id(), &Payload::text("")).expect("sends");

    wait_until("five messages", || bob.messages().len() == 5, || format!("{:?}", bob.messages()))
        .await;
    let got = bob.messages();
    assert!(got.iter().all(|(from, _)| from == "Alice"));
    assert_eq!(got[0].1.as_text().as_deref(), Some("héllo 🦀"));
    assert_eq!(got[1].1.to_bytes(), Some(bytes));
    assert_eq!(got[2].1.parse_json::<Move>(), Ok(chess));
    assert_eq!(got[3].1.as_text().as_deref(), Some("j{\"x\":1}"));
    assert_eq!(got[4].1.as_text().as_deref(), Some(""));
}

#[wasm_bindgen_test]
async fn both_sides_connecting_at_once_end_with_one_channel() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    let (alice_id, bob_id) = (alice.id(), bob.id());
    let (a, b) = futures_util::join!(alice.peer.connect(&bob_id), bob.peer.connect(&alice_id));
    assert_eq!((a, b), (Ok(()), Ok(())));
    assert_eq!(alice.connected_names(), ["Bob"]);
    assert_eq!(bob.connected_names(), ["Alice"]);

    assert_eq!(alice.peer.send_message(&"ping".into()), Ok(1));
    assert_eq!(bob.peer.send_message(&"pong".into()), Ok(1));
    wait_until(
        "both messages",
        || alice.texts().len() == 1 && bob.texts().len() == 1,
        || format!("alice {:?} bob {:?}", alice.texts(), bob.texts()),
    )
    .await;
    assert_eq!(bob.texts(), [("Alice".to_string(), "ping".to_string())]);
    assert_eq!(alice.texts(), [("Bob".to_string(), "pong".to_string())]);
    // One channel, so each side saw exactly one connection open and none close.
    sleep(200).await;
    let connected = |event: &PeerEvent| matches!(event, PeerEvent::Connected(_));
    let disconnected = |event: &PeerEvent| matches!(event, PeerEvent::Disconnected { .. });
    assert_eq!((alice.count(connected), bob.count(connected)), (1, 1));
    assert_eq!((alice.count(disconnected), bob.count(disconnected)), (0, 0));
}

#[wasm_bindgen_test]
async fn disconnect_closes_both_sides_and_a_new_connect_works() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    // Alice's side opens first; closed before Bob's side opened too, the channel would
    // be, for Bob, an attempt that failed (no connect, no disconnect: Firefox, seen in CI).
    wait_until(
        "Bob to count Alice as connected",
        || bob.connected_names() == ["Alice"],
        || format!("{:?}", bob.connected_names()),
    )
    .await;
    alice.peer.disconnect(&bob.id()).await;
    assert!(alice.connected_names().is_empty());
    wait_until(
        "Bob to see the disconnect",
        || bob.connected_names().is_empty(),
        || format!("{:?}", bob.connected_names()),
    )
    .await;
    assert_eq!(alice.peer.send_message(&"lost?".into()), Ok(0));
    assert_eq!(
        alice.peer.send_to(&bob.id(), &"lost?".into()),
        Err(PeerError::NotConnected(bob.id()))
    );
    // A second disconnect is a no-op.
    alice.peer.disconnect(&bob.id()).await;

    bob.peer.connect(&alice.id()).await.expect("reconnects");
    assert_eq!(bob.peer.send_message(&"again".into()), Ok(1));
    wait_until(
        "the message after reconnecting",
        || alice.texts().len() == 1,
        || format!("{:?}", alice.texts()),
    )
    .await;
    let disconnected = |event: &PeerEvent| matches!(event, PeerEvent::Disconnected { .. });
    assert_eq!((alice.count(disconnected), bob.count(disconnected)), (1, 1));
}

#[wasm_bindgen_test]
async fn the_reference_scenario() {
    let [peer1, peer2, peer3] = room(["Peer 1", "Peer 2", "Peer 3"]).await;
    peer1.peer.connect(&peer2.id()).await.expect("1 connects to 2");
    peer1.peer.connect(&peer3.id()).await.expect("1 connects to 3");
    wait_until(
        "2 and 3 to count 1 as connected",
        || peer2.connected_names() == ["Peer 1"] && peer3.connected_names() == ["Peer 1"],
        || format!("{:?} {:?}", peer2.connected_names(), peer3.connected_names()),
    )
    .await;

    assert_eq!(peer1.peer.send_message(&"Hello, everyone!".into()), Ok(2));
    assert_eq!(peer2.peer.send_message(&"Hi, Peer 1!".into()), Ok(1));
    assert_eq!(peer3.peer.send_message(&"Greetings from Peer 3!".into()), Ok(1));
    wait_until(
        "the greetings",
        || peer1.texts().len() == 2 && peer2.texts().len() == 1 && peer3.texts().len() == 1,
        || format!("{:?} {:?} {:?}", peer1.texts(), peer2.texts(), peer3.texts()),
    )
    .await;

    peer1.peer.disconnect(&peer2.id()).await;
    peer2.peer.disconnect(&peer3.id()).await; // never connected: a no-op
    wait_until(
        "2 to see the disconnect",
        || peer2.connected_names().is_empty(),
        || format!("{:?}", peer2.connected_names()),
    )
    .await;
    assert_eq!(peer1.peer.send_message(&"Goodbye!".into()), Ok(1));
    wait_until("3 to get Goodbye", || peer3.texts().len() == 2, || format!("{:?}", peer3.texts()))
        .await;
    sleep(200).await;

    let said = |who: &str, text: &str| (who.to_string(), text.to_string());
    let mut peer1_got = peer1.texts();
    peer1_got.sort();
    assert_eq!(
        peer1_got,
        [said("Peer 2", "Hi, Peer 1!"), said("Peer 3", "Greetings from Peer 3!")]
    );
    assert_eq!(peer2.texts(), [said("Peer 1", "Hello, everyone!")]);
    assert_eq!(peer3.texts(), [said("Peer 1", "Hello, everyone!"), said("Peer 1", "Goodbye!")]);
    assert_eq!(peer1.connected_names(), ["Peer 3"]);
    assert_eq!(peer3.connected_names(), ["Peer 1"]);
}

#[wasm_bindgen_test]
async fn a_peer_that_closes_is_seen_leaving() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    bob.peer.close();
    wait_until(
        "Alice to see Bob leave",
        || alice.peer.peers().is_empty(),
        || format!("{:?}", alice.peer.peers()),
    )
    .await;
    assert!(alice.connected_names().is_empty());
    let left = |event: &PeerEvent| matches!(event, PeerEvent::PeerLeft(peer) if peer.name == "Bob");
    assert_eq!(alice.count(left), 1);
    assert_eq!(bob.peer.send_message(&"ghost".into()), Err(PeerError::Closed));
    assert_eq!(bob.peer.connect(&alice.id()).await, Err(PeerError::Closed));
}

#[wasm_bindgen_test]
async fn bad_use_is_answered_with_clear_errors() {
    let hub = LocalHub::new();
    let alice = TestPeer::join(&hub, "Alice").await;
    let nobody = PeerId::new("nobody");
    assert_eq!(alice.peer.connect(&nobody).await, Err(PeerError::UnknownPeer(nobody.clone())));
    assert_eq!(alice.peer.connect(&alice.id()).await, Err(PeerError::SelfConnect));
    assert_eq!(alice.peer.send_to(&nobody, &"x".into()), Err(PeerError::UnknownPeer(nobody)));
    let unsendable = Payload::Json(wasm_bindgen::JsValue::UNDEFINED);
    assert!(matches!(alice.peer.send_message(&unsendable), Err(PeerError::Unsendable(_))));

    let blank = Peer::join_with(hub.link(), "room", "  ").await.err().expect("refused");
    assert_eq!(blank.to_string(), "invalid name: the name must be 1 to 64 printable characters");
    let bad_room = Peer::join_with(hub.link(), "no spaces", "Bob").await.err().expect("refused");
    assert!(matches!(bad_room, PeerError::InvalidInput { what: "room", .. }));
    let unreachable = Peer::join("ws://127.0.0.1:9/ws", "room", "Bob").await.err().expect("fails");
    assert_eq!(
        unreachable.to_string(),
        "could not reach the signaling server at ws://127.0.0.1:9/ws"
    );
}

#[wasm_bindgen_test]
async fn many_connect_disconnect_cycles_keep_working() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    for round in 0..10 {
        alice.peer.connect(&bob.id()).await.expect("connects");
        assert_eq!(alice.peer.send_message(&format!("round {round}").as_str().into()), Ok(1));
        alice.peer.disconnect(&bob.id()).await;
    }
    wait_until("all ten messages", || bob.texts().len() == 10, || format!("{:?}", bob.texts()))
        .await;
}

#[wasm_bindgen_test]
async fn open_channels_outlive_the_signaling_server() {
    let [alice, bob, carol] = room(["Alice", "Bob", "Carol"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    alice.hub.shut_down();
    let closed = |event: &PeerEvent| matches!(event, PeerEvent::SignalingClosed { .. });
    wait_until(
        "everyone to hear signaling closed",
        || alice.count(closed) == 1 && bob.count(closed) == 1 && carol.count(closed) == 1,
        String::new,
    )
    .await;

    assert_eq!(alice.peer.send_message(&"still here".into()), Ok(1));
    wait_until("Bob to get it", || bob.texts().len() == 1, || format!("{:?}", bob.texts())).await;
    assert_eq!(alice.peer.connect(&carol.id()).await, Err(PeerError::SignalingClosed));
    assert_eq!(alice.connected_names(), ["Bob"]);
}

#[wasm_bindgen_test]
async fn a_peer_that_never_answers_fails_the_connect_instead_of_hanging() {
    let hub = peer_wasm::LocalHub::new();
    let alice = TestPeer::join(&hub, "Alice").await;
    // A member of the room that reads nothing and answers nothing.
    let silent = hub.link();
    let join = signaling_protocol::ClientMessage::Join {
        room: "room".into(),
        name: "Mute".into(),
        secret: None,
        // A key of its own (the in-page hub does not ask for the proof).
        key: "BFsLh3u2fNzB8qd-Gqy_d4ehmHvKyLeRa9k0pWGr9OT-zy0AtL5gJ8btbbAMY3KrFblCCQnMwvzusRmUHRK6nHM"
            .into(),
        proof: String::new(),
    };
    silent.transport.send(&join).expect("joins");
    wait_until("Alice to know Mute", || alice.peer.peers().len() == 1, String::new).await;
    let mute = alice.peer.peers()[0].id.clone();

    let failure = alice.peer.connect(&mute).await.expect_err("no answer ever comes");
    assert_eq!(
        failure.to_string(),
        format!("connection to peer {mute} failed: no data channel within 15 s")
    );
    assert!(alice.connected_names().is_empty());
}

/// Calling `close()` from inside an event callback keeps every `Disconnected` event (the
/// handler is out of its slot while it runs, and close() must not drop it).
#[wasm_bindgen_test]
async fn close_from_inside_an_event_callback_still_reports_every_disconnect() {
    let [bob, carol] = room(["Bob", "Carol"]).await;
    let alice = Rc::new(Peer::join_with(bob.hub.link(), "room", "Alice").await.expect("joins"));
    wait_until("Alice to know both", || alice.peers().len() == 2, String::new).await;
    alice.connect(&bob.id()).await.expect("connects");
    alice.connect(&carol.id()).await.expect("connects");
    let seen = Rc::new(RefCell::new(Vec::new()));
    let (record, closing) = (Rc::clone(&seen), Rc::downgrade(&alice));
    alice.set_event_handler(move |event| {
        let line = match &event {
            PeerEvent::Message { from, .. } => format!("message from {}", from.name),
            PeerEvent::Disconnected { peer, .. } => format!("disconnected {}", peer.name),
            other => format!("{other:?}"),
        };
        record.borrow_mut().push(line);
        if matches!(event, PeerEvent::Message { .. })
            && let Some(alice) = closing.upgrade()
        {
            alice.close();
        }
    });
    bob.peer.send_to(&alice.id().clone(), &"please leave".into()).expect("sends");
    wait_until("Alice's two disconnects", || seen.borrow().len() == 3, || format!("{seen:?}"))
        .await;
    let mut lines = seen.borrow().clone();
    assert_eq!(lines.remove(0), "message from Bob");
    lines.sort();
    assert_eq!(lines, ["disconnected Bob", "disconnected Carol"]);
    assert_eq!(alice.send_message(&"x".into()), Err(PeerError::Closed));
}
