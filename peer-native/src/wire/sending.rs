//! A payload, or a mesh frame, into the frames that carry it on the reliable channel
//! (`docs/PROTOCOL.md`, "When a sender chunks"): one frame when it fits in *max
//! frame*, else a `c` header and chunks of *max frame* bytes; a named kind behind its
//! `t` frame; a broadcast behind its `b` header.

use super::chunks::ChunkKind;
use super::frame::Frame;
use super::{MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, WireError, mesh, tags};
use crate::values::kinds;
use crate::values::payload::Payload;
use peer_core::MeshFrame;

/// The heartbeat frame: no message, sent only between messages.
pub const HEARTBEAT: &str = "h";

/// Smallest *max frame* used: the spec's reading of a remote's limit never goes below.
const MIN_FRAME_BYTES: usize = 1024;

/// The frames of one message on channel 0, in order, none over `max_frame` bytes
/// (clamped to 1024..=262144). Refused, and nothing to send, when it is over 64 MiB,
/// JSON text does not parse, or typed bytes break their kind.
pub fn message_frames(payload: &Payload, max_frame: usize) -> Result<Vec<Frame>, WireError> {
    let max_frame = max_frame.clamp(MIN_FRAME_BYTES, MAX_FRAME_BYTES);
    match payload {
        Payload::Bytes(bytes) => bytes_frames(Vec::new(), bytes, max_frame),
        Payload::Typed { kind, bytes } => {
            check_typed(kind, bytes)?;
            bytes_frames(vec![Frame::Text(format!("{}{kind}", tags::NAMED))], bytes, max_frame)
        }
        Payload::Text(text) => text_frames(tags::TEXT, ChunkKind::Text, text, max_frame),
        Payload::Json(json) => {
            check_json(json)?;
            text_frames(tags::JSON, ChunkKind::Json, json, max_frame)
        }
    }
}

/// The frames of a mesh frame on channel 0: one `g` frame, or a broadcast's `b` header
/// followed by its message's frames.
pub fn mesh_frames(frame: &MeshFrame<Payload>, max_frame: usize) -> Result<Vec<Frame>, WireError> {
    if let MeshFrame::Broadcast { origin, seq, ttl, message } = frame {
        let mut frames = vec![mesh::broadcast_header_frame(origin, *seq, *ttl)];
        frames.extend(message_frames(message, max_frame)?);
        return Ok(frames);
    }
    let unsendable = || WireError::Unsendable("the mesh frame has no JSON form".into());
    mesh::control_frame(frame).map(|frame| vec![frame]).ok_or_else(unsendable)
}

/// Refuses typed bytes a receiver would refuse: an unknown kind, or a byte count that is
/// no whole number of elements.
pub(crate) fn check_typed(kind: &str, bytes: &[u8]) -> Result<(), WireError> {
    match kinds::misfit(kind, bytes.len()) {
        Some(why) => Err(WireError::Unsendable(why)),
        None => Ok(()),
    }
}

/// Refuses JSON text a receiver could not parse (a browser would end the connection).
pub(crate) fn check_json(json: &str) -> Result<(), WireError> {
    serde_json::from_str::<serde::de::IgnoredAny>(json)
        .map(|_| ())
        .map_err(|error| WireError::Unsendable(format!("its JSON text does not parse: {error}")))
}

fn check_size(bytes: usize) -> Result<(), WireError> {
    if bytes > MAX_MESSAGE_BYTES {
        let limit = MAX_MESSAGE_BYTES >> 20;
        return Err(WireError::Unsendable(format!("it is over the {limit} MiB message limit")));
    }
    Ok(())
}

/// Appends `bytes` to `frames`: one binary frame when they fit, else chunked.
fn bytes_frames(
    mut frames: Vec<Frame>,
    bytes: &[u8],
    max_frame: usize,
) -> Result<Vec<Frame>, WireError> {
    check_size(bytes.len())?;
    if bytes.len() <= max_frame {
        frames.push(Frame::Binary(bytes.to_vec()));
        return Ok(frames);
    }
    Ok(chunked(frames, ChunkKind::Bytes, bytes, max_frame))
}

/// A string or JSON text: one frame when 3 × its UTF-16 length is below `max_frame`
/// (so its UTF-8 form fits whatever it holds), else its UTF-8 bytes chunked.
fn text_frames(
    tag: char,
    kind: ChunkKind,
    text: &str,
    max_frame: usize,
) -> Result<Vec<Frame>, WireError> {
    check_size(text.len())?;
    // Counted the browser's way, so both send the same frames for the same text. A
    // string has at most as many UTF-16 units as UTF-8 bytes: short ones skip the count.
    let fits = 3 * text.len() < max_frame || 3 * text.encode_utf16().count() < max_frame;
    if fits {
        return Ok(vec![Frame::Text(format!("{tag}{text}"))]);
    }
    Ok(chunked(Vec::new(), kind, text.as_bytes(), max_frame))
}

/// Appends a chunk header of `kind` and the chunks of `bytes` (not empty, at most 64
/// MiB) to `frames`: every chunk `max_frame` bytes but the last.
fn chunked(mut frames: Vec<Frame>, kind: ChunkKind, bytes: &[u8], max_frame: usize) -> Vec<Frame> {
    let kind = match kind {
        ChunkKind::Bytes => tags::CHUNKS_BYTES,
        ChunkKind::Text => tags::CHUNKS_TEXT,
        ChunkKind::Json => tags::CHUNKS_JSON,
    };
    frames.push(Frame::Text(format!("{}{kind}{}", tags::CHUNKED, bytes.len())));
    frames.extend(bytes.chunks(max_frame).map(|chunk| Frame::Binary(chunk.to_vec())));
    frames
}
