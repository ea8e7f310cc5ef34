//! The mesh frames of one reliable channel, picked out of what arrives before the
//! messages are reassembled: control frames go to the machine as they are, and a
//! broadcast's header waits for the message that follows it. The frames themselves are
//! `wire/mesh_frames.rs`.

use crate::transport::reporter::Reporter;
use crate::wire::framing::FrameError;
use crate::wire::mesh_frames::{Tapped, is_mesh_tag, parse};
use crate::wire::payload::Payload;
use js_sys::JsString;
use peer_core::{Input, MeshFrame};
use signaling_protocol::PeerId;
use wasm_bindgen::{JsCast, JsValue};

/// A channel's mesh frames, picked out of what arrives (a connection's own state: the
/// header of a broadcast whose message is still coming).
#[derive(Default)]
pub(crate) struct MeshTap {
    broadcast: Option<(PeerId, u32, u8)>,
}

impl MeshTap {
    /// Reports `data` if it is a mesh frame (a control frame as it is, a broadcast's
    /// header kept for its message) and takes it; hands back anything else.
    pub fn take(&mut self, data: JsValue, between: bool, reporter: &Reporter) -> Option<JsValue> {
        let tag = data.dyn_ref::<JsString>().filter(|_| between).map(|text| text.char_code_at(0));
        if !tag.is_some_and(is_mesh_tag) {
            return Some(data);
        }
        match (parse::<Payload>(data.unchecked_ref()), self.broadcast.is_some()) {
            (Ok(Tapped::Control(frame)), false) => {
                reporter.report(|key| Input::Mesh { key, frame })
            }
            (Ok(Tapped::Broadcast { origin, seq, ttl }), false) => {
                self.broadcast = Some((origin, seq, ttl));
                reporter.report(|key| Input::Heard { key });
            }
            // Malformed, or a mesh frame between a broadcast's header and its message.
            _ => reporter.received(Err(FrameError::Malformed)),
        }
        None
    }

    /// Whether no broadcast's header waits for its message.
    pub fn is_idle(&self) -> bool {
        self.broadcast.is_none()
    }

    /// Reports a whole message: the broadcast whose header came before it, if one did.
    pub fn received(&mut self, message: Payload, reporter: &Reporter) {
        match self.broadcast.take() {
            Some((origin, seq, ttl)) => {
                let frame = MeshFrame::Broadcast { origin, seq, ttl, message };
                reporter.report(|key| Input::Mesh { key, frame });
            }
            None => reporter.received(Ok(Some(message))),
        }
    }
}
