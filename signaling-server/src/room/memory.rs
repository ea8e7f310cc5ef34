//! The rooms in this process's memory (the default, for a single instance): who is
//! where, and delivery of messages to them.
//!
//! All state sits behind one `std::sync::Mutex`, taken once per operation and never
//! across an `.await` (deliveries are offers to bounded queues), so a std mutex is
//! both correct and cheaper than an async one. Messages are encoded to JSON once, here
//! ([`encode`]), and queued as shared text.
//!
//! A peer's id is derived from its key (its join proved it holds the private key before
//! it gets here), so a peer may come back under its id even while its old connection is
//! still a member: the new one then takes the old one's place, unannounced, and the old
//! one's [`Ticket`] no longer names a seat.

use crate::config::Config;
use crate::metrics::Metrics;
use crate::room::outbox::Outbound;
use crate::room::types::{Admit, Arrival, Joined, OpaqueSignal, Ticket, encode};
use axum::extract::ws::Utf8Bytes;
use signaling_protocol::{ErrorCode, IceServer, PeerId, PeerInfo, ServerMessage};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A member as this process keeps it.
struct Member {
    info: PeerInfo,
    ticket: Ticket,
    outbound: Outbound,
}

#[derive(Default)]
struct Room {
    /// Set by the peer that created the room; every later join must match it.
    secret: Option<String>,
    members: Vec<Member>,
}

impl Room {
    fn member(&self, id: &PeerId) -> Option<&Member> {
        self.members.iter().find(|member| &member.info.id == id)
    }

    /// Whether `id` is a member by the join that got `ticket`.
    fn seated(&self, id: &PeerId, ticket: Ticket) -> bool {
        self.members.iter().any(|member| &member.info.id == id && member.ticket == ticket)
    }
}

/// Every room of the server.
pub struct Rooms {
    rooms: Mutex<HashMap<String, Room>>,
    /// The room rules (`max_peers_per_room`, `max_rooms`, `require_room_secrets`).
    config: Arc<Config>,
    tickets: AtomicU64,
    metrics: Arc<Metrics>,
}

