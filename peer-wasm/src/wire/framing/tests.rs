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

/// The constructor's name of the payload's JS value.
fn kind(payload: &Payload) -> String {
    js_sys::Object::from(payload.to_js()).constructor().name().into()
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

#[wasm_bindgen_test]
fn a_named_kind_is_rebuilt_from_the_binary_message_that_follows() {
    let floats = feed(vec![text("tFloat32Array"), binary(&[0, 0, 192, 63, 0, 0, 0, 192])]);
    let floats = floats.expect("accepted").expect("complete");
    assert_eq!(kind(&floats), "Float32Array");
    assert_eq!(js_sys::Float32Array::from(floats.to_js()).to_vec(), vec![1.5, -2.0]);

    let chunked = vec![text("tInt16Array"), text("cb4"), binary(&[1, 0]), binary(&[255, 255])];
    let shorts = feed(chunked).expect("accepted").expect("complete");
    assert_eq!(js_sys::Int16Array::from(shorts.to_js()).to_vec(), vec![1, -1]);

    let buffer = feed(vec![text("tArrayBuffer"), binary(&[9])]).expect("ok").expect("complete");
    assert_eq!(kind(&buffer), "ArrayBuffer");
    // Plain binary frames still arrive as they always did.
    let bytes = feed(vec![binary(&[1, 2])]).expect("accepted").expect("complete");
    assert_eq!(kind(&bytes), "Uint8Array");
}

#[wasm_bindgen_test]
fn named_kinds_that_do_not_fit_end_the_connection() {
    let malformed = [
        vec![text("tFloat32Array"), binary(&[1, 2, 3])], // not a multiple of 4 bytes
        vec![text("tBigInt64Array"), binary(&[0; 12])],
        vec![text("tMap")],
        vec![text("tUint8Array")], // plain bytes are never named
        vec![text("tWindow")],
    ];
    for frames in malformed {
        assert_eq!(feed(frames).err(), Some(FrameError::Malformed));
    }
    let out_of_place = [
        vec![text("tInt8Array"), text("sx")],
        vec![text("tInt8Array"), text("j1")],
        vec![text("tInt8Array"), text("tInt8Array")],
        vec![text("tInt8Array"), text("cs4")],
        vec![text("cb4"), text("tInt8Array")],
        vec![text("x")],
        vec![text("")],
    ];
    for frames in out_of_place {
        assert_eq!(feed(frames).err(), Some(FrameError::Unexpected));
    }
}

#[wasm_bindgen_test]
fn named_kinds_are_sent_as_a_name_then_their_bytes() {
    let floats = js_sys::Float64Array::new_with_length(600 * 1024 / 8);
    let frames = encode(&Payload::from_js(floats.into()), 256 * 1024).expect("encoded");
    let lengths: Vec<_> = frames.iter().map(Frame::len).collect();
    assert_eq!(lengths, [13, 8, 262_144, 262_144, 90_112]);
    assert!(matches!(&frames[0], Frame::Text(t) if *t == "tFloat64Array"));
    assert!(matches!(&frames[1], Frame::Text(t) if *t == "cb614400"));

    let view = js_sys::DataView::new(&ArrayBuffer::new(8), 2, 3);
    let frames = encode(&Payload::from_js(view.into()), 256 * 1024).expect("encoded");
    assert_eq!(frames.iter().map(Frame::len).collect::<Vec<_>>(), [9, 3]);
    // A plain Uint8Array is still one binary frame, the caller's own array.
    let bytes = Uint8Array::new_with_length(4);
    let frames = encode(&Payload::Binary(bytes.clone()), 256 * 1024).expect("encoded");
    assert!(
        matches!(&frames[..], [Frame::Binary(sent)] if JsValue::from(sent) == JsValue::from(&bytes))
    );
}

/// An `ArrayBuffer` of another realm (an iframe's) holding `bytes`. Made with `new
/// Function`, not `inline_js`: each inline snippet is one more file the test page loads,
/// and past six (Chromium's connections to one host) wasm-bindgen-test-runner 0.2.130
/// sometimes never answers one of them, and the page never starts its tests.
fn buffer_from_another_realm(bytes: &[u8]) -> JsValue {
    let make = js_sys::Function::new_with_args(
        "bytes",
        r#"
  const frame = document.createElement("iframe");
  document.body.appendChild(frame);
  const copy = new frame.contentWindow.Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
"#,
    );
    make.call1(&JsValue::NULL, &Uint8Array::from(bytes)).expect("a buffer")
}

/// Firefox hands a channel's `ArrayBuffer` to a page driven from another realm as one
/// that fails `instanceof ArrayBuffer`; a binary frame was then refused as unexpected
/// text and the connection ended. An iframe's buffer reproduces it in any browser.
#[wasm_bindgen_test]
fn a_binary_frame_from_another_realm_is_still_binary() {
    let foreign = buffer_from_another_realm(&[1, 2, 3]);
    assert!(!foreign.is_instance_of::<ArrayBuffer>(), "the test needs a foreign buffer");
    let Ok(Some(payload)) = feed(vec![foreign]) else { panic!("not delivered") };
    assert_eq!(payload.to_bytes(), Some(vec![1, 2, 3]));
}
