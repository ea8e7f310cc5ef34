//! The file frames on the reliable channel, byte by byte as `docs/PROTOCOL.md`
//! ("Files") specifies them: `f` + JSON offer, `d<id>` before each data frame, `e<id>`
//! or `e<id>:<sha256 hex>` at the end, `x<id>:<reason>` from the sender and
//! `r<id>:<reason>` from the receiver to stop a transfer, `k<id>` when the file arrived
//! whole. They are read into and written from the machine's own frames
//! (`peer_core::files::FileFrame`), which make every decision.

use super::BadFrame;
use super::frame::Frame;
use peer_core::files::Offer;

/// One file frame, its data as bytes.
pub type FileFrame = peer_core::files::FileFrame<Vec<u8>>;

/// Parses a text frame whose first character is a file tag (`tags::is_file`).
pub fn parse(text: &str) -> Result<FileFrame, BadFrame> {
    let mut chars = text.chars();
    let tag = chars.next();
    let body = chars.as_str();
    if tag == Some('f') {
        return parse_offer(body).map(FileFrame::Offer);
    }
    let control = tag.and_then(|tag| FileFrame::parse_control(tag, body));
    control.ok_or_else(|| BadFrame::new(format!("file frame {text:.80} breaks its format")))
}

/// The offer in an `f` frame: an object with `id` (a whole number from 1 to
/// 4294967295: `r0` could not refuse an offer numbered 0), `name`, `size` (a number;
/// the machine checks it is whole and in range) and `type`.
fn parse_offer(json: &str) -> Result<Offer, BadFrame> {
    let bad = || BadFrame::new(format!("file offer {json:.80} is not of the offer's shape"));
    let value: serde_json::Value = serde_json::from_str(json).map_err(|_| bad())?;
    let object = value.as_object().ok_or_else(bad)?;
    let id = object
        .get("id")
        .and_then(serde_json::Value::as_f64)
        .filter(|id| id.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(id))
        .ok_or_else(bad)?;
    let text = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Ok(Offer {
        // Whole and in range, checked above.
        id: id as u32,
        name: text("name").ok_or_else(bad)?,
        size: object.get("size").and_then(serde_json::Value::as_f64).ok_or_else(bad)?,
        mime: text("type").ok_or_else(bad)?,
    })
}

/// The frames that carry `frame`: one text frame, or for data the binary frame itself
/// (the driver sends a `Part` and its `Data` together). Nothing for
/// [`FileFrame::OtherText`], which is never sent.
pub fn encode(frame: &FileFrame) -> Option<Frame> {
    use peer_core::files::FileFrame as F;
    let text = match frame {
        F::Offer(offer) => offer_text(offer),
        F::Part(id) => format!("d{id}"),
        F::End { id, sha256: Some(hex) } => format!("e{id}:{hex}"),
        F::End { id, sha256: None } => format!("e{id}"),
        F::Cancel { id, reason } => format!("x{id}:{reason}"),
        F::Refuse { id, reason } => format!("r{id}:{reason}"),
        F::Kept(id) => format!("k{id}"),
        F::Data(bytes) => return Some(Frame::Binary(bytes.clone())),
        F::OtherText => return None,
    };
    Some(Frame::Text(text))
}

/// The `f` frame announcing `offer`, its JSON as `JSON.stringify` writes it (a whole
/// size without a fraction).
fn offer_text(offer: &Offer) -> String {
    let size = if offer.size.fract() == 0.0 && offer.size.abs() < 9.007_199_254_740_992e15 {
        // Whole and exact: written as an integer, as a browser does.
        serde_json::Value::from(offer.size as i64)
    } else {
        serde_json::Value::from(offer.size)
    };
    let json = serde_json::json!({
        "id": offer.id, "name": offer.name, "size": size, "type": offer.mime,
    });
    format!("f{json}")
}

/// The `d` frame and the data frame that carry one slice of transfer `id`, in order.
pub fn data_frames(id: u32, data: Vec<u8>) -> [Frame; 2] {
    [Frame::Text(format!("d{id}")), Frame::Binary(data)]
}
