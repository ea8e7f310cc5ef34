//! Identity: a peer is its key. Its id is derived from its public key, its join proves it
//! holds the private key, and every signal it sends is signed; this module builds the exact
//! bytes each signature covers (docs/PROTOCOL.md, "Identity"), so that the server, the
//! browser and any other implementation sign and check the same text.
//!
//! The key pair is ECDSA P-256 with SHA-256. A public key travels as `key`: base64url
//! without padding of its uncompressed SEC1 point (65 bytes, the first `0x04`), 87
//! characters. Signatures are base64url without padding of the 64-byte `r || s` (IEEE
//! P1363, what WebCrypto produces).

use crate::{ErrorCode, PeerId, Signal, Step};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Characters of a public key: 65 bytes in base64url without padding.
pub const KEY_CHARS: usize = 87;

/// Characters of a peer id: the first 16 bytes of a SHA-256, in lowercase hex.
pub const ID_CHARS: usize = 32;

/// Characters of a signature: 64 bytes in base64url without padding.
pub const SIGNATURE_CHARS: usize = 86;

/// A public key is an uncompressed P-256 point in canonical base64url: 87 characters of
/// `A-Z a-z 0-9 - _`, the first `B` (the point's `0x04` tag), the last one of
/// `AEIMQUYcgkosw048` (its two unused bits zero, so that one key has one text and one id). Whether the point
/// is on the curve is checked by whoever verifies a signature with it.
pub fn validate_key(key: &str) -> Result<(), ErrorCode> {
    // On bytes: the browser package carries this, and byte checks are the smallest code.
    let bytes = key.as_bytes();
    let base64url = |byte: &u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_');
    let canonical_end = bytes.last().is_some_and(|last| b"AEIMQUYcgkosw048".contains(last));
    if bytes.len() != KEY_CHARS || bytes[0] != b'B' || !canonical_end {
        return Err(ErrorCode::InvalidKey);
    }
    if !bytes.iter().all(base64url) {
        return Err(ErrorCode::InvalidKey);
    }
    Ok(())
}

/// The id of the peer whose public key is `key` (as it travels, see [`validate_key`]):
/// the first 16 bytes of SHA-256 over the key's ASCII text, in lowercase hex. Finding a
/// second key for an id takes about 2^128 tries.
pub fn peer_id_for(key: &str) -> PeerId {
    let digest = Sha256::digest(key.as_bytes());
    PeerId::new(hex(&digest[..ID_CHARS / 2]))
}

/// Whether `key` is the key of the peer `id` (what a peer checks of every key it is
/// handed, by the server or a neighbour, before it trusts a signature with it).
pub fn key_matches_id(key: &str, id: &PeerId) -> bool {
    validate_key(key).is_ok() && peer_id_for(key) == *id
}

/// What a join's `proof` signs: the challenge the server sent on this connection and the
/// room, so that a proof is good for one join of one room only.
pub fn join_text(nonce: &str, room: &str) -> String {
    format!("peer-wasm join\n{nonce}\n{room}")
}

/// What a signal's `sig` signs: the room, the sender, the recipient, the session, the
/// sender's clock, the kind, then the kind's fields one per line. The last field (an
/// SDP or a reason) may hold line breaks: it runs to the end. An absent optional field
/// is an empty line.
pub fn signal_text(room: &str, from: &PeerId, to: &PeerId, signal: &Signal) -> String {
    let mut text =
        format!("peer-wasm signal\n{room}\n{from}\n{to}\n{}\n{}\n", signal.session, signal.at);
    let _ = match &signal.step {
        Step::Offer { sdp } => write!(text, "offer\n{sdp}"),
        Step::Answer { sdp } => write!(text, "answer\n{sdp}"),
        Step::Restart { sdp } => write!(text, "restart\n{sdp}"),
        Step::Candidate { candidate, sdp_mid, sdp_m_line_index } => {
            let mid = sdp_mid.as_deref().unwrap_or("");
            let index = sdp_m_line_index.map(|index| index.to_string()).unwrap_or_default();
            write!(text, "candidate\n{candidate}\n{mid}\n{index}")
        }
        Step::Sealed { data } => write!(text, "sealed\n{data}"),
        Step::Bye { reason } => write!(text, "bye\n{}", reason.as_deref().unwrap_or("")),
    };
    text
}

