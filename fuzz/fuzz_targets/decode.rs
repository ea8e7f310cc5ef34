//! The protocol decoder, on any bytes: decoding never panics, and whatever decodes
//! encodes back to JSON that decodes to the same message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use signaling_protocol::{ClientMessage, ServerMessage};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(message) = serde_json::from_slice::<ClientMessage>(bytes) {
        let text = serde_json::to_string(&message).expect("a decoded message encodes");
        let again: ClientMessage = serde_json::from_str(&text).expect("and decodes again");
        assert_eq!(again, message);
    }
    if let Ok(message) = serde_json::from_slice::<ServerMessage>(bytes) {
        let text = serde_json::to_string(&message).expect("a decoded message encodes");
        let again: ServerMessage = serde_json::from_str(&text).expect("and decodes again");
        assert_eq!(again, message);
    }
});
