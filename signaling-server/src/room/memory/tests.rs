//! The rooms without sockets: real queues, stand-in session tasks.

use super::*;
use crate::metrics::Occupancy;
use crate::room::outbox::{Inbox, Queued, queue};

/// A queue of `len` messages (of any size) and a stand-in session task.
fn outbound(len: usize) -> (Outbound, Inbox, tokio::task::JoinHandle<()>) {
    outbound_of(len, usize::MAX)
}

/// A queue of `len` messages and `bytes` bytes, and a stand-in session task.
fn outbound_of(len: usize, bytes: usize) -> (Outbound, Inbox, tokio::task::JoinHandle<()>) {
    let (outbox, inbox) = queue(len, bytes);
    let session = tokio::spawn(std::future::pending());
    (Outbound { outbox, session: session.abort_handle() }, inbox, session)
}

fn rooms(max_peers: usize, max_rooms: usize) -> Rooms {
    rooms_with(max_peers, max_rooms, false)
}

/// Rooms with these rules, as the server's config states them.
fn rooms_with(max_peers: usize, max_rooms: usize, require_secrets: bool) -> Rooms {
    let config = Config {
        max_peers_per_room: max_peers,
        max_rooms,
        require_room_secrets: require_secrets,
        ..Config::default()
    };
    Rooms::new(Arc::new(config), Arc::new(Metrics::new()))
}

/// Every test peer's key: the rooms hand it on unread (the proof was checked before).
const KEY: &str = "BKey";

/// A join under an id no other join of the test run presents.
fn admit<'a>(room: &'a str, name: &'a str) -> Admit<'a> {
    static JOINS: AtomicU64 = AtomicU64::new(0);
    let id = PeerId::new(format!("{:032x}", JOINS.fetch_add(1, Ordering::Relaxed)));
    Admit { room, name, secret: None, key: KEY, id }
}

/// A join under `id`, as a connection of the same key presents it.
fn as_peer<'a>(room: &'a str, name: &'a str, id: &PeerId) -> Admit<'a> {
    Admit { id: id.clone(), ..admit(room, name) }
}

/// A server with no ICE servers to hand out.
fn no_ice() -> Vec<IceServer> {
    Vec::new()
}

fn decode(text: Utf8Bytes) -> ServerMessage {
    serde_json::from_str(text.as_str()).expect("a server message")
}

fn welcome<S>(id: &PeerId, peers: Vec<PeerInfo>) -> ServerMessage<S> {
    ServerMessage::Welcome { id: id.clone(), room: "r".into(), peers, ice_servers: vec![] }
}

fn info(seat: &Joined, name: &str) -> PeerInfo {
    PeerInfo { key: Some(KEY.into()), ..PeerInfo::new(seat.id.clone(), name) }
}

/// A `bye` signal, as the server holds it.
fn bye() -> OpaqueSignal {
    let json = serde_json::json!({"kind": "bye", "session": 1});
    json.as_object().cloned().expect("an object")
}

#[tokio::test]
async fn join_lists_the_earlier_members_and_tells_them() {
    let rooms = rooms(8, 8);
    let (a_out, a_in, _a) = outbound(4);
    let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
    assert_eq!(a.arrival, Arrival::Fresh);
    assert_eq!(decode(a_in.drain().remove(0)), welcome(&a.id, vec![]));
    let (b_out, b_in, _b) = outbound(4);
    let b = rooms.join(admit("r", "B"), b_out, no_ice).expect("joins");
    assert_ne!(a.id, b.id);
    assert_eq!(decode(b_in.drain().remove(0)), welcome(&b.id, vec![info(&a, "A")]));
    let told = decode(a_in.drain().remove(0));
    assert_eq!(told, ServerMessage::PeerJoined { peer: info(&b, "B") });
    assert_eq!(rooms.occupancy().0, 2);
}

