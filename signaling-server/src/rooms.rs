//! Rooms and their members: who is where, and delivery of messages to them.
//!
//! All state sits behind one `std::sync::Mutex`, taken once per operation and never
//! across an `.await` (deliveries are offers to bounded queues), so a std mutex is
//! both correct and cheaper than an async one. Messages are encoded to JSON once, here,
//! and queued as shared text: a broadcast to a room costs one encoding, and each queued
//! message costs a pointer, not a copy.

use crate::metrics::Metrics;
use crate::outbox::Outbox;
use axum::extract::ws::Utf8Bytes;
use signaling_protocol::{ErrorCode, IceServer, PeerId, PeerInfo, ServerMessage};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::task::AbortHandle;

/// A signal as the server holds it: any JSON object, relayed without being read, so a
/// new kind of signal needs no server change.
pub type OpaqueSignal = serde_json::Map<String, serde_json::Value>;

/// `message` as the JSON text frame sent to clients.
pub fn encode(message: &ServerMessage<OpaqueSignal>) -> Utf8Bytes {
    // Plain structs and enums with string keys, and JSON values (whose numbers, parsed
    // from JSON, are finite): serde_json cannot fail on them.
    #[allow(clippy::expect_used)]
    serde_json::to_string(message).expect("a ServerMessage always encodes").into()
}

/// How to reach a joined peer.
pub struct Delivery {
    /// Its outbound queue.
    pub outbox: Outbox,
    /// The task serving its socket: aborted to disconnect the peer when it stops reading.
    pub session: AbortHandle,
}

struct Member {
    info: PeerInfo,
    delivery: Delivery,
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
}

/// What a join must present.
pub struct Admit<'a> {
    /// The room to enter.
    pub room: &'a str,
    /// The display name.
    pub name: &'a str,
    /// The room's secret, if any.
    pub secret: Option<&'a str>,
}

/// Every room of the server.
pub struct Rooms {
    rooms: Mutex<HashMap<String, Room>>,
    max_peers_per_room: usize,
    max_rooms: usize,
    require_secrets: bool,
    issued: AtomicU64,
    id_seed: RandomState,
    metrics: Arc<Metrics>,
}

