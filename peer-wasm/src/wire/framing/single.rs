//! The unreliable channel's framing: every message is exactly one frame, since frames
//! there may be lost or overtake each other. `docs/PROTOCOL.md`, "The data channel".
//!
//! - text frame `s<text>` or `j<json>`: as on the reliable channel;
//! - binary frame `<n><name><bytes>`: one byte `n`, the length of the kind's name (0 for
//!   plain bytes, a `Uint8Array`), the name in ASCII (`Float32Array`, `DataView`, ...,
//!   the names a `t` frame takes), then the payload's bytes.
//!
//! A message that does not fit in one frame of the remote's limit is refused with
//! [`PeerError::TooLargeForUnreliable`], never cut into chunks.

use super::{FrameError, Reassembler, TextEncoder, json_text, name_frame};
use crate::error::PeerError;
use crate::wire::payload::{Payload, kinds};
use js_sys::{ArrayBuffer, JsString, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Encodes `payload` as one frame of at most `limit` bytes.
pub(crate) fn encode_single(payload: &Payload, limit: usize) -> Result<super::Frame, PeerError> {
    match payload {
        Payload::Binary(bytes) => enveloped(&Uint8Array::new_with_length(0), bytes, limit),
        Payload::Typed(value) => {
            let name = name_frame(value)?;
            let name = TextEncoder::new().encode(&name.slice(1, name.length()));
            enveloped(&name, &kinds::byte_view(value), limit)
        }
        Payload::Text(text) => tagged_text("s", text, limit),
        Payload::Json(value) => tagged_text("j", &json_text(value)?, limit),
    }
}

/// The binary frame of `bytes` behind their kind's `name` (empty for plain bytes).
fn enveloped(
    name: &Uint8Array,
    bytes: &Uint8Array,
    limit: usize,
) -> Result<super::Frame, PeerError> {
    let size = 1 + name.length() as usize + bytes.length() as usize;
    fits(size, limit)?;
    // One copy, JS to JS: a channel message is one buffer.
    let frame = Uint8Array::new_with_length(size as u32);
    frame.set_index(0, name.length() as u8);
    frame.set(name, 1);
    frame.set(bytes, 1 + name.length());
    Ok(super::Frame::Binary(frame))
}

fn tagged_text(tag: &str, text: &JsString, limit: usize) -> Result<super::Frame, PeerError> {
    // The channel sends UTF-8, up to three bytes per UTF-16 unit: measured only when
    // that bound is over the limit.
    if 1 + 3 * text.length() as usize > limit {
        fits(1 + TextEncoder::new().encode(text).length() as usize, limit)?;
    }
    Ok(super::Frame::Text(JsString::from(tag).concat(text)))
}

fn fits(bytes: usize, limit: usize) -> Result<(), PeerError> {
    if bytes > limit {
        return Err(PeerError::TooLargeForUnreliable { bytes, limit });
    }
    Ok(())
}

/// Decodes one frame of the unreliable channel (`event.data`, with `binaryType`
/// `arraybuffer`).
pub(crate) fn decode_single(data: JsValue) -> Result<Payload, FrameError> {
    let buffer = match data.dyn_into::<JsString>() {
        // Only `s` and `j` complete a message in one frame; `t` and `c` announce more.
        Ok(text) => return Reassembler::default().push(text.into())?.ok_or(FrameError::Unexpected),
        Err(data) => data.unchecked_into::<ArrayBuffer>(),
    };
    let view = Uint8Array::new(&buffer);
    if view.length() == 0 {
        return Err(FrameError::Malformed);
    }
    let name_end = 1 + u32::from(view.get_index(0));
    if name_end > view.length() {
        return Err(FrameError::Malformed);
    }
    // A buffer of the payload's own, as the reliable channel delivers.
    let bytes = buffer.slice(name_end);
    let named = match name_end {
        1 => None,
        _ => {
            let name = super::TextDecoder::new().decode(&view.subarray(1, name_end));
            // Only the kinds this crate sends: a peer cannot make us call another
            // constructor.
            if !kinds::is_named(&name) {
                return Err(FrameError::Malformed);
            }
            Some(name)
        }
    };
    Reassembler { named, pending: None }.binary_message(bytes)
}

#[cfg(test)]
mod tests;
