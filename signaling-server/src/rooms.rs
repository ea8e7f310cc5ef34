//! Rooms and their members: who is where, and delivery of messages to them.
//!
//! All state sits behind one `std::sync::Mutex`, taken once per operation and never
//! across an `.await` (deliveries are `try_send` into bounded queues), so a std mutex is
//! both correct and cheaper than an async one.

use signaling_protocol::{ErrorCode, PeerId, PeerInfo, ServerMessage, Signal};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

/// The sending end of one peer's outbound queue.
pub type Outbox = mpsc::Sender<ServerMessage>;

struct Member {
    info: PeerInfo,
    outbox: Outbox,
}

/// Every room of the server.
pub struct Rooms {
    rooms: Mutex<HashMap<String, Vec<Member>>>,
    max_peers_per_room: usize,
    max_rooms: usize,
    issued: AtomicU64,
    id_seed: RandomState,
}

impl Rooms {
    /// No rooms yet; at most `max_rooms` rooms of at most `max_peers_per_room` peers.
    pub fn new(max_peers_per_room: usize, max_rooms: usize) -> Self {
        Self {
            rooms: Mutex::new(HashMap::new()),
            max_peers_per_room,
            max_rooms,
            issued: AtomicU64::new(0),
            id_seed: RandomState::new(),
        }
    }

    /// A fresh id: a counter (unique) hashed with a per-process random key (not
    /// guessable from another peer's id), as 16 hex digits.
    fn next_id(&self) -> PeerId {
        let count = self.issued.fetch_add(1, Ordering::Relaxed);
        PeerId::new(format!("{:016x}", self.id_seed.hash_one(count)))
    }

    /// Adds a peer to `room`, tells the members already there, and returns the new
    /// peer's id and those members (oldest first).
    pub fn join(
        &self,
        room: &str,
        name: &str,
        outbox: Outbox,
    ) -> Result<(PeerId, Vec<PeerInfo>), ErrorCode> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        if !rooms.contains_key(room) && rooms.len() >= self.max_rooms {
            return Err(ErrorCode::TooManyRooms);
        }
        let members = rooms.entry(room.to_owned()).or_default();
        if members.len() >= self.max_peers_per_room {
            return Err(ErrorCode::RoomFull);
        }
        let info = PeerInfo { id: self.next_id(), name: name.to_owned() };
        let others = members.iter().map(|member| member.info.clone()).collect();
        deliver_all(members, &ServerMessage::PeerJoined { peer: info.clone() });
        members.push(Member { info: info.clone(), outbox });
        Ok((info.id, others))
    }

    /// Removes a peer and tells the rest of its room; deletes the room when empty.
    pub fn leave(&self, room: &str, id: &PeerId) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        let Some(members) = rooms.get_mut(room) else { return };
        if let Some(index) = members.iter().position(|member| &member.info.id == id) {
            let gone = members.remove(index);
            deliver_all(members, &ServerMessage::PeerLeft { peer: gone.info });
        }
        if members.is_empty() {
            rooms.remove(room);
        }
    }

    /// Delivers `signal` from `from` to `to`, both in `room`, with the sender stamped.
    pub fn relay(
        &self,
        room: &str,
        from: &PeerId,
        to: &PeerId,
        signal: Signal,
    ) -> Result<(), ErrorCode> {
        if from == to {
            return Err(ErrorCode::SignalToSelf);
        }
        let mut rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        let members = rooms.get_mut(room).ok_or(ErrorCode::UnknownPeer)?;
        let target =
            members.iter().find(|member| &member.info.id == to).ok_or(ErrorCode::UnknownPeer)?;
        let message = ServerMessage::Signal { from: from.clone(), signal };
        if target.outbox.try_send(message).is_err() {
            // Its queue is full: it stopped reading. Disconnect it (dropping its outbox
            // ends its writer) rather than buffer without bound.
            evict(members, to);
        }
        Ok(())
    }

    /// Peers currently connected, over all rooms.
    #[cfg(test)]
    pub fn peer_count(&self) -> usize {
        let rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        rooms.values().map(Vec::len).sum()
    }
}

/// Sends `message` to every member; members whose queue is full are evicted.
fn deliver_all(members: &mut Vec<Member>, message: &ServerMessage) {
    let stuck: Vec<PeerId> = members
        .iter()
        .filter(|member| member.outbox.try_send(message.clone()).is_err())
        .map(|member| member.info.id.clone())
        .collect();
    for id in stuck {
        evict(members, &id);
    }
}

fn evict(members: &mut Vec<Member>, id: &PeerId) {
    if let Some(index) = members.iter().position(|member| &member.info.id == id) {
        let gone = members.remove(index);
        tracing::warn!(peer = %gone.info.id, "disconnecting a peer that stopped reading");
        // Telling the others may evict more stuck peers; each pass removes one.
        deliver_all(members, &ServerMessage::PeerLeft { peer: gone.info });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox() -> (Outbox, mpsc::Receiver<ServerMessage>) {
        mpsc::channel(4)
    }

    #[test]
    fn join_lists_the_earlier_members_and_tells_them() {
        let rooms = Rooms::new(8, 8);
        let (a_out, mut a_in) = outbox();
        let (a, before_a) = rooms.join("r", "A", a_out).expect("joins");
        assert!(before_a.is_empty());
        let (b_out, _b_in) = outbox();
        let (b, before_b) = rooms.join("r", "B", b_out).expect("joins");
        assert_ne!(a, b);
        assert_eq!(before_b, vec![PeerInfo { id: a.clone(), name: "A".into() }]);
        let told = a_in.try_recv().expect("told");
        assert_eq!(told, ServerMessage::PeerJoined { peer: PeerInfo { id: b, name: "B".into() } });
        assert_eq!(rooms.peer_count(), 2);
    }

    #[test]
    fn rooms_are_isolated_and_full_rooms_refuse() {
        let rooms = Rooms::new(1, 2);
        let (a, _) = rooms.join("one", "A", outbox().0).expect("joins");
        assert_eq!(rooms.join("one", "B", outbox().0), Err(ErrorCode::RoomFull));
        let (b, _) = rooms.join("two", "B", outbox().0).expect("another room");
        assert_eq!(rooms.relay("one", &a, &b, Signal::Bye), Err(ErrorCode::UnknownPeer));
        assert_eq!(rooms.relay("one", &a, &a, Signal::Bye), Err(ErrorCode::SignalToSelf));
        assert_eq!(rooms.join("three", "C", outbox().0), Err(ErrorCode::TooManyRooms));
    }

    #[test]
    fn a_peer_that_stops_reading_is_evicted() {
        let rooms = Rooms::new(8, 8);
        let (a_out, _a_in) = outbox();
        let (a, _) = rooms.join("r", "A", a_out).expect("joins");
        let (stuck_out, _stuck_in) = mpsc::channel(1);
        let (stuck, _) = rooms.join("r", "Stuck", stuck_out).expect("joins");
        rooms.relay("r", &a, &stuck, Signal::Bye).expect("first fits");
        rooms.relay("r", &a, &stuck, Signal::Bye).expect("second evicts");
        assert_eq!(rooms.peer_count(), 1);
        rooms.leave("r", &a);
        assert_eq!(rooms.peer_count(), 0);
    }
}
