//! What goes into the peer's state machine and what comes out of it: the vocabulary
//! shared by the machine, its driver and the connections (with `ids.rs` and
//! `frames.rs`). It names protocol types only, never a JS object.

use crate::error::CoreError;
use crate::frames::MeshFrame;
use crate::ids::{CallId, ConnKey, PathState, RejoinFailure, Role, Way};
use signaling_protocol::{ErrorCode, PeerId, PeerInfo, Signal, Step};

/// Everything the machine reacts to. `M` is a received message, carried unread.
#[derive(Debug)]
pub enum Input<M> {
    /// `connect(peer)` was called.
    Connect {
        /// The remote peer.
        peer: PeerId,
        /// The call to settle.
        call: CallId,
    },
    /// `disconnect(peer)` was called.
    Disconnect {
        /// The remote peer.
        peer: PeerId,
        /// The call to settle.
        call: CallId,
    },
    /// `close()` was called (or the peer was dropped).
    Close,
    /// The server announced a new peer of the room.
    PeerJoined(PeerInfo),
    /// The server announced that a peer left the room.
    PeerLeft(PeerInfo),
    /// A remote's signal, through the server or a tab of this browser, not checked yet
    /// (see `trust.rs`).
    Signal {
        /// The sender.
        from: PeerId,
        /// The signal, its signature unchecked.
        signal: Signal,
    },
    /// The driver checked the signature of a signal ([`Output::Verify`]).
    Checked {
        /// The sender.
        from: PeerId,
        /// The signal, with its time and signature.
        signal: Signal,
        /// The neighbour that relayed it through the mesh (`None`: not through the mesh).
        via: Option<ConnKey>,
        /// What the check found.
        verdict: Verdict,
    },
    /// The server refused one of our messages; `to` names the peer when it was a signal.
    Refused {
        /// The protocol's error code.
        code: ErrorCode,
        /// The server's explanation.
        message: String,
        /// The peer a refused signal was for (`None`: not a signal).
        to: Option<PeerId>,
    },
    /// The signaling transport closed, or an attempt to rejoin failed to reach the
    /// server.
    SignalingClosed {
        /// Why it closed.
        reason: String,
    },
    /// A rejoin ([`Output::Rejoin`]) succeeded: the signaling connection is back, with
    /// the room's members as the server now knows them.
    Rejoined {
        /// The other peers of the room, in the order they joined.
        roster: Vec<PeerInfo>,
    },
    /// An attempt to rejoin ([`Output::Rejoin`]) failed: the machine decides whether a
    /// later attempt may do better (the server was unreachable, full or busy) or
    /// signaling is over (it cannot take us back).
    RejoinFailed {
        /// What stopped it.
        failure: RejoinFailure,
        /// The error's text, as the user is told it.
        error: String,
    },
    /// Signaling is over for good: the server gave our identity to a newer connection.
    SignalingOver {
        /// Why it is over.
        reason: String,
    },
    /// `peer` is in a tab of this browser, reachable without the server (`here`), or is
    /// not any more.
    Nearby {
        /// The peer.
        peer: PeerId,
        /// Whether it is reachable that way now.
        here: bool,
    },
    /// A heartbeat arrived on the connection's channel.
    Heard {
        /// The connection.
        key: ConnKey,
    },
    /// A connection produced a step to send to its remote (its offer, its answer, or a
    /// local ICE candidate); the machine adds the session.
    Outbound {
        /// The connection.
        key: ConnKey,
        /// Our offer, answer or candidate.
        step: Step,
    },
    /// The data channel opened.
    ChannelOpen {
        /// The connection.
        key: ConnKey,
    },
    /// Everything queued went out and the data channel's close has begun.
    ChannelClosing {
        /// The connection.
        key: ConnKey,
    },
    /// The data channel closed.
    ChannelClosed {
        /// The connection.
        key: ConnKey,
    },
    /// A message arrived on the data channel.
    Received {
        /// The connection.
        key: ConnKey,
        /// The message, unread.
        message: M,
    },
    /// The connection's path came up, went quiet or failed.
    Path {
        /// The connection.
        key: ConnKey,
        /// What the path is now.
        state: PathState,
    },
    /// Negotiation failed, or the remote broke the framing: the connection is unusable.
    Failed {
        /// The connection.
        key: ConnKey,
        /// What went wrong.
        reason: String,
    },
    /// A STUN or TURN server refused us (`icecandidateerror`): not fatal by itself
    /// (other candidates may work), but the likely reason if the channel never opens.
    IceServerError {
        /// The connection.
        key: ConnKey,
        /// What the ICE server said.
        detail: String,
    },
    /// A mesh frame arrived on `key`'s channel.
    Mesh {
        /// The connection.
        key: ConnKey,
        /// The frame, decoded.
        frame: MeshFrame<M>,
    },
}

