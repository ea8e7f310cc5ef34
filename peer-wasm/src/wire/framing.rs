//! How payloads travel on a data channel: one channel message per payload when it fits,
//! numbered chunks when it does not (an SCTP message is limited, 256 KiB in Chromium).
//! `docs/PROTOCOL.md`, "The data channel", specifies it byte by byte.
//!
//! Frames:
//! - binary frame outside a chunked message: the payload's bytes, untouched (zero copies);
//! - text frame `s<text>`: a string payload;
//! - text frame `j<json>`: a JSON payload as JSON text;
//! - text frame `t<name>`: the binary message that follows at once (one binary frame, or
//!   a `cb` chunked message) is a `name` (`Float32Array`, `DataView`, `ArrayBuffer`, ...);
//! - text frame `c<kind><length>`: a chunked message of `length` bytes follows, as binary
//!   frames; `kind` is `b` (bytes), `s` (UTF-8 text) or `j` (UTF-8 JSON text); `length`
//!   is decimal ASCII digits, no sign, no leading zero, 1 to [`MAX_MESSAGE_BYTES`];
//! - text frame `h`, alone: a heartbeat (no message; sent between messages only).
//!
//! The channel is reliable and ordered, and the send queue never interleaves two
//! messages, so the chunks of one message arrive together and in order.
//!
//! The unreliable channel carries each message as one frame of its own (`single.rs`).

use crate::error::PeerError;
use crate::wire::payload::{Payload, kinds};
use crate::wire::tags;
use js_sys::{ArrayBuffer, JsString, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

/// Largest message the crate sends or accepts, whole. A peer announcing more is cut off.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// Largest frame sent, even where the remote would take more: bigger frames only make
/// the channel's buffer burstier.
pub(crate) const MAX_FRAME_BYTES: usize = 256 * 1024;
/// Frame size when the remote's limit cannot be read (the spec's safe minimum is 64 KiB).
pub(crate) const FALLBACK_FRAME_BYTES: usize = 64 * 1024;

#[wasm_bindgen]
extern "C" {
    // The browser's UTF-8 codecs, bound here so the bytes stay JS objects (web-sys's
    // bindings copy them into WASM memory).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsString) -> Uint8Array;

    type TextDecoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextDecoder;
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &Uint8Array) -> JsString;

    // Taking the JS string itself: js-sys's `JSON::parse` takes a `&str`, so the text
    // would be copied into WASM memory and back.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn parse_json_text(text: &JsString) -> Result<JsValue, JsValue>;
}

/// The heartbeat frame ([`tags::HEARTBEAT`] alone).
pub(crate) const HEARTBEAT_FRAME: &str = "h";

/// Whether `data`, as it came from the channel, is a heartbeat.
pub(crate) fn is_heartbeat(data: &JsValue) -> bool {
    data.dyn_ref::<JsString>().is_some_and(|text| {
        text.length() == 1 && text.char_code_at(0) == f64::from(tags::HEARTBEAT)
    })
}

/// One data-channel message, ready for `RTCDataChannel.send`.
#[derive(Clone, Debug)]
pub(crate) enum Frame {
    /// Sent with `send(string)`.
    Text(JsString),
    /// Sent with `send(Uint8Array)`.
    Binary(Uint8Array),
}

impl Frame {
    /// Bytes this frame adds to the channel's buffer (strings counted per UTF-16 unit,
    /// a close enough estimate for queue accounting).
    pub fn len(&self) -> usize {
        match self {
            Self::Text(text) => text.length() as usize,
            Self::Binary(bytes) => bytes.length() as usize,
        }
    }
}

/// Encodes `payload` into frames of at most `max_frame` bytes each.
pub(crate) fn encode(payload: &Payload, max_frame: usize) -> Result<Vec<Frame>, PeerError> {
    match payload {
        Payload::Binary(bytes) => binary(Vec::new(), bytes, max_frame),
        Payload::Typed(value) => {
            binary(vec![Frame::Text(name_frame(value)?)], &kinds::byte_view(value), max_frame)
        }
        Payload::Text(text) => tagged_text("s", text, max_frame),
        Payload::Json(value) => tagged_text("j", &json_text(value)?, max_frame),
    }
}

/// The `t<name>` frame naming a [`Payload::Typed`] value's kind.
fn name_frame(value: &JsValue) -> Result<JsString, PeerError> {
    let wanted = "Payload::Typed takes a typed array but Uint8Array, DataView, ArrayBuffer";
    kinds::name_frame(value).ok_or(PeerError::Unsendable(wanted.into()))
}

