//! Telling JS values apart for sending: which binary kind a value is, and the JSON
//! encoding that refuses what `JSON.stringify` would silently mangle.
//!
//! Kinds are read from `Object.prototype.toString` tags ("[object Float32Array]"), never
//! with `instanceof`: that fails for a value made in another realm (an iframe, a worker's
//! structured clone), which would then be sent as JSON and arrive as `{}`. The helpers
//! are JS because the replacer runs once per JSON node, where a call into WASM each
//! time would cost more than the check.

use js_sys::{ArrayBuffer, JsString, Uint8Array};
use wasm_bindgen::prelude::*;

/// What [`binary_kind`] says a value is.
pub(crate) const PLAIN_BYTES: u8 = 0;
/// A kind sent behind a `t` frame naming it (see [`binary_kind`]).
pub(crate) const NAMED_BYTES: u8 = 1;

// The names and checks live in JS, where the names already are strings: WASM would
// need each tag copied in to compare it, and a `t` frame formatted out. The snippet is
// shipped as written, so its explanations are here rather than in it:
// - `NAMED` lists the kinds sent as their bytes behind a `t` frame naming them, and the
//   only names a receiver accepts there, so a peer cannot make us call any other
//   constructor. `Uint8Array` is absent: it is the plain binary payload, sent unnamed.
// - `rebuild` throws (a RangeError) when the length is not a multiple of the element
//   size, which `framing.rs` turns into a refused frame.
// - `refuse` is the `JSON.stringify` replacer; it sees every value, nested or not.
#[wasm_bindgen(inline_js = r#"
const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1);
const NAMED = new Set(["Int8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
  "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
  "BigInt64Array", "BigUint64Array", "DataView", "ArrayBuffer"]);
export const binaryKind = (v) => tagOf(v) === "Uint8Array" ? 0 : NAMED.has(tagOf(v)) ? 1 : 2;
export const nameFrame = (v) => NAMED.has(tagOf(v)) ? "t" + tagOf(v) : undefined;
export const isNamed = (name) => NAMED.has(name);
export const byteView = (v) => ArrayBuffer.isView(v)
  ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
export const rebuild = (name, buffer) =>
  name === "ArrayBuffer" ? buffer : new globalThis[name](buffer);
const refuse = (key, v) => {
  if (v === null || typeof v !== "object") return v;
  const t = tagOf(v), at = key === "" ? "" : ` (at key "${key}")`;
  const why = t === "Blob" || t === "File"
    ? "must be read into an ArrayBuffer first (await blob.arrayBuffer())"
    : /^(Weak)?(Map|Set)$/.test(t)
    ? "has no JSON form; convert it first ([...set], Object.fromEntries(map))"
    : ArrayBuffer.isView(v) || /ArrayBuffer$/.test(t)
    ? "inside a JSON value would lose its type; send it as its own message" : "";
  if (why) throw new Error(`a ${t}${at} ${why}`);
  return v;
};
export const toJson = (v) => JSON.stringify(v, refuse);
"#)]
extern "C" {
    /// [`PLAIN_BYTES`] for a `Uint8Array`; [`NAMED_BYTES`] for any other typed array
    /// (`Float32Array`, `BigInt64Array`, ...), a `DataView` or an `ArrayBuffer`;
    /// anything else is 2.
    #[wasm_bindgen(js_name = binaryKind)]
    pub(crate) fn binary_kind(value: &JsValue) -> u8;

    /// The text frame naming the value's kind (`tFloat32Array`), when it is a
    /// [`NAMED_BYTES`] kind.
    #[wasm_bindgen(js_name = nameFrame)]
    pub(crate) fn name_frame(value: &JsValue) -> Option<JsString>;

    /// Whether a receiver accepts `name` in a `t` frame.
    #[wasm_bindgen(js_name = isNamed)]
    pub(crate) fn is_named(name: &JsString) -> bool;

    /// A `Uint8Array` over the bytes of a typed array, `DataView` or `ArrayBuffer`.
    #[wasm_bindgen(js_name = byteView)]
    pub(crate) fn byte_view(value: &JsValue) -> Uint8Array;

    /// The kind `name` (one [`is_named`] accepts) over all of `buffer`; throws when the
    /// length is not a multiple of the kind's element size.
    #[wasm_bindgen(catch)]
    pub(crate) fn rebuild(name: &JsString, buffer: &ArrayBuffer) -> Result<JsValue, JsValue>;

    /// `JSON.stringify`, throwing a message a person can act on for a `Blob`, `File`,
    /// `Map`, `Set` or binary value anywhere in the value (JSON would make it `{}` or
    /// an object of numbered keys). `undefined` when the value has no JSON form.
    #[wasm_bindgen(catch, js_name = toJson)]
    pub(crate) fn to_json(value: &JsValue) -> Result<JsValue, JsValue>;
}
