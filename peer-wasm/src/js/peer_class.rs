//! The `Peer` class of the JS API: joining, the room's peers, connecting, sending, and
//! the event callbacks, each a thin call into the Rust [`Peer`].

use crate::api::peer::Peer;
use crate::api::room::Room;
use crate::identity::Identity;
use crate::js::callbacks::{Callbacks, Kind, peer_list_js};
use crate::js::options::{read_delivery, read_identity, read_join_options, read_secret};
use crate::transport::stats::PathStats;
use crate::wire::payload::Payload;
use js_sys::{Function, Promise};
use signaling_protocol::PeerId;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// A peer in a room, for JS: `await Peer.join(url, room, name)`.
#[wasm_bindgen(js_name = Peer)]
pub struct JsPeer {
    pub(super) peer: Peer,
    callbacks: Rc<Callbacks>,
}

#[wasm_bindgen(js_class = Peer)]
impl JsPeer {
    /// Joins `room` as `name` through the signaling server at `url`
    /// (e.g. `ws://127.0.0.1:8080/ws`); resolves once the server has assigned our id.
    /// `options` is `{secret, passphrase, iceServers, iceTransportPolicy, ...}` (or just
    /// the secret, as a string; see `JoinOptions`). With a `secret`, the room is private: the first peer in sets the secret,
    /// later peers must give the same one (else the promise rejects with
    /// `wrong_secret`). `iceServers` replace the server's; `iceTransportPolicy: "relay"`
    /// connects through TURN only.
    #[wasm_bindgen(unchecked_return_type = "Peer")]
    pub async fn join(
        url: String,
        room: String,
        name: String,
        #[wasm_bindgen(unchecked_optional_param_type = "string | JoinOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsValue, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let secret = read_secret(&options)?;
        let mut target = Room::new(&room);
        if let Some(secret) = secret.as_deref() {
            target = target.with_secret(secret);
        }
        let mut join_options = read_join_options(&options)?;
        if let Some(pair) = read_identity(&options) {
            join_options = join_options.identity(Identity::from_key_pair(pair).await?);
        }
        let peer = Peer::join_with_options(&url, target, &name, join_options).await?;
        let callbacks = Rc::new(Callbacks::default());
        let dispatch = Rc::clone(&callbacks);
        peer.set_event_handler(move |event| dispatch.dispatch(event));
        let sink = peer.plain_messages().clone();
        let object = JsValue::from(JsPeer { peer, callbacks });
        sink.answer_first_for(&object);
        Ok(object)
    }

