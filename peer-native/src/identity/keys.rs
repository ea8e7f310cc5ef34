//! A peer's key pair (ECDSA P-256 / SHA-256), its public key and id as the protocol
//! writes them, and signatures in WebCrypto's form: `r || s` (IEEE P1363), base64url
//! without padding. The server verifies join proofs with the same `p256` crate.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use signaling_protocol::{PeerId, join_text, peer_id_for, validate_key};
use std::fmt;

/// Why bytes are not a private key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Not 32 bytes, or a scalar that is zero or not below the group order.
    #[error("a P-256 private key is a 32-byte scalar between 1 and the group order")]
    InvalidSecret,
}

/// Who this peer is: a P-256 signing key, with its public key as it travels and the id
/// every server derives from it. Keep [`Identity::secret_bytes`] to stay the same peer
/// across restarts.
#[derive(Clone)]
pub struct Identity {
    signing: SigningKey,
    /// The public key: base64url of its uncompressed SEC1 point, 87 characters.
    key: String,
    id: PeerId,
}

impl Identity {
    /// A new key pair from the operating system's randomness (a new id).
    ///
    /// Panics on a host that cannot supply randomness: a key drawn from anything else
    /// could be guessed, and the peer impersonated.
    pub fn generate() -> Identity {
        loop {
            let secret: [u8; 32] = random_bytes();
            // Zero or past the group order: about 2^-32 of draws; drawing again is free.
            if let Ok(identity) = Identity::from_secret_bytes(&secret) {
                return identity;
            }
        }
    }

    /// The identity whose private scalar is `bytes` (as [`Identity::secret_bytes`] gave).
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Identity, IdentityError> {
        // Exactly 32: `from_slice` would pad a shorter slice, and take it for a key.
        if bytes.len() != 32 {
            return Err(IdentityError::InvalidSecret);
        }
        let signing = SigningKey::from_slice(bytes).map_err(|_| IdentityError::InvalidSecret)?;
        let point = signing.verifying_key().to_encoded_point(false);
        let key = URL_SAFE_NO_PAD.encode(point.as_bytes());
        let id = peer_id_for(&key);
        Ok(Identity { signing, key, id })
    }

    /// The private scalar, big-endian: what to store to come back as the same peer.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes().into()
    }

    /// The public key as it travels (87 characters, see `signaling_protocol::validate_key`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The id this identity has in every room, on every server.
    pub fn id(&self) -> PeerId {
        self.id.clone()
    }

    /// `text`'s signature: `r || s` in base64url without padding (86 characters).
    pub fn sign(&self, text: &str) -> String {
        let signature: Signature = self.signing.sign(text.as_bytes());
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    }
}

/// Never prints the private key.
impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Whether `sig` is the signature by `key` (as it travels) of `text`: false for
/// anything malformed (a non-canonical key, a point off the curve, a signature that is
/// not 64 bytes of unpadded base64url). Any valid `s`, high or low, is accepted, as
/// WebCrypto does not normalize it.
pub fn verify(key: &str, text: &str, sig: &str) -> bool {
    let Some(key) = verifying_key(key) else { return false };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(sig) else { return false };
    let Ok(signature) = Signature::from_slice(&bytes) else { return false };
    key.verify(text.as_bytes(), &signature).is_ok()
}

/// The proof a `join` of `room` carries on the connection whose challenge is `nonce`.
pub fn join_proof(identity: &Identity, nonce: &str, room: &str) -> String {
    identity.sign(&join_text(nonce, room))
}

/// The point of a canonical key text; `None` for any other text or a point off the curve.
fn verifying_key(key: &str) -> Option<VerifyingKey> {
    validate_key(key).ok()?;
    let point = URL_SAFE_NO_PAD.decode(key).ok()?;
    VerifyingKey::from_sec1_bytes(&point).ok()
}

/// `N` bytes of the operating system's randomness, for keys and nonces.
///
/// Panics when the host has none: a fallback would hand out guessable keys or repeat
/// AES-GCM nonces, both worse than stopping.
pub(super) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).unwrap_or_else(|error| panic!("no OS randomness: {error}"));
    bytes
}
