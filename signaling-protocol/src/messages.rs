//! The messages on the signaling WebSocket, in both directions.

use crate::{IceServer, PeerId, PeerInfo, SessionId};
use serde::{Deserialize, Serialize};

/// The WebSocket close code of a connection whose seat a newer connection with the same
/// key took (4000-4999 are for applications): its peer must not rejoin by itself
/// (docs/PROTOCOL.md, "Taking a seat over").
pub const TAKEN_OVER_CLOSE_CODE: u16 = 4000;

/// A message from a client to the signaling server.
///
/// `S` is what a signal carries: peers speak [`Signal`]; the server relays it without
/// reading it (it instantiates `S` with an opaque JSON object), so new signal kinds need
/// no server change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage<S = Signal> {
    /// Enter `room` under the display name `name`, as the peer whose key is `key`. Must be
    /// the first message, sent once, after the server's [`ServerMessage::Challenge`].
    /// Answered by [`ServerMessage::Welcome`] or an [`ServerMessage::Error`]. A join with
    /// the key of a peer already in the room takes its place (the earlier connection is
    /// closed with code [`TAKEN_OVER_CLOSE_CODE`]).
    Join {
        /// Room to enter (see [`crate::validate_room`]); created on first join.
        room: String,
        /// Display name shown to the other peers (see [`crate::validate_name`]).
        name: String,
        /// The room's secret (see [`crate::validate_secret`]). The first peer to enter a
        /// room sets it (or leaves the room open, without one); every later join must
        /// present the same, or is refused with [`ErrorCode::WrongSecret`]. Omitted from
        /// the JSON when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
        /// The peer's public key (see [`crate::validate_key`]): the server gives the peer
        /// the id it derives from it ([`crate::peer_id_for`]), and hands it to the room's
        /// other peers in its [`PeerInfo`], who check the peer's signals against it. Empty
        /// or absent: refused with [`ErrorCode::InvalidKey`].
        #[serde(default)]
        key: String,
        /// The key's signature of [`crate::join_text`] over this connection's
        /// [`ServerMessage::Challenge`] and `room` (base64url, no padding): the proof that
        /// the peer holds the private key. Refused with [`ErrorCode::InvalidProof`] when it
        /// does not verify.
        #[serde(default)]
        proof: String,
    },
    /// Relay `signal` to the peer `to` in the same room. The server adds the sender's id;
    /// any sender field the client adds is ignored.
    Signal {
        /// The peer to deliver the signal to.
        to: PeerId,
        /// What to relay: any JSON object, passed on unread (peers send a [`Signal`]).
        signal: S,
    },
}

/// A message from the signaling server to a client (`S` as in [`ClientMessage`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<S = Signal> {
    /// The first message on every connection: what the join's `proof` signs.
    Challenge {
        /// 16 random bytes in base64url without padding, new for each connection.
        nonce: String,
    },
    /// The join succeeded.
    Welcome {
        /// This peer's id, derived from its key ([`crate::peer_id_for`]).
        id: PeerId,
        /// The room joined.
        room: String,
        /// The peers already in the room, oldest first (this client excluded).
        peers: Vec<PeerInfo>,
        /// The ICE servers this peer's connections should use: STUN as configured, TURN
        /// with credentials minted for this peer. Omitted when the server has none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ice_servers: Vec<IceServer>,
    },
    /// Renewed ICE servers, sent before the TURN credentials of the earlier ones expire;
    /// they replace them for the connections made from now on.
    IceServers {
        /// As in [`ServerMessage::Welcome`].
        ice_servers: Vec<IceServer>,
    },
    /// Another peer entered the room.
    PeerJoined {
        /// Who joined.
        peer: PeerInfo,
    },
    /// Another peer left the room (it said so, or its socket dropped).
    PeerLeft {
        /// Who left.
        peer: PeerInfo,
    },
    /// A signal relayed from another peer of the same room.
    Signal {
        /// The sender, as the server knows it (never taken from the client).
        from: PeerId,
        /// The relayed object, exactly as the sender wrote it.
        signal: S,
    },
    /// A request was refused. The connection stays open unless the code says otherwise.
    Error {
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
        /// When the refused message was a `signal`: the peer it was addressed to, so the
        /// sender knows which negotiation failed. Omitted from the JSON otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<PeerId>,
    },
}