    /// Our id: derived from our public key (the same wherever we join with the same
    /// `identity`).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.peer.id().to_string()
    }

    /// Our display name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.peer.name().to_owned()
    }

    /// The room we joined.
    #[wasm_bindgen(getter)]
    pub fn room(&self) -> String {
        self.peer.room().to_owned()
    }

    /// The other peers in the room: `[{id, name}]`, in the order they joined.
    #[wasm_bindgen(unchecked_return_type = "PeerInfo[]")]
    pub fn peers(&self) -> JsValue {
        peer_list_js(&self.peer.peers())
    }

    /// The peers with an open data channel to us: `[{id, name}]`.
    #[wasm_bindgen(js_name = connectedPeers, unchecked_return_type = "PeerInfo[]")]
    pub fn connected_peers(&self) -> JsValue {
        peer_list_js(&self.peer.connected_peers())
    }

    /// Opens a data channel to the peer `id`; resolves once it is open on both sides.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self, id: String) -> Promise {
        let connected = self.peer.connect(&PeerId::new(id));
        future_to_promise(async move {
            connected.await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Closes the data channel to the peer `id` on both sides; resolves when done (at
    /// once when not connected).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn disconnect(&self, id: String) -> Promise {
        let closed = self.peer.disconnect(&PeerId::new(id));
        future_to_promise(async move {
            closed.await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Sends `data` (a string, any typed array, `DataView` or `ArrayBuffer`, or any JSON
    /// value) to every connected peer; returns how many peers it was sent to. Values
    /// JSON would mangle (a `Blob`, a `Map`, a `Set`, ...) are refused with an error.
    /// `options` `{reliable: false}` sends it unordered with no retransmits (see
    /// `SendOptions`); a message over the channel's limit is then refused, not chunked.
    #[wasm_bindgen(js_name = sendMessage)]
    pub fn send_message(
        &self,
        data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SendOptions")] options: Option<JsValue>,
    ) -> Result<u32, JsValue> {
        // Most messages never get here: the object's own `sendMessage` sent them from JS
        // (`MessageSink::answer_first_for`).
        let delivery = read_delivery(&options.unwrap_or(JsValue::UNDEFINED))?;
        let sent = self.peer.send_message_with(&Payload::from_js(data), delivery)?;
        Ok(u32::try_from(sent).unwrap_or(u32::MAX))
    }

    /// Sends `data` (as for `sendMessage`) to every peer of the room, connected or not:
    /// each neighbour passes it on to its own, so it reaches everyone the mesh
    /// connects, each once. Receivers get it in `onMessage` with `broadcast: true` and
    /// `from` the peer that broadcast it. Returns how many neighbours it went out to.
    pub fn broadcast(&self, data: JsValue) -> Result<u32, JsValue> {
        let sent = self.peer.broadcast(&Payload::from_js(data))?;
        Ok(u32::try_from(sent).unwrap_or(u32::MAX))
    }

    /// Sends `data` to the connected peer `id`; `options` as for `sendMessage`.
    #[wasm_bindgen(js_name = sendTo)]
    pub fn send_to(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SendOptions")] options: Option<JsValue>,
    ) -> Result<(), JsValue> {
        // Most messages never get here: the object's own `sendTo` sent them from JS.
        let delivery = read_delivery(&options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(self.peer.send_to_with(&peer_id(&id)?, &Payload::from_js(data), delivery)?)
    }

    /// Bytes waiting to go out to the peer `id` (queued plus in the data channel).
    #[wasm_bindgen(js_name = bufferedAmount)]
    pub fn buffered_amount(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<f64, JsValue> {
        Ok(self.peer.buffered_amount(&peer_id(&id)?)? as f64)
    }

    /// Resolves once everything queued for the peer `id` has been handed to its data
    /// channel. Await it when `bufferedAmount(id)` grows large, to send at the
    /// channel's pace; `sendTo` fails with "queue is full" past 64 MiB queued.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn ready(&self, id: String) -> Promise {
        let drained = self.peer.ready(&PeerId::new(id));
        future_to_promise(async move {
            drained.await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// What the browser says about the path to the peer `id`: `{state, path,
    /// remotePath, relayProtocol, rttMs, bytesSent, bytesReceived, bufferedAmount}`,
    /// `path` being our end of the selected candidate pair ("host", "srflx", "prflx" or
    /// "relay") and `relayProtocol` how we reach the relay ("udp", "tcp" or "tls").
    #[wasm_bindgen(unchecked_return_type = "Promise<PathStats>")]
    pub fn stats(&self, id: String) -> Promise {
        let stats = self.peer.stats(&PeerId::new(id));
        future_to_promise(async move { Ok(path_stats_js(&stats.await?)) })
    }

    /// `cb({from, fromName, data})` for every message received (the pattern's
    /// receive_message). Pass `null` to remove it.
    #[wasm_bindgen(js_name = onMessage)]
    pub fn on_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((message: ReceivedMessage) => void) | null")]
        cb: Option<Function>,
    ) {
        self.peer.plain_messages().set_handler(cb.as_ref());
        self.callbacks.set(Kind::Message, cb);
    }

    /// `cb({id, name})` when a peer enters the room.
    #[wasm_bindgen(js_name = onPeerJoined)]
    pub fn on_peer_joined(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((peer: PeerInfo) => void) | null")] cb: Option<
            Function,
        >,
    ) {
        self.callbacks.set(Kind::PeerJoined, cb);
    }

    /// `cb({id, name})` when a peer leaves the room.
    #[wasm_bindgen(js_name = onPeerLeft)]
    pub fn on_peer_left(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((peer: PeerInfo) => void) | null")] cb: Option<
            Function,
        >,
    ) {
        self.callbacks.set(Kind::PeerLeft, cb);
    }

    /// `cb({id, name})` when a data channel to a peer opens (whoever connected).
    #[wasm_bindgen(js_name = onConnected)]
    pub fn on_connected(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((peer: PeerInfo) => void) | null")] cb: Option<
            Function,
        >,
    ) {
        self.callbacks.set(Kind::Connected, cb);
    }

    /// `cb({id, name, reason})` when the data channel to a peer closes (either side
    /// disconnected, the peer left, or its path failed and ICE restarts could not
    /// restore it).
    #[wasm_bindgen(js_name = onDisconnected)]
    pub fn on_disconnected(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((peer: Disconnection) => void) | null")] cb: Option<
            Function,
        >,
    ) {
        self.callbacks.set(Kind::Disconnected, cb);
    }

    /// `cb(state, reason?)` when the signaling connection changes: "reconnecting" (it
    /// dropped; open channels go on, the peer rejoins as itself), "connected" (back:
    /// same id, `peers()` complete), "closed" (over for good).
    #[wasm_bindgen(js_name = onSignalingState)]
    pub fn on_signaling_state(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "((state: SignalingState, reason?: string) => void) | null"
        )]
        cb: Option<Function>,
    ) {
        self.callbacks.set(Kind::SignalingState, cb);
    }

    /// `cb(reason)` when the signaling connection is over for good (a refused rejoin, or
    /// it dropped with reconnecting turned off). Open channels keep working; new connections
    /// cannot be made.
    #[wasm_bindgen(js_name = onSignalingClosed)]
    pub fn on_signaling_closed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((reason: string) => void) | null")] cb: Option<
            Function,
        >,
    ) {
        self.callbacks.set(Kind::SignalingClosed, cb);
    }

    /// Leaves the room and closes every connection.
    pub fn close(&self) {
        self.peer.close();
    }
}

impl Drop for JsPeer {
    /// `free()`, or the object collected: its own methods stop answering from JS, so
    /// they reach the class's, which throw as for any freed object.
    fn drop(&mut self) {
        self.peer.plain_messages().shut();
    }
}

/// `{state, path, remotePath, relayProtocol, rttMs, bytesSent, bytesReceived,
/// bufferedAmount}`.
fn path_stats_js(stats: &PathStats) -> JsValue {
    let object = js_sys::Object::new();
    let rtt = stats.rtt_ms.map_or(JsValue::NULL, JsValue::from);
    let fields: [(&str, JsValue); 8] = [
        ("state", stats.state.as_str().into()),
        ("path", stats.path.as_str().into()),
        ("remotePath", stats.remote_path.as_str().into()),
        ("relayProtocol", stats.relay_protocol.as_str().into()),
        ("rttMs", rtt),
        ("bytesSent", stats.bytes_sent.into()),
        ("bytesReceived", stats.bytes_received.into()),
        ("bufferedAmount", stats.buffered_amount.into()),
    ];
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &key.into(), &value);
    }
    object.into()
}

/// A peer id the page passed (typed `string`, but JS may pass anything).
fn peer_id(id: &JsValue) -> Result<PeerId, JsError> {
    id.as_string().map(PeerId::new).ok_or_else(|| JsError::new("a peer id must be a string"))
}
