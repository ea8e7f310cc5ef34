//! A peer's identity: an ECDSA P-256 key pair in the browser's WebCrypto. Its id is
//! derived from the public key (`signaling_protocol::peer_id_for`); the private key is
//! not extractable and never leaves WebCrypto. The pair is a plain `CryptoKeyPair`, so a
//! page can keep it in IndexedDB (a `CryptoKey` is structured-cloneable) and come back
//! with the same id. Signing and checking go through a small inline JS snippet: no
//! crypto code in the package.

use crate::error::PeerError;
use signaling_protocol::{PeerId, peer_id_for};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(inline_js = r#"
const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
// Only the canonical text of its bytes: base64url without padding, nothing else
// (docs/PROTOCOL.md), as a native peer reads it.
const unb64 = (text) => {
  const bytes = Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0));
  if (b64(bytes) !== text) throw new TypeError("not base64url without padding");
  return bytes;
};
const utf8 = (text) => new TextEncoder().encode(text);
const known = new Map();
export function createPair() {
  return crypto.subtle.generateKey(alg, false, ["sign", "verify"]);
}
export async function publicText(pair) {
  const usable = (key) => typeof CryptoKey === "function" && key instanceof CryptoKey
    && key.algorithm.name === "ECDSA" && key.algorithm.namedCurve === "P-256";
  if (!pair || !usable(pair.privateKey) || !usable(pair.publicKey)) {
    throw new TypeError("an identity is an ECDSA P-256 key pair, as Peer.createIdentity() makes");
  }
  return b64(await crypto.subtle.exportKey("raw", pair.publicKey));
}
export async function signText(pair, text) {
  return b64(await crypto.subtle.sign(alg, pair.privateKey, utf8(text)));
}
export function importKey(publicKey) {
  let key = known.get(publicKey);
  if (!key) {
    key = crypto.subtle.importKey("raw", unb64(publicKey), alg, false, ["verify"]);
    key.catch(() => {});
    if (known.size >= 1024) known.delete(known.keys().next().value);
    known.set(publicKey, key);
  }
  return key;
}
export async function verifyText(publicKey, sig, text) {
  try {
    return await crypto.subtle.verify(alg, await importKey(publicKey), unb64(sig), utf8(text));
  } catch (_) {
    return false;
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(catch, js_name = createPair)]
    async fn create_pair() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = publicText)]
    async fn public_text(pair: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = signText)]
    async fn sign_text(pair: &JsValue, text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = importKey)]
    fn import_key(public_key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = verifyText)]
    async fn verify_text(public_key: &str, sig: &str, text: &str) -> JsValue;
}

/// Who a peer is: its key pair, its public key as the protocol writes it, and its id.
#[derive(Clone, Debug)]
pub struct Identity {
    pair: JsValue,
    key: String,
    id: PeerId,
}

impl Identity {
    /// A new identity (a new id). Fails where the page has no WebCrypto: a page served
    /// over plain http from another host than localhost is not a secure context.
    pub async fn generate() -> Result<Self, PeerError> {
        let pair = create_pair().await.map_err(|_| {
            PeerError::Browser(
                "this page has no WebCrypto, which a peer's identity needs: serve it over \
                 https (or http from localhost)"
                    .into(),
            )
        })?;
        Self::from_key_pair(pair).await
    }

    /// The identity of a `CryptoKeyPair` made by [`Identity::generate`] (or by
    /// `Peer.createIdentity()`) and kept by the page, e.g. in IndexedDB.
    pub async fn from_key_pair(pair: JsValue) -> Result<Self, PeerError> {
        let key = public_text(&pair).await.map_err(|_| PeerError::InvalidInput {
            what: "identity",
            reason: "an identity is an ECDSA P-256 key pair, as Peer.createIdentity() makes",
        })?;
        let key = key.as_string().unwrap_or_default();
        let id = peer_id_for(&key);
        Ok(Self { pair, key, id })
    }

    /// The id this identity has in every room, on every server.
    pub fn id(&self) -> &PeerId {
        &self.id
    }

    /// The public key, as the protocol writes it (base64url of the raw point).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The `CryptoKeyPair`, to keep (IndexedDB takes it as it is).
    pub fn key_pair(&self) -> &JsValue {
        &self.pair
    }

    /// `text` signed with the private key, base64url; `None` if WebCrypto refused.
    pub(crate) async fn sign(&self, text: &str) -> Option<String> {
        sign_text(&self.pair, text).await.ok()?.as_string()
    }
}

/// Two identities are the same when their keys are (their ids then are too).
impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Identity {}

/// Starts importing `public_key` for checking signatures, ahead of the first one (a peer
/// joined): the import is then off the path of its first signal.
pub(crate) fn prepare(public_key: &str) {
    let _ = import_key(public_key);
}

/// Whether `sig` is `public_key`'s signature of `text` (false for anything malformed).
pub(crate) async fn verify(public_key: &str, sig: &str, text: &str) -> bool {
    verify_text(public_key, sig, text).await.is_truthy()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// docs/PROTOCOL.md: base64url without padding, and nothing else. A signature written
    /// any other way is refused, as a native peer refuses it, even where it decodes to the
    /// same bytes.
    #[wasm_bindgen_test]
    async fn a_signature_counts_only_in_unpadded_base64url() {
        let identity = Identity::generate().await.expect("WebCrypto");
        let sig = identity.sign("text").await.expect("signed");
        assert!(verify(identity.key(), &sig, "text").await);
        // 64 bytes: 86 characters unpadded, 88 with the padding.
        assert!(!verify(identity.key(), &format!("{sig}=="), "text").await);
        assert!(!verify(identity.key(), &format!("{sig} "), "text").await);
        assert!(!verify(identity.key(), &format!("{}\n{}", &sig[..40], &sig[40..]), "text").await);
        let standard = sig.replace('-', "+").replace('_', "/");
        if standard != sig {
            assert!(!verify(identity.key(), &standard, "text").await);
        }
        // The last character carries 2 bits of the last byte and 4 unused bits: one with
        // unused bits set decodes to the same bytes, and is not the canonical text.
        let last = sig.chars().last().expect("a last character");
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.find(last).expect("base64url");
        let sloppy = &alphabet[(index | 0b1111)..=(index | 0b1111)];
        if !sloppy.starts_with(last) {
            let sloppy_sig = format!("{}{sloppy}", &sig[..sig.len() - 1]);
            assert!(!verify(identity.key(), &sloppy_sig, "text").await);
        }
    }
}
