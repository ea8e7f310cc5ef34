//! The data channels: what the connections report (frames read into messages, heartbeats,
//! mesh and file frames), and what the owner and the machine send on them.

use super::Driver;
use crate::transport::connection::Connection;
use crate::transport::types::{Channel, Report, TransportError};
use crate::values::delivery::Delivery;
use crate::values::error::PeerError;
use crate::values::payload::Payload;
use crate::wire::frame::Frame;
use crate::wire::mesh::broadcast_header_frame;
use crate::wire::reading::Incoming;
use crate::wire::sending;
use crate::wire::unreliable::{read_unreliable, unreliable_frame};
use crate::wire::{MAX_FRAME_BYTES, WireError};
use peer_core::{ConnKey, Input, MAX_TTL, MeshFrame};
use signaling_protocol::PeerId;

/// What a connection may hold queued before sends to it are refused.
const MAX_QUEUED_BYTES: usize = 64 * 1024 * 1024;
/// What the unreliable channel may hold waiting before sends are refused
/// (`docs/PROTOCOL.md`, "The unreliable channel").
const MAX_UNRELIABLE_BUFFERED: usize = 1024 * 1024;

impl Driver {
    /// What connection `key` reported, for the machine.
    pub(super) fn report(&mut self, key: ConnKey, report: Report) {
        if self.lingering.contains_key(&key) {
            // Released: it is done once its channel closed (or it failed).
            if matches!(report, Report::ChannelClosed | Report::Failed(_)) {
                self.lingering.remove(&key);
            }
            return;
        }
        let input = match report {
            Report::Outbound(step) => Input::Outbound { key, step },
            Report::ChannelOpen => Input::ChannelOpen { key },
            Report::ChannelClosing => Input::ChannelClosing { key },
            Report::ChannelClosed => Input::ChannelClosed { key },
            Report::Path(state) => Input::Path { key, state },
            Report::Failed(reason) => Input::Failed { key, reason },
            Report::Received { channel, frame } => match self.read(&key, channel, frame) {
                Ok(Some(input)) => input,
                Ok(None) => return,
                Err(reason) => Input::Failed { key, reason },
            },
        };
        self.apply(input);
    }

    /// Reads one frame of `key`'s channel: the machine's input when it completes
    /// something, `Err` when it is a bad frame (which ends the connection).
    fn read(
        &mut self,
        key: &ConnKey,
        channel: Channel,
        frame: Frame,
    ) -> Result<Option<Input<Payload>>, String> {
        let Some(live) = self.connections.get_mut(key) else { return Ok(None) };
        let key = key.clone();
        if channel == Channel::Unreliable {
            let message = read_unreliable(frame).map_err(broke)?;
            return Ok(Some(Input::Received { key, message }));
        }
        let incoming = live.reader.read(frame).map_err(broke)?;
        Ok(match incoming {
            None => None,
            Some(Incoming::Message(message)) => Some(Input::Received { key, message }),
            Some(Incoming::Heartbeat) => Some(Input::Heard { key }),
            Some(Incoming::Mesh(frame)) => Some(Input::Mesh { key, frame }),
            Some(Incoming::File(file)) => {
                self.file_frame(&key, file).map_err(|_| broke("a file frame out of place"))?;
                None
            }
        })
    }

    /// Sends `payload` to `peer`.
    pub(super) fn send_to(
        &mut self,
        peer: &PeerId,
        payload: &Payload,
        delivery: Delivery,
    ) -> Result<(), PeerError> {
        let key = self.core.open_key(peer)?;
        let live =
            self.connections.get(&key).ok_or_else(|| PeerError::NotConnected(peer.clone()))?;
        let open = [(&key, &live.connection)];
        match delivery {
            Delivery::Reliable => send_reliably(payload, None, &open),
            Delivery::Unreliable => send_unreliable(payload, &open),
        }
        .map(|_| ())
    }

    /// Sends `payload` to every open connection, all or none.
    pub(super) fn send_to_all(
        &mut self,
        payload: &Payload,
        delivery: Delivery,
    ) -> Result<usize, PeerError> {
        if self.core.is_closed() {
            return Err(PeerError::Closed);
        }
        let keys = self.core.open_keys();
        let open = self.open(&keys);
        match delivery {
            Delivery::Reliable => send_reliably(payload, None, &open),
            Delivery::Unreliable => send_unreliable(payload, &open),
        }
    }