/// What one peer tells another to set up (or end) a connection between them: one step
/// of one session. The server relays it without reading it; this is the format peers
/// of this crate agree on (docs/PROTOCOL.md, "Signals").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// The connection attempt this step belongs to, chosen by the peer that sent the
    /// offer. A step for any other session than the current one is stale and dropped.
    pub session: SessionId,
    /// When the sender signed it, in milliseconds since the Unix epoch by its clock: a
    /// receiver drops a signal more than 5 minutes from its own time.
    #[serde(default)]
    pub at: u64,
    /// The sender's signature of [`crate::signal_text`] (base64url, no padding): the
    /// receiver checks it against the sender's key before it acts on the signal.
    #[serde(default)]
    pub sig: String,
    /// The step itself.
    #[serde(flatten)]
    pub step: Step,
}

impl Signal {
    /// An unsigned signal (`at` 0, no `sig`): what the state machine makes, and the
    /// signer stamps and signs before it goes out.
    pub fn new(session: SessionId, step: Step) -> Self {
        Self { session, at: 0, sig: String::new(), step }
    }
}

/// One step of WebRTC negotiation, tagged by `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// An SDP offer (`RTCSessionDescription` of type `offer`): starts the session.
    Offer {
        /// The session description text.
        sdp: String,
    },
    /// An SDP answer to the session's offer.
    Answer {
        /// The session description text.
        sdp: String,
    },
    /// A trickled ICE candidate.
    Candidate {
        /// The `candidate` attribute line.
        candidate: String,
        /// The media stream identification tag the candidate belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mid: Option<String>,
        /// Index of the media description the candidate belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_m_line_index: Option<u16>,
    },
    /// An ICE restart offer within the session: new ICE credentials for the same
    /// connection, whose data channel stays open. Sent by the larger id when the path
    /// failed; answered by an `answer`.
    Restart {
        /// The session description text.
        sdp: String,
    },
    /// Any other step, encrypted for peers that share the room's passphrase, so that
    /// whoever carries it reads neither its SDP nor its candidates (docs/PROTOCOL.md,
    /// "Sealed signals"). A `bye` is never sealed: a peer with another passphrase, or
    /// none, can still be told why.
    Sealed {
        /// base64url without padding of the 12-byte AES-GCM nonce followed by the
        /// ciphertext (with its 16-byte tag) of the inner signal's JSON text.
        data: String,
    },
    /// The sender ended the session (closed the connection, or gave up connecting).
    Bye {
        /// Why, for people (e.g. that it could not create a connection). Omitted when
        /// absent; a receiver shows at most its first 200 characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// Why the server refused a message. Serialized in snake_case, e.g. `"unknown_peer"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The frame was not valid JSON or not a known message.
    MalformedMessage,
    /// A binary frame arrived; the protocol is text only.
    BinaryNotSupported,
    /// A signal arrived before a successful join.
    NotJoined,
    /// A second join arrived on a connection that already joined.
    AlreadyJoined,
    /// The display name breaks the rules of [`crate::validate_name`].
    InvalidName,
    /// The room name breaks the rules of [`crate::validate_room`].
    InvalidRoom,
    /// The room holds as many peers as the server allows.
    RoomFull,
    /// The signal's target is not in the sender's room.
    UnknownPeer,
    /// The signal's target is the sender itself.
    SignalToSelf,
    /// The connection sent messages faster than the server allows; this one was dropped.
    RateLimited,
    /// The server holds as many rooms as it allows; join an existing room or retry later.
    TooManyRooms,
    /// The room was created with a secret and the join did not present it (or
    /// presented a secret to a room created without one).
    WrongSecret,
    /// This server only opens rooms that have a secret; the join presented none.
    SecretRequired,
    /// The secret breaks the rules of [`crate::validate_secret`].
    InvalidSecret,
    /// The join's `proof` is not its key's signature of this connection's challenge and
    /// room. The join had no effect.
    InvalidProof,
    /// The join's public key is missing or breaks the rules of [`crate::validate_key`].
    InvalidKey,
    /// The server cannot reach the room state it shares with other instances (its Redis
    /// is down or restarting): the join or signal had no effect. Try again shortly; a
    /// peer-wasm peer retries its rejoin by itself.
    Unavailable,
    /// A code this version does not know (sent by a newer server).
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// A sentence a person can read, used as the `message` of an error reply.
    pub fn description(self) -> &'static str {
        match self {
            Self::MalformedMessage => "the message is not valid JSON or not a known message",
            Self::BinaryNotSupported => "binary frames are not supported; send JSON text",
            Self::NotJoined => "join a room before sending signals",
            Self::AlreadyJoined => "this connection has already joined a room",
            Self::InvalidName => "the name must be 1 to 64 printable characters",
            Self::InvalidRoom => "the room must be 1 to 64 of A-Z a-z 0-9 - _ .",
            Self::RoomFull => "the room is full",
            Self::UnknownPeer => "no such peer in this room",
            Self::SignalToSelf => "a peer cannot signal itself",
            Self::RateLimited => "too many messages; this one was dropped, slow down",
            Self::TooManyRooms => "the server holds too many rooms; try an existing room or later",
            Self::WrongSecret => "this room has a different secret",
            Self::SecretRequired => "this server requires a room secret",
            Self::InvalidSecret => "the secret must be 1 to 128 printable characters",
            Self::InvalidProof => {
                "the join's proof is not its key's signature of this connection's challenge \
                 and room"
            }
            Self::InvalidKey => {
                "the join must carry a P-256 public key: 87 base64url characters of an \
                 uncompressed point"
            }
            Self::Unavailable => {
                "the server cannot reach its shared room state right now; try again shortly"
            }
            Self::Other => "unknown error",
        }
    }

    /// The code as it is on the wire, e.g. `"unknown_peer"` (also a metrics label).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedMessage => "malformed_message",
            Self::BinaryNotSupported => "binary_not_supported",
            Self::NotJoined => "not_joined",
            Self::AlreadyJoined => "already_joined",
            Self::InvalidName => "invalid_name",
            Self::InvalidRoom => "invalid_room",
            Self::RoomFull => "room_full",
            Self::UnknownPeer => "unknown_peer",
            Self::SignalToSelf => "signal_to_self",
            Self::RateLimited => "rate_limited",
            Self::TooManyRooms => "too_many_rooms",
            Self::WrongSecret => "wrong_secret",
            Self::SecretRequired => "secret_required",
            Self::InvalidSecret => "invalid_secret",
            Self::InvalidProof => "invalid_proof",
            Self::InvalidKey => "invalid_key",
            Self::Unavailable => "unavailable",
            Self::Other => "other",
        }
    }

    /// The code named `wire` (e.g. `"unknown_peer"`); [`ErrorCode::Other`] for a name
    /// this version does not know, as when decoding with serde.
    pub fn from_wire(wire: &str) -> Self {
        Self::ALL.into_iter().find(|code| code.as_str() == wire).unwrap_or(Self::Other)
    }

    /// Every code this version knows, [`ErrorCode::Other`] last.
    pub const ALL: [ErrorCode; 18] = [
        Self::MalformedMessage,
        Self::BinaryNotSupported,
        Self::NotJoined,
        Self::AlreadyJoined,
        Self::InvalidName,
        Self::InvalidRoom,
        Self::RoomFull,
        Self::UnknownPeer,
        Self::SignalToSelf,
        Self::RateLimited,
        Self::TooManyRooms,
        Self::WrongSecret,
        Self::SecretRequired,
        Self::InvalidSecret,
        Self::InvalidProof,
        Self::InvalidKey,
        Self::Unavailable,
        Self::Other,
    ];
}