/// What the machine asks the driver to do, or to report, in order.
#[derive(Debug)]
pub enum Output<M> {
    /// Sign a signal (stamping its time) and send it to a remote, the way the machine
    /// chose: through the server, a tab of this browser, or the mesh.
    Signal {
        /// The remote peer.
        to: PeerId,
        /// The signal, not signed yet.
        signal: Signal,
        /// Which way it goes.
        way: Way,
    },
    /// Create the connection `key`. An offerer creates its offer at once and reports it
    /// as [`Input::Outbound`]; an answerer waits for the offer in [`Output::Apply`].
    StartConnection {
        /// The connection.
        key: ConnKey,
        /// Which side of the offer/answer exchange it plays.
        role: Role,
    },
    /// Hand a remote's offer, answer or candidate to the connection `key`, in order.
    Apply {
        /// The connection.
        key: ConnKey,
        /// The remote's offer, answer or candidate.
        step: Step,
    },
    /// Restart ICE on the connection `key` (new credentials, new candidates, the same
    /// data channel), with the latest ICE servers, relayed candidates only if
    /// `relay_only`: its restart offer comes back as [`Input::Outbound`].
    RestartIce {
        /// The connection.
        key: ConnKey,
        /// Gather relayed (TURN) candidates only.
        relay_only: bool,
    },
    /// From its next gathering on, the connection `key` uses relayed candidates only
    /// (the remote's restart offer is coming).
    RelayOnly {
        /// The connection.
        key: ConnKey,
    },
    /// Close the data channel of `key` once everything queued on it went out
    /// (reported as [`Input::ChannelClosing`]); refuse new messages on it.
    CloseChannel {
        /// The connection.
        key: ConnKey,
    },
    /// The machine is done with `key`: tear it down now, or with `graceful`, once what
    /// is queued went out (within a bounded time).
    Release {
        /// The connection.
        key: ConnKey,
        /// Let what is queued go out first.
        graceful: bool,
    },
    /// Answer a waiting `connect()` / `disconnect()` call.
    Settle {
        /// The call to settle.
        call: CallId,
        /// What the call returns.
        result: Result<(), CoreError>,
    },
    /// Report an event to the owner of the peer.
    Emit(Event<M>),
    /// Close the signaling transport (and stop any rejoin under way).
    CloseSignaling,
    /// Open a new signaling connection and rejoin the room as ourselves; reported as
    /// [`Input::Rejoined`] or [`Input::RejoinFailed`].
    Rejoin,
    /// Send a heartbeat on the channel of `key` (unless data is going out anyway).
    Heartbeat {
        /// The connection.
        key: ConnKey,
    },
    /// Something worth a console warning and nothing else.
    Warn(String),
    /// Send a mesh frame on `key`'s channel.
    SendMesh {
        /// The connection.
        key: ConnKey,
        /// The frame to send.
        frame: MeshFrame<M>,
    },
    /// Check that `signal` is `from`'s, signed with `key` for us (and recent): the
    /// verdict comes back as [`Input::Checked`]. `via`: the neighbour that relayed it.
    Verify {
        /// The sender.
        from: PeerId,
        /// The signal, with its time and signature.
        signal: Signal,
        /// The sender's public key, as the room announced it.
        key: String,
        /// The neighbour that relayed it (`None`: not through the mesh).
        via: Option<ConnKey>,
    },
}

/// What the owner of a peer is told (the machine's form of peer-wasm's `PeerEvent`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event<M> {
    /// A peer entered the room.
    PeerJoined(PeerInfo),
    /// A peer left the room, after any connection to it ended.
    PeerLeft(PeerInfo),
    /// The data channel to this peer opened.
    Connected(PeerInfo),
    /// The data channel to this peer closed; nothing more comes from this connection.
    Disconnected {
        /// The remote peer.
        peer: PeerInfo,
        /// Why the connection ended.
        reason: String,
    },
    /// A message arrived.
    Message {
        /// The sender.
        from: PeerInfo,
        /// The message, unread.
        message: M,
    },
    /// A broadcast arrived from `from`, maybe through other peers.
    Broadcast {
        /// The sender.
        from: PeerInfo,
        /// The message, unread.
        message: M,
    },
    /// Signaling is over for good (a refused rejoin, or it dropped and may not rejoin).
    SignalingClosed {
        /// Why it closed.
        reason: String,
    },
    /// The signaling connection dropped; rejoining with backoff. Open channels go on.
    SignalingReconnecting {
        /// Why it dropped.
        reason: String,
    },
    /// The signaling connection is back, as the same peer.
    SignalingReconnected,
}

/// What the signature check of a signal found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by its sender, for us, in this room, as it is.
    Good,
    /// Signed at a time too far from ours: dropped (a replay, or a clock far off).
    Stale,
    /// Not its sender's signature of what it says: forged, altered, or meant for
    /// another peer, room or session.
    Forged,
    /// Sealed with a key that is not ours: another passphrase (or altered on the way,
    /// which reads the same).
    OtherPassphrase,
    /// Sealed, and we have no passphrase to open it with.
    SealedWithoutPassphrase,
    /// Not sealed (and not a bye), while we have a passphrase.
    InTheClear,
}
