//! The signaling messages as JSON text, read and written with the browser's own `JSON`.
//!
//! Reading by hand instead of through serde: the server's messages are internally tagged
//! enums (`"type"`, `"kind"`), which serde can only decode by buffering every field into
//! its generic `Content` tree first, and that machinery alone was a third of the gzipped
//! package. The format is `docs/PROTOCOL.md`; the browser tests check this reader against
//! the serde encoding the server uses, message by message.

use crate::ice::read_servers;
use js_sys::{Array, JSON, Reflect};
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage, SessionId, Signal, Step,
};
use wasm_bindgen::JsValue;

/// Parses one text frame from the server; `None` for anything that is not a message of
/// the protocol (unknown fields are ignored, as the protocol says).
pub fn decode_server(text: &str) -> Option<ServerMessage> {
    let value = JSON::parse(text).ok()?;
    Some(match string(&value, "type")?.as_str() {
        "welcome" => {
            let peers =
                field(&value, "peers").filter(Array::is_array).map(|peers| Array::from(&peers))?;
            ServerMessage::Welcome {
                id: PeerId::new(string(&value, "id")?),
                room: string(&value, "room")?,
                peers: peers.iter().map(|peer| peer_info(&peer)).collect::<Option<_>>()?,
                ice_servers: optional(&value, "ice_servers", read_servers)?.unwrap_or_default(),
            }
        }
        "challenge" => ServerMessage::Challenge { nonce: string(&value, "nonce")? },
        "ice_servers" => {
            ServerMessage::IceServers { ice_servers: read_servers(&field(&value, "ice_servers")?)? }
        }
        "peer_joined" => ServerMessage::PeerJoined { peer: peer_info(&field(&value, "peer")?)? },
        "peer_left" => ServerMessage::PeerLeft { peer: peer_info(&field(&value, "peer")?)? },
        "signal" => ServerMessage::Signal {
            from: PeerId::new(string(&value, "from")?),
            signal: signal(&field(&value, "signal")?)?,
        },
        "error" => ServerMessage::Error {
            code: ErrorCode::from_wire(&string(&value, "code")?),
            message: string(&value, "message")?,
            to: optional(&value, "to", |to| to.as_string())?.map(PeerId::new),
        },
        _ => return None,
    })
}

/// Writes one client message as JSON text.
pub fn encode_client(message: &ClientMessage) -> String {
    let object = js_sys::Object::new();
    match message {
        ClientMessage::Join { room, name, secret, key, proof } => {
            set(&object, "type", "join".into());
            set(&object, "room", room.into());
            set(&object, "name", name.into());
            if let Some(secret) = secret {
                set(&object, "secret", secret.into());
            }
            set(&object, "key", key.into());
            set(&object, "proof", proof.into());
        }
        ClientMessage::Signal { to, signal } => {
            set(&object, "type", "signal".into());
            set(&object, "to", to.as_str().into());
            set(&object, "signal", signal_object(signal));
        }
    }
    // Strings and numbers only: stringify cannot fail.
    JSON::stringify(&object).map(String::from).unwrap_or_default()
}

fn signal_object(signal: &Signal) -> JsValue {
    let object = js_sys::Object::new();
    let kind = match &signal.step {
        Step::Offer { .. } => "offer",
        Step::Answer { .. } => "answer",
        Step::Candidate { .. } => "candidate",
        Step::Restart { .. } => "restart",
        Step::Sealed { .. } => "sealed",
        Step::Bye { .. } => "bye",
    };
    set(&object, "kind", kind.into());
    set(&object, "session", signal.session.0.into());
    // A sealed signal is stamped and signed inside; the outside carries neither.
    if !matches!(signal.step, Step::Sealed { .. }) {
        // Milliseconds since the epoch: exact as a JSON number.
        set(&object, "at", (signal.at as f64).into());
        set(&object, "sig", signal.sig.as_str().into());
    }
    match &signal.step {
        Step::Offer { sdp } | Step::Answer { sdp } | Step::Restart { sdp } => {
            set(&object, "sdp", sdp.into())
        }
        Step::Candidate { candidate, sdp_mid, sdp_m_line_index } => {
            set(&object, "candidate", candidate.into());
            if let Some(mid) = sdp_mid {
                set(&object, "sdp_mid", mid.into());
            }
            if let Some(index) = sdp_m_line_index {
                set(&object, "sdp_m_line_index", (*index).into());
            }
        }
        Step::Sealed { data } => set(&object, "data", data.into()),
        Step::Bye { reason } => {
            if let Some(reason) = reason {
                set(&object, "reason", reason.into());
            }
        }
    }
    object.into()
}

/// A signal as JSON text (what a relayed signal carries, and its sender signs).
pub(crate) fn encode_signal(signal: &Signal) -> String {
    JSON::stringify(&signal_object(signal)).map(String::from).unwrap_or_default()
}

/// A signal from its JSON text; `None` when it is not one.
pub(crate) fn decode_signal(text: &str) -> Option<Signal> {
    signal(&JSON::parse(text).ok()?)
}

