//! Large messages and backpressure on real data channels in headless Chromium.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{room, wait_until};
use js_sys::Uint8Array;
use peer_wasm::{MAX_MESSAGE_BYTES, MAX_QUEUED_BYTES, Payload, PeerError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Bytes that differ at every position (so a misplaced chunk is caught).
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 251) as u8).collect()
}

#[wasm_bindgen_test]
async fn messages_far_beyond_the_sctp_limit_arrive_whole_and_exact() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");

    let bytes = pattern(5 * 1024 * 1024 + 123);
    let text: String = "0123456789abcdéf🦀".repeat(200_000); // ~4 MiB of UTF-8
    let json = serde_json_like(&text);
    alice.peer.send_to(&bob.id(), &Payload::bytes(&bytes)).expect("queued");
    alice.peer.send_to(&bob.id(), &Payload::text(&text)).expect("queued");
    alice.peer.send_to(&bob.id(), &Payload::json(&json).expect("json")).expect("queued");
    alice.peer.send_to(&bob.id(), &Payload::text("small after big")).expect("queued");

    wait_until(
        "four messages",
        || bob.messages().len() == 4,
        || format!("{} messages", bob.messages().len()),
    )
    .await;
    let got = bob.messages();
    assert!(got[0].1.to_bytes() == Some(bytes), "the binary message differs");
    assert!(got[1].1.as_text() == Some(text), "the text message differs");
    assert_eq!(got[2].1.parse_json::<Vec<String>>(), Ok(json));
    assert_eq!(got[3].1.as_text().as_deref(), Some("small after big"));
}

fn serde_json_like(text: &str) -> Vec<String> {
    vec![text[..1000].to_owned(); 400]
}

#[wasm_bindgen_test]
async fn sending_faster_than_the_channel_queues_instead_of_throwing() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    // 32 MiB in 64 KiB messages, all at once: twice the channel's own 16 MiB limit.
    let chunk = Uint8Array::from(pattern(64 * 1024).as_slice());
    for _ in 0..512 {
        alice.peer.send_to(&bob.id(), &Payload::Binary(chunk.clone())).expect("queued");
    }
    assert!(alice.peer.buffered_amount(&bob.id()).expect("connected") > 16 * 1024 * 1024);
    alice.peer.ready(&bob.id()).await.expect("drains");
    wait_until(
        "512 messages",
        || bob.messages().len() == 512,
        || format!("{} messages", bob.messages().len()),
    )
    .await;
    assert!(
        bob.messages()
            .iter()
            .all(|(_, payload)| payload.to_bytes().map(|b| b.len()) == Some(64 * 1024))
    );
}

#[wasm_bindgen_test]
async fn a_full_queue_is_a_clear_error_and_oversized_messages_are_refused() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    let big = Uint8Array::new_with_length(MAX_MESSAGE_BYTES as u32);
    // Below the limit a message is taken whatever its size; past it, nothing is.
    const { assert!(MAX_QUEUED_BYTES <= MAX_MESSAGE_BYTES) };
    alice.peer.send_to(&bob.id(), &Payload::Binary(big.clone())).expect("below the limit");
    alice.peer.send_to(&bob.id(), &Payload::Binary(big.clone())).expect("still below");
    let full = alice.peer.send_to(&bob.id(), &Payload::text("one more"));
    assert_eq!(full, Err(PeerError::QueueFull(bob.id())));
    assert_eq!(
        alice.peer.send_message(&Payload::text("one more")),
        Err(PeerError::QueueFull(bob.id()))
    );
    alice.peer.ready(&bob.id()).await.expect("drains");
    alice.peer.send_to(&bob.id(), &Payload::text("after the drain")).expect("room again");

    let too_big = Payload::Binary(Uint8Array::new_with_length(MAX_MESSAGE_BYTES as u32 + 1));
    assert!(matches!(alice.peer.send_to(&bob.id(), &too_big), Err(PeerError::Unsendable(_))));
    wait_until(
        "all three messages",
        || bob.messages().len() == 3,
        || format!("{} messages", bob.messages().len()),
    )
    .await;
    assert_eq!(bob.messages()[2].1.as_text().as_deref(), Some("after the drain"));
}
