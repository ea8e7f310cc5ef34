//! How payloads travel on a data channel: one channel message per payload when it fits,
//! numbered chunks when it does not (an SCTP message is limited, 256 KiB in Chromium).
//!
//! Frames:
//! - binary frame outside a chunked message: the payload's bytes, untouched (zero copies);
//! - text frame `s<text>`: a string payload;
//! - text frame `j<json>`: a JSON payload as JSON text;
//! - text frame `c<kind><length>`: a chunked message of `length` bytes follows, as binary
//!   frames; `kind` is `b` (bytes), `s` (UTF-8 text) or `j` (UTF-8 JSON text).
//!
//! The channel is reliable and ordered, and the send queue never interleaves two
//! messages, so the chunks of one message arrive together and in order.

use crate::{Payload, PeerError};
use js_sys::{JSON, JsString, Uint8Array};
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
        Payload::Binary(bytes) if bytes.length() as usize <= max_frame => {
            Ok(vec![Frame::Binary(bytes.clone())])
        }
        Payload::Binary(bytes) => chunked('b', bytes, max_frame),
        Payload::Text(text) => tagged_text('s', text, max_frame),
        Payload::Json(value) => {
            let json = JSON::stringify(value)
                .map_err(|error| PeerError::Unsendable(crate::error::js_message(&error)))?;
            // `JSON.stringify` gives `undefined` for values JSON cannot hold.
            if json.is_undefined() {
                return Err(PeerError::Unsendable("it has no JSON form".into()));
            }
            tagged_text('j', &json, max_frame)
        }
    }
}

fn tagged_text(tag: char, text: &JsString, max_frame: usize) -> Result<Vec<Frame>, PeerError> {
    // Up to three UTF-8 bytes per UTF-16 unit, plus the tag.
    if text.length() as usize * 3 < max_frame {
        let tag = JsString::from(tag.to_string());
        return Ok(vec![Frame::Text(tag.concat(text))]);
    }
    chunked(tag, &TextEncoder::new().encode(text), max_frame)
}

fn chunked(kind: char, bytes: &Uint8Array, max_frame: usize) -> Result<Vec<Frame>, PeerError> {
    let total = bytes.length() as usize;
    if total > MAX_MESSAGE_BYTES {
        let limit = MAX_MESSAGE_BYTES >> 20;
        return Err(PeerError::Unsendable(format!("it is over the {limit} MiB message limit")));
    }
    let mut frames = vec![Frame::Text(JsString::from(format!("c{kind}{total}")))];
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
    /// A text frame this crate never sends, or one inside a chunked message.
    Unexpected,
    /// A chunked message over [`MAX_MESSAGE_BYTES`] or with more bytes than announced.
    TooLarge,
}

/// Turns the frames of one channel back into payloads.
#[derive(Default)]
pub(crate) struct Reassembler {
    pending: Option<Chunked>,
}

struct Chunked {
    kind: char,
    buffer: Uint8Array,
    filled: u32,
}

impl Reassembler {
    /// Takes one received frame (`event.data`, with `binaryType` `arraybuffer`);
    /// returns a payload when the frame completes one.
    pub fn push(&mut self, data: JsValue) -> Result<Option<Payload>, FrameError> {
        let data = match data.dyn_into::<js_sys::ArrayBuffer>() {
            Ok(buffer) => return self.push_bytes(Uint8Array::new(&buffer)),
            Err(data) => data,
        };
        let frame = data.dyn_into::<JsString>().map_err(|_| FrameError::Unexpected)?;
        if self.pending.is_some() || frame.length() == 0 {
            return Err(FrameError::Unexpected);
        }
        let body = frame.slice(1, frame.length());
        let tag = frame.char_code_at(0) as u8;
        match tag {
            b's' => Ok(Some(Payload::Text(body))),
            b'j' => parse_json(&body).map(Some),
            b'c' => self.start_chunked(&String::from(body)).map(|()| None),
            _ => Err(FrameError::Unexpected),
        }
    }

    fn start_chunked(&mut self, header: &str) -> Result<(), FrameError> {
        let mut chars = header.chars();
        let kind = chars.next().filter(|kind| matches!(kind, 'b' | 's' | 'j'));
        let total = chars.as_str().parse::<usize>().ok();
        let (Some(kind), Some(total)) = (kind, total) else { return Err(FrameError::Unexpected) };
        if total > MAX_MESSAGE_BYTES {
            return Err(FrameError::TooLarge);
        }
        if total == 0 {
            return Err(FrameError::Unexpected);
        }
        self.pending =
            Some(Chunked { kind, buffer: Uint8Array::new_with_length(total as u32), filled: 0 });
        Ok(())
    }

    fn push_bytes(&mut self, bytes: Uint8Array) -> Result<Option<Payload>, FrameError> {
        let Some(pending) = self.pending.as_mut() else {
            return Ok(Some(Payload::Binary(bytes)));
        };
        let end = pending.filled + bytes.length();
        if end > pending.buffer.length() {
            return Err(FrameError::TooLarge);
        }
        pending.buffer.set(&bytes, pending.filled);
        pending.filled = end;
        if end < pending.buffer.length() {
            return Ok(None);
        }
        let Chunked { kind, buffer, .. } = self.pending.take().ok_or(FrameError::Unexpected)?;
        match kind {
            'b' => Ok(Some(Payload::Binary(buffer))),
            's' => Ok(Some(Payload::Text(TextDecoder::new().decode(&buffer)))),
            _ => parse_json(&TextDecoder::new().decode(&buffer)).map(Some),
        }
    }
}

fn parse_json(text: &JsString) -> Result<Payload, FrameError> {
    let text = text.as_string().ok_or(FrameError::Unexpected)?;
    JSON::parse(&text).map(Payload::Json).map_err(|_| FrameError::Unexpected)
}
