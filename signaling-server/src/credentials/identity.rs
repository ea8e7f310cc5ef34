//! Who a joining peer is: the challenge each connection draws, and the check that a join's
//! proof is its key's signature of that challenge and the room (docs/PROTOCOL.md,
//! "Identity"). The server keeps no identities: a peer's id is derived from its key, so a
//! restarted server, or another instance, knows the peer as the same id with no shared
//! secret at all.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use signaling_protocol::{ErrorCode, join_text, validate_key};

/// Random bytes in a challenge: a proof made for one connection is worthless on another.
const NONCE_BYTES: usize = 16;

/// One connection's challenge, as raw bytes (the session holds one for every peer: 16
/// bytes, where its text would be a 22-byte allocation).
#[derive(Clone, Copy)]
pub struct Nonce([u8; NONCE_BYTES]);

impl Nonce {
    /// Fresh bytes from the operating system.
    pub fn draw() -> Self {
        let mut bytes = [0; NONCE_BYTES];
        // A host that cannot supply randomness would hand out guessable challenges, which
        // lets a recorded proof be replayed: no fallback.
        getrandom::fill(&mut bytes).unwrap_or_else(|error| panic!("no OS randomness: {error}"));
        Self(bytes)
    }

    /// The challenge made of `bytes` (the fuzz harness numbers its challenges, so that its
    /// inputs replay).
    #[cfg(feature = "testing")]
    pub fn from_bytes(bytes: [u8; NONCE_BYTES]) -> Self {
        Self(bytes)
    }

    /// As it travels in the `challenge` message: base64url without padding.
    pub fn text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

/// Whether `proof` is the signature by `key` of [`join_text`] over `nonce` and `room`:
/// `invalid_key` for a missing or non-canonical key, `invalid_proof` for anything else
/// that fails (a proof that is not 64 bytes of base64url, a key that is no point of the
/// curve, a signature that does not verify).
#[cfg(not(fuzzing))]
pub fn verify_join(key: &str, proof: &str, nonce: &str, room: &str) -> Result<(), ErrorCode> {
    check_join(key, proof, nonce, room)
}

/// [`verify_join`] as the fuzzer builds it (`cargo fuzz` sets `--cfg fuzzing`): each join
/// is checked once and its answer kept. The harness numbers its challenges and signs with
/// fixed keys, so the same joins come back input after input, and a signature check costs
/// more than the rest of an input.
#[cfg(fuzzing)]
pub fn verify_join(key: &str, proof: &str, nonce: &str, room: &str) -> Result<(), ErrorCode> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Checked = HashMap<[String; 4], Result<(), ErrorCode>>;
    static CHECKED: OnceLock<Mutex<Checked>> = OnceLock::new();
    let mut checked =
        CHECKED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if checked.len() > 1 << 16 {
        checked.clear();
    }
    let join = [key, proof, nonce, room].map(str::to_owned);
    *checked.entry(join).or_insert_with(|| check_join(key, proof, nonce, room))
}

fn check_join(key: &str, proof: &str, nonce: &str, room: &str) -> Result<(), ErrorCode> {
    validate_key(key)?;
    // A canonical key always decodes to 65 bytes; kept as a check all the same.
    let point = URL_SAFE_NO_PAD.decode(key).map_err(|_| ErrorCode::InvalidKey)?;
    let key = VerifyingKey::from_sec1_bytes(&point).map_err(|_| ErrorCode::InvalidProof)?;
    let proof = URL_SAFE_NO_PAD.decode(proof).map_err(|_| ErrorCode::InvalidProof)?;
    // `r || s` as WebCrypto signs (IEEE P1363), not DER; r and s within the group order.
    let signature = Signature::from_slice(&proof).map_err(|_| ErrorCode::InvalidProof)?;
    // Any s is accepted, high or low: WebCrypto does not normalize it.
    key.verify(join_text(nonce, room).as_bytes(), &signature).map_err(|_| ErrorCode::InvalidProof)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key pair, challenge and proofs made with Python's `cryptography` (OpenSSL),
    /// independently of this code: the proof of `lobby` with a low and a high s.
    const KEY: &str =
        "BBLPQV20_gU7HqjSK4tHJB1cwFJL_-q6qH455haRrGMEzxRMHOoYswzg_qB-9RUzRe-OGaVfApUgAyT6uHncgQM";
    const NONCE: &str = "AAECAwQFBgcICQoLDA0ODw";
    const LOW_S: &str =
        "sZk5ggLmYvA6Hl2ojsVb6hwydfBk6es66QYEdd5gusxMi25AT1fwT6KXiKioWsGDVMHgnZfTxoWguaga9F_58A";
    const HIGH_S: &str =
        "FnkC8jb3IgNrJBaHmaBLq71b6ztpOVrYKanBOMUJ9lzUFLljtUf-LIoD0pylSXkpHKlaTpjR8-QfmlZk7xqFYg";

    #[test]
    fn a_proof_made_elsewhere_verifies_whatever_its_s() {
        assert_eq!(verify_join(KEY, LOW_S, NONCE, "lobby"), Ok(()));
        assert_eq!(verify_join(KEY, HIGH_S, NONCE, "lobby"), Ok(()));
    }

    #[test]
    fn a_proof_is_good_for_its_challenge_and_room_only() {
        let other_nonce = "AAECAwQFBgcICQoLDA0ODA";
        assert_eq!(verify_join(KEY, LOW_S, other_nonce, "lobby"), Err(ErrorCode::InvalidProof));
        assert_eq!(verify_join(KEY, LOW_S, NONCE, "lobby2"), Err(ErrorCode::InvalidProof));
    }

    #[test]
    fn every_malformed_proof_is_invalid() {
        let flipped = format!("{}B{}", &LOW_S[..10], &LOW_S[11..]);
        let zero = "A".repeat(86);
        for proof in [
            "",
            "garbage!",
            &LOW_S[..85],
            &format!("{LOW_S}AA"),
            &format!("{LOW_S}=="),
            &LOW_S.replace('_', "/"),
            &flipped,
            &zero,
        ] {
            assert_eq!(
                verify_join(KEY, proof, NONCE, "lobby"),
                Err(ErrorCode::InvalidProof),
                "{proof}"
            );
        }
    }

    #[test]
    fn a_missing_or_non_canonical_key_is_invalid_and_a_point_off_the_curve_fails_the_proof() {
        assert_eq!(verify_join("", LOW_S, NONCE, "lobby"), Err(ErrorCode::InvalidKey));
        let non_canonical = format!("{}N", &KEY[..86]);
        assert_eq!(verify_join(&non_canonical, LOW_S, NONCE, "lobby"), Err(ErrorCode::InvalidKey));
        let off_curve = format!("{}A{}", &KEY[..40], &KEY[41..]);
        assert_eq!(verify_join(&off_curve, LOW_S, NONCE, "lobby"), Err(ErrorCode::InvalidProof));
    }

    #[test]
    fn challenges_are_16_random_bytes_in_base64url() {
        let (a, b) = (Nonce::draw().text(), Nonce::draw().text());
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).map(|bytes| bytes.len()), Ok(16));
    }
}