/// A signal of the peers' format; `None` for a kind this version does not know (a newer
/// peer's), or a malformed one.
fn signal(value: &JsValue) -> Option<Signal> {
    let step = match string(value, "kind")?.as_str() {
        "offer" => Step::Offer { sdp: string(value, "sdp")? },
        "answer" => Step::Answer { sdp: string(value, "sdp")? },
        "candidate" => Step::Candidate {
            candidate: string(value, "candidate")?,
            sdp_mid: optional(value, "sdp_mid", |v| v.as_string())?,
            sdp_m_line_index: optional(value, "sdp_m_line_index", |v| whole(v, u16::MAX.into()))?
                .map(|index| index as u16),
        },
        "restart" => Step::Restart { sdp: string(value, "sdp")? },
        "sealed" => Step::Sealed {
            data: string(value, "data").filter(|data| data.len() <= MAX_SEALED_CHARS)?,
        },
        "bye" => Step::Bye { reason: optional(value, "reason", |reason| reason.as_string())? },
        _ => return None,
    };
    let session = SessionId(whole(&field(value, "session")?, u32::MAX.into())? as u32);
    let at = optional(value, "at", |at| whole(at, MAX_SAFE_INTEGER))?.unwrap_or(0.0) as u64;
    let sig = optional(value, "sig", |sig| sig.as_string())?.unwrap_or_default();
    Some(Signal { session, at, sig, step })
}

/// Longest `data` of a sealed signal: room for any inner signal the mesh would carry
/// (64 KiB of JSON text, a third more in base64, plus the nonce and tag).
const MAX_SEALED_CHARS: usize = 96 * 1024;

/// The largest whole number a JSON number (a double) holds exactly.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JSON number that is a whole number from 0 to `max`.
pub(crate) fn whole(value: &JsValue, max: f64) -> Option<f64> {
    let number = value.as_f64()?;
    (number.fract() == 0.0 && (0.0..=max).contains(&number)).then_some(number)
}

fn peer_info(value: &JsValue) -> Option<PeerInfo> {
    let key = optional(value, "key", |key| key.as_string())?;
    Some(PeerInfo { id: PeerId::new(string(value, "id")?), name: string(value, "name")?, key })
}

/// `value[key]`, when `value` is an object that has it.
pub(crate) fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined())
}

/// `value[key]` as a string.
pub(crate) fn string(value: &JsValue, key: &str) -> Option<String> {
    field(value, key)?.as_string()
}

/// `Some(None)` when `value[key]` is absent or null, `Some(Some(x))` when it reads as
/// `x`, `None` (malformed) when it is there but of the wrong type.
fn optional<T>(
    value: &JsValue,
    key: &str,
    read: impl Fn(&JsValue) -> Option<T>,
) -> Option<Option<T>> {
    match field(value, key) {
        None => Some(None),
        Some(v) if v.is_null() => Some(None),
        Some(v) => read(&v).map(Some),
    }
}

