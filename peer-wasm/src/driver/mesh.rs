//! The driver's part of the mesh: mesh frames out on the channels, and broadcasts.

use super::{Driver, send};
use crate::error::PeerError;
use crate::log;
use crate::transport::connection::Connection;
use crate::wire::framing;
use crate::wire::mesh_frames;
use crate::wire::payload::Payload;
use peer_core::{ConnKey, MAX_TTL, MeshFrame};

impl Driver {
    /// Sends a mesh frame on `key`'s channel. A broadcast passed on to a neighbour whose
    /// queue is full is dropped there, with a warning (that neighbour is not keeping up).
    pub(super) fn send_mesh(&self, key: &ConnKey, frame: MeshFrame<Payload>) {
        let connections = self.connections.borrow();
        let Some(connection) = super::find(&connections, key) else { return };
        let sent = match frame {
            MeshFrame::Advert(advert) => {
                connection.send_control(mesh_frames::advert_frame(&advert))
            }
            MeshFrame::Digest(held) => connection.send_control(mesh_frames::digest_frame(&held)),
            MeshFrame::Relay(relayed) => {
                connection.send_control(mesh_frames::relay_frame(&relayed))
            }
            MeshFrame::Broadcast { origin, seq, ttl, message } => {
                framing::encode(&message, connection.max_frame()).and_then(|frames| {
                    let header = mesh_frames::broadcast_frame(&origin, seq, ttl);
                    connection.send(std::iter::once(header).chain(frames).collect())
                })
            }
        };
        if let Err(error) = sent {
            log::warn(&format!("a mesh message for {} was not sent: {error}", key.peer));
        }
    }

    /// Broadcasts `payload` to the whole room through the mesh: to every open channel,
    /// which pass it on. All or none, as `send_message`: a full queue is reported first.
    pub fn broadcast(&self, payload: &Payload) -> Result<usize, PeerError> {
        if self.core.borrow().is_closed() {
            return Err(PeerError::Closed);
        }
        let keys = self.core.borrow().open_keys();
        let connections = self.connections.borrow();
        let open: Vec<(&ConnKey, &Connection)> =
            keys.iter().filter_map(|key| Some((key, super::find(&connections, key)?))).collect();
        send::check_room(&open)?;
        // Numbered once no queue refuses it (a number lost to a payload that cannot be
        // encoded leaves a gap, which the receivers' windows take in their stride).
        let (origin, seq) = self.core.borrow_mut().begin_broadcast();
        let header = mesh_frames::broadcast_frame(&origin, seq, MAX_TTL);
        send::send_reliably(payload, Some(&header), &open)
    }
}
