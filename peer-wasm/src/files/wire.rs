//! The file frames on the reliable channel, byte by byte as `docs/PROTOCOL.md`
//! ("Files") specifies them: `f` + JSON offer, `d<id>` before each data frame, `e<id>`
//! or `e<id>:<sha256 hex>` at the end, `x<id>:<reason>` from the sender and
//! `r<id>:<reason>` from the receiver to stop a transfer.

use crate::framing::FrameError;
use js_sys::JsString;
use serde::{Deserialize, Serialize};

/// The `f` frame's JSON: what a transfer will carry.
#[derive(Serialize, Deserialize)]
pub(crate) struct Offer {
    pub id: u32,
    pub name: String,
    /// Bytes, a whole number (JSON numbers are doubles: exact up to 2^53).
    pub size: f64,
    #[serde(rename = "type")]
    pub mime: String,
}

/// One file frame, parsed.
pub(crate) enum FileFrame {
    Offer(Offer),
    Part(u32),
    End { id: u32, sha256: Option<String> },
    Cancel { id: u32, reason: String },
    Refuse { id: u32, reason: String },
}

/// Most characters of a reason kept from a peer's `x` or `r` frame.
const MAX_REASON_CHARS: usize = 200;

/// Whether the text frame starting with `tag` (its first UTF-16 unit) is a file frame.
pub(crate) fn is_file_tag(tag: f64) -> bool {
    [b'f', b'd', b'e', b'x', b'r'].iter().any(|t| f64::from(*t) == tag)
}

/// Parses a text frame whose tag [`is_file_tag`].
pub(crate) fn parse(frame: &JsString) -> Result<FileFrame, FrameError> {
    let text = String::from(frame);
    let (tag, body) = text.split_at(1);
    if tag == "f" {
        let json = js_sys::JSON::parse(body).map_err(|_| FrameError::Malformed)?;
        return serde_wasm_bindgen::from_value(json)
            .map(FileFrame::Offer)
            .map_err(|_| FrameError::Malformed);
    }
    let (digits, rest) = match body.split_once(':') {
        Some((digits, rest)) => (digits, Some(rest)),
        None => (body, None),
    };
    let id = parse_id(digits)?;
    let reason = || {
        let reason: String = rest.unwrap_or_default().chars().take(MAX_REASON_CHARS).collect();
        if reason.is_empty() { "no reason given".to_owned() } else { reason }
    };
    match (tag, rest) {
        ("d", None) => Ok(FileFrame::Part(id)),
        ("e", None) => Ok(FileFrame::End { id, sha256: None }),
        ("e", Some(hex)) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(FileFrame::End { id, sha256: Some(hex.to_ascii_lowercase()) })
        }
        ("x", _) => Ok(FileFrame::Cancel { id, reason: reason() }),
        ("r", _) => Ok(FileFrame::Refuse { id, reason: reason() }),
        _ => Err(FrameError::Malformed),
    }
}

/// A transfer id: decimal digits, no sign, no leading zero, fits a `u32`.
fn parse_id(digits: &str) -> Result<u32, FrameError> {
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FrameError::Malformed);
    }
    digits.parse().map_err(|_| FrameError::Malformed)
}

/// The `f` frame announcing `offer`.
pub(crate) fn offer(offer: &Offer) -> Result<JsString, wasm_bindgen::JsValue> {
    let value = serde_wasm_bindgen::to_value(offer)?;
    let json = js_sys::JSON::stringify(&value)?;
    Ok(JsString::from("f").concat(&json))
}

/// The `d` frame before one data frame of transfer `id`.
pub(crate) fn part(id: u32) -> JsString {
    JsString::from(format!("d{id}"))
}

/// The `e` frame ending transfer `id`, with the digest when there is one.
pub(crate) fn end(id: u32, sha256: Option<&str>) -> JsString {
    match sha256 {
        Some(hex) => JsString::from(format!("e{id}:{hex}")),
        None => JsString::from(format!("e{id}")),
    }
}

/// The `x` frame: the sender stops transfer `id`.
pub(crate) fn cancel(id: u32, reason: &str) -> JsString {
    JsString::from(format!("x{id}:{reason}"))
}

/// The `r` frame: the receiver stops (or refuses) transfer `id`.
pub(crate) fn refuse(id: u32, reason: &str) -> JsString {
    JsString::from(format!("r{id}:{reason}"))
}
