//! How a message travels: reliably (ordered, retransmitted, any size) or unreliably
//! (unordered, sent once, one channel message at most), and the page's `{reliable}`
//! option that picks it.

use crate::error::PeerError;
use wasm_bindgen::JsValue;

/// Which of a connection's two data channels a message takes.
///
/// ```no_run
/// # use peer_wasm::{Delivery, Payload, Peer, PeerId};
/// # fn cursor(peer: &Peer, id: &PeerId) -> Result<(), peer_wasm::PeerError> {
/// // A cursor position: a lost one is soon replaced by the next.
/// let position = Payload::json(&[120, 48])?;
/// peer.send_to_with(id, &position, Delivery::Unreliable)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// Ordered, retransmitted until it arrives, of any size up to
    /// [`crate::MAX_MESSAGE_BYTES`] (chunked as needed), queued with backpressure
    /// (see [`crate::Peer::ready`]).
    #[default]
    Reliable,
    /// Sent once, with no retransmits and in no particular order: it may be lost, or
    /// overtake an earlier one (game state, cursors, voice-like data). One channel message
    /// at most: bigger messages are refused with [`PeerError::TooLargeForUnreliable`]
    /// (the limit is the remote's `maxMessageSize`, 256 KiB in Chromium, capped at
    /// 256 KiB). Not queued: when the channel's buffer already holds
    /// [`crate::MAX_UNRELIABLE_BUFFERED`] bytes, the send is refused with
    /// [`PeerError::UnreliableBackedUp`], so nothing is dropped silently on our side.
    Unreliable,
}

impl Delivery {
    /// Reads a page's send options: `undefined` or `null` (reliable), or an object whose
    /// `reliable`, when present, is a boolean.
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, PeerError> {
        let reliable = if options.is_undefined() || options.is_null() {
            JsValue::UNDEFINED
        } else if options.is_object() {
            // A getter that throws reads as null: not a boolean.
            js_sys::Reflect::get(options, &"reliable".into()).unwrap_or(JsValue::NULL)
        } else {
            let reason = "expected an object like {reliable: false}";
            return Err(PeerError::InvalidInput { what: "send options", reason });
        };
        match reliable.as_bool() {
            Some(false) => Ok(Self::Unreliable),
            Some(true) => Ok(Self::Reliable),
            None if reliable.is_undefined() => Ok(Self::Reliable),
            None => Err(PeerError::InvalidInput { what: "reliable", reason: "expected a boolean" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn read(js: &str) -> Result<Delivery, String> {
        let options = js_sys::eval(&format!("({js})")).expect("valid JS");
        Delivery::from_js(&options).map_err(|error| error.to_string())
    }

    #[wasm_bindgen_test]
    fn send_options_pick_the_channel() {
        for js in ["undefined", "null", "{}", "{reliable: true}", "{reliable: undefined}"] {
            assert_eq!(read(js), Ok(Delivery::Reliable), "{js}");
        }
        assert_eq!(read("{reliable: false}"), Ok(Delivery::Unreliable));
        assert_eq!(read("{reliable: false, other: 1}"), Ok(Delivery::Unreliable));
    }

    #[wasm_bindgen_test]
    fn malformed_send_options_are_refused_with_what_was_expected() {
        let not_object = "invalid send options: expected an object like {reliable: false}";
        for js in ["false", "'unreliable'", "0", "1n"] {
            assert_eq!(read(js), Err(not_object.to_owned()), "{js}");
        }
        let not_boolean = "invalid reliable: expected a boolean";
        for js in ["{reliable: 'false'}", "{reliable: 0}", "{reliable: null}", "{reliable: {}}"] {
            assert_eq!(read(js), Err(not_boolean.to_owned()), "{js}");
        }
        // A getter that throws is an error too, never a panic.
        let thrown = read("{get reliable() { throw new Error('no') }}");
        assert_eq!(thrown, Err(not_boolean.to_owned()));
    }
}
