//! What a message carries, and how it travels on a data channel.
//!
//! A payload stays a JS value from the sender's call to the receiver's callback, so
//! bytes and strings are never copied into WASM memory and back. `kinds.rs` tells JS
//! values apart; how payloads travel on a channel is `framing.rs`.

pub(crate) mod kinds;

use crate::error::PeerError;
use js_sys::{JsString, Object, Uint8Array};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::{JsCast, JsValue};

/// The data of one message: a string, bytes, a typed array, or a JSON value. The
/// receiver gets back the same kind the sender sent.
#[derive(Clone, Debug)]
pub enum Payload {
    /// A string, sent as text.
    Text(JsString),
    /// Bytes, sent as a binary frame without copying.
    Binary(Uint8Array),
    /// Any other typed array (`Float32Array`, `BigInt64Array`, ...), a `DataView` or an
    /// `ArrayBuffer`: sent as its bytes behind its type name, received as the same kind.
    Typed(Object),
    /// Any JSON-able value (object, array, number, boolean, null).
    Json(JsValue),
}

impl Payload {
    /// A text payload.
    pub fn text(text: &str) -> Self {
        Self::Text(JsString::from(text))
    }

    /// A binary payload (copies `bytes` into a new JS `Uint8Array`).
    pub fn bytes(bytes: &[u8]) -> Self {
        Self::Binary(Uint8Array::from(bytes))
    }

    /// A JSON payload from any serde value (maps become plain JS objects).
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, PeerError> {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        value
            .serialize(&serializer)
            .map(Self::Json)
            .map_err(|error| PeerError::Unsendable(error.to_string()))
    }

    /// Classifies a value from JS: strings are text; a `Uint8Array` is bytes; any other
    /// typed array, a `DataView` or an `ArrayBuffer` is [`Payload::Typed`]; anything else
    /// is JSON (refused at send when JSON would mangle it, e.g. a `Blob` or a `Map`).
    pub fn from_js(value: JsValue) -> Self {
        if let Some(text) = value.dyn_ref::<JsString>() {
            return Self::Text(text.clone());
        }
        // By tag, not `instanceof`, so values from another realm are recognised.
        match kinds::binary_kind(&value) {
            kinds::PLAIN_BYTES => Self::Binary(value.unchecked_into()),
            kinds::NAMED_BYTES => Self::Typed(value.unchecked_into()),
            _ => Self::Json(value),
        }
    }

    /// The payload as the JS value a receiver's callback gets.
    pub fn to_js(&self) -> JsValue {
        match self {
            Self::Text(text) => text.into(),
            Self::Binary(bytes) => bytes.into(),
            Self::Typed(value) => value.into(),
            Self::Json(value) => value.clone(),
        }
    }

    /// The text, when this is a text payload.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Self::Text(text) => Some(text.into()),
            _ => None,
        }
    }

    /// A copy of the bytes, when this is a binary or typed payload.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Self::Binary(bytes) => Some(bytes.to_vec()),
            Self::Typed(value) => Some(kinds::byte_view(value).to_vec()),
            _ => None,
        }
    }

    /// Decodes a JSON payload into a serde type.
    pub fn parse_json<T: DeserializeOwned>(&self) -> Result<T, PeerError> {
        match self {
            Self::Json(value) => serde_wasm_bindgen::from_value(value.clone())
                .map_err(|error| PeerError::Unsendable(error.to_string())),
            _ => Err(PeerError::Unsendable("the payload is not JSON".into())),
        }
    }
}

impl From<&str> for Payload {
    fn from(text: &str) -> Self {
        Self::text(text)
    }
}

impl From<&[u8]> for Payload {
    fn from(bytes: &[u8]) -> Self {
        Self::bytes(bytes)
    }
}
