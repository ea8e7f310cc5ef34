//! Peer-to-peer messaging between browser tabs over WebRTC data channels.
//!
//! Each tab runs a [`Peer`]: it joins a room through a small signaling server (which
//! only relays WebRTC offers, answers and ICE candidates) and then talks to the other
//! peers over direct data channels. Every peer is client and server at once: it can
//! `connect` to any peer of the room, accepts connections from any of them, and sends
//! to all or to one.
//!
//! Layout: this file is only the `#[wasm_bindgen]` surface for JS; [`Peer`] in
//! `peer.rs` is the Rust API. The connection logic is a sans-IO state machine, the
//! `peer-core` crate (its docs say how it is driven); `driver/` carries out what it
//! decides against the browser. `connection.rs` owns one `RTCPeerConnection`, its data channel and
//! listeners, `negotiation.rs` its offer/answer task, `reporter.rs` how both report
//! back; `signaling.rs` is the transport interface, with `websocket.rs` (the server)
//! and `local_hub.rs` (in-page) behind it; `payload.rs` is what messages carry,
//! `framing.rs` how they travel (chunked past the SCTP message limit),
//! `send_queue.rs` the backpressure; `unreliable.rs` the second, unreliable channel and
//! `delivery.rs` the option that picks it; `files/` the file transfers beside the
//! messages (`js_files.rs` their JS classes); `identity.rs` the key that signs our
//! signals, `sealing.rs` the passphrase's key that encrypts them; `error.rs` the one
//! error type.

mod api;
mod driver;
mod error;
mod files;
mod ice;
mod identity;
mod js;
mod log;
mod signaling;
mod timer;
mod transport;
mod wire;

pub use api::delivery::Delivery;
pub use api::events::PeerEvent;
pub use api::join_options::JoinOptions;
pub use api::peer::Peer;
pub use api::room::Room;
pub use error::PeerError;
pub use files::{IncomingFile, MAX_FILE_BYTES, OutgoingFile};
pub use identity::Identity;
pub use signaling::link::{SignalingEvent, SignalingLink, SignalingTransport};
pub use signaling::local_hub::LocalHub;
pub use signaling::websocket::WebSocketSignaling;
pub use signaling_protocol::{IceServer, PeerId, PeerInfo};
pub use transport::send_queue::MAX_QUEUED_BYTES;
pub use transport::stats::PathStats;
pub use transport::unreliable::MAX_UNRELIABLE_BUFFERED;
pub use wire::framing::MAX_MESSAGE_BYTES;
pub use wire::payload::Payload;
/// Most hops a broadcast travels through the mesh ([`Peer::broadcast`]).
pub const MAX_BROADCAST_HOPS: u8 = peer_core::MAX_TTL;