    /// Broadcasts `payload` to the room through the mesh: to every open channel, which
    /// pass it on.
    pub(super) fn broadcast(&mut self, payload: &Payload) -> Result<usize, PeerError> {
        if self.core.is_closed() {
            return Err(PeerError::Closed);
        }
        let keys = self.core.open_keys();
        check_room(&self.open(&keys))?;
        let (origin, seq) = self.core.begin_broadcast();
        let header = broadcast_header_frame(&origin, seq, MAX_TTL);
        send_reliably(payload, Some(&header), &self.open(&keys))
    }

    /// Sends a mesh frame on `key`'s channel; one that cannot go is dropped with a warning.
    pub(super) fn send_mesh(&mut self, key: &ConnKey, frame: MeshFrame<Payload>) {
        let Some(live) = self.connections.get(key) else { return };
        let sent = sending::mesh_frames(&frame, live.connection.max_frame())
            .map_err(PeerError::from)
            .and_then(|frames| send_frames(&live.connection, &key.peer, frames));
        if let Err(error) = sent {
            tracing::warn!("a mesh message for {} was not sent: {error}", key.peer);
        }
    }

    /// The connections of `keys` that exist.
    fn open<'a>(&'a self, keys: &'a [ConnKey]) -> Vec<(&'a ConnKey, &'a Connection)> {
        keys.iter().filter_map(|key| Some((key, &self.connections.get(key)?.connection))).collect()
    }
}

/// What a connection ends with when its remote breaks the framing (as in the browser);
/// what exactly was wrong goes to the log.
fn broke(detail: impl std::fmt::Display) -> String {
    tracing::warn!("{detail}");
    "the peer broke the framing".to_owned()
}

/// Refuses, before anything is sent, when the queue of any of `open` is full.
fn check_room(open: &[(&ConnKey, &Connection)]) -> Result<(), PeerError> {
    match open.iter().find(|(_, c)| c.buffered_amount(Channel::Reliable) >= MAX_QUEUED_BYTES) {
        Some((key, _)) => Err(PeerError::QueueFull(key.peer.clone())),
        None => Ok(()),
    }
}

/// Sends `payload` reliably on each of `open`, behind `header` if any. Encoded even with
/// nobody connected, so a value that cannot be sent always fails.
fn send_reliably(
    payload: &Payload,
    header: Option<&Frame>,
    open: &[(&ConnKey, &Connection)],
) -> Result<usize, PeerError> {
    check_room(open)?;
    let encode = |max_frame| -> Result<Vec<Frame>, PeerError> {
        let frames = sending::message_frames(payload, max_frame)?;
        Ok(header.cloned().into_iter().chain(frames).collect())
    };
    let first_max = open.first().map_or(MAX_FRAME_BYTES, |(_, c)| c.max_frame());
    let mut encoded = (first_max, encode(first_max)?);
    for (key, connection) in open {
        let max_frame = connection.max_frame();
        if max_frame != encoded.0 {
            encoded = (max_frame, encode(max_frame)?);
        }
        send_frames(connection, &key.peer, encoded.1.clone())?;
    }
    Ok(open.len())
}

/// Sends `payload` once on the unreliable channel of each of `open`, within the smallest
/// limit among them; the count says who got it.
fn send_unreliable(
    payload: &Payload,
    open: &[(&ConnKey, &Connection)],
) -> Result<usize, PeerError> {
    let limit = open.iter().map(|(_, connection)| connection.max_frame()).min();
    let frame = unreliable_frame(payload, limit.unwrap_or(MAX_FRAME_BYTES))?;
    for (key, connection) in open {
        if connection.buffered_amount(Channel::Unreliable) >= MAX_UNRELIABLE_BUFFERED {
            return Err(PeerError::UnreliableBackedUp(key.peer.clone()));
        }
    }
    let sent = open.iter().filter(|(_, c)| c.send(Channel::Unreliable, frame.clone()).is_ok());
    Ok(sent.count())
}

/// Queues `frames` on `connection`'s reliable channel, in order.
fn send_frames(
    connection: &Connection,
    peer: &PeerId,
    frames: Vec<Frame>,
) -> Result<(), PeerError> {
    for frame in frames {
        connection.send(Channel::Reliable, frame).map_err(|error| match error {
            TransportError::QueueFull => PeerError::QueueFull(peer.clone()),
            TransportError::Empty => {
                PeerError::Unsendable("native peers cannot send an empty binary message".into())
            }
            other => PeerError::Transport(other.to_string()),
        })?;
    }
    Ok(())
}

impl From<WireError> for PeerError {
    fn from(error: WireError) -> Self {
        match error {
            WireError::TooLargeForUnreliable { bytes, limit } => {
                PeerError::TooLargeForUnreliable { size: bytes, max: limit }
            }
            other => PeerError::Unsendable(other.to_string()),
        }
    }
}
