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
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn no_two_formats_share_a_tag() {
        let all: Vec<u8> = [&[TEXT, JSON, NAMED, CHUNKED, HEARTBEAT][..], &MESH, &FILE].concat();
        for (at, tag) in all.iter().enumerate() {
            assert!(!all[at + 1..].contains(tag), "{} is taken twice", char::from(*tag));
        }
    }
}
