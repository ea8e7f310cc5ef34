//! The messages of the reliable and unreliable channels: the spec's examples frame by
//! frame, every kind there and back at the usual frame sizes, sizes around the chunking
//! boundaries, and the memory a chunked message holds.

use super::chunks::Chunked;
use super::frame::Frame;
use super::reading::{Incoming, Reader};
use super::sending::{HEARTBEAT, message_frames};
use super::unreliable::{read_unreliable, unreliable_frame};
use super::{WireError, max_frame};
use crate::values::kinds;
use crate::values::payload::Payload;

const CHROMIUM: usize = 262_144;
const FALLBACK: usize = 65_536;

pub(super) fn text(frame: &str) -> Frame {
    Frame::Text(frame.to_owned())
}

/// Feeds `frames` to a fresh reader: everything they completed, or the first bad frame.
pub(super) fn feed(frames: Vec<Frame>) -> Result<Vec<Incoming>, super::BadFrame> {
    let mut reader = Reader::new();
    let mut out = Vec::new();
    for frame in frames {
        out.extend(reader.read(frame)?);
    }
    Ok(out)
}

/// Sends `payload` at `max` and reads it back: it must arrive as it went.
fn there_and_back(payload: &Payload, max: usize) -> Vec<Frame> {
    let frames = message_frames(payload, max).expect("sendable");
    for frame in &frames {
        let size = match frame {
            Frame::Text(text) => text.len(),
            Frame::Binary(bytes) => bytes.len(),
        };
        assert!(size <= max, "a frame of {size} bytes at max frame {max}");
    }
    let got = feed(frames.clone()).expect("accepted");
    assert_eq!(got, [Incoming::Message(payload.clone())]);
    frames
}

fn sizes(frames: &[Frame]) -> Vec<String> {
    let describe = |frame: &Frame| match frame {
        Frame::Text(text) => text.clone(),
        Frame::Binary(bytes) => bytes.len().to_string(),
    };
    frames.iter().map(describe).collect()
}

#[test]
fn the_600_kib_example_goes_as_in_the_spec() {
    let bytes: Vec<u8> = (0..614_400u32).map(|i| (i % 251) as u8).collect();
    let frames = there_and_back(&Payload::Bytes(bytes.clone()), CHROMIUM);
    assert_eq!(sizes(&frames), ["cb614400", "262144", "262144", "90112"]);
    assert_eq!(frames[1], Frame::Binary(bytes[..262_144].to_vec()));
    assert_eq!(frames[3], Frame::Binary(bytes[524_288..].to_vec()));
    let floats = Payload::typed("Float32Array", bytes).expect("153600 elements");
    let frames = there_and_back(&floats, CHROMIUM);
    assert_eq!(sizes(&frames), ["tFloat32Array", "cb614400", "262144", "262144", "90112"]);
    let small = there_and_back(&Payload::Bytes(vec![7; 4096]), CHROMIUM);
    assert_eq!(sizes(&small), ["4096"]);
}

#[test]
fn the_float32_unreliable_example_is_21_bytes() {
    let value: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|f| f.to_le_bytes()).collect();
    let payload = Payload::typed("Float32Array", value).expect("two floats");
    let frame = unreliable_frame(&payload, FALLBACK).expect("fits");
    let mut wanted = vec![0x0c];
    wanted.extend_from_slice(b"Float32Array");
    wanted.extend_from_slice(&[0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    assert_eq!(frame, Frame::Binary(wanted));
    assert_eq!(read_unreliable(frame), Ok(payload));
}

/// One payload of each kind, `size` bytes long (text and JSON about that long).
fn every_kind(size: usize) -> Vec<Payload> {
    let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + i / 13) as u8).collect();
    let mut payloads = vec![
        Payload::Bytes(bytes.clone()),
        Payload::Text("é🦀x".repeat(size / 7 + 1)),
        Payload::Json(format!("{{\"a\":[1,2.5,null],\"s\":\"{}\"}}", "ü".repeat(size / 2))),
        Payload::Text(String::new()),
        Payload::Bytes(Vec::new()),
    ];
    for (kind, element) in kinds::KINDS {
        let whole = bytes[..size - size % element].to_vec();
        payloads.push(Payload::typed(kind, whole).expect("a whole number of elements"));
    }
    payloads
}

#[test]
fn every_kind_goes_there_and_back_at_both_frame_sizes() {
    for max in [FALLBACK, CHROMIUM] {
        for size in [0, 1, 100, 70_000, 300_000, 600_001] {
            for payload in every_kind(size) {
                there_and_back(&payload, max);
            }
        }
    }
}

#[test]
fn sizes_around_the_frame_size_split_where_the_spec_says() {
    for max in [FALLBACK, CHROMIUM] {
        for size in (max - 3..=max + 3).chain([2 * max - 1, 2 * max, 2 * max + 1]) {
            let frames = there_and_back(&Payload::Bytes(vec![1; size]), max);
            let chunks = size.div_ceil(max);
            if size <= max {
                assert_eq!(sizes(&frames), [size.to_string()]);
            } else {
                assert_eq!(frames.len(), 1 + chunks, "{size} bytes at {max}");
                assert_eq!(frames[0], text(&format!("cb{size}")));
            }
        }
        // Text: one frame while 3 × its UTF-16 length is under max frame.
        for units in [max / 3 - 2, max / 3 - 1, max / 3, max / 3 + 1] {
            let frames = there_and_back(&Payload::Text("a".repeat(units)), max);
            let single = 3 * units < max;
            assert_eq!(frames.len() == 1, single, "{units} units at {max}");
            if !single {
                assert_eq!(frames[0], text(&format!("cs{units}")));
            }
        }
    }
}

