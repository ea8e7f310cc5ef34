//! The unreliable channel's frames (`docs/PROTOCOL.md`, "The unreliable channel"):
//! every message is exactly one frame, since frames there may be lost or overtake each
//! other.
//!
//! - text `s<text>` or `j<json>`: as on the reliable channel;
//! - binary `<n><name><bytes>`: one byte `n`, the length of the kind's name (0 for
//!   plain bytes), the name in ASCII, then the value's bytes.

use super::frame::Frame;
use super::sending::{check_json, check_typed};
use super::{BadFrame, WireError, tags};
use crate::values::kinds;
use crate::values::payload::Payload;

/// The one frame of `payload` on channel 1, refused when it would be over `max_frame`
/// bytes (a text frame's UTF-8 with its tag, a binary frame with its header).
pub fn unreliable_frame(payload: &Payload, max_frame: usize) -> Result<Frame, WireError> {
    match payload {
        Payload::Text(text) => tagged(tags::TEXT, text, max_frame),
        Payload::Json(json) => {
            check_json(json)?;
            tagged(tags::JSON, json, max_frame)
        }
        Payload::Bytes(bytes) => enveloped("", bytes, max_frame),
        Payload::Typed { kind, bytes } => {
            check_typed(kind, bytes)?;
            enveloped(kind, bytes, max_frame)
        }
    }
}

fn tagged(tag: char, text: &str, max_frame: usize) -> Result<Frame, WireError> {
    fits(1 + text.len(), max_frame)?;
    Ok(Frame::Text(format!("{tag}{text}")))
}

/// The binary frame of `bytes` behind their kind's `name` (empty for plain bytes; a
/// kind's name is short ASCII, so its length fits the one byte).
fn enveloped(name: &str, bytes: &[u8], max_frame: usize) -> Result<Frame, WireError> {
    let size = 1 + name.len() + bytes.len();
    fits(size, max_frame)?;
    let length = u8::try_from(name.len())
        .map_err(|_| WireError::Unsendable(format!("kind name {name:.40} is too long")))?;
    let mut frame = Vec::with_capacity(size);
    frame.push(length);
    frame.extend_from_slice(name.as_bytes());
    frame.extend_from_slice(bytes);
    Ok(Frame::Binary(frame))
}

fn fits(bytes: usize, limit: usize) -> Result<(), WireError> {
    if bytes > limit {
        return Err(WireError::TooLargeForUnreliable { bytes, limit });
    }
    Ok(())
}

/// The message one frame of channel 1 carries, or why it is a bad frame.
pub fn read_unreliable(frame: Frame) -> Result<Payload, BadFrame> {
    match frame {
        Frame::Text(mut text) => {
            let tag = text.chars().next();
            if tag != Some(tags::TEXT) && tag != Some(tags::JSON) {
                return Err(BadFrame::new(format!("unreliable text frame {text:.40}")));
            }
            text.remove(0);
            if tag == Some(tags::TEXT) {
                return Ok(Payload::Text(text));
            }
            match check_json(&text) {
                Ok(()) => Ok(Payload::Json(text)),
                Err(_) => Err(BadFrame::new(format!("JSON text {text:.40} does not parse"))),
            }
        }
        Frame::Binary(bytes) => read_enveloped(bytes),
    }
}

fn read_enveloped(mut bytes: Vec<u8>) -> Result<Payload, BadFrame> {
    let length = *bytes.first().ok_or_else(|| BadFrame::new("an empty unreliable frame"))?;
    let name_end = 1 + usize::from(length);
    let name = bytes.get(1..name_end).ok_or_else(|| BadFrame::new("a kind name past the frame"))?;
    if name.is_empty() {
        bytes.remove(0);
        return Ok(Payload::Bytes(bytes));
    }
    let name = std::str::from_utf8(name).ok().and_then(|name| {
        kinds::KINDS.iter().find(|(kind, _)| *kind == name).map(|(kind, _)| *kind)
    });
    let kind = name.ok_or_else(|| BadFrame::new("an unreliable frame of no known kind"))?;
    let value = bytes.split_off(name_end);
    if let Some(why) = kinds::misfit(kind, value.len()) {
        return Err(BadFrame::new(why));
    }
    Ok(Payload::Typed { kind: kind.to_owned(), bytes: value })
}
