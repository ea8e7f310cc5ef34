//! The one registry of the tags that open text frames on the reliable data channel. A
//! text frame's first character says whose it is: the mesh's, the file transfers', or
//! the messages'; they are all listed here so that no two formats take the same one
//! (`docs/PROTOCOL.md`, "The data channel"). The unreliable channel has its own
//! framing (`framing/single.rs`), where every frame is a message.

/// A message's frame (`framing.rs`): a string.
pub(crate) const TEXT: u8 = b's';
/// A message's frame: JSON text.
pub(crate) const JSON: u8 = b'j';
/// A message's frame: the kind of the binary message that follows.
pub(crate) const NAMED: u8 = b't';
/// A message's frame: the header of a chunked message.
pub(crate) const CHUNKED: u8 = b'c';

/// The heartbeat frame (`framing.rs`), alone: no message.
pub(crate) const HEARTBEAT: u8 = b'h';

/// The mesh's frames (`mesh_frames.rs`): `g` a control frame, `b` a broadcast's header.
pub(crate) const MESH: [u8; 2] = [b'g', b'b'];

/// The file frames (`file_frames.rs`): `f` an offer, `d` before a data frame, `e` the
/// end, `x` stopped by the sender, `r` stopped by the receiver, `k` kept.
pub(crate) const FILE: [u8; 6] = [b'f', b'd', b'e', b'x', b'r', b'k'];

/// Whether `tag`, a text frame's first UTF-16 unit, is one of `tags`.
pub(crate) fn is_one_of(tags: &[u8], tag: f64) -> bool {
    tags.iter().any(|t| f64::from(*t) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::framing::{self, Frame};
    use crate::wire::payload::Payload;
    use crate::wire::{file_frames, mesh_frames};
    use js_sys::{JsString, Uint8Array};
    use peer_core::{Advert, Relayed};
    use signaling_protocol::{PeerId, PeerInfo, SessionId, Signal, Step};
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The tag of a text frame: its first UTF-16 unit.
    fn tag_of(text: &JsString) -> u8 {
        u8::try_from(text.char_code_at(0) as u32).expect("an ASCII tag")
    }

    fn text_tags(frames: Vec<Frame>) -> Vec<u8> {
        let text = |frame: &Frame| match frame {
            Frame::Text(text) => Some(tag_of(text)),
            Frame::Binary(_) => None,
        };
        frames.iter().filter_map(text).collect()
    }

    /// Every encoder writes the tags listed here for its format, and each format's reader
    /// takes its own: a tag written as a literal in a codec cannot drift from the list.
    #[wasm_bindgen_test]
    fn every_frame_written_opens_with_a_tag_of_its_format() {
        let id = || PeerId::new("p".repeat(43));
        let files = [
            file_frames::part(1),
            file_frames::end(1, None),
            file_frames::end(1, Some(&"0".repeat(64))),
            file_frames::kept(1),
            file_frames::cancel(1, "why"),
            file_frames::refuse(1, "why"),
        ];
        for frame in files {
            assert!(FILE.contains(&tag_of(&frame)), "{}", String::from(&frame));
            assert!(file_frames::is_file_tag(frame.char_code_at(0)));
        }
        let advert = Advert { origin: PeerInfo::new(id(), "a"), version: 1, links: vec![id()] };
        let signal = Signal::new(SessionId(1), Step::Bye { reason: Some("why".into()) });
        let relayed = Relayed { from: id(), to: id(), route: vec![id()], signal };
        let mesh = [
            mesh_frames::advert_frame(&advert),
            mesh_frames::digest_frame(&[(id(), 1)]),
            mesh_frames::relay_frame(&relayed),
            mesh_frames::broadcast_frame(&id(), 1, 2),
        ];
        for tag in mesh.into_iter().flat_map(|frame| text_tags(vec![frame])) {
            assert!(MESH.contains(&tag), "{}", char::from(tag));
        }
        let big = Uint8Array::new_with_length(1024);
        let payloads = [
            (Payload::Text("hi".into()), TEXT),
            (Payload::Json(JsValue::from(1)), JSON),
            (Payload::from_js(js_sys::Float32Array::new_with_length(2).into()), NAMED),
            (Payload::Binary(big), CHUNKED),
        ];
        for (payload, tag) in payloads {
            let tags = text_tags(framing::encode(&payload, 256).expect("encoded"));
            assert_eq!(tags.first(), Some(&tag), "{}", char::from(tag));
        }
        assert_eq!(framing::HEARTBEAT_FRAME.as_bytes(), [HEARTBEAT]);
        // The plain messages' inline JS writes and reads the string tag itself.
        let plain = include_str!("../transport/plain_messages.rs");
        assert!(plain.contains(&format!("charCodeAt(0) === {TEXT})")));
        assert!(plain.contains(&format!("\"{}\" + data", char::from(TEXT))));
    }

    #[wasm_bindgen_test]
    fn no_two_formats_share_a_tag() {
        let all: Vec<u8> = [&[TEXT, JSON, NAMED, CHUNKED, HEARTBEAT][..], &MESH, &FILE].concat();
        for (at, tag) in all.iter().enumerate() {
            assert!(!all[at + 1..].contains(tag), "{} is taken twice", char::from(*tag));
        }
    }
}
