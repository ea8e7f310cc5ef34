//! What a message carries, and how it travels on a data channel.
//!
//! A payload stays a JS value from the sender's call to the receiver's callback, so
//! bytes and strings are never copied into WASM memory and back.
//!
//! Framing on the channel (one data-channel message per payload):
//! - binary frame: the bytes, untouched (the hot path, zero copies);
//! - text frame starting with `s`: a string, the rest of the frame;
//! - text frame starting with `j`: a JSON value, the rest of the frame as JSON text.

use crate::PeerError;
use js_sys::{ArrayBuffer, JSON, JsString, Uint8Array};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::{JsCast, JsValue};

const TEXT_TAG: &str = "s";
const JSON_TAG: &str = "j";

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

    /// Encodes the payload as one data-channel frame.
    pub(crate) fn to_frame(&self) -> Result<Frame, PeerError> {
        match self {
            Self::Text(text) => Ok(Frame::Text(JsString::from(TEXT_TAG).concat(text))),
            Self::Binary(bytes) => Ok(Frame::Binary(bytes.clone())),
            Self::Json(value) => {
                let json = JSON::stringify(value)
                    .map_err(|error| PeerError::Unsendable(crate::error::js_message(&error)))?;
                // `JSON.stringify` gives `undefined` for values JSON cannot hold.
                if json.is_undefined() {
                    return Err(PeerError::Unsendable("it has no JSON form".into()));
                }
                Ok(Frame::Text(JsString::from(JSON_TAG).concat(&json)))
            }
        }
    }

    /// Decodes a frame received on a data channel (`event.data`, with the channel's
    /// `binaryType` set to `arraybuffer`). `None` for a frame this crate never sends.
    pub(crate) fn from_frame(data: JsValue) -> Option<Self> {
        if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
            return Some(Self::Binary(Uint8Array::new(buffer)));
        }
        let frame = data.dyn_into::<JsString>().ok()?;
        let body = frame.slice(1, frame.length());
        match frame.char_at(0).as_string()?.as_str() {
            TEXT_TAG => Some(Self::Text(body)),
            JSON_TAG => JSON::parse(&String::from(body)).ok().map(Self::Json),
            _ => None,
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

/// One data-channel message, ready for `RTCDataChannel.send`.
#[derive(Clone, Debug)]
pub(crate) enum Frame {
    /// Sent with `send(string)`.
    Text(JsString),
    /// Sent with `send(Uint8Array)`.
    Binary(Uint8Array),
}
