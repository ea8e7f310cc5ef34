//! Golden JSON: pins the wire format that docs/PROTOCOL.md documents, message by message,
//! and checks that each one round-trips through serde unchanged.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use signaling_protocol::{
    ClientMessage, ErrorCode, IceServer, PeerId, PeerInfo, ServerMessage, SessionId, Signal, Step,
};
use std::fmt::Debug;

/// Asserts that `message` encodes to exactly `golden` and decodes back to itself.
fn assert_wire<T>(message: T, golden: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let encoded = serde_json::to_value(&message).expect("encodes");
    assert_eq!(encoded, golden, "wire format of {message:?}");
    let text = serde_json::to_string(&message).expect("encodes");
    let decoded: T = serde_json::from_str(&text).expect("decodes");
    assert_eq!(decoded, message);
}

/// What the server relays: any JSON object, unread.
type Opaque = serde_json::Map<String, Value>;

/// A signal's signature as it travels (86 characters of base64url); not checked here.
const SIG: &str =
    "c2lnbmVkIGJ5IHRoZSBzZW5kZXIncyBrZXkgb3ZlciB0aGUgc2lnbmFsIHRleHQsIDY0IGJ5dGVzIG9mIHIgcw";

/// When a signal was signed, in milliseconds since the Unix epoch.
const AT: u64 = 1_764_081_000_123;

fn signal(session: u32, step: Step) -> Signal {
    Signal { session: SessionId(session), at: AT, sig: SIG.into(), step }
}

/// A P-256 public key as it travels, the challenge of one connection, and the key's
/// proof of a join of `lobby` on it: made with OpenSSL (Python's `cryptography`), and
/// checked by the server's own tests, so that this example verifies.
const KEY: &str =
    "BBLPQV20_gU7HqjSK4tHJB1cwFJL_-q6qH455haRrGMEzxRMHOoYswzg_qB-9RUzRe-OGaVfApUgAyT6uHncgQM";
const NONCE: &str = "AAECAwQFBgcICQoLDA0ODw";
const PROOF: &str =
    "sZk5ggLmYvA6Hl2ojsVb6hwydfBk6es66QYEdd5gusxMi25AT1fwT6KXiKioWsGDVMHgnZfTxoWguaga9F_58A";
/// `KEY`'s id: the first 16 bytes of SHA-256 over its text, in hex.
const ID: &str = "aeaa9f60e3a6f9b2a010fce62b7a6a6d";

fn peer(id: &str, name: &str) -> PeerInfo {
    PeerInfo::new(PeerId::from(id), name)
}

fn keyed(id: &str, name: &str, key: &str) -> PeerInfo {
    PeerInfo { key: Some(key.into()), ..peer(id, name) }
}

#[test]
fn the_example_key_has_the_example_id() {
    assert_eq!(signaling_protocol::peer_id_for(KEY), PeerId::from(ID));
    assert_eq!(signaling_protocol::validate_key(KEY), Ok(()));
}

#[test]
fn client_messages() {
    assert_wire::<ClientMessage>(
        ClientMessage::Join {
            room: "lobby".into(),
            name: "Peer 1".into(),
            secret: None,
            key: KEY.into(),
            proof: PROOF.into(),
        },
        json!({"type": "join", "room": "lobby", "name": "Peer 1", "key": KEY, "proof": PROOF}),
    );
    assert_wire::<ClientMessage>(
        ClientMessage::Join {
            room: "lobby".into(),
            name: "Peer 1".into(),
            secret: Some("open sesame".into()),
            key: KEY.into(),
            proof: PROOF.into(),
        },
        json!({"type": "join", "room": "lobby", "name": "Peer 1", "secret": "open sesame",
               "key": KEY, "proof": PROOF}),
    );
    assert_wire::<ClientMessage>(
        ClientMessage::Signal {
            to: "b7".into(),
            signal: signal(7, Step::Offer { sdp: "v=0".into() }),
        },
        json!({"type": "signal", "to": "b7",
               "signal": {"kind": "offer", "session": 7, "at": AT,
                          "sig": SIG, "sdp": "v=0"}}),
    );
}

