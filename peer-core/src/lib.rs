//! The connection logic of a [peer-wasm](https://crates.io/crates/peer-wasm) peer as a
//! sans-IO state machine: it takes inputs (local calls, what the server says, what
//! connections and timers report) and answers with outputs (signals to send, connections
//! to start or tear down, timers, events, calls to settle). It touches no JS object, keeps
//! no clock and spawns nothing, so every race (offer collisions, stale signals, a
//! disconnect during a connect, close from inside an event) is a plain `cargo test` away;
//! a driver (peer-wasm's `driver/` in the browser) carries the outputs out and feeds what
//! happens back in.
//!
//! ```text
//!   driver  ── Input ──▶  Core::apply           (this crate: decides)
//!           ◀─ Output ──  Core::poll_output
//! ```
//! A driver applies each [`Input`] with [`Core::apply`], then drains
//! [`Core::poll_output`] until it returns `None`, and does what each [`Output`] says (in
//! order): send a signal, start or release a connection, arm or cancel a timer (reported
//! back as [`Input::TimerFired`]), settle a waiting call, emit an [`Event`]. Messages are
//! a type parameter `M`, carried unread.
//!
//! `io.rs` is the vocabulary the machine and its drivers share (the [`Input`]s and
//! [`Output`]s; `ids.rs` the names of things, `frames.rs` the mesh's frames);
//! `error.rs` what a call fails with ([`CoreError`]). This file holds the state and its
//! queries; `calls.rs` the local calls; `remote.rs` what the room and the remote say;
//! `lifecycle.rs` how a link opens and ends; `restart.rs` how an open link gets its path
//! back; `fallback.rs` how a connect with no path tries the TURN relay only;
//! `liveness.rs` heartbeats and silent remotes; `rejoin.rs` how signaling comes back;
//! `link.rs` a link and its phases; `mesh.rs` what a peer knows of the mesh
//! (adverts, broadcasts seen), `gossip.rs` adverts, membership and broadcasts at work,
//! `relay.rs` signals through the mesh; `trust.rs` which signals to believe.
//! [`files`] is a machine of its own: the file transfers of one connection.
//! `harness.rs` and the `*tests.rs` / `properties.rs` files drive it in plain
//! `cargo test -p peer-core`.
//!
//! Each link goes through the phases of `link::Phase`; the rules, in short:
//! - a session id, chosen by the offerer, is on every signal; a signal of another
//!   session than the link's current one is stale and dropped;
//! - two offers crossing (both sides called connect) are settled by id: the larger id's
//!   offer wins, the smaller id drops its own and answers;
//! - the channel counts as connected only while `Open`: a disconnect takes it out of
//!   [`Core::connected`] at once, and what was queued still goes out (`Draining`);
//! - `Disconnected` is the last event of a connection, and a peer's `PeerLeft` comes
//!   after its `Disconnected`;
//! - an open channel whose path fails stays open while ICE restarts on the same
//!   connection (the larger id offers, as in a collision); what is sent meanwhile
//!   arrives afterwards, in order; the link ends only when the restarts give up;
//! - a connect with no path after a short time (or whose ICE fails) restarts ICE on the
//!   same connection through the TURN relay only, when one is configured; a `failed`
//!   with nothing left to try gets a short time to recover before the connect fails;
//! - every phase that waits on the outside world has a timer, cancelled when it ends.

mod calls;
mod error;
mod fallback;
#[cfg(test)]
mod fallback_tests;
pub mod files;
mod frames;
mod gossip;
#[cfg(test)]
mod harness;
mod ids;
mod io;
mod lifecycle;
mod link;
mod liveness;
mod mesh;
#[cfg(test)]
mod mesh_tests;
#[cfg(test)]
mod properties;
mod rejoin;
#[cfg(test)]
mod rejoin_tests;
mod relay;
mod remote;
mod restart;
#[cfg(test)]
mod restart_tests;
#[cfg(test)]
mod tests;
mod trust;
#[cfg(test)]
mod trust_tests;

pub use error::CoreError;
pub use files::Files;
pub use frames::{Advert, MeshFrame, Relayed};
pub use gossip::bounded_ttl;
pub use ids::{CallId, ConnKey, PathState, Role, TimerId};
pub use io::{Event, Input, Output};
pub use mesh::{MAX_ADVERT_LINKS, MAX_ADVERTS, MAX_TTL};
pub use rejoin::Backoff;
pub use trust::{Verdict, sealing_verdict, unsealed};

use link::{Link, Phase};
use signaling_protocol::{PeerId, PeerInfo, SessionId, Signal, Step};
use std::collections::VecDeque;

