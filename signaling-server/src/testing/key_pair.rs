//! A peer's key pair, as a browser holds one: its key as it travels, the id the server
//! derives from it, and the proof a join carries (what WebCrypto's ECDSA P-256 signs,
//! in its `r || s` form).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};
use signaling_protocol::{ClientMessage, PeerId, join_text, peer_id_for};

/// A P-256 key pair.
#[derive(Clone)]
pub struct Identity {
    signing: SigningKey,
    /// The public key, base64url of its uncompressed point.
    key: String,
}

impl Identity {
    /// A new key pair from the operating system's randomness.
    pub fn random() -> Self {
        loop {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret)
                .unwrap_or_else(|error| panic!("no OS randomness: {error}"));
            // Zero, or past the group order: so rare that drawing again costs nothing.
            if let Ok(signing) = SigningKey::from_slice(&secret) {
                return Self::from(signing);
            }
        }
    }

    /// The same key pair for the same `seed`, every run (for the fuzz harness, whose
    /// inputs must replay).
    pub fn fixed(seed: u8) -> Self {
        let secret = Sha256::digest([b"fixed test key ".as_slice(), &[seed]].concat());
        let signing = SigningKey::from_slice(&secret).unwrap_or_else(|_| {
            unreachable!("a SHA-256 is below the group order but 2^-32 of the time")
        });
        Self::from(signing)
    }

    /// The public key as it travels (see [`signaling_protocol::validate_key`]).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The id the server gives this key.
    pub fn id(&self) -> PeerId {
        peer_id_for(&self.key)
    }

    /// The proof of a join of `room` on the connection whose challenge is `nonce`.
    pub fn prove(&self, nonce: &str, room: &str) -> String {
        let signature: Signature = self.signing.sign(join_text(nonce, room).as_bytes());
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    }

    /// A join of `room` under `name` (presenting `secret`), signed for the connection
    /// whose challenge is `nonce`.
    pub fn join<S>(
        &self,
        nonce: &str,
        room: &str,
        name: &str,
        secret: Option<&str>,
    ) -> ClientMessage<S> {
        ClientMessage::Join {
            room: room.into(),
            name: name.into(),
            secret: secret.map(str::to_owned),
            key: self.key.clone(),
            proof: self.prove(nonce, room),
        }
    }
}

impl From<SigningKey> for Identity {
    fn from(signing: SigningKey) -> Self {
        let point = signing.verifying_key().to_encoded_point(false);
        let key = URL_SAFE_NO_PAD.encode(point.as_bytes());
        Self { signing, key }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::identity::verify_join;
    use signaling_protocol::validate_key;

    #[test]
    fn its_keys_are_canonical_and_its_proofs_verify() {
        for identity in [Identity::random(), Identity::fixed(0), Identity::fixed(1)] {
            assert_eq!(validate_key(identity.key()), Ok(()));
            let proof = identity.prove("AAECAwQFBgcICQoLDA0ODw", "lobby");
            assert_eq!(
                verify_join(identity.key(), &proof, "AAECAwQFBgcICQoLDA0ODw", "lobby"),
                Ok(())
            );
        }
        assert_eq!(Identity::fixed(3).key(), Identity::fixed(3).key());
        assert_ne!(Identity::fixed(3).key(), Identity::fixed(4).key());
    }
}
