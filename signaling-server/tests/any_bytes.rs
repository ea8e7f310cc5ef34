//! Property: whatever one frame a stranger sends first, as text or binary, the server
//! answers it with exactly one protocol message or closes the socket cleanly, and goes
//! on serving everyone else. Never a panic, never silence, never a dropped TCP stream.

mod common;

use common::{Opaque, Server, WAIT};
use futures_util::{SinkExt, StreamExt};
use proptest::prelude::*;
use signaling_protocol::{ClientMessage, ErrorCode, ServerMessage};
use signaling_server::Config;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const MAX_MESSAGE_BYTES: usize = 4096;

/// What the server did with one frame.
#[derive(Debug)]
enum Outcome {
    Answered(ServerMessage),
    Closed(Option<CloseCode>),
}

/// Frames worth trying: raw bytes, text near the protocol's shape, and oversized ones.
fn frames() -> impl Strategy<Value = (bool, Vec<u8>)> {
    let near_json = prop_oneof![
        r#"\{"type":"(join|signal|welcome|)","room":"[a-z .]{0,5}","name":".{0,4}"(,"secret":".{0,3}")?\}"#,
        r#"\{"type":"signal","to":"[0-9a-f]{0,16}","signal":\{"kind":"(offer|answer|candidate|bye|x)"(,"sdp":".{0,8}")?\}\}"#,
        r#"[\[\]{}":,0-9a-z\\ ]{0,64}"#,
    ]
    .prop_map(String::into_bytes);
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..512),
        4 => near_json,
        1 => prop::collection::vec(any::<u8>(), MAX_MESSAGE_BYTES..MAX_MESSAGE_BYTES * 2),
    ]
    .prop_flat_map(|bytes| (any::<bool>(), Just(bytes)))
}

async fn send_one(server: &Server, as_text: bool, bytes: Vec<u8>) -> Outcome {
    let mut client = server.client().await;
    let frame = match (as_text, String::from_utf8(bytes)) {
        (true, Ok(text)) => Message::text(text),
        (_, Ok(text)) => Message::binary(text.into_bytes()),
        (_, Err(invalid)) => Message::binary(invalid.into_bytes()),
    };
    // An oversized frame may be refused while it is still being written.
    let _ = client.socket.send(frame).await;
    loop {
        let next = tokio::time::timeout(WAIT, client.socket.next()).await;
        match next.expect("the server answers or closes in time") {
            Some(Ok(Message::Text(text))) => {
                let message = serde_json::from_str(&text).expect("a protocol message");
                return Outcome::Answered(message);
            }
            Some(Ok(Message::Close(close))) => return Outcome::Closed(close.map(|c| c.code)),
            Some(Ok(_)) => continue, // a heartbeat ping
            // A reset while we were still writing an oversized frame.
            Some(Err(_)) | None => return Outcome::Closed(None),
        }
    }
}

/// What the protocol says the answer to `bytes` must be, when it is an error.
fn expected_error(as_text: bool, bytes: &[u8]) -> Option<ErrorCode> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Some(ErrorCode::BinaryNotSupported) };
    if !as_text {
        return Some(ErrorCode::BinaryNotSupported);
    }
    // A signal is any JSON object: the server does not read it.
    match serde_json::from_str::<ClientMessage<Opaque>>(text) {
        Err(_) => Some(ErrorCode::MalformedMessage),
        Ok(ClientMessage::Signal { .. }) => Some(ErrorCode::NotJoined),
        Ok(ClientMessage::Join { .. }) => None, // a welcome, or why the join is refused
    }
}

#[test]
fn any_first_frame_gets_one_answer_or_a_clean_close() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let config = Config { max_message_bytes: MAX_MESSAGE_BYTES, ..Config::default() };
    let server = runtime.block_on(Server::start(config));
    let cases = ProptestConfig { cases: 300, ..ProptestConfig::default() };
    proptest!(cases, |((as_text, bytes) in frames())| {
        let oversized = bytes.len() > MAX_MESSAGE_BYTES;
        let expected = expected_error(as_text, &bytes);
        let outcome = runtime.block_on(send_one(&server, as_text, bytes));
        match (oversized, outcome) {
            (true, Outcome::Closed(code)) => {
                prop_assert!(matches!(code, None | Some(CloseCode::Size)), "closed with {code:?}");
            }
            (false, Outcome::Answered(ServerMessage::Error { code, .. })) if expected.is_some() => {
                prop_assert_eq!(Some(code), expected);
            }
            (false, Outcome::Answered(ServerMessage::Welcome { .. } | ServerMessage::Error { .. }))
                if expected.is_none() => {}
            (_, other) => prop_assert!(false, "oversized {oversized}, expected {expected:?}, got {other:?}"),
        }
    });
    // Still serving.
    runtime.block_on(async {
        server.joined("after", "Honest").await;
        server.stop().await;
    });
}