/// How long a new connection may take to open its data channel; when it is up and the
/// negotiation made progress meanwhile (a signal from the remote, a change of path), it
/// gets as long again.
pub(crate) const OPEN_DEADLINE_MS: u32 = 15_000;
/// How many times progress earns a connection another deadline: a remote that trickles
/// signals cannot keep a `connect()` waiting for ever. Dozens of connects at once on a
/// busy machine take longer than one deadline: a 32-peer mesh took 10-28 s here, and
/// failed on a deadline counted from the call alone.
pub(crate) const OPEN_DEADLINE_EXTENSIONS: u8 = 3;
/// How long a closing channel may take to close on both sides.
pub const LINGER_MS: u32 = 3_000;
/// How long a connect may go without a path before it tries the TURN relay only (when
/// one is configured): direct paths come up within a few hundred milliseconds where they
/// exist (0.15 s through a NAT, measured), and two symmetric NATs never give one.
pub(crate) const RELAY_FALLBACK_MS: u32 = 2_000;
/// How long ICE may take to recover from `failed` while a connect negotiates (late
/// candidates can still bring a path) before the connect fails.
pub(crate) const ICE_RECOVERY_MS: u32 = 5_000;
/// How long a path may stay quiet (ICE `disconnected`) before ICE restarts.
pub(crate) const STALL_GRACE_MS: u32 = 2_000;
/// How often the restarting side offers again while the path is not back.
pub(crate) const RESTART_RETRY_MS: u32 = 3_000;
/// How long ICE restarts may take to bring a failed path back before the link ends.
pub(crate) const RESTART_GIVE_UP_MS: u32 = 30_000;
/// How often an open channel carries a heartbeat (when nothing else goes out).
pub(crate) const HEARTBEAT_MS: u32 = 1_000;
/// Heartbeat periods of silence after which a remote nobody vouches for is dead.
pub(crate) const SILENT_PERIODS: u8 = 3;

/// Where the peer's signaling connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signaling {
    Connected,
    /// Down, and rejoining: `timer` is the wait before the next attempt (`None` while an
    /// attempt is under way); `failures` counts the attempts that failed.
    Reconnecting {
        timer: Option<TimerId>,
        failures: u32,
    },
    /// Over for good.
    Closed,
}

/// The state of one peer: the room as it knows it, and one link per remote.
pub struct Core<M> {
    /// Ourselves: id, name, and the key our signals are signed with.
    me: PeerInfo,
    /// The other peers of the room, in the order they joined.
    roster: Vec<PeerInfo>,
    /// One link per remote at most (a room holds few peers: a list beats a map, in
    /// code size too).
    links: Vec<Link>,
    signaling: Signaling,
    /// How to reconnect when signaling drops (`None`: it ends for good).
    backoff: Option<Backoff>,
    /// The heartbeat timer, armed while a channel is open.
    ticker: Option<TimerId>,
    /// State of the jitter's random numbers (xorshift).
    random: u32,
    closed: bool,
    next_session: u32,
    next_timer: u64,
    next_serial: u64,
    out: VecDeque<Output<M>>,
    /// Messages that arrived on a connection before it reported open (a browser may
    /// fire one channel's `message` before the other channel's `open`): delivered right
    /// after its `Connected`.
    early: Vec<(ConnKey, M)>,
    /// The mesh beyond our own links, and the broadcasts seen.
    mesh: mesh::Mesh,
    /// Armed while a change of our links waits to be advertised.
    advert_timer: Option<TimerId>,
    /// Signals go through the mesh whenever a path exists, not only without the server.
    prefer_mesh: bool,
    /// A connect without a path may try again through the TURN relay only.
    relay_fallback: bool,
    /// What tells good signals from bad ones.
    trust: trust::Trust,
}

impl<M: Clone> Core<M> {
    /// The state right after joining as `me`, with the room's current peers. Sessions
    /// are numbered from `first_session` (random in the browser, so two peers' numbers
    /// rarely meet; stale signals are recognised either way), which also seeds the
    /// reconnect jitter. With `backoff`, a dropped signaling connection is rejoined.
    pub fn new(
        me: PeerInfo,
        roster: Vec<PeerInfo>,
        first_session: u32,
        backoff: Option<Backoff>,
    ) -> Self {
        Self {
            me,
            roster,
            links: Vec::new(),
            signaling: Signaling::Connected,
            backoff,
            ticker: None,
            random: first_session | 1,
            closed: false,
            next_session: first_session,
            next_timer: 0,
            next_serial: 0,
            out: VecDeque::new(),
            early: Vec::new(),
            mesh: mesh::Mesh::default(),
            advert_timer: None,
            prefer_mesh: false,
            relay_fallback: false,
            trust: trust::Trust::default(),
        }
    }

