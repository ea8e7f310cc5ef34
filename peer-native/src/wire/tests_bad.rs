//! Every bad frame the spec lists, on both channels: each one ends in a [`BadFrame`],
//! and never in a panic.

use super::BadFrame;
use super::frame::Frame;
use super::reading::Incoming;
use super::tests::{feed, text};
use super::unreliable::read_unreliable;
use crate::values::payload::Payload;

fn binary(bytes: &[u8]) -> Frame {
    Frame::Binary(bytes.to_vec())
}

fn refused(frames: Vec<Frame>) {
    let described = format!("{frames:?}");
    let got: Result<Vec<Incoming>, BadFrame> = feed(frames);
    assert!(got.is_err(), "taken: {:.200} gave {got:?}", described);
}

#[test]
fn text_frames_of_no_known_tag_are_bad() {
    for frame in ["", "hi", "h ", "h{}", "H", "S", "a", "z", "é", "🦀", " s", "\u{0}"] {
        refused(vec![text(frame)]);
    }
}

#[test]
fn frames_out_of_place_around_a_named_kind_are_bad() {
    let after_name = ["sx", "j1", "tInt8Array", "cs4", "cj4", "f{}", "d1", "g{}", "b1:1:a", "k1"];
    for frame in after_name {
        refused(vec![text("tInt8Array"), text(frame)]);
    }
    // A `cb` header after a `t` frame is how a large named value goes.
    let chunked = feed(vec![text("tInt8Array"), text("cb2"), binary(&[1]), binary(&[2])]);
    let floats = Payload::Typed { kind: "Int8Array".into(), bytes: vec![1, 2] };
    assert_eq!(chunked, Ok(vec![Incoming::Message(floats)]));
}

#[test]
fn text_inside_a_chunked_message_is_bad() {
    for frame in ["sx", "j1", "tInt8Array", "cb4", "d1", "g{}", "b1:1:a", "e1", "hi"] {
        refused(vec![text("cb4"), binary(&[1]), text(frame)]);
        refused(vec![text("cs4"), text(frame)]);
    }
}

#[test]
fn named_kinds_that_break_their_rules_are_bad() {
    for name in ["tWindow", "tUint8Array", "tMap", "t", "tfloat32array", "tFloat32Array "] {
        refused(vec![text(name)]);
    }
    refused(vec![text("tFloat32Array"), binary(&[1, 2, 3])]);
    refused(vec![text("tBigInt64Array"), binary(&[0; 12])]);
    refused(vec![text("tInt16Array"), text("cb3"), binary(&[1, 2, 3])]);
    // Every kind this side knows is taken, Float16Array included.
    let half = feed(vec![text("tFloat16Array"), binary(&[0, 60])]).expect("taken");
    assert_eq!(half.len(), 1);
}

#[test]
fn chunk_headers_that_break_the_format_are_bad() {
    let malformed = ["c", "cb", "cb0", "cb05", "cb+5", "cb-5", "cb 5", "cb5 ", "cb0x5", "cb٥"];
    let other = ["cx5", "cB5", "ct5", "cb67108865", "cb99999999", "cb4294967296"];
    for header in malformed.iter().chain(&other).chain(&["cb18446744073709551616"]) {
        refused(vec![text(header)]);
    }
    let largest = feed(vec![text("cb67108864")]).expect("the largest message is announced");
    assert!(largest.is_empty());
}

#[test]
fn chunks_past_the_length_are_bad() {
    refused(vec![text("cb3"), binary(&[1, 2]), binary(&[3, 4])]);
    refused(vec![text("cs1"), binary(b"ab")]);
    let joined = feed(vec![text("cs3"), binary(b"a"), binary(b"bc")]).expect("whole");
    assert_eq!(joined, [Incoming::Message(Payload::Text("abc".into()))]);
}

#[test]
fn json_that_does_not_parse_is_bad() {
    for body in ["", "{", "{\"a\":}", "[1,]", "undefined", "NaN", "{'a':1}", "1 2"] {
        refused(vec![text(&format!("j{body}"))]);
        let bytes = body.as_bytes();
        if !bytes.is_empty() {
            refused(vec![text(&format!("cj{}", bytes.len())), binary(bytes)]);
        }
    }
    for body in ["1", "null", " {\"a\" : [true]} ", "\"é\"", "-0.5e3"] {
        let got = feed(vec![text(&format!("j{body}"))]).expect("JSON");
        assert_eq!(got, [Incoming::Message(Payload::Json(body.into()))]);
    }
}

