//! The server's message handling: a script of frames from six clients (joins, signals,
//! raw text, binary, reads, disconnects) applied to the real rooms and queues.
//! Checks, besides "never panics": every queued message is a protocol message; a
//! welcome comes first and once; a relayed signal reaches exactly its target, stamped
//! with its real sender, from the same room; the peer and room counts match the
//! connections that are joined.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use signaling_protocol::{ClientMessage, ServerMessage, Signal};
use signaling_server::fuzzing::Harness;
use std::collections::{HashMap, HashSet};

const CLIENTS: usize = 6;
const ROOMS: [&str; 5] = ["a", "b", "c", "d", "not a room"];
const SECRETS: [&str; 2] = ["s1", "s2"];

#[derive(Arbitrary, Debug)]
enum Op {
    Join { client: u8, room: u8, name: String, secret: Option<u8> },
    Signal { client: u8, to: u8 },
    SignalToId { client: u8, to: String },
    Raw { client: u8, text: String },
    Binary { client: u8 },
    Read { client: u8 },
    Disconnect { client: u8 },
    Reconnect { client: u8 },
}

/// A signal sent: who sent it, to whom, from which room.
struct Sent {
    from: String,
    to: String,
    room: String,
}

#[derive(Default)]
struct Model {
    /// The room each joined client entered (by the join that got it an id).
    rooms: HashMap<usize, String>,
    /// Clients that have read their welcome.
    welcomed: HashSet<usize>,
    /// Signals by sequence number (carried in the offer's sdp).
    sent: Vec<Sent>,
}

fuzz_target!(|ops: Vec<Op>| {
    let mut server = Harness::new(CLIENTS);
    let mut model = Model::default();
    for op in ops.into_iter().take(256) {
        match op {
            Op::Join { client, room, name, secret } => {
                let client = usize::from(client) % CLIENTS;
                let room = ROOMS[usize::from(room) % ROOMS.len()];
                let secret = secret.map(|s| SECRETS[usize::from(s) % SECRETS.len()].to_owned());
                let join = ClientMessage::Join { room: room.into(), name, secret };
                let was_joined = server.id(client).is_some();
                server.text(client, &encode(&join));
                if !was_joined && server.id(client).is_some() {
                    model.rooms.insert(client, room.to_owned());
                }
            }
            Op::Signal { client, to } => {
                let (client, to) = (usize::from(client) % CLIENTS, usize::from(to) % CLIENTS);
                let Some(to_id) = server.id(to) else { continue };
                signal(&mut server, &mut model, client, to_id);
            }
            Op::SignalToId { client, to } => {
                signal(&mut server, &mut model, usize::from(client) % CLIENTS, to);
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
            }
        }
        // Evictions and disconnects end a client's membership.
        model.rooms.retain(|&client, _| server.id(client).is_some());
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

/// `client` signals `to`; the offer's sdp carries a sequence number to check delivery.
fn signal(server: &mut Harness, model: &mut Model, client: usize, to: String) {
    let sequence = model.sent.len();
    let sdp = format!("seq:{sequence}");
    let message = ClientMessage::Signal { to: to.as_str().into(), signal: Signal::Offer { sdp } };
    model.sent.push(Sent {
        from: server.id(client).unwrap_or_default(),
        to,
        room: model.rooms.get(&client).cloned().unwrap_or_default(),
    });
    server.text(client, &encode(&message));
}

/// Drains `client`'s queue and checks every message in it.
fn read(server: &mut Harness, model: &mut Model, client: usize) {
    let me = server.id(client);
    for text in server.read(client) {
        let message: ServerMessage = serde_json::from_str(&text).expect("a protocol message");
        match message {
            ServerMessage::Welcome { id, room, .. } => {
                assert!(model.welcomed.insert(client), "a second welcome");
                assert_eq!(Some(&id.to_string()), me.as_ref());
                assert_eq!(Some(&room), model.rooms.get(&client));
            }
            ServerMessage::Signal { from, signal: Signal::Offer { sdp } } => {
                assert!(model.welcomed.contains(&client), "a signal before the welcome");
                let sequence: usize = sdp["seq:".len()..].parse().expect("our sdp");
                let sent = &model.sent[sequence];
                assert_eq!(from.to_string(), sent.from, "stamped with the real sender");
                assert_eq!(Some(&sent.to), me.as_ref(), "delivered to its target only");
                assert_eq!(Some(&sent.room), model.rooms.get(&client), "within one room");
            }
            ServerMessage::Signal { .. } => panic!("a signal nobody sent"),
            ServerMessage::PeerJoined { .. } | ServerMessage::PeerLeft { .. } => {
                assert!(model.welcomed.contains(&client), "news before the welcome");
            }
            ServerMessage::Error { .. } => {}
        }
    }
}