    /// Sends signals through the mesh whenever a path exists (a join option).
    pub fn prefer_mesh(&mut self) {
        self.prefer_mesh = true;
    }

    /// The next thing to do, in order.
    pub fn poll_output(&mut self) -> Option<Output<M>> {
        self.out.pop_front()
    }

    /// The other peers of the room, in the order they joined.
    pub fn roster(&self) -> &[PeerInfo] {
        &self.roster
    }

    /// The peers whose data channel is open, in room order.
    pub fn connected(&self) -> Vec<PeerInfo> {
        let open = |peer: &&PeerInfo| self.open_link(&peer.id).is_some();
        self.roster.iter().filter(open).cloned().collect()
    }

    /// The open connections, in room order: where `send_message` goes.
    pub fn open_keys(&self) -> Vec<ConnKey> {
        self.roster.iter().filter_map(|peer| Some(self.open_link(&peer.id)?.key.clone())).collect()
    }

    /// The open connection to `peer`, or why there is none.
    pub fn open_key(&self, peer: &PeerId) -> Result<ConnKey, CoreError> {
        if self.closed {
            return Err(CoreError::Closed);
        }
        match self.open_link(peer) {
            Some(link) => Ok(link.key.clone()),
            None if self.knows(peer) => Err(CoreError::NotConnected(peer.clone())),
            None => Err(CoreError::UnknownPeer(peer.clone())),
        }
    }

    /// Whether `close()` was applied.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Every link with its connection and phase, for the tests' invariants.
    #[cfg(test)]
    fn links(&self) -> Vec<(ConnKey, Phase)> {
        self.links.iter().map(|link| (link.key.clone(), link.phase)).collect()
    }

    /// The timers the links armed, for the tests' invariants.
    #[cfg(test)]
    fn link_timers(&self) -> Vec<TimerId> {
        self.links.iter().flat_map(Link::timers).collect()
    }

    /// The timers armed for the peer as a whole (heartbeat, reconnect), for the tests.
    #[cfg(test)]
    fn own_timers(&self) -> Vec<TimerId> {
        let reconnect = match self.signaling {
            Signaling::Reconnecting { timer, .. } => timer,
            _ => None,
        };
        self.ticker.into_iter().chain(reconnect).chain(self.advert_timer).collect()
    }

    /// Whether signals can go out now.
    fn signaling_open(&self) -> bool {
        self.signaling == Signaling::Connected
    }

    /// Applies one input; its outputs wait in [`Core::poll_output`].
    pub fn apply(&mut self, input: Input<M>) {
        self.apply_one(input);
        // Once the input's changes are all made (a replaced link has its successor).
        self.follow_mesh();
    }

    fn apply_one(&mut self, input: Input<M>) {
        match input {
            Input::Connect { peer, call } => self.connect(&peer, call),
            Input::Disconnect { peer, call } => self.disconnect(&peer, call),
            Input::Close => self.close(),
            _ if self.closed => {}
            Input::PeerJoined(peer) => self.peer_joined(peer),
            Input::PeerLeft(peer) => self.peer_left(&peer.id),
            Input::Signal { from, signal } => self.signal_arrived(from, signal, None),
            Input::Checked { from, signal, via, verdict } => {
                self.signal_checked(from, signal, via, verdict);
            }
            Input::Refused { code, message, to } => {
                let error = CoreError::Refused { code, message };
                match to.filter(|peer| self.link_in(peer, Phase::is_negotiating)) {
                    Some(peer) => self.finish(&peer, error, true, false),
                    None => self.out.push_back(Output::Warn(error.to_string())),
                }
            }
            Input::SignalingClosed { reason } => self.signaling_closed(reason),
            Input::Rejoined { roster } => self.rejoined(roster),
            Input::SignalingOver { reason } => self.signaling_over(reason),
            Input::Heard { key } => self.heard(&key),
            Input::Outbound { key, step } => {
                if self.current(&key).is_some_and(|link| !link.phase.is_closing()) {
                    if let Step::Answer { .. } = step {
                        // Our answer to a relay restart is applied: see `fallback.rs`.
                        self.relay_negotiated(&key.peer);
                    }
                    let signal = Signal::new(key.session, step);
                    self.send_signal(key.peer, signal);
                }
            }
            Input::ChannelOpen { key } => self.channel_open(&key),
            Input::ChannelClosing { key } => {
                if self.current(&key).is_some_and(|link| link.phase == Phase::Draining) {
                    let linger = self.arm(LINGER_MS);
                    self.set_phase(&key.peer, Phase::Closing { linger });
                }
            }
            Input::ChannelClosed { key } => {
                if let Some(link) = self.current(&key) {
                    // Unasked while open: the remote closed it (its `Disconnected` says why).
                    let reason = if link.phase.is_usable() {
                        "the peer closed the data channel"
                    } else {
                        "the data channel closed"
                    };
                    self.finish(&key.peer, connect_failed(&key.peer, reason), false, false);
                }
            }
            Input::Received { key, message } => self.received(key, message),
            Input::Path { key, state } => self.path_changed(&key, state),
            Input::Failed { key, reason } => {
                if let Some(link) = self.current(&key) {
                    let reason = with_hint(reason, link.ice_error.as_deref());
                    self.finish(&key.peer, connect_failed(&key.peer, &reason), true, false);
                }
            }
            Input::IceServerError { key, detail } => {
                if let Some(link) = self.link_mut(&key.peer).filter(|link| link.key == key) {
                    link.ice_error = Some(detail);
                }
            }
            Input::TimerFired(timer) => self.timer_fired(timer),
            Input::Mesh { key, frame } => self.on_mesh(key, frame),
        }
    }

