//! What a message carries, and how it travels on a data channel.
//!
//! A payload stays a JS value from the sender's call to the receiver's callback, so
//! bytes and strings are never copied into WASM memory and back. How payloads travel
//! on a channel is `framing.rs`.

use crate::PeerError;
use js_sys::{ArrayBuffer, JsString, Uint8Array};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::{JsCast, JsValue};

/// The data of one message: a string, bytes, or a JSON value. The receiver gets back the
/// same kind the sender sent.
#[derive(Clone, Debug)]
pub enum Payload {
    /// A string, sent as text.
    Text(JsString),
    /// Bytes, sent as a binary frame without copying.
    Binary(Uint8Array),
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

    /// Classifies a value from JS: strings are text; `Uint8Array`, any other typed array
    /// or `DataView`, and `ArrayBuffer` are bytes; anything else is JSON.
    pub fn from_js(value: JsValue) -> Self {
        if let Some(text) = value.dyn_ref::<JsString>() {
            return Self::Text(text.clone());
        }
        if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            return Self::Binary(bytes.clone());
        }
        if ArrayBuffer::is_view(&value) {
            let view: &js_sys::DataView = value.unchecked_ref();
            let bytes = Uint8Array::new_with_byte_offset_and_length(
                &view.buffer(),
                view.byte_offset() as u32,
                view.byte_length() as u32,
            );
            return Self::Binary(bytes);
        }
        if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
            return Self::Binary(Uint8Array::new(buffer));
        }
        Self::Json(value)
    }

    /// The payload as the JS value a receiver's callback gets.
    pub fn to_js(&self) -> JsValue {
        match self {
            Self::Text(text) => text.into(),
            Self::Binary(bytes) => bytes.into(),
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

    /// A copy of the bytes, when this is a binary payload.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Self::Binary(bytes) => Some(bytes.to_vec()),
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
