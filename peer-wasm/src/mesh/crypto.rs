//! Signatures for relayed signals, with the browser's WebCrypto (ECDSA P-256, SHA-256):
//! no crypto code in the package. Each peer makes a key pair when it joins; the private
//! key never leaves WebCrypto (not extractable), the public one goes to the server in
//! the join and from it to the room. Where WebCrypto is missing (a page served over
//! plain http from another host than localhost), the peer has no key, and its signals
//! never go through the mesh.

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen(inline_js = r#"
const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")),
  (c) => c.charCodeAt(0));
const utf8 = (text) => new TextEncoder().encode(text);
const known = new Map();
export async function meshKeys() {
  const pair = await crypto.subtle.generateKey(alg, false, ["sign", "verify"]);
  return [pair.privateKey, b64(await crypto.subtle.exportKey("raw", pair.publicKey))];
}
export async function meshSign(key, text) {
  return b64(await crypto.subtle.sign(alg, key, utf8(text)));
}
export async function meshVerify(publicKey, proof, text) {
  try {
    let key = known.get(publicKey);
    if (!key) {
      key = crypto.subtle.importKey("raw", unb64(publicKey), alg, false, ["verify"]);
      if (known.size >= 1024) known.delete(known.keys().next().value);
      known.set(publicKey, key);
    }
    return await crypto.subtle.verify(alg, await key, unb64(proof), utf8(text));
  } catch (_) {
    return false;
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(catch, js_name = meshKeys)]
    async fn mesh_keys() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = meshSign)]
    async fn mesh_sign(key: &JsValue, text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = meshVerify)]
    async fn mesh_verify(public_key: &str, proof: &str, text: &str) -> JsValue;
}

/// Our private key (a WebCrypto `CryptoKey`).
#[derive(Clone)]
pub(crate) struct SigningKey(JsValue);

/// A new key pair: the private key, and the public key as base64url (the protocol's
/// `key`); `None` where the page has no WebCrypto.
pub(crate) async fn new_keys() -> Option<(SigningKey, String)> {
    let pair = Array::from(&mesh_keys().await.ok()?);
    let public = pair.get(1).as_string()?;
    Some((SigningKey(pair.get(0)), public))
}

/// `text` signed with `key`, base64url; `None` if WebCrypto refused.
pub(crate) async fn sign(key: &SigningKey, text: &str) -> Option<String> {
    mesh_sign(&key.0, text).await.ok()?.dyn_into::<JsString>().ok().map(String::from)
}

/// Whether `proof` is `public_key`'s signature of `text` (false for anything malformed).
pub(crate) async fn verify(public_key: &str, proof: &str, text: &str) -> bool {
    mesh_verify(public_key, proof, text).await.is_truthy()
}
