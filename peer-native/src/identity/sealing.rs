//! The room's passphrase as an AES-256-GCM key: signals sealed with it read as noise to
//! whoever carries them, the server included (docs/PROTOCOL.md, "Sealed signals"). The
//! key is PBKDF2-HMAC-SHA-256 of the passphrase, salted with the room, as the browser
//! derives it in WebCrypto, so a native peer and a browser tab with the same passphrase
//! open each other's signals.

use super::keys::random_bytes;
use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use peer_core::Verdict;
use signaling_protocol::{Signal, Step};
use std::fmt;

/// PBKDF2 rounds: the protocol's, so every peer derives the same key.
const ROUNDS: u32 = 100_000;

/// Bytes of an AES-GCM nonce, at the head of a sealed signal's data.
const NONCE_BYTES: usize = 12;

/// Bytes of the AES-GCM tag at the end of the ciphertext.
const TAG_BYTES: usize = 16;

/// The most characters of a sealed signal's `data` (the protocol's bound): a longer one
/// is not decoded at all.
pub(super) const MAX_DATA_CHARS: usize = 98_304;

/// The AES-256-GCM key of one passphrase in one room. Its `Debug` hides it.
#[derive(Clone)]
pub struct SealKey {
    cipher: Aes256Gcm,
}

impl SealKey {
    /// The key of `passphrase` (its UTF-8 bytes as given) in `room`: the same for every
    /// peer, another in every other room (the room is the salt). Costs 100,000 rounds
    /// of HMAC (tens of milliseconds): derive once per join, off the async threads if
    /// that matters.
    pub fn derive(passphrase: &str, room: &str) -> SealKey {
        let salt = format!("peer-wasm room\n{room}");
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
            passphrase.as_bytes(),
            salt.as_bytes(),
            ROUNDS,
            &mut key,
        );
        SealKey::from_key_bytes(key)
    }

    /// The key whose raw AES bytes are `key`.
    pub(super) fn from_key_bytes(key: [u8; 32]) -> SealKey {
        SealKey { cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)) }
    }

    /// `signed` (stamped and signed already) as JSON, encrypted under a fresh nonce, in
    /// a `sealed` signal of its session.
    pub fn seal(&self, signed: &Signal) -> Signal {
        self.seal_with_nonce(signed, random_bytes())
    }

    /// [`SealKey::seal`] with the nonce given (tests pin a vector with it; a nonce must
    /// never repeat under one key).
    pub(super) fn seal_with_nonce(&self, signed: &Signal, nonce: [u8; NONCE_BYTES]) -> Signal {
        // A signal is strings and numbers: its JSON cannot fail to encode.
        let text = serde_json::to_string(signed).unwrap_or_default();
        // Encryption fails only past AES-GCM's 64 GiB per message.
        let sealed = self.cipher.encrypt(&Nonce::from(nonce), text.as_bytes()).unwrap_or_default();
        let mut data = Vec::with_capacity(NONCE_BYTES + sealed.len());
        data.extend_from_slice(&nonce);
        data.extend_from_slice(&sealed);
        Signal::new(signed.session, Step::Sealed { data: URL_SAFE_NO_PAD.encode(data) })
    }

    /// The signal inside `sealed`, to be checked as any other (its `at` and `sig`):
    /// [`Verdict::OtherPassphrase`] when it does not open with this key (another
    /// passphrase or room, altered on the way, malformed), [`Verdict::Forged`] when what
    /// it holds is no signal, is sealed again, or is of another session than the
    /// envelope (`peer_core::unsealed`).
    pub fn open(&self, sealed: &Signal) -> Result<Signal, Verdict> {
        let Step::Sealed { data } = &sealed.step else { return Err(Verdict::Forged) };
        let text = self.open_text(data).ok_or(Verdict::OtherPassphrase)?;
        peer_core::unsealed(sealed.session, serde_json::from_str::<Signal>(&text).ok())
    }

    /// The text sealed in `data`; `None` if it does not open.
    fn open_text(&self, data: &str) -> Option<String> {
        if data.len() > MAX_DATA_CHARS {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(data).ok()?;
        if bytes.len() < NONCE_BYTES + TAG_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), ciphertext).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// Never prints the key.
impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(..)")
    }
}
