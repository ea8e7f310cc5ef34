//! The state of one peer (the room as it knows it, one link per remote, where its
//! signaling is, its clock) and the queries on it, for the driver and for the machine's
//! own modules.

use crate::error::CoreError;
use crate::ids::{CallId, ConnKey};
use crate::io::Output;
use crate::link::{Link, Phase};
use crate::mesh;
use crate::time::Instant;
use crate::timings::Backoff;
use crate::trust_memory::Trust;
use signaling_protocol::{PeerId, PeerInfo, SessionId};
use std::collections::VecDeque;

/// Where the peer's signaling connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signaling {
    Connected,
    /// Down, and rejoining: `wait` is when the next attempt is due (`None` while an
    /// attempt is under way); `failures` counts the attempts that failed.
    Reconnecting {
        wait: Option<Instant>,
        failures: u32,
    },
    /// Over for good.
    Closed,
}

/// The state of one peer: the room as it knows it, and one link per remote.
pub struct Core<M> {
    /// Ourselves: id, name, and the key our signals are signed with.
    pub(crate) me: PeerInfo,
    /// The other peers of the room, in the order they joined.
    pub(crate) roster: Vec<PeerInfo>,
    /// One link per remote at most (a room holds few peers: a list beats a map, in
    /// code size too).
    pub(crate) links: Vec<Link>,
    pub(crate) signaling: Signaling,
    /// How to reconnect when signaling drops (`None`: it ends for good).
    pub(crate) backoff: Option<Backoff>,
    /// When the next heartbeat is due, while a channel is open.
    pub(crate) heartbeat_at: Option<Instant>,
    /// State of the jitter's random numbers (xorshift).
    pub(crate) random: u32,
    pub(crate) closed: bool,
    pub(crate) next_session: u32,
    /// The latest time the driver passed in.
    pub(crate) now: Instant,
    pub(crate) next_serial: u64,
    pub(crate) out: VecDeque<Output<M>>,
    /// Messages that arrived on a connection before it reported open (a browser may
    /// fire one channel's `message` before the other channel's `open`): delivered right
    /// after its `Connected`.
    pub(crate) early: Vec<(ConnKey, M)>,
    /// The mesh beyond our own links, and the broadcasts seen.
    pub(crate) mesh: mesh::Mesh,
    /// When a change of our links waiting to be advertised goes out.
    pub(crate) advert_at: Option<Instant>,
    /// Signals go through the mesh whenever a path exists, not only without the server.
    pub(crate) prefer_mesh: bool,
    /// The peers in tabs of this browser, signaled without the server.
    pub(crate) nearby: Vec<PeerId>,
    /// A connect without a path may try again through the TURN relay only.
    pub(crate) relay_fallback: bool,
    /// What tells good signals from bad ones.
    pub(crate) trust: Trust,
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
            heartbeat_at: None,
            random: first_session | 1,
            closed: false,
            next_session: first_session,
            now: Instant::default(),
            next_serial: 0,
            out: VecDeque::new(),
            early: Vec::new(),
            mesh: mesh::Mesh::default(),
            advert_at: None,
            prefer_mesh: false,
            nearby: Vec::new(),
            relay_fallback: false,
            trust: Trust::default(),
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
    pub(crate) fn links(&self) -> Vec<(ConnKey, Phase)> {
        self.links.iter().map(|link| (link.key.clone(), link.phase)).collect()
    }

    /// The deadlines of the links, for the tests' invariants.
    #[cfg(test)]
    pub(crate) fn link_timers(&self) -> Vec<Instant> {
        self.links.iter().flat_map(Link::deadlines).collect()
    }

    /// The deadlines of the peer as a whole (heartbeat, reconnect, advert), for the tests.
    #[cfg(test)]
    pub(crate) fn own_timers(&self) -> Vec<Instant> {
        let reconnect = match self.signaling {
            Signaling::Reconnecting { wait, .. } => wait,
            _ => None,
        };
        self.heartbeat_at.into_iter().chain(reconnect).chain(self.advert_at).collect()
    }

    /// Whether signals can go out now.
    pub(crate) fn signaling_open(&self) -> bool {
        self.signaling == Signaling::Connected
    }

    pub(crate) fn new_session(&mut self) -> SessionId {
        let session = SessionId(self.next_session);
        self.next_session = self.next_session.wrapping_add(1);
        session
    }

    pub(crate) fn settle(&mut self, call: CallId, result: Result<(), CoreError>) {
        self.out.push_back(Output::Settle { call, result });
    }

    pub(crate) fn set_phase(&mut self, peer: &PeerId, phase: Phase) {
        if let Some(link) = self.link_mut(peer) {
            link.phase = phase;
        }
    }

    /// The link `key` names, if it is still the current one.
    pub(crate) fn current(&self, key: &ConnKey) -> Option<&Link> {
        self.link(&key.peer).filter(|link| link.key == *key)
    }

    pub(crate) fn open_link(&self, peer: &PeerId) -> Option<&Link> {
        self.link(peer).filter(|link| link.phase.is_usable())
    }

    pub(crate) fn link_in(&self, peer: &PeerId, phase: impl Fn(Phase) -> bool) -> bool {
        self.link(peer).is_some_and(|link| phase(link.phase))
    }

    /// The peers we have a link to, in room order (so outputs are deterministic).
    pub(crate) fn linked_peers(&self) -> Vec<PeerId> {
        let linked = |peer: &&PeerInfo| self.link(&peer.id).is_some();
        self.roster.iter().filter(linked).map(|peer| peer.id.clone()).collect()
    }

    pub(crate) fn link(&self, peer: &PeerId) -> Option<&Link> {
        self.links.iter().find(|link| link.key.peer == *peer)
    }

    pub(crate) fn link_mut(&mut self, peer: &PeerId) -> Option<&mut Link> {
        self.links.iter_mut().find(|link| link.key.peer == *peer)
    }

    pub(crate) fn knows(&self, id: &PeerId) -> bool {
        self.roster.iter().any(|peer| peer.id == *id)
    }

    /// The room's record of `id` (a nameless one if it is not in the room).
    pub(crate) fn info(&self, id: &PeerId) -> PeerInfo {
        let known = self.roster.iter().find(|peer| peer.id == *id).cloned();
        known.unwrap_or_else(|| PeerInfo::new(id.clone(), ""))
    }
}
