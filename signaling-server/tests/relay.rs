//! The server relays a signal without reading it: any JSON object, field for field, and
//! nothing else; a refused signal's error names its target.

mod common;

use common::{Opaque, Server, bye};
use signaling_protocol::{ClientMessage, ErrorCode, ServerMessage};
use signaling_server::Config;
use tokio_tungstenite::tungstenite::Message;

/// `json` as the object it must be.
fn object(json: serde_json::Value) -> Opaque {
    json.as_object().cloned().expect("an object")
}

#[tokio::test]
async fn a_signal_of_a_kind_the_server_never_heard_of_is_relayed_field_for_field() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    // Unknown kind, unknown fields, nesting, nulls, escapes, and numbers at the edges of
    // what JSON integers and doubles hold.
    let signals = [
        r#"{"kind":"telepathy","session":1,"x":[1,{"y":null}]}"#,
        r#"{"kind":"offer","sdp":"v=0","session":4294967296,"extra":{"deep":[[[true]]]}}"#,
        r#"{"u":18446744073709551615,"i":-9223372036854775808,"f":-1.5e-300,"s":"\u00e9\"\\\n"}"#,
        r#"{}"#,
    ];
    for signal in signals {
        let message = format!(r#"{{"type":"signal","to":"{b_id}","signal":{signal}}}"#);
        a.send_raw(Message::text(message)).await;
        let sent = object(serde_json::from_str(signal).expect("JSON"));
        assert_eq!(
            b.recv_opaque().await,
            ServerMessage::Signal { from: a_id.clone(), signal: sent }
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn a_signal_that_is_not_an_object_is_malformed_and_not_relayed() {
    let server = Server::default().await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    for signal in [r#""offer""#, "[1,2]", "null", "42", "true"] {
        let message = format!(r#"{{"type":"signal","to":"{b_id}","signal":{signal}}}"#);
        a.send_raw(Message::text(message)).await;
        a.expect_error(ErrorCode::MalformedMessage).await;
    }
    b.expect_silence().await;
    server.stop().await;
}

#[tokio::test]
async fn a_rate_limited_signal_names_its_target() {
    let config = Config { messages_per_second: 1, message_burst: 1, ..Config::default() };
    let server = Server::start(config).await;
    let mut a = server.client().await;
    a.join("lobby", "A").await; // the one message of the burst
    let to = "b".into();
    a.send(&ClientMessage::Signal { to: "b".into(), signal: bye() }).await;
    a.expect_refusal(ErrorCode::RateLimited, Some(&to)).await;
    // Anything else over the rate names no target.
    a.send_raw(Message::text("{}")).await;
    a.expect_refusal(ErrorCode::RateLimited, None).await;
    server.stop().await;
}