impl Rooms {
    /// No rooms yet; the rules are the `config`'s: at most `max_rooms` rooms of at most
    /// `max_peers_per_room` peers; with `require_room_secrets`, a room cannot be created
    /// without a secret.
    pub fn new(config: Arc<Config>, metrics: Arc<Metrics>) -> Self {
        Self { rooms: Mutex::new(HashMap::new()), config, tickets: AtomicU64::new(0), metrics }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        self.rooms.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Seats a peer in a room (creating it, with the join's secret, if it is new), queues
    /// its welcome (the other members, oldest first, and its `ice_servers`), and tells
    /// those members, unless it took the place of its own earlier connection (which is
    /// told to close).
    pub fn join(
        &self,
        join: Admit<'_>,
        outbound: Outbound,
        ice_servers: impl FnOnce() -> Vec<IceServer>,
    ) -> Result<Joined, ErrorCode> {
        let mut rooms = self.lock();
        if !rooms.contains_key(join.room) {
            if self.config.require_room_secrets && join.secret.is_none() {
                return Err(ErrorCode::SecretRequired);
            }
            if rooms.len() >= self.config.max_rooms {
                return Err(ErrorCode::TooManyRooms);
            }
        }
        let room = rooms.entry(join.room.to_owned()).or_insert_with(|| Room {
            secret: join.secret.map(str::to_owned),
            members: Vec::new(),
        });
        if !secrets_match(room.secret.as_deref(), join.secret) {
            return Err(ErrorCode::WrongSecret);
        }
        let held = room.members.iter().position(|m| m.info.id == join.id);
        if held.is_none() && room.members.len() >= self.config.max_peers_per_room {
            return Err(ErrorCode::RoomFull);
        }
        let (name, key) = (join.name.to_owned(), Some(join.key.to_owned()));
        let info = PeerInfo { id: join.id, name, key };
        let others =
            room.members.iter().filter(|m| m.info.id != info.id).map(|m| m.info.clone()).collect();
        // Queued under the lock, so the welcome precedes any news of later peers.
        // Minted only once the join is sure to succeed (HMACs: microseconds).
        let welcome = ServerMessage::Welcome {
            id: info.id.clone(),
            room: join.room.to_owned(),
            peers: others,
            ice_servers: ice_servers(),
        };
        if !outbound.outbox.offer(encode(&welcome)) {
            // It filled its queue with refusals before joining without reading them.
            remove_if_empty(&mut rooms, join.room);
            return Err(ErrorCode::RateLimited);
        }
        let ticket = Ticket(self.tickets.fetch_add(1, Ordering::Relaxed));
        let id = info.id.clone();
        let arrival = self.seat(room, Member { info, ticket, outbound }, held);
        Ok(Joined { id, ticket, arrival })
    }

    /// Puts `member` in `room`: in the place `held` by its key's earlier connection, which
    /// is told to close and whose going is not announced (for the others it never left),
    /// or last, announced.
    fn seat(&self, room: &mut Room, member: Member, held: Option<usize>) -> Arrival {
        if let Some(index) = held {
            let earlier = std::mem::replace(&mut room.members[index], member);
            if !earlier.outbound.outbox.taken_over() {
                // Its queue is full: it is not reading, and gets no close frame.
                earlier.outbound.session.abort();
            }
            self.metrics.took_over();
            return Arrival::TookOver;
        }
        let announced = ServerMessage::PeerJoined { peer: member.info.clone() };
        deliver_all(&mut room.members, &encode(&announced), &self.metrics);
        room.members.push(member);
        Arrival::Fresh
    }

    /// Removes the peer seated by `ticket` and tells the rest of its room; deletes the
    /// room when empty. Nothing happens when that seat is gone already (evicted, or taken
    /// by a later join with the same key): `false` then.
    pub fn leave(&self, room_name: &str, id: &PeerId, ticket: Ticket) -> bool {
        let mut rooms = self.lock();
        let Some(room) = rooms.get_mut(room_name) else { return false };
        let seat = room.members.iter().position(|m| &m.info.id == id && m.ticket == ticket);
        if let Some(index) = seat {
            let gone = room.members.remove(index);
            let left = ServerMessage::PeerLeft { peer: gone.info };
            deliver_all(&mut room.members, &encode(&left), &self.metrics);
        }
        remove_if_empty(&mut rooms, room_name);
        seat.is_some()
    }

    /// Delivers `signal` from `from` (seated by `ticket`) to `to`, both in `room`, with
    /// the sender stamped.
    pub fn relay(
        &self,
        room_name: &str,
        from: &PeerId,
        ticket: Ticket,
        to: &PeerId,
        signal: OpaqueSignal,
    ) -> Result<(), ErrorCode> {
        if from == to {
            return Err(ErrorCode::SignalToSelf);
        }
        let mut rooms = self.lock();
        let room = rooms.get_mut(room_name).ok_or(ErrorCode::NotJoined)?;
        // A peer evicted a moment ago, or whose seat a later join took, may still have a
        // frame in flight: it is no member.
        if !room.seated(from, ticket) {
            return Err(ErrorCode::NotJoined);
        }
        let target = room.member(to).ok_or(ErrorCode::UnknownPeer)?;
        let message = encode(&ServerMessage::Signal { from: from.clone(), signal });
        if target.outbound.outbox.offer(message) {
            self.metrics.relayed();
        } else {
            // Its queue is full (in messages or bytes): it stopped reading. Disconnect it
            // rather than buffer without bound. Telling the others may evict them all, the
            // sender included.
            evict(&mut room.members, to, &self.metrics);
            remove_if_empty(&mut rooms, room_name);
        }
        Ok(())
    }

    /// Whether `id` is (still) a member of `room` by the join that got `ticket`.
    #[cfg(any(test, feature = "testing"))]
    pub fn is_member(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        self.lock().get(room).is_some_and(|room| room.seated(id, ticket))
    }

    /// Peers joined and rooms held (for `/metrics`: counted when scraped, not on every
    /// join and leave).
    pub fn occupancy(&self) -> (usize, usize) {
        let rooms = self.lock();
        (rooms.values().map(|room| room.members.len()).sum(), rooms.len())
    }
}

/// Deletes `name` once its last member is gone (left or evicted): its secret goes with it
/// and it no longer counts under `max_rooms`.
fn remove_if_empty(rooms: &mut HashMap<String, Room>, name: &str) {
    if rooms.get(name).is_some_and(|room| room.members.is_empty()) {
        rooms.remove(name);
    }
}

/// Compares secrets in time independent of where they differ, so a stranger cannot
/// find a room's secret byte by byte from response times.
fn secrets_match(room: Option<&str>, presented: Option<&str>) -> bool {
    match (room, presented) {
        (None, None) => true,
        (Some(room), Some(presented)) => {
            let (a, b) = (room.as_bytes(), presented.as_bytes());
            a.len() == b.len() && a.iter().zip(b).fold(0, |diff, (x, y)| diff | (x ^ y)) == 0
        }
        _ => false,
    }
}

/// Sends `text` to every member; members whose queue is full are evicted.
fn deliver_all(members: &mut Vec<Member>, text: &Utf8Bytes, metrics: &Metrics) {
    let stuck: Vec<PeerId> = members
        .iter()
        .filter(|member| !member.outbound.outbox.offer(text.clone()))
        .map(|member| member.info.id.clone())
        .collect();
    for id in stuck {
        evict(members, &id, metrics);
    }
}

/// Removes a peer that stopped reading, closes its socket and tells the others (which
/// may evict more).
fn evict(members: &mut Vec<Member>, id: &PeerId, metrics: &Metrics) {
    let Some(index) = members.iter().position(|member| &member.info.id == id) else { return };
    let gone = members.remove(index);
    tracing::warn!(peer = %gone.info.id, "disconnecting a peer that stopped reading");
    metrics.evicted();
    gone.outbound.session.abort();
    let left = encode(&ServerMessage::PeerLeft { peer: gone.info });
    deliver_all(members, &left, metrics);
}

#[cfg(test)]
mod tests;