#[test]
fn a_join_without_key_or_proof_still_decodes_to_be_refused_by_the_server() {
    let text = r#"{"type":"join","room":"lobby","name":"Peer 1"}"#;
    let decoded: ClientMessage = serde_json::from_str(text).expect("decodes");
    let expected = ClientMessage::Join {
        room: "lobby".into(),
        name: "Peer 1".into(),
        secret: None,
        key: String::new(),
        proof: String::new(),
    };
    assert_eq!(decoded, expected);
}

#[test]
fn server_messages() {
    assert_wire::<ServerMessage>(
        ServerMessage::Challenge { nonce: NONCE.into() },
        json!({"type": "challenge", "nonce": NONCE}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Welcome {
            id: ID.into(),
            room: "lobby".into(),
            peers: vec![keyed("b7", "Peer 2", "BPq2")],
            ice_servers: vec![],
        },
        json!({"type": "welcome", "id": ID, "room": "lobby",
               "peers": [{"id": "b7", "name": "Peer 2", "key": "BPq2"}]}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Welcome {
            id: "a1".into(),
            room: "lobby".into(),
            peers: vec![peer("b7", "Peer 2")],
            ice_servers: vec![],
        },
        json!({"type": "welcome", "id": "a1", "room": "lobby",
               "peers": [{"id": "b7", "name": "Peer 2"}]}),
    );
    let ice_servers = vec![
        IceServer {
            urls: vec!["stun:stun.example.org:3478".into()],
            username: None,
            credential: None,
        },
        IceServer {
            urls: vec![
                "turn:turn.example.org:3478?transport=udp".into(),
                "turns:turn.example.org:5349".into(),
            ],
            username: Some("1764081000:a1".into()),
            credential: Some("Qa0Yl7PEXjWZlXo6e6wNAcr/Mlo=".into()),
        },
    ];
    let ice_json = json!([
        {"urls": ["stun:stun.example.org:3478"]},
        {"urls": ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"],
         "username": "1764081000:a1", "credential": "Qa0Yl7PEXjWZlXo6e6wNAcr/Mlo="}
    ]);
    assert_wire::<ServerMessage>(
        ServerMessage::Welcome {
            id: "a1".into(),
            room: "lobby".into(),
            peers: vec![],
            ice_servers: ice_servers.clone(),
        },
        json!({"type": "welcome", "id": "a1", "room": "lobby", "peers": [],
               "ice_servers": ice_json}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::IceServers { ice_servers },
        json!({"type": "ice_servers", "ice_servers": ice_json}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::PeerJoined { peer: peer("c3", "Peer 3") },
        json!({"type": "peer_joined", "peer": {"id": "c3", "name": "Peer 3"}}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::PeerJoined { peer: keyed("c3", "P", "BPq2") },
        json!({"type": "peer_joined", "peer": {"id": "c3", "name": "P", "key": "BPq2"}}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::PeerLeft { peer: peer("c3", "Peer 3") },
        json!({"type": "peer_left", "peer": {"id": "c3", "name": "Peer 3"}}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Signal {
            from: "a1".into(),
            signal: signal(7, Step::Answer { sdp: "v=0".into() }),
        },
        json!({"type": "signal", "from": "a1",
               "signal": {"kind": "answer", "session": 7, "at": AT,
                          "sig": SIG, "sdp": "v=0"}}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Error {
            code: ErrorCode::MalformedMessage,
            message: "not JSON".into(),
            to: None,
        },
        json!({"type": "error", "code": "malformed_message", "message": "not JSON"}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Error {
            code: ErrorCode::UnknownPeer,
            message: "no such peer".into(),
            to: Some("b7".into()),
        },
        json!({"type": "error", "code": "unknown_peer", "message": "no such peer", "to": "b7"}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Error {
            code: ErrorCode::InvalidProof,
            message: ErrorCode::InvalidProof.description().into(),
            to: None,
        },
        json!({"type": "error", "code": "invalid_proof",
               "message": "the join's proof is not its key's signature of this connection's \
                           challenge and room"}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Error {
            code: ErrorCode::InvalidKey,
            message: ErrorCode::InvalidKey.description().into(),
            to: None,
        },
        json!({"type": "error", "code": "invalid_key",
               "message": "the join must carry a P-256 public key: 87 base64url characters of \
                           an uncompressed point"}),
    );
    assert_wire::<ServerMessage>(
        ServerMessage::Error {
            code: ErrorCode::Unavailable,
            message: ErrorCode::Unavailable.description().into(),
            to: Some("b7".into()),
        },
        json!({"type": "error", "code": "unavailable", "to": "b7",
               "message": "the server cannot reach its shared room state right now; try again \
                           shortly"}),
    );
}

#[test]
fn signals() {
    assert_wire(
        signal(
            1,
            Step::Candidate {
                candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
            },
        ),
        json!({"kind": "candidate", "session": 1, "at": AT, "sig": SIG,
               "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
               "sdp_mid": "0", "sdp_m_line_index": 0}),
    );
    assert_wire(
        signal(2, Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None }),
        json!({"kind": "candidate", "session": 2, "at": AT, "sig": SIG, "candidate": "c"}),
    );
    assert_wire(
        signal(3, Step::Restart { sdp: "v=0".into() }),
        json!({"kind": "restart", "session": 3, "at": AT, "sig": SIG, "sdp": "v=0"}),
    );
    assert_wire(
        signal(5, Step::Bye { reason: Some("could not create a connection".into()) }),
        json!({"kind": "bye", "session": 5, "at": AT, "sig": SIG,
               "reason": "could not create a connection"}),
    );
    assert_wire(
        signal(4_294_967_295, Step::Bye { reason: None }),
        json!({"kind": "bye", "session": 4_294_967_295u32, "at": AT, "sig": SIG}),
    );
}

#[test]
fn the_server_relays_any_signal_object_unread() {
    // The relay's view of a signal: any object, kept field for field, so a signal kind
    // or field this version has never heard of goes through as the sender wrote it.
    let text = r#"{"type":"signal","to":"b7","signal":{"kind":"telepathy","session":3,"x":[1,{"y":null}]}}"#;
    let decoded: ClientMessage<Opaque> = serde_json::from_str(text).expect("decodes");
    let ClientMessage::Signal { to, signal: unread } = decoded else { panic!("not a signal") };
    assert_eq!(to, PeerId::from("b7"));
    let relayed = ServerMessage::Signal { from: "a1".into(), signal: unread };
    assert_eq!(
        serde_json::to_value(&relayed).expect("encodes"),
        json!({"type": "signal", "from": "a1",
               "signal": {"kind": "telepathy", "session": 3, "x": [1, {"y": null}]}})
    );
    // What peers send is one such object.
    let ours =
        ClientMessage::Signal { to: "b7".into(), signal: signal(1, Step::Bye { reason: None }) };
    let text = serde_json::to_string(&ours).expect("encodes");
    assert!(serde_json::from_str::<ClientMessage<Opaque>>(&text).is_ok());
    // Only objects: a signal that is a string, a number or an array is malformed.
    for bad in [r#""offer""#, "7", "[]", "null"] {
        let text = format!(r#"{{"type":"signal","to":"b7","signal":{bad}}}"#);
        assert!(serde_json::from_str::<ClientMessage<Opaque>>(&text).is_err(), "{text}");
    }
}

#[test]
fn every_error_code_has_its_snake_case_name() {
    let codes = [
        (ErrorCode::MalformedMessage, "malformed_message"),
        (ErrorCode::BinaryNotSupported, "binary_not_supported"),
        (ErrorCode::NotJoined, "not_joined"),
        (ErrorCode::AlreadyJoined, "already_joined"),
        (ErrorCode::InvalidName, "invalid_name"),
        (ErrorCode::InvalidRoom, "invalid_room"),
        (ErrorCode::RoomFull, "room_full"),
        (ErrorCode::UnknownPeer, "unknown_peer"),
        (ErrorCode::SignalToSelf, "signal_to_self"),
        (ErrorCode::RateLimited, "rate_limited"),
        (ErrorCode::TooManyRooms, "too_many_rooms"),
        (ErrorCode::WrongSecret, "wrong_secret"),
        (ErrorCode::SecretRequired, "secret_required"),
        (ErrorCode::InvalidSecret, "invalid_secret"),
        (ErrorCode::InvalidProof, "invalid_proof"),
        (ErrorCode::InvalidKey, "invalid_key"),
        (ErrorCode::Unavailable, "unavailable"),
    ];
    for (code, name) in codes {
        assert_wire(code, json!(name));
        assert_eq!(code.as_str(), name);
        assert_eq!(ErrorCode::from_wire(name), code);
        assert!(!code.description().is_empty());
    }
    let known: Vec<ErrorCode> = codes.iter().map(|(code, _)| *code).collect();
    assert_eq!(&ErrorCode::ALL[..known.len()], &known[..], "ALL lists every code, in order");
}

#[test]
fn unknown_error_codes_from_a_newer_server_still_decode() {
    assert_eq!(ErrorCode::from_wire("from_the_future"), ErrorCode::Other);
    let text = r#"{"type":"error","code":"from_the_future","message":"slow down"}"#;
    let decoded: ServerMessage = serde_json::from_str(text).expect("decodes");
    assert_eq!(
        decoded,
        ServerMessage::Error { code: ErrorCode::Other, message: "slow down".into(), to: None }
    );
}

#[test]
fn client_sender_fields_are_ignored_not_trusted() {
    // A client cannot choose the sender: a `from` it adds is simply not part of the message.
    // (Unsigned, the signal decodes with no time and an empty signature, which a peer then
    // refuses: the format does not decide what is trusted.)
    let text =
        r#"{"type":"signal","to":"b7","from":"someone-else","signal":{"kind":"bye","session":1}}"#;
    let decoded: ClientMessage = serde_json::from_str(text).expect("decodes");
    let unsigned = Signal {
        session: SessionId(1),
        at: 0,
        sig: String::new(),
        step: Step::Bye { reason: None },
    };
    assert_eq!(decoded, ClientMessage::Signal { to: "b7".into(), signal: unsigned });
}

#[test]
fn malformed_input_is_rejected() {
    let bad = [
        "",
        "not json",
        "[]",
        "null",
        r#"{"room":"lobby","name":"x"}"#,
        r#"{"type":"join","room":"lobby"}"#,
        r#"{"type":"join","room":7,"name":"x"}"#,
        r#"{"type":"shout","text":"hi"}"#,
        r#"{"type":"signal","to":"b7"}"#,
        r#"{"type":"signal","to":"b7","signal":{"kind":"offer","session":1}}"#,
        r#"{"type":"signal","to":"b7","signal":{"kind":"offer","sdp":"v=0"}}"#,
        r#"{"type":"signal","to":"b7","signal":{"kind":"bye","session":-1}}"#,
        r#"{"type":"signal","to":"b7","signal":{"kind":"bye","session":4294967296}}"#,
        r#"{"type":"signal","to":"b7","signal":{"kind":"telepathy","session":1}}"#,
        r#"{"type":"signal","to":"b7","signal":"offer"}"#,
        r#"{"type":"signal","to":"b7","signal":{"kind":"candidate","session":1,"candidate":"c","sdp_m_line_index":70000}}"#,
        r#"{"type":"welcome","id":"a1","room":"lobby","peers":[]}"#,
        r#"{"type":"join","room":"lobby","name":"x","key":7}"#,
        r#"{"type":"join","room":"lobby","name":"x","key":"k","proof":null}"#,
    ];
    for text in bad {
        assert!(serde_json::from_str::<ClientMessage>(text).is_err(), "accepted {text:?}");
    }
}
