//! The unreliable channel's one-frame messages: each kind there and back, the size
//! limit, and the frames a buggy or hostile peer could send.

use super::*;
use crate::wire::framing::Frame;
use wasm_bindgen_test::wasm_bindgen_test;

const LIMIT: usize = 64 * 1024;

/// What a receiver gets for `frame`, as the channel would hand it over.
fn received(frame: &Frame) -> Result<Payload, FrameError> {
    match frame {
        Frame::Text(text) => decode_single(text.into()),
        Frame::Binary(bytes) => decode_single(bytes.slice(0, bytes.length()).buffer().into()),
    }
}

fn there_and_back(value: JsValue) -> JsValue {
    let frame = encode_single(&Payload::from_js(value), LIMIT).expect("fits");
    received(&frame).expect("accepted").to_js()
}

fn kind(value: &JsValue) -> String {
    js_sys::Object::from(value.clone()).constructor().name().into()
}

#[wasm_bindgen_test]
fn every_kind_arrives_as_sent_in_one_frame() {
    let text = there_and_back("héllo 🦀".into());
    assert_eq!(text.as_string().as_deref(), Some("héllo 🦀"));
    let json = there_and_back(js_sys::JSON::parse(r#"{"x":[1,2.5,null]}"#).expect("json"));
    assert_eq!(
        js_sys::JSON::stringify(&json).ok().map(String::from).as_deref(),
        Some(r#"{"x":[1,2.5,null]}"#)
    );

    let bytes = there_and_back(Uint8Array::from(&[0u8, 1, 255][..]).into());
    assert_eq!(kind(&bytes), "Uint8Array");
    assert_eq!(Uint8Array::from(bytes).to_vec(), [0, 1, 255]);
    let empty = there_and_back(Uint8Array::new_with_length(0).into());
    assert_eq!(Uint8Array::from(empty).length(), 0);

    let floats = js_sys::Float32Array::from(&[1.5f32, -2.0][..]);
    let got = there_and_back(floats.into());
    assert_eq!(kind(&got), "Float32Array");
    assert_eq!(js_sys::Float32Array::from(got).to_vec(), [1.5, -2.0]);
    let buffer = there_and_back(ArrayBuffer::new(3).into());
    assert_eq!(kind(&buffer), "ArrayBuffer");
}

#[wasm_bindgen_test]
fn a_message_over_the_limit_is_refused_with_its_size() {
    let bytes = Payload::Binary(Uint8Array::new_with_length(LIMIT as u32));
    // One byte of header makes it one too many.
    assert_eq!(
        encode_single(&bytes, LIMIT).err(),
        Some(PeerError::TooLargeForUnreliable { bytes: LIMIT + 1, limit: LIMIT })
    );
    let fits = Payload::Binary(Uint8Array::new_with_length(LIMIT as u32 - 1));
    assert!(encode_single(&fits, LIMIT).is_ok());
    // Text is measured in UTF-8: 30,000 "é" are 60,000 bytes.
    let accents = Payload::text(&"é".repeat(30_000));
    assert!(encode_single(&accents, LIMIT).is_ok());
    let accents = Payload::text(&"é".repeat(40_000));
    assert_eq!(
        encode_single(&accents, LIMIT).err(),
        Some(PeerError::TooLargeForUnreliable { bytes: 80_001, limit: LIMIT })
    );
    let message = encode_single(&accents, LIMIT).err().map(|error| error.to_string());
    assert_eq!(
        message.as_deref(),
        Some(
            "message of 80001 bytes is over the unreliable channel's limit of 65536 bytes; \
             send it reliably"
        )
    );
}

#[wasm_bindgen_test]
fn frames_a_sender_never_makes_are_refused() {
    let binary = |bytes: &[u8]| decode_single(Uint8Array::from(bytes).buffer().into());
    assert_eq!(binary(&[]).err(), Some(FrameError::Malformed));
    assert_eq!(binary(&[5, b'I', b'n', b't']).err(), Some(FrameError::Malformed));
    let named = |name: &str, bytes: &[u8]| {
        let mut frame = vec![name.len() as u8];
        frame.extend_from_slice(name.as_bytes());
        frame.extend_from_slice(bytes);
        binary(&frame)
    };
    assert_eq!(named("Window", &[]).err(), Some(FrameError::Malformed));
    assert_eq!(named("Uint8Array", &[1]).err(), Some(FrameError::Malformed));
    assert_eq!(named("Float32Array", &[1, 2, 3]).err(), Some(FrameError::Malformed));
    assert!(named("Int16Array", &[1, 0]).is_ok());
    // Text frames that announce more frames have no place here.
    for frame in ["tFloat32Array", "cb4", "x", ""] {
        assert_eq!(decode_single(frame.into()).err(), Some(FrameError::Unexpected), "{frame}");
    }
}
