//! What a peer reports to its owner.

use crate::wire::payload::Payload;
use signaling_protocol::PeerInfo;

/// Something that happened to a [`crate::Peer`], delivered to its event handler.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PeerEvent {
    /// A peer entered the room.
    PeerJoined(PeerInfo),
    /// A peer left the room. Any connection to it is gone: when a channel to it was
    /// open, its [`PeerEvent::Disconnected`] came first.
    PeerLeft(PeerInfo),
    /// A data channel to this peer opened (whichever side called connect).
    Connected(PeerInfo),
    /// The data channel to this peer closed (either side disconnected, it failed, its
    /// path could not be restored, or the peer left). The last event of that
    /// connection: no message from it follows.
    Disconnected {
        /// The peer.
        peer: PeerInfo,
        /// Why, for people (e.g. "disconnect was called", "the peer left the room").
        reason: String,
    },
    /// A message arrived on a data channel.
    Message {
        /// The sender.
        from: PeerInfo,
        /// What it sent.
        payload: Payload,
    },
    /// A broadcast arrived: a message for the whole room, maybe passed on by other
    /// peers (see [`crate::Peer::broadcast`]).
    Broadcast {
        /// The peer that broadcast it (not the neighbour that passed it on).
        from: PeerInfo,
        /// What it sent.
        payload: Payload,
    },
    /// The signaling connection is over for good (a refused rejoin, or it
    /// dropped with reconnecting turned off). Open data channels keep working; new
    /// connections cannot be negotiated.
    SignalingClosed {
        /// Why, for people.
        reason: String,
    },
    /// The signaling connection dropped; the peer is rejoining, as itself, with
    /// backoff. Open data channels keep working; new connections wait for the rejoin.
    SignalingReconnecting {
        /// Why it dropped, for people.
        reason: String,
    },
    /// The signaling connection is back: same id, `peers()` complete again.
    SignalingReconnected,
}
