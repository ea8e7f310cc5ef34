//! The names the machine and its driver give things: a connection attempt, a waiting
//! call, and what a connection says of itself. A leaf module.

use signaling_protocol::{ErrorCode, PeerId, SessionId};

/// One connection attempt to one remote. Everything a connection reports carries it,
/// so reports of a replaced connection are recognised as stale.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConnKey {
    /// The remote peer.
    pub peer: PeerId,
    /// The session, chosen by whichever side sent the offer: what signals carry.
    pub session: SessionId,
    /// Numbers the connections this peer started, so a connection is never mistaken
    /// for an earlier one, even when the remote reuses a session id.
    pub serial: u64,
}

/// A `connect()` or `disconnect()` call waiting for its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallId(pub u64);

/// Which side of the offer/answer exchange a connection plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Creates and sends the offer.
    Offerer,
    /// Waits for the offer and answers it.
    Answerer,
}

/// What the connection's state (`RTCPeerConnection.connectionState`) says of its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathState {
    /// `connected`: packets flow.
    Up,
    /// `disconnected`: the path went quiet; it may come back by itself.
    Down,
    /// `failed`: the path is gone; only an ICE restart can bring one back.
    Failed,
}

/// What stopped an attempt to rejoin the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejoinFailure {
    /// The server could not be reached, or the connection dropped during the join.
    Unreachable,
    /// The server refused the join, with this code.
    Refused(ErrorCode),
    /// The browser could not do its part of the join (its key, its signature).
    Browser,
}

/// Which way a signal of ours goes once signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Way {
    /// Through the signaling server.
    Server,
    /// Through the channel between tabs of this browser (the peer is in one), or, when
    /// its tab has closed by the time the signal is signed (a race only the driver sees),
    /// through the server, which reaches the peer as long as it is in the room.
    Tab,
    /// Through the mesh, along `route` (see [`crate::Relayed::route`]), starting on the
    /// channel of `hop`.
    Mesh {
        /// The neighbour to hand it to first.
        hop: ConnKey,
        /// The way, as in [`crate::Relayed::route`].
        route: Vec<PeerId>,
    },
}
