//! The ICE servers of a peer's connections as the browser takes them: the server's (sent
//! in `welcome`, renewed by `ice_servers`) unless the page gives its own (see
//! [`crate::JoinOptions`]), and whether only relayed (TURN) paths may be used.

use crate::error::PeerError;
use js_sys::{Array, Object, Reflect};
use signaling_protocol::IceServer;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RtcConfiguration, RtcPeerConnection};

/// The `RTCConfiguration` for new connections.
pub(crate) fn configuration(servers: &[IceServer], relay_only: bool) -> RtcConfiguration {
    let config = Object::new();
    let list: Array = servers.iter().map(server_js).collect();
    set(&config, "iceServers", &list);
    if relay_only {
        set(&config, "iceTransportPolicy", &"relay".into());
    }
    config.unchecked_into()
}

/// Whether `servers` include a TURN server (`turn:` or `turns:`): a relay to fall back on.
pub(crate) fn has_turn(servers: &[IceServer]) -> bool {
    let turn = |url: &String| {
        let scheme = url.split(':').next().unwrap_or_default();
        scheme.eq_ignore_ascii_case("turn") || scheme.eq_ignore_ascii_case("turns")
    };
    servers.iter().flat_map(|server| &server.urls).any(turn)
}

/// Checks a configuration the way the browser will: an `RTCPeerConnection` made with it
/// and closed at once. A malformed URL, a TURN server without credentials and the like
/// are refused here, at join, rather than at every connect.
pub(crate) fn check(config: &RtcConfiguration) -> Result<(), PeerError> {
    let pc = RtcPeerConnection::new_with_configuration(config).map_err(|error| {
        let reason = crate::error::js_message(&error);
        PeerError::InvalidIceServers(reason)
    })?;
    pc.close();
    Ok(())
}

/// ICE servers from JS or JSON: an array of `{urls, username?, credential?}` where
/// `urls` is a string or an array of strings; `None` when anything else.
pub(crate) fn read_servers(value: &JsValue) -> Option<Vec<IceServer>> {
    if !Array::is_array(value) {
        return None;
    }
    Array::from(value).iter().map(|server| read_server(&server)).collect()
}

fn read_server(value: &JsValue) -> Option<IceServer> {
    let urls = get(value, "urls")?;
    let urls = match urls.as_string() {
        Some(url) => vec![url],
        None if Array::is_array(&urls) => {
            Array::from(&urls).iter().map(|url| url.as_string()).collect::<Option<_>>()?
        }
        None => return None,
    };
    let text = |key| match get(value, key) {
        None => Some(None),
        Some(v) => v.as_string().map(Some),
    };
    Some(IceServer { urls, username: text("username")?, credential: text("credential")? })
}

fn server_js(server: &IceServer) -> JsValue {
    let object = Object::new();
    let urls: Array = server.urls.iter().map(|url| JsValue::from_str(url)).collect();
    set(&object, "urls", &urls);
    if let Some(username) = &server.username {
        set(&object, "username", &username.into());
    }
    if let Some(credential) = &server.credential {
        set(&object, "credential", &credential.into());
    }
    object.into()
}

/// `value[key]` when `value` is an object that has it (not `undefined` or `null`).
pub(crate) fn get(value: &JsValue, key: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a plain property on a fresh object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}
