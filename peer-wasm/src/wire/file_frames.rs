//! The file frames on the reliable channel, byte by byte as `docs/PROTOCOL.md`
//! ("Files") specifies them: `f` + JSON offer, `d<id>` before each data frame, `e<id>`
//! or `e<id>:<sha256 hex>` at the end, `x<id>:<reason>` from the sender and
//! `r<id>:<reason>` from the receiver to stop a transfer, `k<id>` from the receiver when
//! the file arrived whole. They are read into and written from the machine's typed
//! frames (`peer_core::files`), which make every decision; the offer's JSON goes
//! through the browser's `JSON` and `Reflect` rather than serde (a derive costs the
//! package several KB).

use crate::wire::framing::FrameError;
use js_sys::{ArrayBuffer, JsString};
use js_sys::{Object, Reflect};
use peer_core::files::{Bytes, Offer};
use wasm_bindgen::JsValue;

/// One file frame, parsed, its data as the browser's bytes.
pub(crate) type FileFrame = peer_core::files::FileFrame<Chunk>;

/// One data frame's bytes, as the machine measures them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Chunk(pub ArrayBuffer);

impl Bytes for Chunk {
    fn byte_len(&self) -> u64 {
        u64::from(self.0.byte_length())
    }

    fn read_with(&self, read: &mut dyn FnMut(&[u8])) {
        // Copied into the module's memory to be hashed, then dropped.
        read(&js_sys::Uint8Array::new(&self.0).to_vec());
    }
}

/// Whether the text frame starting with `tag` (its first UTF-16 unit) is a file frame.
pub(crate) fn is_file_tag(tag: f64) -> bool {
    crate::wire::tags::is_one_of(&crate::wire::tags::FILE, tag)
}

/// Parses a text frame whose tag [`is_file_tag`].
pub(crate) fn parse(frame: &JsString) -> Result<FileFrame, FrameError> {
    let text = String::from(frame);
    // `get`, not `split_at`: its panic path would pull Unicode tables into the package.
    let (tag, body) = (text.get(..1).unwrap_or_default(), text.get(1..).unwrap_or_default());
    if tag == "f" {
        let json = js_sys::JSON::parse(body).map_err(|_| FrameError::Malformed)?;
        return read_offer(&json).map(FileFrame::Offer).ok_or(FrameError::Malformed);
    }
    tag.chars()
        .next()
        .and_then(|tag| FileFrame::parse_control(tag, body))
        .ok_or(FrameError::Malformed)
}

/// The offer in a parsed `f` frame: an object with these four fields of these types.
fn read_offer(json: &JsValue) -> Option<Offer> {
    if !json.is_object() || js_sys::Array::is_array(json) {
        return None;
    }
    let field = |name: &str| Reflect::get(json, &name.into()).ok();
    // From 1, as in every other file frame: `r0` could not refuse an offer numbered 0.
    let id = field("id")?
        .as_f64()
        .filter(|id| id.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(id))?;
    Some(Offer {
        id: id as u32,
        name: field("name")?.as_string()?,
        size: field("size")?.as_f64()?,
        mime: field("type")?.as_string()?,
    })
}

/// The text frame of `frame` (`None` for a data frame or other text, which the machine
/// never sends).
pub(crate) fn encode(frame: &FileFrame) -> Result<Option<JsString>, JsValue> {
    use peer_core::files::FileFrame as F;
    Ok(Some(match frame {
        F::Offer(sent) => offer(sent)?,
        F::Part(id) => part(*id),
        F::End { id, sha256 } => end(*id, sha256.as_deref()),
        F::Cancel { id, reason } => cancel(*id, reason),
        F::Refuse { id, reason } => refuse(*id, reason),
        F::Kept(id) => kept(*id),
        F::Data(_) | F::OtherText => return Ok(None),
    }))
}