    fn start_link(&mut self, peer: &PeerId, role: Role, session: SessionId) -> &mut Link {
        let deadline = self.arm(OPEN_DEADLINE_MS);
        let phase = match role {
            Role::Offerer => Phase::Offering { deadline },
            Role::Answerer => Phase::Connecting { deadline },
        };
        let fallback = self.arm_fallback();
        self.next_serial += 1;
        let key = ConnKey { peer: peer.clone(), session, serial: self.next_serial };
        self.out.push_back(Output::StartConnection { key: key.clone(), role });
        let link = Link::new(self.info(peer), key, phase, fallback);
        // The caller ended any earlier link to `peer` first.
        self.links.push(link);
        let last = self.links.len() - 1;
        &mut self.links[last]
    }

    fn arm(&mut self, ms: u32) -> TimerId {
        self.next_timer += 1;
        let timer = TimerId(self.next_timer);
        self.out.push_back(Output::StartTimer { timer, ms });
        timer
    }

    fn new_session(&mut self) -> SessionId {
        let session = SessionId(self.next_session);
        self.next_session = self.next_session.wrapping_add(1);
        session
    }

    fn settle(&mut self, call: CallId, result: Result<(), CoreError>) {
        self.out.push_back(Output::Settle { call, result });
    }

    fn set_phase(&mut self, peer: &PeerId, phase: Phase) {
        if let Some(link) = self.link_mut(peer) {
            link.phase = phase;
        }
    }

    /// The link `key` names, if it is still the current one.
    fn current(&self, key: &ConnKey) -> Option<&Link> {
        self.link(&key.peer).filter(|link| link.key == *key)
    }

    fn open_link(&self, peer: &PeerId) -> Option<&Link> {
        self.link(peer).filter(|link| link.phase.is_usable())
    }

    fn link_in(&self, peer: &PeerId, phase: impl Fn(Phase) -> bool) -> bool {
        self.link(peer).is_some_and(|link| phase(link.phase))
    }

    /// The peers we have a link to, in room order (so outputs are deterministic).
    fn linked_peers(&self) -> Vec<PeerId> {
        let linked = |peer: &&PeerInfo| self.link(&peer.id).is_some();
        self.roster.iter().filter(linked).map(|peer| peer.id.clone()).collect()
    }

    fn link(&self, peer: &PeerId) -> Option<&Link> {
        self.links.iter().find(|link| link.key.peer == *peer)
    }

    fn link_mut(&mut self, peer: &PeerId) -> Option<&mut Link> {
        self.links.iter_mut().find(|link| link.key.peer == *peer)
    }

    fn knows(&self, id: &PeerId) -> bool {
        self.roster.iter().any(|peer| peer.id == *id)
    }

    /// The room's record of `id` (a nameless one if it is not in the room).
    fn info(&self, id: &PeerId) -> PeerInfo {
        let known = self.roster.iter().find(|peer| peer.id == *id).cloned();
        known.unwrap_or_else(|| PeerInfo::new(id.clone(), ""))
    }
}

/// `reason`, and what an ICE server said if one refused us.
fn with_hint(reason: String, ice_error: Option<&str>) -> String {
    match ice_error {
        Some(said) => format!("{reason} (an ICE server refused us: {said})"),
        None => reason,
    }
}

fn connect_failed(peer: &PeerId, reason: &str) -> CoreError {
    CoreError::ConnectFailed { peer: peer.clone(), reason: reason.to_owned() }
}

/// Why a link ended, for its `Disconnected` event: a failure's own reason, without the
/// "could not connect" its `connect()` callers are told.
fn reason_of(error: &CoreError) -> String {
    match error {
        CoreError::ConnectFailed { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}