#[tokio::test]
async fn rooms_are_isolated_and_full_rooms_refuse() {
    let rooms = rooms(1, 2);
    let a = rooms.join(admit("one", "A"), outbound(4).0, no_ice).expect("joins");
    assert_eq!(rooms.join(admit("one", "B"), outbound(4).0, no_ice), Err(ErrorCode::RoomFull));
    let b = rooms.join(admit("two", "B"), outbound(4).0, no_ice).expect("another room");
    assert_eq!(rooms.relay("one", &a.id, a.ticket, &b.id, bye()), Err(ErrorCode::UnknownPeer));
    assert_eq!(rooms.relay("one", &a.id, a.ticket, &a.id, bye()), Err(ErrorCode::SignalToSelf));
    assert_eq!(rooms.relay("two", &a.id, a.ticket, &b.id, bye()), Err(ErrorCode::NotJoined));
    assert_eq!(
        rooms.join(admit("three", "C"), outbound(4).0, no_ice),
        Err(ErrorCode::TooManyRooms)
    );
}

#[tokio::test]
async fn a_peer_that_stops_reading_is_evicted_and_its_writer_stopped() {
    let rooms = rooms(8, 8);
    let (a_out, _a_in, _a) = outbound(4);
    let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
    let (stuck_out, _stuck_in, stuck_writer) = outbound(2);
    let stuck = rooms.join(admit("r", "Stuck"), stuck_out, no_ice).expect("joins");
    rooms.relay("r", &a.id, a.ticket, &stuck.id, bye()).expect("first fits");
    rooms.relay("r", &a.id, a.ticket, &stuck.id, bye()).expect("second evicts");
    assert_eq!(rooms.occupancy().0, 1);
    assert!(stuck_writer.await.expect_err("aborted").is_cancelled());
    let late = rooms.relay("r", &stuck.id, stuck.ticket, &a.id, bye());
    assert_eq!(late, Err(ErrorCode::NotJoined));
    assert!(!rooms.leave("r", &stuck.id, stuck.ticket), "gone already");
    assert!(rooms.leave("r", &a.id, a.ticket));
    assert_eq!(rooms.occupancy(), (0, 0));
}

