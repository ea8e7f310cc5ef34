//! A simulated peer's key pair, as a browser holds one: its public key as it travels in a
//! join, and the join's proof over the connection's challenge and the room (ECDSA P-256
//! with SHA-256, `r || s` in base64url, as WebCrypto signs; docs/PROTOCOL.md, "Identity").

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use signaling_protocol::join_text;

/// One peer's key pair.
pub struct Identity {
    signing: SigningKey,
    /// The public key: base64url of its uncompressed point.
    pub key: String,
}

impl Identity {
    /// A new key pair from the operating system's randomness.
    pub fn random() -> Result<Self, getrandom::Error> {
        loop {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret)?;
            // Zero or past the group order: so rare that drawing again costs nothing.
            if let Ok(signing) = SigningKey::from_slice(&secret) {
                let point = signing.verifying_key().to_encoded_point(false);
                let key = URL_SAFE_NO_PAD.encode(point.as_bytes());
                return Ok(Self { signing, key });
            }
        }
    }

    /// The proof of a join of `room` on the connection whose challenge is `nonce`.
    pub fn prove(&self, nonce: &str, room: &str) -> String {
        let signature: Signature = self.signing.sign(join_text(nonce, room).as_bytes());
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    }
}
