//! The framing checked frame by frame: what a sender produces, and what the reassembler
//! makes of frames a buggy or hostile peer could send.

use super::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn text(frame: &str) -> JsValue {
    JsValue::from_str(frame)
}

fn binary(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).buffer().into()
}

/// Feeds `frames` to a fresh reassembler; the first error, or what the last frame gave.
fn feed(frames: Vec<JsValue>) -> Result<Option<Payload>, FrameError> {
    let mut reassembler = Reassembler::default();
    let mut last = Ok(None);
    for frame in frames {
        last = Ok(reassembler.push(frame)?);
    }
    last
}

#[wasm_bindgen_test]
fn a_chunk_header_alone_allocates_nothing() {
    let mut reassembler = Reassembler::default();
    // 12 bytes announcing the largest message allowed.
    assert!(matches!(reassembler.push(text("cb67108864")), Ok(None)));
    assert_eq!(reassembler.held_bytes(), 0, "memory held for bytes not yet received");
    let mut received = 0;
    for _ in 0..40 {
        assert!(matches!(reassembler.push(binary(&[7; 1000])), Ok(None)));
        received += 1000;
        let held = reassembler.held_bytes();
        assert!(held <= 2 * received, "held {held} for {received} received");
    }
}

#[wasm_bindgen_test]
fn chunks_are_joined_whole_and_in_order() {
    let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 31 + i / 251) as u8).collect();
    let mut frames = vec![text("cb10000")];
    frames.extend(bytes.chunks(999).map(binary));
    let payload = feed(frames).expect("accepted").expect("complete");
    assert_eq!(payload.to_bytes(), Some(bytes));
    assert_eq!(
        feed(vec![text("cb3"), binary(&[1, 2]), binary(&[3, 4])]).err(),
        Some(FrameError::TooLarge)
    );
}

#[wasm_bindgen_test]
fn chunk_lengths_must_be_plain_decimal_digits() {
    for header in ["cb", "cb0", "cb05", "cb+5", "cb-5", "cb 5", "cb5 ", "cb0x5", "cb٥", "cx5", "c"]
    {
        assert_eq!(feed(vec![text(header)]).err(), Some(FrameError::Malformed), "{header}");
    }
    for header in ["cb67108865", "cb99999999", "cb4294967296", "cb18446744073709551616"] {
        assert_eq!(feed(vec![text(header)]).err(), Some(FrameError::TooLarge), "{header}");
    }
}
