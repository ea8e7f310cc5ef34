//! The reliable channel's receiver: a state machine fed one frame at a time, in the
//! order they arrived, that hands back whole messages, heartbeats, mesh frames and file
//! frames (`docs/PROTOCOL.md`, "Text frames by their first character").
//!
//! Its state is what the last frames announced: a `t` frame's kind waiting for its
//! bytes, a chunked message waiting for chunks, a broadcast's header waiting for its
//! message, a `d` frame waiting for its data frame. Anything the protocol does not allow
//! where it comes is a [`BadFrame`].
//!
//! For the driver: `Ok(None)` and [`Incoming::Heartbeat`] are signs of life (the
//! machine's `Heard`); a message, a mesh frame and a file frame go to the machine, the
//! last to `peer_core::files::Files::handle_frame` as they are (a `Part` then its
//! `Data`); an `Err` ends the connection ("the peer broke the framing").

use super::chunks::{ChunkKind, Chunked};
use super::files::{self, FileFrame};
use super::frame::Frame;
use super::mesh::{self, Tapped};
use super::{BadFrame, sending, tags};
use crate::values::kinds;
use crate::values::payload::Payload;
use peer_core::MeshFrame;
use signaling_protocol::PeerId;

/// What one frame completed.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// A whole message.
    Message(Payload),
    /// A heartbeat (`h`): the peer is alive.
    Heartbeat,
    /// A mesh control frame, or a broadcast with its whole message.
    Mesh(MeshFrame<Payload>),
    /// A file frame for `peer_core::files::Files`, in order; the binary frame after a
    /// `d` frame comes as [`FileFrame::Data`].
    File(FileFrame),
}

/// The receiver of one connection's reliable channel.
#[derive(Debug, Default)]
pub struct Reader {
    /// The kind a `t` frame named, for the binary message that follows.
    named: Option<&'static str>,
    /// A chunked message still arriving.
    pending: Option<Chunked>,
    /// A broadcast's header, for the message that follows.
    broadcast: Option<(PeerId, u32, u8)>,
    /// A `d` frame came: the next binary frame is file data.
    awaits_data: bool,
}

impl Reader {
    /// A receiver between messages.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no message is under way (no `t` or `c` frame waits for its bytes).
    pub fn is_between_messages(&self) -> bool {
        self.pending.is_none() && self.named.is_none()
    }

    /// Takes the next frame: what it completes, `None` when it is only a part (a header,
    /// a chunk: a sign of life all the same), or why it breaks the protocol (the
    /// connection then ends; the reader is not to be fed again).
    pub fn read(&mut self, frame: Frame) -> Result<Option<Incoming>, BadFrame> {
        match frame {
            Frame::Text(text) => self.read_text(text),
            Frame::Binary(bytes) => self.read_binary(bytes),
        }
    }

    fn read_text(&mut self, text: String) -> Result<Option<Incoming>, BadFrame> {
        if text == sending::HEARTBEAT {
            return Ok(Some(Incoming::Heartbeat));
        }
        let tag = text.chars().next().ok_or_else(|| BadFrame::new("an empty text frame"))?;
        let between = self.is_between_messages();
        if between && tags::is_mesh(tag) {
            return self.read_mesh(&text);
        }
        if self.awaits_data {
            return Err(BadFrame::new(format!("text frame {text:.40} where file data must come")));
        }
        if between && tags::is_file(tag) {
            let frame = files::parse(&text)?;
            self.awaits_data = matches!(frame, FileFrame::Part(_));
            return Ok(Some(Incoming::File(frame)));
        }
        self.read_message_text(tag, text)
    }

    fn read_mesh(&mut self, text: &str) -> Result<Option<Incoming>, BadFrame> {
        if self.broadcast.is_some() {
            return Err(BadFrame::new("a mesh frame between a broadcast's header and its message"));
        }
        match mesh::parse(text)? {
            Tapped::Control(frame) => Ok(Some(Incoming::Mesh(frame))),
            Tapped::Broadcast { origin, seq, ttl } => {
                self.broadcast = Some((origin, seq, ttl));
                Ok(None)
            }
        }
    }

    /// A text frame of a message: `s`, `j`, `t` or `c`, where one may come.
    fn read_message_text(
        &mut self,
        tag: char,
        mut text: String,
    ) -> Result<Option<Incoming>, BadFrame> {
        if self.pending.is_some() {
            return Err(BadFrame::new(format!("text frame {text:.40} inside a chunked message")));
        }
        let named = self.named.is_some();
        // Every message tag is ASCII: the body starts at byte 1.
        let body = text.get(1..).unwrap_or_default();
        match (tag, named) {
            (tags::CHUNKED, _) => {
                self.pending = Some(Chunked::start(body, named)?);
                Ok(None)
            }
            (_, true) => Err(BadFrame::new(format!("text frame {text:.40} right after a t frame"))),
            (tags::NAMED, false) => {
                let kind = kinds::KINDS.iter().find(|(kind, _)| *kind == body).map(|(k, _)| *k);
                let kind =
                    kind.ok_or_else(|| BadFrame::new(format!("t frame {body:.40} names no kind")))?;
                self.named = Some(kind);
                Ok(None)
            }
            (tags::TEXT, false) => {
                text.remove(0);
                Ok(Some(self.complete(Payload::Text(text))))
            }
            (tags::JSON, false) => {
                text.remove(0);
                Ok(Some(self.complete(json(text)?)))
            }
            _ => Err(BadFrame::new(format!("text frame {text:.40} of no known tag"))),
        }
    }

    fn read_binary(&mut self, bytes: Vec<u8>) -> Result<Option<Incoming>, BadFrame> {
        if std::mem::take(&mut self.awaits_data) {
            return Ok(Some(Incoming::File(FileFrame::Data(bytes))));
        }
        let Some(pending) = self.pending.as_mut() else {
            return self.binary_message(bytes).map(Some);
        };
        let Some(whole) = pending.append(&bytes)? else {
            return Ok(None);
        };
        let kind = pending.kind;
        self.pending = None;
        match kind {
            ChunkKind::Bytes => self.binary_message(whole).map(Some),
            ChunkKind::Text => Ok(Some(self.complete(Payload::Text(utf8(whole))))),
            ChunkKind::Json => Ok(Some(self.complete(json(utf8(whole))?))),
        }
    }

    /// A whole binary message: bytes, or of the kind a `t` frame named.
    fn binary_message(&mut self, bytes: Vec<u8>) -> Result<Incoming, BadFrame> {
        let Some(kind) = self.named.take() else {
            return Ok(self.complete(Payload::Bytes(bytes)));
        };
        if let Some(why) = kinds::misfit(kind, bytes.len()) {
            return Err(BadFrame::new(why));
        }
        Ok(self.complete(Payload::Typed { kind: kind.to_owned(), bytes }))
    }

    /// A whole message: a broadcast when a header came before it.
    fn complete(&mut self, message: Payload) -> Incoming {
        match self.broadcast.take() {
            Some((origin, seq, ttl)) => {
                Incoming::Mesh(MeshFrame::Broadcast { origin, seq, ttl, message })
            }
            None => Incoming::Message(message),
        }
    }
}

/// UTF-8 bytes as text, a malformed sequence read as U+FFFD as a browser's
/// `TextDecoder` does (no copy when they are well formed).
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// A JSON message, once its text parses.
fn json(text: String) -> Result<Payload, BadFrame> {
    match sending::check_json(&text) {
        Ok(()) => Ok(Payload::Json(text)),
        Err(_) => Err(BadFrame::new(format!("JSON text {text:.40} does not parse"))),
    }
}