/// The JSON text of a JSON payload, or why it has none.
fn json_text(value: &JsValue) -> Result<JsString, PeerError> {
    let json = kinds::to_json(value)
        .map_err(|error| PeerError::Unsendable(crate::error::js_message(&error)))?;
    // `JSON.stringify` gives `undefined` for values JSON cannot hold.
    json.dyn_into::<JsString>().map_err(|_| PeerError::Unsendable("it has no JSON form".into()))
}

/// Appends `bytes` to `frames`: one binary frame when they fit, else chunked.
fn binary(
    mut frames: Vec<Frame>,
    bytes: &Uint8Array,
    max_frame: usize,
) -> Result<Vec<Frame>, PeerError> {
    if bytes.length() as usize <= max_frame {
        frames.push(Frame::Binary(bytes.clone()));
        return Ok(frames);
    }
    chunked(frames, "b", bytes, max_frame)
}

fn tagged_text(tag: &str, text: &JsString, max_frame: usize) -> Result<Vec<Frame>, PeerError> {
    // Up to three UTF-8 bytes per UTF-16 unit, plus the tag.
    if text.length() as usize * 3 < max_frame {
        return Ok(vec![Frame::Text(JsString::from(tag).concat(text))]);
    }
    chunked(Vec::new(), tag, &TextEncoder::new().encode(text), max_frame)
}

/// Appends a chunk header of `kind` and the chunks of `bytes` to `frames`.
fn chunked(
    mut frames: Vec<Frame>,
    kind: &str,
    bytes: &Uint8Array,
    max_frame: usize,
) -> Result<Vec<Frame>, PeerError> {
    let total = bytes.length() as usize;
    if total > MAX_MESSAGE_BYTES {
        let limit = MAX_MESSAGE_BYTES >> 20;
        return Err(PeerError::Unsendable(format!("it is over the {limit} MiB message limit")));
    }
    frames.push(Frame::Text(JsString::from(format!("c{kind}{total}"))));
    // Views into the caller's buffer: splitting copies nothing.
    let step = max_frame.max(1);
    for start in (0..total).step_by(step) {
        let end = (start + step).min(total);
        frames.push(Frame::Binary(bytes.subarray(start as u32, end as u32)));
    }
    Ok(frames)
}

/// Why a peer's frames were refused (the connection to it is then ended).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// A frame out of place: a tag this crate never sends, a text frame inside a chunked
    /// message, or a `t` frame not followed by a binary message.
    Unexpected,
    /// A header that breaks its format (a length with a sign or a leading zero, an
    /// unknown kind), or bytes that do not fit the kind named (a `Float32Array` whose
    /// length is not a multiple of 4).
    Malformed,
    /// A chunked message over [`MAX_MESSAGE_BYTES`] or with more bytes than announced.
    TooLarge,
}

/// Turns the frames of one channel back into payloads.
#[derive(Default)]
pub(crate) struct Reassembler {
    /// The kind a `t` frame named, for the binary message that follows it.
    named: Option<JsString>,
    pending: Option<Chunked>,
}

/// A chunked message being received.
struct Chunked {
    kind: u8,
    total: u32,
    /// The bytes so far, in a buffer grown as they arrive rather than sized from the
    /// header, so a peer cannot make us hold more than twice what it actually sent.
    /// Once complete it is exactly `total` long.
    buffer: Uint8Array,
    filled: u32,
}

impl Chunked {
    /// Appends one chunk; `Ok(true)` once the message is complete.
    fn append(&mut self, bytes: &Uint8Array) -> Result<bool, FrameError> {
        let end = self.filled.checked_add(bytes.length()).filter(|end| *end <= self.total);
        let end = end.ok_or(FrameError::TooLarge)?;
        if end > self.buffer.length() {
            // Doubling keeps the copying linear in the message size.
            let capacity = end.max(self.buffer.length().saturating_mul(2)).min(self.total);
            let grown = Uint8Array::new_with_length(capacity);
            grown.set(&self.buffer.subarray(0, self.filled), 0);
            self.buffer = grown;
        }
        self.buffer.set(bytes, self.filled);
        self.filled = end;
        Ok(end == self.total)
    }
}

impl Reassembler {
    /// Bytes of memory held for a chunked message still arriving.
    #[cfg(test)]
    pub(crate) fn held_bytes(&self) -> usize {
        self.pending.as_ref().map_or(0, |pending| pending.buffer.length() as usize)
    }