impl Rooms {
    /// No rooms yet; at most `max_rooms` rooms of at most `max_peers_per_room` peers;
    /// with `require_secrets`, a room cannot be created without a secret.
    pub fn new(
        max_peers_per_room: usize,
        max_rooms: usize,
        require_secrets: bool,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            rooms: Mutex::new(HashMap::new()),
            max_peers_per_room,
            max_rooms,
            require_secrets,
            issued: AtomicU64::new(0),
            id_seed: RandomState::new(),
            metrics,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        self.rooms.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// A fresh id: a counter (unique) hashed with a per-process random key (not
    /// guessable from another peer's id), as 16 hex digits.
    fn next_id(&self) -> PeerId {
        let count = self.issued.fetch_add(1, Ordering::Relaxed);
        PeerId::new(format!("{:016x}", self.id_seed.hash_one(count)))
    }

    /// Adds a peer to a room (creating it, with the join's secret, if it is new), queues
    /// its welcome (the members already there, oldest first, and `ice_servers` for its
    /// id), tells those members, and returns the new peer's id.
    pub fn join(
        &self,
        join: Admit<'_>,
        delivery: Delivery,
        ice_servers: impl FnOnce(&PeerId) -> Vec<IceServer>,
    ) -> Result<PeerId, ErrorCode> {
        let mut rooms = self.lock();
        if !rooms.contains_key(join.room) {
            if self.require_secrets && join.secret.is_none() {
                return Err(ErrorCode::SecretRequired);
            }
            if rooms.len() >= self.max_rooms {
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
        if room.members.len() >= self.max_peers_per_room {
            return Err(ErrorCode::RoomFull);
        }
        let info = PeerInfo { id: self.next_id(), name: join.name.to_owned() };
        let others = room.members.iter().map(|member| member.info.clone()).collect();
        // Queued under the lock, so the welcome precedes any news of later peers.
        // Minted only once the join is sure to succeed (an HMAC: a microsecond).
        let welcome = ServerMessage::Welcome {
            id: info.id.clone(),
            room: join.room.to_owned(),
            peers: others,
            ice_servers: ice_servers(&info.id),
            resume_token: None,
        };
        if !delivery.outbox.offer(encode(&welcome)) {
            // It filled its queue with refusals before joining without reading them.
            remove_if_empty(&mut rooms, join.room);
            return Err(ErrorCode::RateLimited);
        }
        let announced = ServerMessage::PeerJoined { peer: info.clone() };
        deliver_all(&mut room.members, &encode(&announced), &self.metrics);
        room.members.push(Member { info: info.clone(), delivery });
        Ok(info.id)
    }

    /// Removes a peer and tells the rest of its room; deletes the room when empty.
    pub fn leave(&self, room_name: &str, id: &PeerId) {
        let mut rooms = self.lock();
        let Some(room) = rooms.get_mut(room_name) else { return };
        if let Some(index) = room.members.iter().position(|member| &member.info.id == id) {
            let gone = room.members.remove(index);
            let left = ServerMessage::PeerLeft { peer: gone.info };
            deliver_all(&mut room.members, &encode(&left), &self.metrics);
        }
        remove_if_empty(&mut rooms, room_name);
    }

    /// Delivers `signal` from `from` to `to`, both in `room`, with the sender stamped.
    pub fn relay(
        &self,
        room_name: &str,
        from: &PeerId,
        to: &PeerId,
        signal: OpaqueSignal,
    ) -> Result<(), ErrorCode> {
        if from == to {
            return Err(ErrorCode::SignalToSelf);
        }
        let mut rooms = self.lock();
        let room = rooms.get_mut(room_name).ok_or(ErrorCode::NotJoined)?;
        // A peer evicted a moment ago may still have a frame in flight: it is no member.
        room.member(from).ok_or(ErrorCode::NotJoined)?;
        let target = room.member(to).ok_or(ErrorCode::UnknownPeer)?;
        let message = encode(&ServerMessage::Signal { from: from.clone(), signal });
        if target.delivery.outbox.offer(message) {
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

    /// Whether `id` is (still) a member of `room`.
    pub fn is_member(&self, room: &str, id: &PeerId) -> bool {
        self.lock().get(room).is_some_and(|room| room.member(id).is_some())
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
        .filter(|member| !member.delivery.outbox.offer(text.clone()))
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
    gone.delivery.session.abort();
    let left = encode(&ServerMessage::PeerLeft { peer: gone.info });
    deliver_all(members, &left, metrics);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{Inbox, queue};

    /// A queue of `len` messages (of any size) and a stand-in session task.
    fn delivery(len: usize) -> (Delivery, Inbox, tokio::task::JoinHandle<()>) {
        delivery_of(len, usize::MAX)
    }

    /// A queue of `len` messages and `bytes` bytes, and a stand-in session task.
    fn delivery_of(len: usize, bytes: usize) -> (Delivery, Inbox, tokio::task::JoinHandle<()>) {
        let (outbox, inbox) = queue(len, bytes);
        let session = tokio::spawn(std::future::pending());
        (Delivery { outbox, session: session.abort_handle() }, inbox, session)
    }

    fn rooms(max_peers: usize, max_rooms: usize) -> Rooms {
        Rooms::new(max_peers, max_rooms, false, Arc::new(Metrics::new()))
    }

    fn admit<'a>(room: &'a str, name: &'a str) -> Admit<'a> {
        Admit { room, name, secret: None }
    }

    /// A server with no ICE servers to hand out.
    fn no_ice(_: &PeerId) -> Vec<IceServer> {
        Vec::new()
    }

    fn decode(text: Utf8Bytes) -> ServerMessage {
        serde_json::from_str(text.as_str()).expect("a server message")
    }

    /// A `bye` signal, as the server holds it.
    fn bye() -> OpaqueSignal {
        let json = serde_json::json!({"kind": "bye", "session": 1});
        json.as_object().cloned().expect("an object")
    }

    #[tokio::test]
    async fn join_lists_the_earlier_members_and_tells_them() {
        let rooms = rooms(8, 8);
        let (a_out, a_in, _a) = delivery(4);
        let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
        let welcome_a = ServerMessage::Welcome {
            id: a.clone(),
            room: "r".into(),
            peers: vec![],
            ice_servers: vec![],
            resume_token: None,
        };
        assert_eq!(decode(a_in.drain().remove(0)), welcome_a);
        let (b_out, b_in, _b) = delivery(4);
        let b = rooms.join(admit("r", "B"), b_out, no_ice).expect("joins");
        assert_ne!(a, b);
        let peers = vec![PeerInfo { id: a.clone(), name: "A".into() }];
        let welcome_b = ServerMessage::Welcome {
            id: b.clone(),
            room: "r".into(),
            peers,
            ice_servers: vec![],
            resume_token: None,
        };
        assert_eq!(decode(b_in.drain().remove(0)), welcome_b);
        let told = decode(a_in.drain().remove(0));
        assert_eq!(told, ServerMessage::PeerJoined { peer: PeerInfo { id: b, name: "B".into() } });
        assert_eq!(rooms.occupancy().0, 2);
    }

    #[tokio::test]
    async fn rooms_are_isolated_and_full_rooms_refuse() {
        let rooms = rooms(1, 2);
        let a = rooms.join(admit("one", "A"), delivery(4).0, no_ice).expect("joins");
        assert_eq!(rooms.join(admit("one", "B"), delivery(4).0, no_ice), Err(ErrorCode::RoomFull));
        let b = rooms.join(admit("two", "B"), delivery(4).0, no_ice).expect("another room");
        assert_eq!(rooms.relay("one", &a, &b, bye()), Err(ErrorCode::UnknownPeer));
        assert_eq!(rooms.relay("one", &a, &a, bye()), Err(ErrorCode::SignalToSelf));
        assert_eq!(rooms.relay("two", &a, &b, bye()), Err(ErrorCode::NotJoined));
        assert_eq!(
            rooms.join(admit("three", "C"), delivery(4).0, no_ice),
            Err(ErrorCode::TooManyRooms)
        );
    }

    #[tokio::test]
    async fn a_peer_that_stops_reading_is_evicted_and_its_writer_stopped() {
        let rooms = rooms(8, 8);
        let (a_out, _a_in, _a) = delivery(4);
        let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
        let (stuck_out, _stuck_in, stuck_writer) = delivery(2);
        let stuck = rooms.join(admit("r", "Stuck"), stuck_out, no_ice).expect("joins");
        rooms.relay("r", &a, &stuck, bye()).expect("first fits");
        rooms.relay("r", &a, &stuck, bye()).expect("second evicts");
        assert_eq!(rooms.occupancy().0, 1);
        assert!(stuck_writer.await.expect_err("aborted").is_cancelled());
        assert_eq!(rooms.relay("r", &stuck, &a, bye()), Err(ErrorCode::NotJoined));
        rooms.leave("r", &a);
        assert_eq!(rooms.occupancy().0, 0);
    }

    #[tokio::test]
    async fn a_peer_is_evicted_once_its_queued_bytes_pass_the_bound() {
        let rooms = rooms(8, 8);
        let (a_out, _a_in, _a) = delivery(64);
        let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
        // Room for 64 messages, but only 1,000 bytes: the welcome and a dozen byes.
        let (stuck_out, _stuck_in, stuck_writer) = delivery_of(64, 1_000);
        let stuck = rooms.join(admit("r", "Stuck"), stuck_out, no_ice).expect("joins");
        let peers = vec![PeerInfo { id: a.clone(), name: "A".into() }];
        let welcome = encode(&ServerMessage::Welcome {
            id: stuck.clone(),
            room: "r".into(),
            peers,
            ice_servers: vec![],
            resume_token: None,
        });
        let signal = encode(&ServerMessage::Signal { from: a.clone(), signal: bye() });
        let fit = (1_000 - welcome.len()) / signal.len();
        let mut relayed = 0;
        while rooms.is_member("r", &stuck) {
            rooms.relay("r", &a, &stuck, bye()).expect("relayed or evicted");
            relayed += 1;
        }
        assert_eq!(relayed, fit + 1, "evicted by the first signal past 1,000 bytes");
        assert!(stuck_writer.await.expect_err("aborted").is_cancelled());
    }

    /// Found by the fuzzer: evicting a signal's target told the sender, whose queue was
    /// full too; both gone, the empty room stayed behind.
    #[tokio::test]
    async fn a_room_emptied_by_evictions_is_removed() {
        let rooms = rooms(8, 8);
        let (a_out, _a_in, _a) = delivery(2);
        let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
        let (b_out, _b_in, _b) = delivery(1);
        let b = rooms.join(admit("r", "B"), b_out, no_ice).expect("joins"); // A's queue now full
        rooms.relay("r", &a, &b, bye()).expect("evicts B, whose leaving evicts A");
        assert_eq!(rooms.occupancy(), (0, 0));
    }

    #[tokio::test]
    async fn the_first_peer_sets_the_secret_and_later_joins_must_match_it() {
        let rooms = rooms(8, 8);
        let with = |secret| Admit { room: "r", name: "P", secret };
        rooms.join(with(Some("s3cret")), delivery(4).0, no_ice).expect("creates the room");
        assert_eq!(rooms.join(with(None), delivery(4).0, no_ice), Err(ErrorCode::WrongSecret));
        assert_eq!(
            rooms.join(with(Some("s3cre")), delivery(4).0, no_ice),
            Err(ErrorCode::WrongSecret)
        );
        assert_eq!(
            rooms.join(with(Some("s3cret!")), delivery(4).0, no_ice),
            Err(ErrorCode::WrongSecret)
        );
        rooms.join(with(Some("s3cret")), delivery(4).0, no_ice).expect("same secret");
        let open = Admit { room: "open", name: "P", secret: None };
        rooms.join(open, delivery(4).0, no_ice).expect("an open room");
        let to_open = Admit { room: "open", name: "Q", secret: Some("x") };
        assert_eq!(rooms.join(to_open, delivery(4).0, no_ice), Err(ErrorCode::WrongSecret));
    }

    #[tokio::test]
    async fn a_server_that_requires_secrets_creates_no_open_room() {
        let rooms = Rooms::new(8, 8, true, Arc::new(Metrics::new()));
        let open = Admit { room: "r", name: "P", secret: None };
        assert_eq!(rooms.join(open, delivery(4).0, no_ice), Err(ErrorCode::SecretRequired));
        let private = Admit { room: "r", name: "P", secret: Some("x") };
        rooms.join(private, delivery(4).0, no_ice).expect("creates the room");
    }
}
