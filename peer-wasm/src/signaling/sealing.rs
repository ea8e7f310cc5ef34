//! The room's passphrase as a key: signals sealed with it (AES-GCM) read as noise to
//! whoever carries them, the server included (docs/PROTOCOL.md, "Sealed signals"). The
//! key is derived in WebCrypto (PBKDF2) and cannot be extracted; as for identities, the
//! crypto is a small inline JS snippet, not code in the package.

use crate::error::PeerError;
use std::fmt;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(inline_js = r#"
const utf8 = (text) => new TextEncoder().encode(text);
// In slices: spreading a whole SDP's bytes into one call could pass the argument limit.
const b64 = (bytes) => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
// Only the canonical text of its bytes: base64url without padding, nothing else
// (docs/PROTOCOL.md), as a native peer reads it.
const unb64 = (text) => {
  const bytes = Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0));
  if (b64(bytes) !== text) throw new TypeError("not base64url without padding");
  return bytes;
};
export async function deriveKey(passphrase, room) {
  const base = await crypto.subtle.importKey("raw", utf8(passphrase), "PBKDF2", false,
    ["deriveKey"]);
  const pbkdf2 = { name: "PBKDF2", hash: "SHA-256", salt: utf8("peer-wasm room\n" + room),
    iterations: 100000 };
  return crypto.subtle.deriveKey(pbkdf2, base, { name: "AES-GCM", length: 256 }, false,
    ["encrypt", "decrypt"]);
}
export async function sealText(key, text) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key,
    utf8(text)));
  const data = new Uint8Array(12 + sealed.length);
  data.set(iv);
  data.set(sealed, 12);
  return b64(data);
}
export async function openText(key, data) {
  try {
    const bytes = unb64(data);
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) },
      key, bytes.subarray(12));
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch (_) {
    return undefined;
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(catch, js_name = deriveKey)]
    async fn derive_key(passphrase: &str, room: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = sealText)]
    async fn seal_text(key: &JsValue, text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = openText)]
    async fn open_text(key: &JsValue, data: &str) -> JsValue;
}

/// A room's passphrase as the page gave it. Its `Debug` hides it, so that logging
/// options does not print it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Passphrase(pub String);

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// The AES-GCM key of one passphrase in one room (a `CryptoKey`).
#[derive(Clone)]
pub(crate) struct SealKey(JsValue);

impl SealKey {
    /// The key of `passphrase` in `room`: the same in every browser, and another in
    /// every other room (the room is the salt).
    pub async fn derive(passphrase: &Passphrase, room: &str) -> Result<Self, PeerError> {
        let key = derive_key(&passphrase.0, room).await.map_err(|_| {
            PeerError::Browser(
                "this page has no WebCrypto, which a passphrase needs: serve it over https \
                 (or http from localhost)"
                    .into(),
            )
        })?;
        Ok(Self(key))
    }

    /// `text` encrypted under a fresh nonce, as a sealed signal's `data`; `None` if
    /// WebCrypto refused.
    pub async fn seal(&self, text: &str) -> Option<String> {
        seal_text(&self.0, text).await.ok()?.as_string()
    }

    /// The text sealed in `data`; `None` when it was not sealed with this key (another
    /// passphrase or room), was altered, or is malformed.
    pub async fn open(&self, data: &str) -> Option<String> {
        open_text(&self.0, data).await.as_string()
    }
}
