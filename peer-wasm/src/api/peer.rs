//! The `Peer`: joins a room through a signaling transport, then hands everything to its
//! driver (`driver/`), which runs the state machine (the `peer-core` crate). This is the Rust API;
//! `js/peer_class.rs` wraps it for JS.

use crate::api::delivery::Delivery;
use crate::api::events::PeerEvent;
use crate::api::join_options::JoinOptions;
use crate::api::room::Room;
use crate::driver::{Driver, Ice, Setup};
use crate::error::PeerError;
use crate::files::{IncomingFile, OutgoingFile};
use crate::ice;
use crate::identity::Identity;
use crate::signaling::join::{JoinRequest, handshake};
use crate::signaling::link::SignalingLink;
use crate::signaling::rejoin::Rejoin;
use crate::signaling::sealing::SealKey;
use crate::signaling::websocket::WebSocketSignaling;
use crate::transport::plain_messages::MessageSink;
use crate::transport::stats::{self, PathStats};
use crate::wire::framing;
use crate::wire::payload::Payload;
use signaling_protocol::{
    ErrorCode, PeerId, PeerInfo, key_matches_id, safety_number, validate_name, validate_room,
    validate_secret,
};
use std::future::Future;
use std::rc::Rc;

/// One peer in a room: client and server at once. Connects to other peers over WebRTC
/// data channels, sends to all or one of them, and reports what happens through the
/// handler given to [`Peer::set_event_handler`]. Dropping it closes it.
pub struct Peer {
    driver: Rc<Driver>,
}

impl Peer {
    /// Joins `room` (a room name, or a [`Room`] with a secret) as `name` through the
    /// signaling server at `url` (e.g. `ws://127.0.0.1:8080/ws`); resolves once the
    /// server has assigned our id.
    pub async fn join(url: &str, room: impl Into<Room<'_>>, name: &str) -> Result<Self, PeerError> {
        Self::join_with_options(url, room, name, JoinOptions::default()).await
    }

    /// [`Peer::join`] with [`JoinOptions`] (the page's own ICE servers, relay only, how
    /// to rejoin when the signaling connection drops).
    pub async fn join_with_options(
        url: &str,
        room: impl Into<Room<'_>>,
        name: &str,
        options: JoinOptions,
    ) -> Result<Self, PeerError> {
        let room = room.into();
        check_join(room, name, &options)?;
        // The key pair is made while the socket opens.
        let (link, identity) =
            futures_util::future::join(WebSocketSignaling::open(url), identity_for(&options)).await;
        Self::start(link?, identity?, room, name, options, Some(url)).await
    }

    /// Joins `room` as `name` over any signaling transport (see
    /// [`crate::LocalHub`] for one that lives in the page). Such a transport cannot be
    /// reopened: when it closes, signaling is over.
    pub async fn join_with(
        link: SignalingLink,
        room: impl Into<Room<'_>>,
        name: &str,
    ) -> Result<Self, PeerError> {
        Self::join_over(link, room, name, JoinOptions::default()).await
    }

    /// [`Peer::join_with`] with [`JoinOptions`].
    pub async fn join_over(
        link: SignalingLink,
        room: impl Into<Room<'_>>,
        name: &str,
        options: JoinOptions,
    ) -> Result<Self, PeerError> {
        let room = room.into();
        check_join(room, name, &options)?;
        let identity = identity_for(&options).await?;
        Self::start(link, identity, room, name, options, None).await
    }

    /// Joins over `link`, then hands everything to the driver; with `url`, the peer
    /// rejoins there when the link drops.
    async fn start(
        mut link: SignalingLink,
        identity: Identity,
        room: Room<'_>,
        name: &str,
        options: JoinOptions,
        url: Option<&str>,
    ) -> Result<Self, PeerError> {
        let request = JoinRequest {
            room: room.name().to_owned(),
            name: name.to_owned(),
            secret: room.secret().map(str::to_owned),
            identity: identity.clone(),
        };
        // The passphrase's key (100,000 rounds of PBKDF2) is derived during the handshake.
        let seal_key = async {
            match options.own_passphrase() {
                Some(passphrase) => SealKey::derive(passphrase, room.name()).await.map(Some),
                None => Ok(None),
            }
        };
        let (welcome, seal_key) =
            futures_util::future::join(handshake(&mut link, &request), seal_key).await;
        let (welcome, seal_key) = (welcome?, seal_key?);
        let key = Some(identity.key().to_owned());
        let me = PeerInfo { id: welcome.id, name: name.to_owned(), key };
        let ice = Ice::new(&options, welcome.ice_servers);
        let rejoin = url.map(|url| Rejoin::new(url, request));
        let room = room.name().to_owned();
        let signer = identity;
        let same_origin = url.filter(|_| options.signals_same_origin()).map(str::to_owned);
        let setup = Setup {
            backoff: options.reconnect(),
            signer,
            prefer_mesh: options.prefers_mesh(),
            same_origin,
            seal_key,
        };
        let driver = Driver::start(me, room, welcome.roster, ice, link, rejoin, setup);
        Ok(Self { driver })
    }

