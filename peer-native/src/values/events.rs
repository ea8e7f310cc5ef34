//! What a native peer reports to its owner, and the stream that carries it.

use crate::values::payload::Payload;
use signaling_protocol::PeerInfo;
use std::path::PathBuf;
use tokio::sync::mpsc::UnboundedReceiver;

/// Something that happened to a [`crate::Peer`], in order (the browser package's
/// `PeerEvent`, variant for variant).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PeerEvent {
    /// A peer entered the room.
    PeerJoined(PeerInfo),
    /// A peer left the room, after any connection to it ended.
    PeerLeft(PeerInfo),
    /// A data channel to this peer opened (whichever side called connect).
    Connected(PeerInfo),
    /// The data channel to this peer closed: the last event of that connection.
    Disconnected {
        /// The peer.
        peer: PeerInfo,
        /// Why, for people.
        reason: String,
    },
    /// A message arrived.
    Message {
        /// The sender.
        from: PeerInfo,
        /// What it sent.
        payload: Payload,
    },
    /// A broadcast arrived, maybe passed on by other peers.
    Broadcast {
        /// The peer that broadcast it.
        from: PeerInfo,
        /// What it sent.
        payload: Payload,
    },
    /// The signaling connection is over for good; open channels keep working.
    SignalingClosed {
        /// Why, for people.
        reason: String,
    },
    /// The signaling connection dropped; the peer is rejoining as itself, with backoff.
    SignalingReconnecting {
        /// Why it dropped.
        reason: String,
    },
    /// The signaling connection is back: same id.
    SignalingReconnected,
    /// A peer started sending a file, and it is being saved (see
    /// [`crate::JoinOptions::download_dir`]).
    FileOffered {
        /// The sender.
        from: PeerInfo,
        /// The transfer's id on that connection.
        id: u32,
        /// The name as the sender gave it (not a path: it is saved under a safe one).
        name: String,
        /// Its size in bytes, as announced.
        size: u64,
    },
    /// How far an incoming file is, at most four times a second.
    FileProgress {
        /// The sender.
        from: PeerInfo,
        /// The transfer's id on that connection.
        id: u32,
        /// Bytes received.
        received: u64,
        /// Bytes in all.
        size: u64,
    },
    /// A file arrived whole (its size and the protocol's digest checked) and is saved.
    FileReceived {
        /// The sender.
        from: PeerInfo,
        /// The name it was saved under (the sender's, made safe, maybe numbered).
        name: String,
        /// Where it was saved.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The plain SHA-256 of its bytes, lowercase hex.
        sha256: String,
    },
    /// An incoming file did not arrive (cancelled, a limit broken, the disk, the
    /// connection ended); nothing of it is left on disk.
    FileFailed {
        /// The sender.
        from: PeerInfo,
        /// The name as the sender gave it.
        name: String,
        /// Why, for people.
        reason: String,
    },
}

/// The events of one peer, in order. Ends (`None`) once the peer is closed and every
/// event was read. Read them as they come: events wait in memory until they are read (a
/// browser peer calls its handlers instead), so a program that stops reading while
/// peers keep sending holds every message they send.
#[derive(Debug)]
pub struct Events {
    pub(crate) receiver: UnboundedReceiver<PeerEvent>,
}

impl Events {
    /// The next event; `None` once the peer is closed and nothing is left.
    pub async fn next(&mut self) -> Option<PeerEvent> {
        self.receiver.recv().await
    }
}
