//! The one registry of the characters that open text frames on the reliable channel: a
//! text frame's first character says whose it is (the messages', the file transfers'
//! or the mesh's), so they are all listed here and no two formats take the same one
//! (`docs/PROTOCOL.md`, "Text frames by their first character").

/// A message's frame: a string.
pub const TEXT: char = 's';
/// A message's frame: JSON text.
pub const JSON: char = 'j';
/// A message's frame: the kind of the binary message that follows.
pub const NAMED: char = 't';
/// A message's frame: the header of a chunked message.
pub const CHUNKED: char = 'c';
/// The heartbeat, alone: no message.
pub const HEARTBEAT: char = 'h';

/// The mesh's control frame (`g` + JSON).
pub const MESH_CONTROL: char = 'g';
/// A broadcast's header (`b<ttl>:<seq>:<origin>`).
pub const BROADCAST: char = 'b';

/// The file frames: `f` an offer, `d` before a data frame, `e` the end, `x` stopped by
/// the sender, `r` stopped by the receiver, `k` kept.
pub const FILE: [char; 6] = ['f', 'd', 'e', 'x', 'r', 'k'];

/// A chunked message's kind: bytes.
pub const CHUNKS_BYTES: char = 'b';
/// A chunked message's kind: a string as UTF-8.
pub const CHUNKS_TEXT: char = 's';
/// A chunked message's kind: JSON text as UTF-8.
pub const CHUNKS_JSON: char = 'j';

/// Whether `tag` opens a file frame.
pub fn is_file(tag: char) -> bool {
    FILE.contains(&tag)
}

/// Whether `tag` opens a mesh frame.
pub fn is_mesh(tag: char) -> bool {
    tag == MESH_CONTROL || tag == BROADCAST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_formats_share_a_tag() {
        let all: Vec<char> =
            [&[TEXT, JSON, NAMED, CHUNKED, HEARTBEAT, MESH_CONTROL, BROADCAST][..], &FILE].concat();
        for (at, tag) in all.iter().enumerate() {
            assert!(!all[at + 1..].contains(tag), "{tag} is taken twice");
        }
    }
}
