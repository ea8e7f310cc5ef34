//! Which ICE servers a peer's connections use, and how it is told: the server's (sent in
//! `welcome`, renewed by `ice_servers`) unless the page gives its own, and whether only
//! relayed (TURN) paths may be used.

use crate::PeerError;
use js_sys::{Array, Object, Reflect};
use signaling_protocol::IceServer;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RtcConfiguration, RtcPeerConnection};

/// How a peer joins, beyond its room and name. `JoinOptions::default()` uses the ICE
/// servers the signaling server hands out, and any path ICE finds.
///
/// ```
/// use peer_wasm::{IceServer, JoinOptions};
/// let turn = IceServer {
///     urls: vec!["turn:turn.example.org:3478".into()],
///     username: Some("name".into()),
///     credential: Some("secret".into()),
/// };
/// let options = JoinOptions::default().ice_servers(vec![turn]).relay_only();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoinOptions {
    ice_servers: Option<Vec<IceServer>>,
    relay_only: bool,
}

impl JoinOptions {
    /// Uses these ICE servers instead of the signaling server's.
    pub fn ice_servers(self, servers: Vec<IceServer>) -> Self {
        Self { ice_servers: Some(servers), ..self }
    }

    /// Connects through TURN relays only (`iceTransportPolicy: "relay"`): no direct path
    /// is tried, so no address of this machine reaches the other peer.
    pub fn relay_only(self) -> Self {
        Self { relay_only: true, ..self }
    }

    /// Reads `{iceServers, iceTransportPolicy}` from a page's options object (its
    /// `secret` is read by the caller).
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, PeerError> {
        let invalid = |what, reason| PeerError::InvalidInput { what, reason };
        let servers = match get(options, "iceServers") {
            None => None,
            Some(servers) => Some(read_servers(&servers).ok_or(invalid(
                "iceServers",
                "expected an array of {urls, username?, credential?}, urls a string or strings",
            ))?),
        };
        let relay_only = match get(options, "iceTransportPolicy").map(|v| v.as_string()) {
            None => false,
            Some(Some(policy)) if policy == "all" => false,
            Some(Some(policy)) if policy == "relay" => true,
            Some(_) => return Err(invalid("iceTransportPolicy", "expected \"all\" or \"relay\"")),
        };
        Ok(Self { ice_servers: servers, relay_only })
    }

    /// The page's own servers, if it gave any.
    pub(crate) fn own_servers(&self) -> Option<&[IceServer]> {
        self.ice_servers.as_deref()
    }

    /// Whether only relayed paths may be used.
    pub(crate) fn is_relay_only(&self) -> bool {
        self.relay_only
    }
}

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
fn get(value: &JsValue, key: &str) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    Reflect::get(value, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a plain property on a fresh object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}
