//! The one interface to the rooms, with its two backends: this process's memory
//! (`memory.rs`, the default, for a single instance) or Redis, shared by every instance
//! given the same `--redis-url` (`redis.rs`). A client sees no difference between them
//! but for `unavailable` when Redis is out of reach.

use crate::room::memory::Rooms;
use crate::room::outbox::Outbound;
use crate::room::redis::SharedRooms;
use crate::room::types::{Admit, Joined, OpaqueSignal, Ticket};
use signaling_protocol::{ErrorCode, IceServer, PeerId};
use std::sync::Arc;

/// Where the rooms live.
pub enum RoomBackend {
    /// In this process: one instance.
    Memory(Rooms),
    /// In Redis, shared with other instances.
    Redis(Arc<SharedRooms>),
}

impl RoomBackend {
    /// Seats a peer (see [`Rooms::join`]); only the Redis backend waits (on its script).
    pub async fn join(
        &self,
        join: Admit<'_>,
        outbound: Outbound,
        ice_servers: impl FnOnce() -> Vec<IceServer>,
    ) -> Result<Joined, ErrorCode> {
        match self {
            Self::Memory(rooms) => rooms.join(join, outbound, ice_servers),
            Self::Redis(shared) => shared.join(join, outbound, ice_servers).await,
        }
    }

    /// Unseats the peer seated by `ticket` (see [`Rooms::leave`]).
    pub fn leave(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        match self {
            Self::Memory(rooms) => rooms.leave(room, id, ticket),
            Self::Redis(shared) => shared.leave(room, id, ticket),
        }
    }

    /// Delivers a signal (see [`Rooms::relay`]).
    pub fn relay(
        &self,
        room: &str,
        from: &PeerId,
        ticket: Ticket,
        to: &PeerId,
        signal: OpaqueSignal,
    ) -> Result<(), ErrorCode> {
        match self {
            Self::Memory(rooms) => rooms.relay(room, from, ticket, to, signal),
            Self::Redis(shared) => shared.relay(room, from, ticket, to, signal),
        }
    }

    /// Whether `id` is seated in `room` by `ticket` (on this instance).
    #[cfg(any(test, feature = "testing"))]
    pub fn is_member(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        match self {
            Self::Memory(rooms) => rooms.is_member(room, id, ticket),
            Self::Redis(shared) => shared.is_member(room, id, ticket),
        }
    }

    /// Peers joined through this instance, and the rooms they are in.
    pub fn occupancy(&self) -> (usize, usize) {
        match self {
            Self::Memory(rooms) => rooms.occupancy(),
            Self::Redis(shared) => shared.occupancy(),
        }
    }
}
