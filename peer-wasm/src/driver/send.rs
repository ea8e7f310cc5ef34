//! Sending on the open connections: to every peer at once (all or none) or through one.

use super::{Driver, find};
use crate::api::delivery::Delivery;
use crate::error::PeerError;
use crate::transport::connection::Connection;
use crate::wire::framing::{self, Frame};
use crate::wire::payload::Payload;
use peer_core::ConnKey;
use signaling_protocol::PeerId;

impl Driver {
    /// Sends `payload` to every open connection, all or none: a full queue (or, sent
    /// unreliably, a message too large for one remote or a backed-up channel) is reported
    /// before anything is sent.
    pub fn send_message(&self, payload: &Payload, delivery: Delivery) -> Result<usize, PeerError> {
        let keys = {
            let core = self.core.borrow();
            if core.is_closed() {
                return Err(PeerError::Closed);
            }
            core.open_keys()
        };
        let connections = self.connections.borrow();
        let open: Vec<(&ConnKey, &Connection)> =
            keys.iter().filter_map(|key| Some((key, find(&connections, key)?))).collect();
        if delivery == Delivery::Unreliable {
            return send_unreliable(payload, &open);
        }
        check_room(&open)?;
        send_reliably(payload, None, &open)
    }

    /// Runs `use_it` on the open connection to `peer`.
    pub fn with_open<T>(
        &self,
        peer: &PeerId,
        use_it: impl FnOnce(&Connection) -> Result<T, PeerError>,
    ) -> Result<T, PeerError> {
        let key = self.core.borrow().open_key(peer)?;
        let connections = self.connections.borrow();
        let connection =
            find(&connections, &key).ok_or_else(|| PeerError::NotConnected(peer.clone()))?;
        use_it(connection)
    }
}

/// Refuses, before anything is sent, when the queue of any of `open` is full.
pub(super) fn check_room(open: &[(&ConnKey, &Connection)]) -> Result<(), PeerError> {
    match open.iter().find(|(_, connection)| connection.is_full()) {
        Some((key, _)) => Err(PeerError::QueueFull(key.peer.clone())),
        None => Ok(()),
    }
}

/// Sends `payload` on the reliable channel of each of `open`, behind `header` if any
/// (one message: the queue never splits it). Frames depend on the remote's frame limit;
/// links sharing it share the frames. Encoded even with nobody connected, so a value
/// that cannot be sent always fails.
pub(super) fn send_reliably(
    payload: &Payload,
    header: Option<&Frame>,
    open: &[(&ConnKey, &Connection)],
) -> Result<usize, PeerError> {
    let encode = |max_frame| -> Result<Vec<Frame>, PeerError> {
        let frames = framing::encode(payload, max_frame)?;
        Ok(header.cloned().into_iter().chain(frames).collect())
    };
    let first_max = open.first().map_or(framing::MAX_FRAME_BYTES, |(_, c)| c.max_frame());
    let mut encoded = (first_max, encode(first_max)?);
    for (_, connection) in open {
        let max_frame = connection.max_frame();
        if max_frame != encoded.0 {
            encoded = (max_frame, encode(max_frame)?);
        }
        connection.send(encoded.1.clone())?;
    }
    Ok(open.len())
}

/// Sends `payload` once on the unreliable channel of every connection in `open`: one
/// frame, within the smallest limit among them. A channel closing under us (its remote
/// left) is skipped, as a lost message would be; the count says who got it.
fn send_unreliable(
    payload: &Payload,
    open: &[(&ConnKey, &Connection)],
) -> Result<usize, PeerError> {
    let limit = open.iter().map(|(_, connection)| connection.max_frame()).min();
    let frame = framing::encode_single(payload, limit.unwrap_or(framing::MAX_FRAME_BYTES))?;
    for (_, connection) in open {
        connection.check_unreliable()?;
    }
    Ok(open.iter().filter(|(_, connection)| connection.send_unreliable(&frame).is_ok()).count())
}
