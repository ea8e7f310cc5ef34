//! The server's message handling: a script of frames from six clients (joins signed with
//! four fixed keys for each connection's challenge, forged joins, signals typed and of
//! any shape, raw text, binary, reads, disconnects) applied to the real rooms and queues.
//! Checks, besides "never panics": every queued message is a protocol message; the
//! challenge comes first and once, then the welcome once; a welcome's id is its key's;
//! every peer listed or announced carries the key of its id; a forged join never joins;
//! a relayed signal reaches exactly its target, stamped with its real sender, from the
//! same room, field for field as it was sent; a refused signal names its target; a signal
//! that is not an object is refused and never relayed; the peer and room counts match the
//! connections that are joined.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerInfo, ServerMessage, SessionId, Signal, Step, key_matches_id,
};
use signaling_server::testing::Harness;
use std::collections::{HashMap, HashSet};

const CLIENTS: usize = 6;
const ROOMS: [&str; 5] = ["a", "b", "c", "d", "not a room"];
const SECRETS: [&str; 2] = ["s1", "s2"];
/// Signals that are not JSON objects.
const NOT_OBJECTS: [&str; 5] = ["1", r#""offer""#, "[]", "null", r#"[{"session":0}]"#];

/// A signal as the server holds it.
type Opaque = serde_json::Map<String, Value>;
#[derive(Arbitrary, Debug)]
enum Op {
    /// A join signed for the client's challenge with one of the harness's keys.
    Join {
        client: u8,
        key: u8,
        room: u8,
        name: String,
        secret: Option<u8>,
    },
    /// A join whose proof or key is not right (see [`forged_join`]).
    ForgedJoin {
        client: u8,
        key: u8,
        room: u8,
        forgery: u8,
    },
    Signal {
        client: u8,
        to: u8,
    },
    SignalToId {
        client: u8,
        to: String,
    },
    /// A signal of any kind, with a body that is any JSON (or else the text itself).
    AnySignal {
        client: u8,
        to: u8,
        kind: String,
        body: String,
    },
    NotAnObject {
        client: u8,
        to: u8,
        signal: u8,
    },
    Raw {
        client: u8,
        text: String,
    },
    Binary {
        client: u8,
    },
    Read {
        client: u8,
    },
    Disconnect {
        client: u8,
    },
    Reconnect {
        client: u8,
    },
}

/// A signal sent: who sent it, to whom, from which room, and what it was.
struct Sent {
    from: String,
    to: String,
    room: String,
    signal: Opaque,
}

#[derive(Default)]
struct Model {
    /// The room each joined client entered (by the join that got it an id).
    rooms: HashMap<usize, String>,
    /// The key each joined client signed its join with.
    keys: HashMap<usize, usize>,
    /// Clients that have read their challenge...
    challenged: HashSet<usize>,
    /// ...and their welcome.
    welcomed: HashSet<usize>,
    /// Signals by sequence number (carried as their session).
    sent: Vec<Sent>,
}

fuzz_target!(|ops: Vec<Op>| {
    let mut server = Harness::new(CLIENTS);
    let mut model = Model::default();
    for op in ops.into_iter().take(256) {
        match op {
            Op::Join { client, key, room, name, secret } => {
                let (client, key) = (usize::from(client) % CLIENTS, usize::from(key));
                let room = ROOMS[usize::from(room) % ROOMS.len()];
                let secret = secret.map(|s| SECRETS[usize::from(s) % SECRETS.len()]);
                let was_joined = server.id(client).is_some();
                server.signed_join(client, key, room, &name, secret);
                if !was_joined && server.id(client).is_some() {
                    model.rooms.insert(client, room.to_owned());
                    model.keys.insert(client, key);
                }
            }
            Op::ForgedJoin { client, key, room, forgery } => {
                let client = usize::from(client) % CLIENTS;
                let room = ROOMS[usize::from(room) % ROOMS.len()];
                let Some(nonce) = server.challenge(client) else { continue };
                let join = forged_join(&server, &nonce, usize::from(key), room, forgery);
                let before = server.id(client);
                if let Some(refusal) = server.text(client, &encode(&join)) {
                    let expected = [
                        ErrorCode::InvalidProof,
                        ErrorCode::InvalidKey,
                        ErrorCode::InvalidRoom,
                        ErrorCode::AlreadyJoined,
                        ErrorCode::RateLimited,
                    ];
                    assert!(expected.contains(&refusal.code), "{refusal:?}");
                    assert_eq!(refusal.to, None);
                } else {
                    panic!("a forged join was not refused: {join:?}");
                }
                assert_eq!(server.id(client), before, "a forged join changed nothing");
            }
            Op::Signal { client, to } => {
                let (client, to) = (usize::from(client) % CLIENTS, usize::from(to) % CLIENTS);
                let Some(to_id) = server.id(to) else { continue };
                signal(&mut server, &mut model, client, to_id);
            }
            Op::SignalToId { client, to } => {
                signal(&mut server, &mut model, usize::from(client) % CLIENTS, to);
            }
            Op::AnySignal { client, to, kind, body } => {
                let (client, to) = (usize::from(client) % CLIENTS, usize::from(to) % CLIENTS);
                let Some(to_id) = server.id(to) else { continue };
                let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
                let session = model.sent.len();
                let signal = json!({"kind": kind, "session": session, "body": body});
                let signal = signal.as_object().cloned().expect("an object");
                send(&mut server, &mut model, client, to_id, signal);
            }
            Op::NotAnObject { client, to, signal } => {
                let client = usize::from(client) % CLIENTS;
                let to = server.id(usize::from(to) % CLIENTS).unwrap_or_default();
                let signal = NOT_OBJECTS[usize::from(signal) % NOT_OBJECTS.len()];
                let text = format!(r#"{{"type":"signal","to":{to:?},"signal":{signal}}}"#);
                if let Some(refusal) = server.text(client, &text) {
                    let expected = [ErrorCode::MalformedMessage, ErrorCode::RateLimited];
                    assert!(expected.contains(&refusal.code), "{refusal:?}");
                    assert_eq!(refusal.to, None, "no target read from a malformed message");
                } else {
                    assert!(server.id(client).is_none(), "a non-object signal was accepted");
                }
            }
            Op::Raw { client, text } => {
                server.text(usize::from(client) % CLIENTS, &text);
            }
            Op::Binary { client } => {
                server.binary(usize::from(client) % CLIENTS);
            }
            Op::Read { client } => read(&mut server, &mut model, usize::from(client) % CLIENTS),
            Op::Disconnect { client } => server.disconnect(usize::from(client) % CLIENTS),
            Op::Reconnect { client } => {
                let client = usize::from(client) % CLIENTS;
                server.reconnect(client);
                model.welcomed.remove(&client);
                model.challenged.remove(&client);
            }
        }
        // Evictions, takeovers and disconnects end a client's membership.
        model.rooms.retain(|&client, _| server.id(client).is_some());
        model.keys.retain(|&client, _| server.id(client).is_some());
        let joined_rooms: HashSet<&String> = model.rooms.values().collect();
        assert_eq!(server.occupancy(), (model.rooms.len(), joined_rooms.len()), "occupancy");
    }
    for client in 0..CLIENTS {
        read(&mut server, &mut model, client);
    }
});

fn encode(message: &ClientMessage) -> String {
    serde_json::to_string(message).expect("encodes")
}

/// A join of `room` by the harness's key `key` that must be refused, by `forgery`: a
/// proof for another challenge, for another room, or by another key; no proof; no key;
/// one character of the key changed (no longer canonical, off the curve, or another key).
fn forged_join(
    server: &Harness,
    nonce: &str,
    key: usize,
    room: &str,
    forgery: u8,
) -> ClientMessage {
    let mut text = server.identity(key).key().to_owned();
    let mut proof = server.prove(key, nonce, room);
    match forgery % 6 {
        0 => {
            let other = if nonce.starts_with('A') { "B" } else { "A" };
            proof = server.prove(key, &format!("{other}{}", &nonce[1..]), room);
        }
        1 => proof = server.prove(key, nonce, &format!("{room}x")),
        2 => proof = server.prove(key + 1, nonce, room),
        3 => proof.clear(),
        4 => text.clear(),
        _ => {
            let at = 1 + usize::from(forgery) % (text.len() - 1);
            let swapped = if text.as_bytes()[at] == b'A' { "B" } else { "A" };
            text.replace_range(at..=at, swapped);
        }
    }
    let (room, name) = (room.to_owned(), "F".to_owned());
    ClientMessage::Join { room, name, secret: None, key: text, proof }
}

/// Asserts that `peer` carries the key its id is derived from.
fn assert_keyed(peer: &PeerInfo) {
    let key = peer.key.as_deref().expect("every peer has a key");
    assert!(key_matches_id(key, &peer.id), "{peer:?}");
}

/// `client` sends `to` a typed offer whose session is its sequence number.
fn signal(server: &mut Harness, model: &mut Model, client: usize, to: String) {
    let session = SessionId(u32::try_from(model.sent.len()).expect("few signals"));
    let offer =
        Signal { session, at: 0, sig: String::new(), step: Step::Offer { sdp: "v=0".into() } };
    let signal = serde_json::to_value(offer).expect("encodes");
    send(server, model, client, to, signal.as_object().cloned().expect("an object"));
}

/// `client` sends `signal` (whose session is its sequence number) to `to`; a refusal
/// must name `to`.
fn send(server: &mut Harness, model: &mut Model, client: usize, to: String, signal: Opaque) {
    let message = ClientMessage::Signal { to: to.as_str().into(), signal: signal.clone() };
    model.sent.push(Sent {
        from: server.id(client).unwrap_or_default(),
        to: to.clone(),
        room: model.rooms.get(&client).cloned().unwrap_or_default(),
        signal,
    });
    let text = serde_json::to_string(&message).expect("encodes");
    if let Some(refusal) = server.text(client, &text) {
        assert_eq!(refusal.to.map(|id| id.to_string()), Some(to), "a refusal names the target");
    }
}

/// Drains `client`'s queue and checks every message in it.
fn read(server: &mut Harness, model: &mut Model, client: usize) {
    let me = server.id(client);
    for text in server.read(client) {
        let message: ServerMessage<Opaque> =
            serde_json::from_str(&text).expect("a protocol message");
        if !matches!(message, ServerMessage::Challenge { .. }) {
            assert!(model.challenged.contains(&client), "a message before the challenge");
        }
        match message {
            ServerMessage::Challenge { nonce } => {
                assert!(model.challenged.insert(client), "a second challenge");
                assert_eq!(Some(nonce), server.challenge(client));
            }
            ServerMessage::Welcome { id, room, peers, .. } => {
                assert!(model.welcomed.insert(client), "a second welcome");
                assert_eq!(Some(&id.to_string()), me.as_ref());
                assert_eq!(Some(&room), model.rooms.get(&client));
                let key = model.keys.get(&client).expect("joined with a key");
                assert_eq!(id, server.identity(*key).id(), "the id is the key's");
                peers.iter().for_each(assert_keyed);
            }
            ServerMessage::Signal { from, signal } => {
                assert!(model.welcomed.contains(&client), "a signal before the welcome");
                let sequence = signal.get("session").and_then(Value::as_u64);
                let sequence = sequence.expect("a signal nobody sent");
                let sent = &model.sent[usize::try_from(sequence).expect("an index")];
                assert_eq!(signal, sent.signal, "relayed field for field");
                assert_eq!(from.to_string(), sent.from, "stamped with the real sender");
                assert_eq!(Some(&sent.to), me.as_ref(), "delivered to its target only");
                assert_eq!(Some(&sent.room), model.rooms.get(&client), "within one room");
            }
            ServerMessage::PeerJoined { peer } | ServerMessage::PeerLeft { peer } => {
                assert!(model.welcomed.contains(&client), "news before the welcome");
                assert_keyed(&peer);
            }
            // Renewals come from a session's timer, which the harness does not run.
            ServerMessage::IceServers { .. } => panic!("ice_servers without a timer"),
            ServerMessage::Error { .. } => {}
        }
    }
}
