//! The options a page passes as plain JS objects, read and checked: `Peer.join`'s secret
//! and `JoinOptions`, and the `SendOptions` of `sendMessage` and `sendTo`. A value of the
//! wrong type is refused with [`PeerError::InvalidInput`], saying what was expected.

use crate::api::delivery::Delivery;
use crate::api::join_options::JoinOptions;
use crate::error::PeerError;
use crate::ice::{get, read_servers};
use peer_core::Backoff;
use wasm_bindgen::JsValue;

/// The room's secret: `options` itself when it is a string, else its `secret`.
pub(crate) fn read_secret(options: &JsValue) -> Result<Option<String>, PeerError> {
    Ok(match options.as_string() {
        Some(secret) => Some(secret),
        None => js_sys::Reflect::get(options, &"secret".into())
            .ok()
            .filter(|secret| !secret.is_undefined() && !secret.is_null())
            .map(|secret| {
                secret
                    .as_string()
                    .ok_or(PeerError::InvalidInput { what: "secret", reason: "expected a string" })
            })
            .transpose()?,
    })
}

/// The `identity` option: a `CryptoKeyPair`, read apart from the others because reading
/// it takes WebCrypto (a promise).
pub(crate) fn read_identity(options: &JsValue) -> Option<JsValue> {
    get(options, "identity")
}

/// Reads `{passphrase, iceServers, iceTransportPolicy, reconnect, meshSignaling,
/// sameOriginSignaling}` (the `secret` and `identity` are read apart).
pub(crate) fn read_join_options(options: &JsValue) -> Result<JoinOptions, PeerError> {
    let invalid = |what, reason| PeerError::InvalidInput { what, reason };
    let mut read = JoinOptions::default();
    if let Some(passphrase) = get(options, "passphrase") {
        let passphrase = passphrase.as_string().filter(|passphrase| !passphrase.is_empty());
        read = read
            .passphrase(passphrase.ok_or(invalid("passphrase", "expected a non-empty string"))?);
    }
    if let Some(servers) = get(options, "iceServers") {
        read = read.ice_servers(read_servers(&servers).ok_or(invalid(
            "iceServers",
            "expected an array of {urls, username?, credential?}, urls a string or strings",
        ))?);
    }
    let relay_only = match get(options, "iceTransportPolicy").map(|v| v.as_string()) {
        None => false,
        Some(Some(policy)) if policy == "all" => false,
        Some(Some(policy)) if policy == "relay" => true,
        Some(_) => return Err(invalid("iceTransportPolicy", "expected \"all\" or \"relay\"")),
    };
    if relay_only {
        read = read.relay_only();
    }
    read = read_reconnect(read, options)?;
    match get(options, "meshSignaling").map(|flag| flag.as_bool()) {
        None | Some(Some(false)) => {}
        Some(Some(true)) => read = read.mesh_signaling(),
        Some(None) => return Err(invalid("meshSignaling", "expected true or false")),
    }
    match get(options, "sameOriginSignaling").map(|flag| flag.as_bool()) {
        None | Some(Some(true)) => {}
        Some(Some(false)) => read = read.no_same_origin_signaling(),
        Some(None) => return Err(invalid("sameOriginSignaling", "expected true or false")),
    }
    Ok(read)
}

/// `read` with the `reconnect` option applied: `true`, `false` or `{minDelayMs?,
/// maxDelayMs?}`.
fn read_reconnect(read: JoinOptions, options: &JsValue) -> Result<JoinOptions, PeerError> {
    let invalid = |what, reason| PeerError::InvalidInput { what, reason };
    let expected = "expected true, false or {minDelayMs?, maxDelayMs?} (milliseconds)";
    match get(options, "reconnect") {
        None => Ok(read),
        Some(flag) if flag.as_bool() == Some(true) => Ok(read),
        Some(flag) if flag.as_bool() == Some(false) => Ok(read.no_reconnect()),
        Some(delays) if delays.is_object() => {
            let defaults = Backoff::default();
            let delay = |key, default: u32| match get(&delays, key) {
                None => Ok(default),
                Some(ms) => ms
                    .as_f64()
                    .filter(|ms| ms.fract() == 0.0 && *ms >= 1.0 && *ms <= 600_000.0)
                    .map(|ms| ms as u32)
                    .ok_or(invalid("reconnect", expected)),
            };
            let min_ms = delay("minDelayMs", defaults.min_ms)?;
            let max_ms = delay("maxDelayMs", defaults.max_ms.max(min_ms))?;
            if max_ms < min_ms {
                return Err(invalid("reconnect", "maxDelayMs is below minDelayMs"));
            }
            Ok(read.reconnect_delays(min_ms, max_ms))
        }
        Some(_) => Err(invalid("reconnect", expected)),
    }
}

/// Reads a page's send options: `undefined` or `null` (reliable), or an object whose
/// `reliable`, when present, is a boolean.
pub(crate) fn read_delivery(options: &JsValue) -> Result<Delivery, PeerError> {
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
        Some(false) => Ok(Delivery::Unreliable),
        Some(true) => Ok(Delivery::Reliable),
        None if reliable.is_undefined() => Ok(Delivery::Reliable),
        None => Err(PeerError::InvalidInput { what: "reliable", reason: "expected a boolean" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn read(js: &str) -> Result<Delivery, String> {
        let options = js_sys::eval(&format!("({js})")).expect("valid JS");
        read_delivery(&options).map_err(|error| error.to_string())
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