pub(crate) fn set(object: &js_sys::Object, key: &str, value: JsValue) {
    // Setting a plain property on a fresh object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use signaling_protocol::IceServer;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn peer(id: &str, name: &str) -> PeerInfo {
        PeerInfo::new(id, name)
    }

    fn ice_servers() -> Vec<IceServer> {
        vec![
            IceServer {
                urls: vec!["stun:127.0.0.1:3478".into()],
                username: None,
                credential: None,
            },
            IceServer {
                urls: vec!["turn:127.0.0.1:3478".into(), "turns:t.example:5349".into()],
                username: Some("1764081000:a1".into()),
                credential: Some("Qa0Yl7PEXjWZlXo6e6wNAcr/Mlo=".into()),
            },
        ]
    }

    fn signals() -> Vec<Signal> {
        let steps = vec![
            Step::Offer { sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1".into() },
            Step::Answer { sdp: "v=0".into() },
            Step::Candidate {
                candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host".into(),
                sdp_mid: Some("0".into()),
                sdp_m_line_index: Some(0),
            },
            Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None },
            Step::Restart { sdp: "v=0".into() },
            Step::Bye { reason: None },
            Step::Bye { reason: Some("could not create a connection".into()) },
        ];
        let sessions = [0, 7, u32::MAX].into_iter().cycle();
        let signed = steps.into_iter().zip(sessions).map(|(step, n)| Signal {
            at: 1_765_000_000_123,
            sig: "c2ln".into(),
            ..Signal::new(SessionId(n), step)
        });
        // Sealed: stamped and signed inside, so neither outside.
        let sealed = Signal::new(SessionId(7), Step::Sealed { data: "bm9uY2VjaXBoZXI".into() });
        signed.chain([sealed]).collect()
    }

    /// Every server message, encoded by serde as the server does, reads back the same.
    #[wasm_bindgen_test]
    fn reads_what_the_server_writes() {
        let mut messages = vec![
            ServerMessage::Challenge { nonce: "bm9uY2U".into() },
            ServerMessage::Welcome {
                id: "a1".into(),
                room: "lobby".into(),
                peers: vec![],
                ice_servers: vec![],
            },
            ServerMessage::Welcome {
                id: "a1".into(),
                room: "lobby".into(),
                peers: vec![
                    peer("b7", "Peer 2"),
                    PeerInfo { key: Some("BPq2_x-key".into()), ..peer("c3", "Zoë \"🦀\"") },
                ],
                ice_servers: ice_servers(),
            },
            ServerMessage::IceServers { ice_servers: ice_servers() },
            ServerMessage::IceServers { ice_servers: vec![] },
            ServerMessage::PeerJoined { peer: peer("c3", "Peer 3") },
            ServerMessage::PeerLeft { peer: peer("c3", "Peer 3") },
        ];
        messages.extend(
            signals().into_iter().map(|signal| ServerMessage::Signal { from: "a1".into(), signal }),
        );
        messages.extend(ErrorCode::ALL.into_iter().map(|code| ServerMessage::Error {
            code,
            message: code.description().into(),
            to: None,
        }));
        let to = Some(PeerId::from("b7"));
        messages.push(ServerMessage::Error {
            code: ErrorCode::UnknownPeer,
            message: "m".into(),
            to,
        });
        for message in messages {
            let text = serde_json::to_string(&message).expect("encodes");
            assert_eq!(decode_server(&text), Some(message), "{text}");
        }
    }

    /// What this writes, serde (the server) reads as the same message.
    #[wasm_bindgen_test]
    fn writes_what_the_server_reads() {
        let mut messages = vec![
            ClientMessage::Join {
                room: "lobby".into(),
                name: "Peer 1".into(),
                secret: None,
                key: "BPq2_x-key".into(),
                proof: "cHJvb2Y".into(),
            },
            ClientMessage::Join {
                room: "lobby".into(),
                name: "Zoë".into(),
                secret: Some("open \"sesame\"".into()),
                key: "BPq2_x-key".into(),
                proof: "cHJvb2Y".into(),
            },
        ];
        messages.extend(
            signals().into_iter().map(|signal| ClientMessage::Signal { to: "b7".into(), signal }),
        );
        for message in messages {
            let text = encode_client(&message);
            let read: ClientMessage = serde_json::from_str(&text).expect("the server reads it");
            assert_eq!(read, message, "{text}");
        }
    }

    #[wasm_bindgen_test]
    fn unknown_codes_extra_fields_and_nulls_read_as_serde_would() {
        let text = r#"{"type":"error","code":"from_the_future","message":"m","extra":1}"#;
        let expected =
            ServerMessage::Error { code: ErrorCode::Other, message: "m".into(), to: None };
        assert_eq!(decode_server(text), Some(expected));
        let text = r#"{"type":"signal","from":"a","signal":{"kind":"candidate","session":3,"candidate":"c","sdp_mid":null,"new":1}}"#;
        let step = Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None };
        let expected = Signal::new(SessionId(3), step);
        assert_eq!(
            decode_server(text),
            Some(ServerMessage::Signal { from: "a".into(), signal: expected })
        );
    }

    #[wasm_bindgen_test]
    fn anything_else_is_not_a_message() {
        for text in [
            "",
            "not json",
            "null",
            "[]",
            "7",
            r#"{"type":"shout"}"#,
            r#"{"type":"welcome","id":"a1","room":"lobby"}"#,
            r#"{"type":"welcome","id":"a1","room":"lobby","peers":{}}"#,
            r#"{"type":"welcome","id":"a1","room":"lobby","peers":[{"id":"b"}]}"#,
            r#"{"type":"peer_joined","peer":"c3"}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"offer","session":1}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"offer","sdp":"v=0"}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"bye","session":-1}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"bye","session":4294967296}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"bye","session":"1"}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"telepathy","session":1}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"sealed","session":1}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"sealed","session":1,"data":7}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"candidate","session":1,"candidate":"c","sdp_m_line_index":70000}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"candidate","session":1,"candidate":"c","sdp_m_line_index":1.5}}"#,
            r#"{"type":"signal","from":"a1","signal":{"kind":"candidate","session":1,"candidate":"c","sdp_mid":3}}"#,
            r#"{"type":"error","code":"unknown_peer","message":"m","to":7}"#,
            r#"{"type":"welcome","id":"a1","room":"lobby","peers":[],"ice_servers":{}}"#,
            r#"{"type":"welcome","id":"a1","room":"lobby","peers":[],"ice_servers":[{"urls":7}]}"#,
            r#"{"type":"ice_servers","ice_servers":[{"urls":["stun:x"],"username":1}]}"#,
            r#"{"type":"ice_servers"}"#,
            r#"{"type":"error","code":7,"message":"m"}"#,
            r#"{"type":"join","room":"lobby","name":"x"}"#,
        ] {
            assert_eq!(decode_server(text), None, "{text}");
        }
    }

    #[wasm_bindgen_test]
    fn a_sealed_signal_is_bounded() {
        let sealed =
            |chars| format!(r#"{{"kind":"sealed","session":1,"data":"{}"}}"#, "A".repeat(chars));
        assert!(decode_signal(&sealed(MAX_SEALED_CHARS)).is_some());
        assert_eq!(decode_signal(&sealed(MAX_SEALED_CHARS + 1)), None);
    }
}