/// The `f` frame announcing `offer`.
pub(crate) fn offer(offer: &Offer) -> Result<JsString, JsValue> {
    let value = Object::new();
    Reflect::set(&value, &"id".into(), &offer.id.into())?;
    Reflect::set(&value, &"name".into(), &offer.name.as_str().into())?;
    Reflect::set(&value, &"size".into(), &offer.size.into())?;
    Reflect::set(&value, &"type".into(), &offer.mime.as_str().into())?;
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

/// The `k` frame: transfer `id` arrived whole, size and digest checked.
pub(crate) fn kept(id: u32) -> JsString {
    JsString::from(format!("k{id}"))
}

/// The `x` frame: the sender stops transfer `id`.
pub(crate) fn cancel(id: u32, reason: &str) -> JsString {
    JsString::from(format!("x{id}:{reason}"))
}

/// The `r` frame: the receiver stops (or refuses) transfer `id`.
pub(crate) fn refuse(id: u32, reason: &str) -> JsString {
    JsString::from(format!("r{id}:{reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn parsed(frame: &str) -> Result<FileFrame, FrameError> {
        parse(&JsString::from(frame))
    }

    #[wasm_bindgen_test]
    fn an_offer_goes_through_as_written() {
        let sent =
            Offer { id: 7, name: "a \"b\".txt".into(), size: 5e9, mime: "text/plain".into() };
        let frame = String::from(offer(&sent).expect("encodes"));
        assert_eq!(
            frame,
            r#"f{"id":7,"name":"a \"b\".txt","size":5000000000,"type":"text/plain"}"#
        );
        let Ok(FileFrame::Offer(got)) = parsed(&frame) else { panic!("an offer") };
        assert_eq!((got.id, got.name, got.size, got.mime), (7, sent.name, 5e9, sent.mime));
    }

    #[wasm_bindgen_test]
    fn control_frames_parse() {
        assert!(matches!(parsed("d12"), Ok(FileFrame::Part(12))));
        assert!(matches!(parsed("k12"), Ok(FileFrame::Kept(12))));
        assert!(matches!(parsed("k12:x"), Err(FrameError::Malformed)));
        assert!(matches!(parsed("e3"), Ok(FileFrame::End { id: 3, sha256: None })));
        let hex = "AB".repeat(32);
        let Ok(FileFrame::End { id: 3, sha256: Some(got) }) = parsed(&format!("e3:{hex}")) else {
            panic!("an end frame")
        };
        assert_eq!(got, "ab".repeat(32));
        assert!(
            matches!(parsed("x4:disk full"), Ok(FileFrame::Cancel { id: 4, reason }) if reason == "disk full")
        );
        assert!(
            matches!(parsed("r4"), Ok(FileFrame::Refuse { id: 4, reason }) if reason == "no reason given")
        );
        let long = format!("r9:{}", "z".repeat(1000));
        assert!(
            matches!(parsed(&long), Ok(FileFrame::Refuse { reason, .. }) if reason.len() == 200)
        );
        assert_eq!(String::from(end(3, Some(&"ab".repeat(32)))), format!("e3:{}", "ab".repeat(32)));
        assert_eq!(String::from(cancel(4, "why")), "x4:why");
        assert_eq!(String::from(refuse(4, "why")), "r4:why");
        assert_eq!(String::from(part(4)), "d4");
    }

    #[wasm_bindgen_test]
    fn malformed_frames_are_refused() {
        let bad = [
            "d",
            "d0",
            "d01",
            "d-1",
            "d+1",
            "d4294967296",
            "d1:x",
            "dx",
            "e1:",
            "e1:abc",
            "f",
            "f{",
            "f{\"id\":1}",
            "f{\"id\":-1,\"name\":\"a\",\"size\":1,\"type\":\"\"}",
            "f[]",
        ];
        for frame in bad {
            assert!(matches!(parsed(frame), Err(FrameError::Malformed)), "{frame} was taken");
        }
        assert!(matches!(parsed(&format!("e1:{}", "g".repeat(64))), Err(FrameError::Malformed)));
    }

    #[wasm_bindgen_test]
    fn transfer_ids_start_at_one() {
        let offer_of = |id: &str| format!(r#"f{{"id":{id},"name":"a","size":1,"type":""}}"#);
        assert!(matches!(parsed(&offer_of("1")), Ok(FileFrame::Offer(Offer { id: 1, .. }))));
        assert!(matches!(
            parsed(&offer_of("4294967295")),
            Ok(FileFrame::Offer(Offer { id: 4294967295, .. }))
        ));
        for frame in [offer_of("0"), offer_of("4294967296"), offer_of("1.5")] {
            assert!(matches!(parsed(&frame), Err(FrameError::Malformed)), "{frame} was taken");
        }
        for frame in ["d0", "e0", "x0:why", "r0:why", "k0"] {
            assert!(matches!(parsed(frame), Err(FrameError::Malformed)), "{frame} was taken");
        }
    }

    #[wasm_bindgen_test]
    fn only_file_tags_are_file_frames() {
        let tags: Vec<char> =
            ('a'..='z').filter(|tag| is_file_tag(f64::from(*tag as u8))).collect();
        assert_eq!(tags, ['d', 'e', 'f', 'k', 'r', 'x']);
    }
}