/// What identifies a signal for replay checks: the first 16 bytes of SHA-256 over what
/// its signature covers (room aside). Not the signature itself: one signed text has many
/// signatures that verify (ECDSA's `s` and `n - s`, and base64 a lenient decoder reads
/// more than one way), so a replay could otherwise pass for a new signal.
pub fn signal_fingerprint(from: &PeerId, to: &PeerId, signal: &Signal) -> [u8; 16] {
    let digest = Sha256::digest(signal_text("", from, to, signal).as_bytes());
    let mut fingerprint = [0; 16];
    fingerprint.copy_from_slice(&digest[..16]);
    fingerprint
}

/// A code two people can read to each other to check that no one stands between their
/// peers: the same for both ends (the keys are taken in sorted order), 20 digits in four
/// groups of five, each group three bytes of SHA-256 over both keys, modulo 100000.
pub fn safety_number(key: &str, other: &str) -> String {
    let (first, second) = if key <= other { (key, other) } else { (other, key) };
    let digest = Sha256::digest(format!("peer-wasm safety\n{first}\n{second}").as_bytes());
    let groups = digest.chunks(3).take(4).map(|group| {
        let number = group.iter().fold(0u32, |number, byte| number << 8 | u32::from(*byte));
        format!("{:05}", number % 100_000)
    });
    groups.collect::<Vec<_>>().join(" ")
}

/// `bytes` in lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionId;

    /// A real P-256 public key, as WebCrypto exports it.
    const KEY: &str =
        "BFsLh3u2fNzB8qd-Gqy_d4ehmHvKyLeRa9k0pWGr9OT-zy0AtL5gJ8btbbAMY3KrFblCCQnMwvzusRmUHRK6nHM";

    #[test]
    fn an_id_is_the_hex_of_the_first_half_of_the_keys_sha256() {
        let id = peer_id_for(KEY);
        assert_eq!(id.as_str().len(), ID_CHARS);
        assert!(id.as_str().chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let digest = Sha256::digest(KEY.as_bytes());
        assert_eq!(id.as_str(), hex(&digest[..16]));
        assert!(key_matches_id(KEY, &id));
        assert!(!key_matches_id(KEY, &PeerId::new("0".repeat(32))));
    }

    #[test]
    fn only_canonical_uncompressed_points_are_keys() {
        assert_eq!(validate_key(KEY), Ok(()));
        assert_eq!(validate_key(&KEY[1..]), Err(ErrorCode::InvalidKey));
        assert_eq!(validate_key(&format!("A{}", &KEY[1..])), Err(ErrorCode::InvalidKey));
        // The same 65 bytes with a non-zero unused bit: another text, so refused.
        assert_eq!(validate_key(&format!("{}N", &KEY[..86])), Err(ErrorCode::InvalidKey));
        assert_eq!(validate_key(&format!("{}+M", &KEY[..85])), Err(ErrorCode::InvalidKey));
    }

    #[test]
    fn a_signal_text_names_every_field_once() {
        let (from, to) = (PeerId::new("a"), PeerId::new("b"));
        let candidate = Signal {
            session: SessionId(7),
            at: 1_700_000_000_123,
            sig: String::new(),
            step: Step::Candidate {
                candidate: "candidate:1 1 udp 1 10.0.0.1 9 typ host".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: None,
            },
        };
        assert_eq!(
            signal_text("r", &from, &to, &candidate),
            "peer-wasm signal\nr\na\nb\n7\n1700000000123\ncandidate\n\
             candidate:1 1 udp 1 10.0.0.1 9 typ host\n0\n"
        );
        let bye = Signal { step: Step::Bye { reason: None }, ..candidate };
        assert_eq!(
            signal_text("r", &from, &to, &bye),
            "peer-wasm signal\nr\na\nb\n7\n1700000000123\nbye\n"
        );
    }

    #[test]
    fn a_sealed_signal_text_carries_its_data() {
        let sealed = Signal::new(SessionId(3), Step::Sealed { data: "aXYgY2lwaGVy".into() });
        assert_eq!(
            signal_text("r", &PeerId::new("a"), &PeerId::new("b"), &sealed),
            "peer-wasm signal\nr\na\nb\n3\n0\nsealed\naXYgY2lwaGVy"
        );
    }

    #[test]
    fn a_safety_number_is_the_same_from_both_ends() {
        let other = "BOther".to_owned() + &KEY[6..];
        let number = safety_number(KEY, &other);
        assert_eq!(number, safety_number(&other, KEY));
        assert_eq!(number.len(), 23);
        assert!(number.split(' ').all(|group| group.len() == 5));
        assert_ne!(number, safety_number(KEY, KEY));
    }

    #[test]
    fn a_join_text_binds_the_challenge_and_the_room() {
        assert_eq!(join_text("n0nce", "lobby"), "peer-wasm join\nn0nce\nlobby");
    }
}