#[tokio::test]
async fn a_peer_is_evicted_once_its_queued_bytes_pass_the_bound() {
    let rooms = rooms(8, 8);
    let (a_out, _a_in, _a) = outbound(64);
    let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
    // Room for 64 messages, but only 1,000 bytes: the welcome and a dozen byes.
    let (stuck_out, _stuck_in, stuck_writer) = outbound_of(64, 1_000);
    let stuck = rooms.join(admit("r", "Stuck"), stuck_out, no_ice).expect("joins");
    let welcome = encode(&welcome(&stuck.id, vec![info(&a, "A")]));
    let signal = encode(&ServerMessage::Signal { from: a.id.clone(), signal: bye() });
    let fit = (1_000 - welcome.len()) / signal.len();
    let mut relayed = 0;
    while rooms.is_member("r", &stuck.id, stuck.ticket) {
        rooms.relay("r", &a.id, a.ticket, &stuck.id, bye()).expect("relayed or evicted");
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
    let (a_out, _a_in, _a) = outbound(2);
    let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
    let (b_out, _b_in, _b) = outbound(1);
    let b = rooms.join(admit("r", "B"), b_out, no_ice).expect("joins"); // A's queue now full
    rooms.relay("r", &a.id, a.ticket, &b.id, bye()).expect("evicts B, whose leaving evicts A");
    assert_eq!(rooms.occupancy(), (0, 0));
}

#[tokio::test]
async fn the_first_peer_sets_the_secret_and_later_joins_must_match_it() {
    let rooms = rooms(8, 8);
    let with = |secret| Admit { secret, ..admit("r", "P") };
    rooms.join(with(Some("s3cret")), outbound(4).0, no_ice).expect("creates the room");
    assert_eq!(rooms.join(with(None), outbound(4).0, no_ice), Err(ErrorCode::WrongSecret));
    assert_eq!(rooms.join(with(Some("s3cre")), outbound(4).0, no_ice), Err(ErrorCode::WrongSecret));
    assert_eq!(
        rooms.join(with(Some("s3cret!")), outbound(4).0, no_ice),
        Err(ErrorCode::WrongSecret)
    );
    rooms.join(with(Some("s3cret")), outbound(4).0, no_ice).expect("same secret");
    rooms.join(admit("open", "P"), outbound(4).0, no_ice).expect("an open room");
    let to_open = Admit { secret: Some("x"), ..admit("open", "Q") };
    assert_eq!(rooms.join(to_open, outbound(4).0, no_ice), Err(ErrorCode::WrongSecret));
}

#[tokio::test]
async fn a_server_that_requires_secrets_creates_no_open_room() {
    let rooms = rooms_with(8, 8, true);
    assert_eq!(rooms.join(admit("r", "P"), outbound(4).0, no_ice), Err(ErrorCode::SecretRequired));
    let private = Admit { secret: Some("x"), ..admit("r", "P") };
    rooms.join(private, outbound(4).0, no_ice).expect("creates the room");
}

#[tokio::test]
async fn an_id_back_in_a_room_that_is_gone_recreates_it_as_any_first_join() {
    let rooms = rooms(8, 8);
    let id = PeerId::new("0123456789abcdef0123456789abcdef");
    let secret = Some("s3cret");
    let (a_out, a_in, _a) = outbound(4);
    let back = Admit { secret, ..as_peer("r", "A", &id) };
    let a = rooms.join(back, a_out, no_ice).expect("recreates the room");
    assert_eq!((&a.id, a.arrival), (&id, Arrival::Fresh));
    assert_eq!(decode(a_in.drain().remove(0)), welcome(&id, vec![]));
    // The room took the join's secret, as from any first join.
    let other = PeerId::new("fedcba9876543210fedcba9876543210");
    let b_wrong = rooms.join(as_peer("r", "B", &other), outbound(4).0, no_ice);
    assert_eq!(b_wrong, Err(ErrorCode::WrongSecret));
    let (b_out, b_in, _b) = outbound(4);
    let b = rooms.join(Admit { secret, ..as_peer("r", "B", &other) }, b_out, no_ice);
    let b = b.expect("joins");
    assert_eq!(b.id, other);
    assert_eq!(decode(b_in.drain().remove(0)), welcome(&other, vec![info(&a, "A")]));
    let told = decode(a_in.drain().remove(0));
    assert_eq!(told, ServerMessage::PeerJoined { peer: info(&b, "B") });
}

#[tokio::test]
async fn a_join_under_a_seated_id_takes_its_old_connections_place_unannounced() {
    let rooms = rooms(3, 8);
    let (a_out, a_in, _a) = outbound(8);
    let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
    let (old_out, old_in, old_session) = outbound(8);
    let old = rooms.join(admit("r", "B"), old_out, no_ice).expect("joins");
    let (c_out, c_in, _c) = outbound(8);
    let c = rooms.join(admit("r", "C"), c_out, no_ice).expect("joins, filling the room");
    for inbox in [&a_in, &old_in, &c_in] {
        inbox.drain();
    }
    // In a full room, since the id is a member.
    let (new_out, new_in, _new) = outbound(8);
    let new = rooms.join(as_peer("r", "B again", &old.id), new_out, no_ice).expect("takes over");
    assert_eq!((&new.id, new.arrival), (&old.id, Arrival::TookOver));
    assert_ne!(new.ticket, old.ticket);
    let others = vec![info(&a, "A"), info(&c, "C")];
    assert_eq!(decode(new_in.drain().remove(0)), welcome(&new.id, others));
    assert!(a_in.drain().is_empty() && c_in.drain().is_empty(), "the others are told nothing");
    assert!(matches!(old_in.next().await, Some(Queued::TakenOver)), "the old one is to close");
    let metrics = rooms.metrics.render(Occupancy { connections: 0, peers: 0, rooms: 0 });
    assert!(metrics.lines().any(|line| line == "signaling_takeovers_total 1"), "{metrics}");
    assert!(!old_session.is_finished(), "told to close, not aborted");
    // The old connection's late frame and its leaving touch nothing of the new one.
    let late = rooms.relay("r", &old.id, old.ticket, &a.id, bye());
    assert_eq!(late, Err(ErrorCode::NotJoined));
    assert!(!rooms.leave("r", &old.id, old.ticket));
    assert!(a_in.drain().is_empty(), "no peer_left");
    rooms.relay("r", &a.id, a.ticket, &new.id, bye()).expect("reaches the new connection");
    let relayed = decode(new_in.drain().remove(0));
    assert!(matches!(relayed, ServerMessage::Signal { from, .. } if from == a.id));
    rooms.relay("r", &new.id, new.ticket, &a.id, bye()).expect("the new one sends");
    // Still full; and the new connection sits where the old one did, under its new name.
    assert_eq!(rooms.join(admit("r", "D"), outbound(8).0, no_ice), Err(ErrorCode::RoomFull));
    assert!(rooms.leave("r", &c.id, c.ticket));
    let (d_out, d_in, _d) = outbound(8);
    let d = rooms.join(admit("r", "D"), d_out, no_ice).expect("joins");
    let others = vec![info(&a, "A"), info(&new, "B again")];
    assert_eq!(decode(d_in.drain().remove(0)), welcome(&d.id, others));
}

#[tokio::test]
async fn a_takeover_aborts_an_old_connection_that_is_not_reading() {
    let rooms = rooms(8, 8);
    let (old_out, _old_in, old_session) = outbound(1);
    let old = rooms.join(admit("r", "B"), old_out, no_ice).expect("joins, its queue now full");
    let new = rooms.join(as_peer("r", "B", &old.id), outbound(8).0, no_ice).expect("takes over");
    assert_eq!(new.arrival, Arrival::TookOver);
    assert!(old_session.await.expect_err("aborted").is_cancelled());
    assert!(rooms.is_member("r", &new.id, new.ticket));
    assert!(!rooms.is_member("r", &old.id, old.ticket));
}

#[tokio::test]
async fn an_id_back_in_a_full_room_it_is_not_seated_in_is_refused() {
    let rooms = rooms(1, 8);
    let a = rooms.join(admit("r", "A"), outbound(4).0, no_ice).expect("joins");
    let gone = PeerId::new("0123456789abcdef0123456789abcdef");
    let refused = rooms.join(as_peer("r", "B", &gone), outbound(4).0, no_ice);
    assert_eq!(refused, Err(ErrorCode::RoomFull));
    assert!(rooms.is_member("r", &a.id, a.ticket));
}

#[tokio::test]
async fn evicting_the_new_connection_leaves_nothing_for_the_old_one_to_remove() {
    let rooms = rooms(8, 8);
    let (a_out, a_in, _a) = outbound(8);
    let a = rooms.join(admit("r", "A"), a_out, no_ice).expect("joins");
    let old = rooms.join(admit("r", "B"), outbound(8).0, no_ice).expect("joins");
    let (new_out, _new_in, new_session) = outbound(1);
    let new = rooms.join(as_peer("r", "B", &old.id), new_out, no_ice).expect("takes over");
    a_in.drain();
    rooms.relay("r", &a.id, a.ticket, &new.id, bye()).expect("evicts the new connection");
    assert!(new_session.await.expect_err("aborted").is_cancelled());
    let left = decode(a_in.drain().remove(0));
    assert_eq!(left, ServerMessage::PeerLeft { peer: info(&new, "B") });
    assert!(!rooms.leave("r", &old.id, old.ticket));
    assert!(a_in.drain().is_empty(), "told once");
    assert_eq!(rooms.occupancy(), (1, 1));
}