#[test]
fn file_and_mesh_frames_that_break_their_format_are_bad() {
    let files = ["d0", "d01", "d", "dx", "d1:x", "e01", "e1:", "e1:abc", "x-1:why", "k1:x", "k"];
    let offers = ["f", "f{", "f[]", "f{\"id\":0,\"name\":\"a\",\"size\":1,\"type\":\"\"}"];
    let mesh = ["b0:1:x", "b1:x", "b1:1:", "b1:1:a:b", "b256:1:a", "g", "g{}", "g[]"];
    let kinds = ["g{\"kind\":\"other\"}", "g{\"kind\":\"advert\"}", "g{\"kind\":\"digest\"}"];
    for frame in files.iter().chain(&offers).chain(&mesh).chain(&kinds) {
        refused(vec![text(frame)]);
    }
}

#[test]
fn after_a_data_announcement_only_data_heartbeats_and_mesh_frames_are_taken() {
    for frame in ["sx", "j1", "tInt8Array", "cb1", "d1", "e1", "k1", "hi"] {
        refused(vec![text("d1"), text(frame)]);
    }
    let digest = "g{\"kind\":\"digest\",\"have\":{}}";
    let got = feed(vec![text("d1"), text("h"), text(digest), binary(&[9])]).expect("taken");
    assert_eq!(got.len(), 4);
    assert!(matches!(&got[3], Incoming::File(peer_core::files::FileFrame::Data(d)) if d == &[9]));
}

#[test]
fn a_mesh_frame_between_a_broadcasts_header_and_its_message_is_bad() {
    refused(vec![text("b3:1:a"), text("g{\"kind\":\"digest\",\"have\":{}}")]);
    refused(vec![text("b3:1:a"), text("b3:2:a")]);
}

#[test]
fn bad_unreliable_frames_are_refused() {
    let named = |name: &str, bytes: &[u8]| {
        let mut frame = vec![name.len() as u8];
        frame.extend_from_slice(name.as_bytes());
        frame.extend_from_slice(bytes);
        Frame::Binary(frame)
    };
    let bad = [
        binary(&[]),
        binary(&[5, b'I', b'n', b't']),
        binary(&[255]),
        named("Window", &[]),
        named("Uint8Array", &[1]),
        named("Float32Array", &[1, 2, 3]),
        named("Float\u{ff}", &[]),
        text("tFloat32Array"),
        text("cb4"),
        text("h"),
        text("x"),
        text(""),
        text("j{"),
    ];
    for frame in bad {
        let described = format!("{frame:?}");
        assert!(read_unreliable(frame).is_err(), "{described} was taken");
    }
    let shorts = Payload::Typed { kind: "Int16Array".into(), bytes: vec![1, 0] };
    assert_eq!(read_unreliable(named("Int16Array", &[1, 0])), Ok(shorts));
    assert_eq!(read_unreliable(binary(&[0])), Ok(Payload::Bytes(Vec::new())));
    assert_eq!(read_unreliable(text("s")), Ok(Payload::Text(String::new())));
}

/// A small deterministic generator (xorshift), so the loop below needs no crate.
struct Noise(u64);

impl Noise {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }

    /// A frame made of the pieces frames are made of, in any order.
    fn frame(&mut self) -> Frame {
        const PIECES: [&str; 24] = [
            "s",
            "j",
            "t",
            "c",
            "h",
            "f",
            "d",
            "e",
            "x",
            "r",
            "k",
            "g",
            "b",
            "1",
            "0",
            ":",
            "4",
            "Int16Array",
            "{\"kind\":\"digest\",\"have\":{}}",
            "{",
            "é",
            "67108864",
            "\"",
            "-",
        ];
        if self.next(3) == 0 {
            let len = self.next(12);
            return Frame::Binary((0..len).map(|_| self.next(256) as u8).collect());
        }
        let pieces = 1 + self.next(4);
        Frame::Text((0..pieces).map(|_| PIECES[self.next(PIECES.len())]).collect())
    }
}

#[test]
fn no_sequence_of_frames_makes_the_reader_panic() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let (mut taken, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let mut reader = super::reading::Reader::new();
        for _ in 0..8 {
            let frame = noise.frame();
            let _ = read_unreliable(frame.clone());
            match reader.read(frame) {
                Ok(_) => taken += 1,
                Err(_) => {
                    refused += 1;
                    break;
                }
            }
        }
    }
    // Both outcomes happen: the generator reaches well formed and bad frames alike.
    assert!(taken > 1000 && refused > 1000, "{taken} taken, {refused} refused");
}