use js::callbacks::{Callbacks, Kind, peer_list_js};
use js_sys::{Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** How to join, beyond the room and the name. */
export interface JoinOptions {
  /** The room's secret (a private room). */
  secret?: string;
  /**
   * Join as this identity (from `Peer.createIdentity()`, kept e.g. in IndexedDB): the
   * peer gets the same id as before. Default: a new identity, so a new id.
   */
  identity?: CryptoKeyPair;
  /**
   * Encrypt signals end to end with a key derived from this passphrase and the room, so
   * the server sees no SDP and no candidates (no addresses). Only peers that joined with
   * the same passphrase connect; others fail at once, saying why.
   */
  passphrase?: string;
  /** Use these STUN/TURN servers instead of the signaling server's. */
  iceServers?: RTCIceServer[];
  /** "relay": connect through TURN only. Default "all". */
  iceTransportPolicy?: "all" | "relay";
  /**
   * Rejoin, as the same peer, when the signaling connection drops (default true:
   * waits of 250 ms doubling up to 3 s, jittered). false: signaling then ends.
   */
  reconnect?: boolean | { minDelayMs?: number; maxDelayMs?: number };
  /**
   * true: signals go through connected peers whenever some open channel leads to their
   * target (signed by their sender), not only while the server is gone. Default false.
   */
  meshSignaling?: boolean;
  /**
   * false: signal the room's peers in other tabs of this browser through the server
   * too. Default true: over a BroadcastChannel.
   */
  sameOriginSignaling?: boolean;
}
/** Where the signaling connection is. */
export type SignalingState = "connected" | "reconnecting" | "closed";
/** How a message travels (`sendTo` and `sendMessage`). */
export interface SendOptions {
  /**
   * false: unordered, sent once with no retransmits (may be lost or overtake another),
   * at most one channel message (256 KiB in Chromium; larger is refused, not chunked).
   * Default true: ordered, retransmitted, any size.
   */
  reliable?: boolean;
}
/** The path of one connection, from getStats(). */
export interface PathStats {
  state: RTCPeerConnectionState;
  /** Our end of the selected candidate pair ("" until one is selected). */
  path: "host" | "srflx" | "prflx" | "relay" | "";
  remotePath: "host" | "srflx" | "prflx" | "relay" | "";
  /** How we reach our TURN server when `path` is "relay" ("" otherwise). */
  relayProtocol: "udp" | "tcp" | "tls" | "";
  rttMs: number | null;
  bytesSent: number;
  bytesReceived: number;
  bufferedAmount: number;
}
/** A peer of the room. */
export interface PeerInfo { id: string; name: string }
/** A connection that ended: the peer, and why. */
export interface Disconnection extends PeerInfo { reason: string }
/** A message received on a data channel. */
export interface ReceivedMessage {
  /** The sender: for a broadcast, the peer that broadcast it. */
  from: string;
  fromName: string;
  /** Present (true) on a broadcast, which may have come through other peers. */
  broadcast?: true;
  /**
   * The same kind the sender sent: a string, a Uint8Array (or any other typed array,
   * DataView or ArrayBuffer, rebuilt as that kind), or a JSON value.
   */
  data: string | Uint8Array | ArrayBufferView | ArrayBuffer | unknown;
}
"#;

/// A peer in a room, for JS: `await Peer.join(url, room, name)`.
#[wasm_bindgen(js_name = Peer)]
pub struct JsPeer {
    peer: Peer,
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
    pub async fn join(
        url: String,
        room: String,
        name: String,
        #[wasm_bindgen(unchecked_optional_param_type = "string | JoinOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<JsPeer, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let secret = match options.as_string() {
            Some(secret) => Some(secret),
            None => js_sys::Reflect::get(&options, &"secret".into())
                .ok()
                .filter(|secret| !secret.is_undefined() && !secret.is_null())
                .map(|secret| {
                    secret.as_string().ok_or(PeerError::InvalidInput {
                        what: "secret",
                        reason: "expected a string",
                    })
                })
                .transpose()?,
        };
        let mut target = Room::new(&room);
        if let Some(secret) = secret.as_deref() {
            target = target.with_secret(secret);
        }
        let mut join_options = JoinOptions::from_js(&options)?;
        if let Some(pair) = JoinOptions::identity_from_js(&options) {
            join_options = join_options.identity(Identity::from_key_pair(pair).await?);
        }
        let peer = Peer::join_with_options(&url, target, &name, join_options).await?;
        let callbacks = Rc::new(Callbacks::default());
        let dispatch = Rc::clone(&callbacks);
        peer.set_event_handler(move |event| dispatch.dispatch(event));
        Ok(JsPeer { peer, callbacks })
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
        let delivery = Delivery::from_js(&options.unwrap_or(JsValue::UNDEFINED))?;
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
        id: String,
        data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SendOptions")] options: Option<JsValue>,
    ) -> Result<(), JsValue> {
        let delivery = Delivery::from_js(&options.unwrap_or(JsValue::UNDEFINED))?;
        Ok(self.peer.send_to_with(&PeerId::new(id), &Payload::from_js(data), delivery)?)
    }

    /// Bytes waiting to go out to the peer `id` (queued plus in the data channel).
    #[wasm_bindgen(js_name = bufferedAmount)]
    pub fn buffered_amount(&self, id: String) -> Result<f64, JsValue> {
        Ok(self.peer.buffered_amount(&PeerId::new(id))? as f64)
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
        future_to_promise(async move { Ok(stats.await?.to_js()) })
    }

    /// `cb({from, fromName, data})` for every message received (the pattern's
    /// receive_message). Pass `null` to remove it.
    #[wasm_bindgen(js_name = onMessage)]
    pub fn on_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((message: ReceivedMessage) => void) | null")]
        cb: Option<Function>,
    ) {
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
