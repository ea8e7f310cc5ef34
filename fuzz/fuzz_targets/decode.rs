//! The protocol decoder, on any bytes: decoding never panics, and whatever decodes
//! encodes back to JSON that decodes to the same message. The server's reading (a
//! signal as any JSON object) accepts every message a peer's typed reading accepts.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use signaling_protocol::{ClientMessage, ServerMessage};
use std::fmt::Debug;

/// A signal as the server reads it.
type Opaque = serde_json::Map<String, serde_json::Value>;

fuzz_target!(|bytes: &[u8]| {
    let typed = round_trip::<ClientMessage>(bytes);
    let opaque = round_trip::<ClientMessage<Opaque>>(bytes);
    assert!(!typed || opaque, "the server refuses a message a peer would read");
    round_trip::<ServerMessage>(bytes);
    round_trip::<ServerMessage<Opaque>>(bytes);
});

/// Whether `bytes` decode as an `M`; if so, checks that it encodes and decodes back to
/// the same message.
fn round_trip<M: Serialize + DeserializeOwned + PartialEq + Debug>(bytes: &[u8]) -> bool {
    let Ok(message) = serde_json::from_slice::<M>(bytes) else { return false };
    let text = serde_json::to_string(&message).expect("a decoded message encodes");
    let again: M = serde_json::from_str(&text).expect("and decodes again");
    assert_eq!(again, message);
    true
}