    /// Our id: derived from our public key, the same in every room and on every server
    /// for as long as the page keeps its [`Identity`].
    pub fn id(&self) -> &PeerId {
        &self.driver.me.id
    }

    /// Our identity (its key pair can be kept, e.g. in IndexedDB, to join again as the
    /// same peer).
    pub fn identity(&self) -> &Identity {
        &self.driver.signer
    }

    /// A code of 20 digits, the same on both ends, that two people can compare out of
    /// band (read aloud, side by side) to check that the peer they talk to holds the key
    /// of its id as they see it, with no one in the middle; `None` for a peer of the room
    /// whose key we do not have, or no such peer.
    pub fn safety_number(&self, peer: &PeerId) -> Option<String> {
        let core = self.driver.core();
        let known = core.roster().iter().find(|known| known.id == *peer)?;
        let key = known.key.as_deref().filter(|key| key_matches_id(key, peer))?;
        Some(safety_number(self.driver.signer.key(), key))
    }

    /// How many signals from other peers were dropped: forged or altered on the way,
    /// replayed, too old, or from a peer whose key is not the key of its id.
    pub fn rejected_signals(&self) -> u32 {
        self.driver.core().rejected_signals()
    }

    /// Our display name.
    pub fn name(&self) -> &str {
        &self.driver.me.name
    }

    /// The room we joined.
    pub fn room(&self) -> &str {
        &self.driver.room
    }

    /// The other peers in the room, in the order they joined.
    pub fn peers(&self) -> Vec<PeerInfo> {
        self.driver.core().roster().to_vec()
    }

    /// The peers with an open data channel to us. A peer leaves this list the moment a
    /// disconnect begins (from either side), before its `Disconnected` event.
    pub fn connected_peers(&self) -> Vec<PeerInfo> {
        self.driver.core().connected()
    }

    /// Sets the function that receives every [`PeerEvent`] (replacing any earlier one).
    pub fn set_event_handler(&self, handler: impl FnMut(PeerEvent) + 'static) {
        self.driver.set_handler(Box::new(handler));
    }

    /// The JS API's fast path for plain messages, straight between the page and the
    /// channels (see `transport/plain_messages.rs`).
    pub(crate) fn plain_messages(&self) -> &MessageSink {
        self.driver.plain_messages()
    }

    /// Opens a data channel to `peer`; resolves once it is open (the remote then counts
    /// us as connected too). Resolves at once when already connected; joins the pending
    /// attempt when one is under way, whichever side started it. Fails when the channel
    /// has not opened within 15 s, or within up to 60 s while the negotiation keeps
    /// making progress (a signal from the remote, a change of path, in each 15 s).
    pub fn connect(&self, peer: &PeerId) -> impl Future<Output = Result<(), PeerError>> + use<> {
        self.driver.connect(peer.clone())
    }

    /// Closes the data channel to `peer` on both sides, behind what was already sent;
    /// resolves once it has closed (at once when not connected).
    pub fn disconnect(&self, peer: &PeerId) -> impl Future<Output = ()> + use<> {
        self.driver.disconnect(peer.clone())
    }

    /// Sends `payload` to every connected peer; returns how many it was sent to.
    /// Payloads of any size up to [`crate::MAX_MESSAGE_BYTES`] arrive as one message.
    /// Fails, sending to nobody, when the queue of any connected peer is full.
    pub fn send_message(&self, payload: &Payload) -> Result<usize, PeerError> {
        self.send_message_with(payload, Delivery::Reliable)
    }

    /// Sends `payload` to every peer of the room, not only the connected ones: each
    /// neighbour passes it on to its own, so it reaches everyone the mesh connects, each
    /// once, within [`crate::MAX_BROADCAST_HOPS`] hops. Receivers get it as
    /// [`PeerEvent::Broadcast`], from this peer. Returns to how many neighbours it went
    /// out; fails, sending to nobody, when the queue of any of them is full.
    pub fn broadcast(&self, payload: &Payload) -> Result<usize, PeerError> {
        self.driver.broadcast(payload)
    }

    /// Sends `text` to `peer` as one raw frame on the reliable channel, around the
    /// framing: for tests that play a misbehaving peer. Not part of the API.
    #[doc(hidden)]
    pub fn send_raw_frame(&self, peer: &PeerId, text: &str) -> Result<(), PeerError> {
        let frame = framing::Frame::Text(text.into());
        self.driver.with_open(peer, |connection| connection.send_control(frame))
    }