    /// Whether no message is under way (a `t` or `c` frame waiting for its bytes).
    pub(crate) fn is_between_messages(&self) -> bool {
        self.pending.is_none() && self.named.is_none()
    }

    /// Takes one received frame (`event.data`, with `binaryType` `arraybuffer`);
    /// returns a payload when the frame completes one.
    pub fn push(&mut self, data: JsValue) -> Result<Option<Payload>, FrameError> {
        // Told apart by `typeof`, not `instanceof ArrayBuffer`: in Firefox a channel's
        // own buffer can fail that check (the page driven from another realm). With
        // `binaryType` "arraybuffer", whatever is not a string is an ArrayBuffer.
        let frame = match data.dyn_into::<JsString>() {
            Ok(frame) => frame,
            Err(data) => return self.push_binary(data.unchecked_into::<ArrayBuffer>()),
        };
        if self.pending.is_some() || frame.length() == 0 {
            return Err(FrameError::Unexpected);
        }
        let body = frame.slice(1, frame.length());
        // Only a binary message may follow a `t` frame.
        match (frame.char_code_at(0) as u8, self.named.is_some()) {
            (tags::TEXT, false) => Ok(Some(Payload::Text(body))),
            (tags::JSON, false) => parse_json(&body).map(Some),
            (tags::NAMED, false) if kinds::is_named(&body) => {
                self.named = Some(body);
                Ok(None)
            }
            (tags::NAMED, false) => Err(FrameError::Malformed),
            (tags::CHUNKED, _) => self.start_chunked(String::from(body).as_bytes()).map(|()| None),
            _ => Err(FrameError::Unexpected),
        }
    }

    fn start_chunked(&mut self, header: &[u8]) -> Result<(), FrameError> {
        let (&kind, digits) = header.split_first().ok_or(FrameError::Malformed)?;
        match (kind, self.named.is_some()) {
            (b'b', _) | (b's' | b'j', false) => {}
            (_, true) => return Err(FrameError::Unexpected),
            _ => return Err(FrameError::Malformed),
        }
        let total = parse_length(digits)?;
        let buffer = Uint8Array::new_with_length(0);
        self.pending = Some(Chunked { kind, total, buffer, filled: 0 });
        Ok(())
    }

    fn push_binary(&mut self, frame: ArrayBuffer) -> Result<Option<Payload>, FrameError> {
        let Some(pending) = self.pending.as_mut() else {
            return self.binary_message(frame).map(Some);
        };
        if !pending.append(&Uint8Array::new(&frame))? {
            return Ok(None);
        }
        let Chunked { kind, buffer, .. } = self.pending.take().ok_or(FrameError::Unexpected)?;
        match kind {
            b'b' => self.binary_message(buffer.buffer()).map(Some),
            b's' => Ok(Some(Payload::Text(TextDecoder::new().decode(&buffer)))),
            _ => parse_json(&TextDecoder::new().decode(&buffer)).map(Some),
        }
    }

    /// A whole binary message: bytes, or the kind a `t` frame named.
    fn binary_message(&mut self, buffer: ArrayBuffer) -> Result<Payload, FrameError> {
        let Some(name) = self.named.take() else {
            return Ok(Payload::Binary(Uint8Array::new(&buffer)));
        };
        let value = kinds::rebuild(&name, &buffer).map_err(|_| FrameError::Malformed)?;
        Ok(Payload::Typed(value.unchecked_into()))
    }
}

/// A chunk header's length: decimal ASCII digits, no sign, no leading zero, at most
/// [`MAX_MESSAGE_BYTES`].
fn parse_length(digits: &[u8]) -> Result<u32, FrameError> {
    if digits.first().is_none_or(|first| *first == b'0') {
        return Err(FrameError::Malformed);
    }
    let mut total = 0u32;
    for digit in digits {
        if !digit.is_ascii_digit() {
            return Err(FrameError::Malformed);
        }
        total = total.saturating_mul(10).saturating_add(u32::from(digit - b'0'));
    }
    if total as usize > MAX_MESSAGE_BYTES {
        return Err(FrameError::TooLarge);
    }
    Ok(total)
}

fn parse_json(text: &JsString) -> Result<Payload, FrameError> {
    parse_json_text(text).map(Payload::Json).map_err(|_| FrameError::Unexpected)
}

mod single;

pub(crate) use single::{decode_single, encode_single};

#[cfg(test)]
mod tests;