#[test]
fn non_ascii_json_is_chunked_by_the_three_times_rule() {
    // 30,000 "€" are 30,000 UTF-16 units but 90,000 UTF-8 bytes: chunked at 65536.
    let json = format!("\"{}\"", "€".repeat(30_000));
    let frames = there_and_back(&Payload::Json(json.clone()), FALLBACK);
    assert_eq!(frames[0], text(&format!("cj{}", json.len())));
    assert_eq!(sizes(&frames[1..]), ["65536", "24466"]);
    // An emoji is two UTF-16 units and four UTF-8 bytes: 3 × 2 × 10,000 < 65536.
    let emoji = format!("\"{}\"", "🦀".repeat(10_000));
    let frames = there_and_back(&Payload::Json(emoji.clone()), FALLBACK);
    assert_eq!(frames, [text(&format!("j{emoji}"))]);
}

#[test]
fn a_heartbeat_between_chunks_is_taken_and_hi_is_not() {
    let mut frames = message_frames(&Payload::Bytes(vec![3; 100_000]), FALLBACK).expect("ok");
    frames.insert(2, text(HEARTBEAT));
    frames.insert(0, text(HEARTBEAT));
    let got = feed(frames).expect("accepted");
    assert_eq!(got[..2], [Incoming::Heartbeat, Incoming::Heartbeat]);
    assert_eq!(got[2], Incoming::Message(Payload::Bytes(vec![3; 100_000])));
    let named = feed(vec![text("tInt16Array"), text("h"), Frame::Binary(vec![1, 0])]);
    assert_eq!(named.expect("accepted").len(), 2);
    assert!(feed(vec![text("hi")]).is_err());
}

#[test]
fn a_chunk_header_alone_allocates_nothing() {
    let mut chunked = Chunked::start("b67108864", false).expect("the largest message");
    assert_eq!(chunked.held(), 0, "memory held for bytes not yet received");
    let mut received = 0;
    for _ in 0..40 {
        assert_eq!(chunked.append(&[7; 1000]), Ok(None));
        received += 1000;
        assert!(chunked.held() <= 2 * received, "held {} for {received}", chunked.held());
    }
}

#[test]
fn what_cannot_be_sent_is_refused_before_anything_goes_out() {
    let unsendable = |payload: Payload| {
        let refused = message_frames(&payload, FALLBACK);
        assert!(matches!(refused, Err(WireError::Unsendable(_))), "{payload:?} was sent");
    };
    unsendable(Payload::Bytes(vec![0; super::MAX_MESSAGE_BYTES + 1]));
    unsendable(Payload::Json("{\"a\":".into()));
    unsendable(Payload::Typed { kind: "Uint8Array".into(), bytes: vec![1] });
    unsendable(Payload::Typed { kind: "Float64Array".into(), bytes: vec![1; 12] });
    assert!(message_frames(&Payload::Bytes(vec![0; super::MAX_MESSAGE_BYTES]), CHROMIUM).is_ok());
}

#[test]
fn unreliable_frames_carry_every_kind_up_to_the_limit() {
    for payload in every_kind(1000) {
        let frame = unreliable_frame(&payload, FALLBACK).expect("fits");
        assert_eq!(read_unreliable(frame), Ok(payload));
    }
    let full = Payload::Bytes(vec![0; FALLBACK]);
    let refused = WireError::TooLargeForUnreliable { bytes: FALLBACK + 1, limit: FALLBACK };
    assert_eq!(unreliable_frame(&full, FALLBACK), Err(refused.clone()));
    assert_eq!(
        refused.to_string(),
        "message of 65537 bytes is over the unreliable channel's limit of 65536 bytes; \
         send it reliably"
    );
    assert!(unreliable_frame(&Payload::Bytes(vec![0; FALLBACK - 1]), FALLBACK).is_ok());
    // Text is measured in UTF-8: 40,000 "é" are 80,000 bytes.
    let accents = Payload::Text("é".repeat(40_000));
    let too_large = WireError::TooLargeForUnreliable { bytes: 80_001, limit: FALLBACK };
    assert_eq!(unreliable_frame(&accents, FALLBACK), Err(too_large));
    assert!(unreliable_frame(&Payload::Text("é".repeat(30_000)), FALLBACK).is_ok());
}

#[test]
fn max_frame_follows_the_remotes_limit() {
    assert_eq!(max_frame(None), FALLBACK);
    assert_eq!(max_frame(Some(0)), FALLBACK);
    assert_eq!(max_frame(Some(1023)), FALLBACK);
    assert_eq!(max_frame(Some(1024)), 1024);
    assert_eq!(max_frame(Some(100_000)), 100_000);
    assert_eq!(max_frame(Some(1 << 30)), CHROMIUM);
}