    /// [`Peer::send_message`], reliably or not (see [`Delivery`]). Unreliably, it fails,
    /// sending to nobody, when the message does not fit the smallest limit among the
    /// connected peers or the unreliable channel of any of them is backed up.
    pub fn send_message_with(
        &self,
        payload: &Payload,
        delivery: Delivery,
    ) -> Result<usize, PeerError> {
        self.driver.send_message(payload, delivery)
    }

    /// Sends `payload` to one connected peer.
    pub fn send_to(&self, peer: &PeerId, payload: &Payload) -> Result<(), PeerError> {
        self.send_to_with(peer, payload, Delivery::Reliable)
    }

    /// [`Peer::send_to`], reliably or not (see [`Delivery`]).
    pub fn send_to_with(
        &self,
        peer: &PeerId,
        payload: &Payload,
        delivery: Delivery,
    ) -> Result<(), PeerError> {
        self.driver.with_open(peer, |connection| match delivery {
            Delivery::Reliable => {
                connection.send(framing::encode(payload, connection.max_frame())?)
            }
            Delivery::Unreliable => connection
                .send_unreliable(&framing::encode_single(payload, connection.max_frame())?),
        })
    }

    /// Sends `blob` (a `File` or any `Blob`, up to [`crate::MAX_FILE_BYTES`]) to `peer`
    /// as the file `name`, read a slice at a time as the channel takes it, beside
    /// messages (which do not wait for the file). The returned handle gives progress,
    /// the end, and cancel.
    pub fn send_file(
        &self,
        peer: &PeerId,
        blob: &web_sys::Blob,
        name: &str,
    ) -> Result<OutgoingFile, PeerError> {
        self.driver.with_open(peer, |connection| connection.send_file(blob, name))
    }

    /// Sets the function that receives each file a peer starts sending, as its offer
    /// arrives (replacing any earlier one). Without one, offers are refused.
    pub fn set_file_handler(&self, handler: impl FnMut(IncomingFile) + 'static) {
        self.driver.set_file_handler(Some(Box::new(handler)));
    }

    /// Removes the file handler: offers are refused from now on.
    pub fn clear_file_handler(&self) {
        self.driver.set_file_handler(None);
    }

    /// Bytes waiting to go out to `peer`: queued by this crate plus in the data
    /// channel's own buffer.
    pub fn buffered_amount(&self, peer: &PeerId) -> Result<usize, PeerError> {
        self.driver.with_open(peer, |connection| Ok(connection.buffered_amount()))
    }

    /// Resolves once everything queued for `peer` has been handed to its data channel:
    /// await it when [`Peer::buffered_amount`] grows large to send at the channel's pace.
    pub fn ready(&self, peer: &PeerId) -> impl Future<Output = Result<(), PeerError>> + use<> {
        let drained = self.driver.with_open(peer, |connection| Ok(connection.drained()));
        let peer = peer.clone();
        async move {
            // Canceled when the connection ends first: the data will never go out.
            drained?.await.map_err(|_| PeerError::NotConnected(peer))
        }
    }

    /// What the browser says about the path to `peer` (see [`crate::PathStats`]).
    pub fn stats(
        &self,
        peer: &PeerId,
    ) -> impl Future<Output = Result<PathStats, PeerError>> + use<> {
        let opened =
            self.driver.with_open(peer, |c| Ok((c.peer_connection(), c.buffered_amount())));
        async move {
            let (pc, buffered) = opened?;
            stats::read(pc, buffered).await
        }
    }

    /// Leaves the room: closes every connection (telling each remote) and the
    /// signaling transport. Later calls fail with [`PeerError::Closed`].
    pub fn close(&self) {
        self.driver.close();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.driver.close();
    }
}

/// Rejects a room, secret or name locally with the same rule the server applies, and ICE
/// servers the browser would refuse.
fn check_join(room: Room<'_>, name: &str, options: &JoinOptions) -> Result<(), PeerError> {
    let invalid =
        |what, code: ErrorCode| PeerError::InvalidInput { what, reason: code.description() };
    validate_room(room.name()).map_err(|code| invalid("room", code))?;
    room.secret().map(validate_secret).transpose().map_err(|code| invalid("secret", code))?;
    validate_name(name).map_err(|code| invalid("name", code))?;
    if options.own_passphrase().is_some_and(|passphrase| passphrase.0.is_empty()) {
        let reason = "expected a non-empty string";
        return Err(PeerError::InvalidInput { what: "passphrase", reason });
    }
    match options.own_servers() {
        Some(servers) => ice::check(&ice::configuration(servers, options.is_relay_only())),
        None => Ok(()),
    }
}

/// The identity the options give, or a new one.
async fn identity_for(options: &JoinOptions) -> Result<Identity, PeerError> {
    match options.own_identity() {
        Some(identity) => Ok(identity.clone()),
        None => Identity::generate().await,
    }
}
