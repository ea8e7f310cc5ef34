//! The mesh at work: each peer floods the list of its open links (an advert) whenever it
//! changes, so that every peer knows who is reachable and through which neighbour;
//! signals go hop by hop to peers we have no channel to, when the server is gone (or
//! always, when the peer asked for it); broadcasts reach the whole room, each once; and
//! while the server is gone, the room's membership follows what the mesh can reach.
//!
//! Costs, per change of one peer's links: one advert (about 30 bytes plus 12 per link)
//! crossing each open link of the mesh once. Each broadcast crosses each link at most
//! twice (once each way, the second copy dropped as seen).

use super::link::Phase;
use super::mesh::{MAX_ADVERTS, MAX_TTL};
use super::{Advert, ConnKey, Core, Event, MeshFrame, Output, Relayed, Signaling, TimerId};
use signaling_protocol::{PeerId, PeerInfo, Signal};

/// How long a change of our links waits before it is advertised, so that a burst of
/// changes (a peer connecting to many) makes one advert.
pub(crate) const ADVERT_DELAY_MS: u32 = 100;
/// Most control frames (adverts, relayed signals) a neighbour may send in one heartbeat
/// period: far above what forming a mesh of hundreds takes; more is a flood, and the
/// neighbour is disconnected.
pub(crate) const CONTROL_BUDGET: u32 = 2_000;
/// Most broadcasts a neighbour may pass us in one heartbeat period (each costs every
/// peer of the room some work, so a flood is not passed on without end).
pub(crate) const BROADCAST_BUDGET: u32 = 20_000;
/// Why a neighbour that floods is disconnected.
const FLOODED: &str = "it sent more than 2000 mesh control messages in a second";
/// Why a neighbour that floods broadcasts is disconnected.
const FLOODED_BROADCASTS: &str = "it passed on more than 20000 broadcasts in a second";
/// Why a neighbour that relays a forged signal is disconnected.
const FORGED: &str = "it relayed a signal that its sender did not sign (forged or altered)";

impl<M: Clone> Core<M> {
    /// A mesh frame from the neighbour of `key`.
    pub(super) fn on_mesh(&mut self, key: ConnKey, frame: MeshFrame<M>) {
        let Some(link) =
            self.link_mut(&key.peer).filter(|link| link.key == key && !link.phase.is_closing())
        else {
            return;
        };
        link.silent_periods = 0;
        let (count, budget, flooded) = match frame {
            MeshFrame::Broadcast { .. } => {
                (&mut link.broadcasts, BROADCAST_BUDGET, FLOODED_BROADCASTS)
            }
            _ => (&mut link.mesh_frames, CONTROL_BUDGET, FLOODED),
        };
        *count += 1;
        if *count > budget {
            return self.begin_closing(&key.peer, flooded);
        }
        match frame {
            MeshFrame::Advert(advert) => self.on_advert(&key, advert),
            MeshFrame::Relay(relayed) => self.on_relayed(&key, relayed),
            MeshFrame::Broadcast { origin, seq, ttl, message } => {
                self.on_broadcast(&key, origin, seq, ttl, message);
            }
        }
    }

    /// `broadcast()`: our next broadcast's number and the channels it goes out on.
    pub fn begin_broadcast(&mut self) -> (PeerId, u32, Vec<ConnKey>) {
        self.mesh.last_broadcast += 1;
        let seq = self.mesh.last_broadcast;
        let me = self.me.id.clone();
        self.mesh.first_sight(&me, seq);
        (me, seq, self.open_keys())
    }

    fn on_broadcast(&mut self, key: &ConnKey, origin: PeerId, seq: u32, ttl: u8, message: M) {
        if origin == self.me.id || !self.mesh.first_sight(&origin, seq) {
            return;
        }
        if ttl > 1 {
            for next in self.open_keys() {
                if next.peer != key.peer && next.peer != origin {
                    let frame = MeshFrame::Broadcast {
                        origin: origin.clone(),
                        seq,
                        ttl: ttl - 1,
                        message: message.clone(),
                    };
                    self.out.push_back(Output::SendMesh { key: next, frame });
                }
            }
        }
        let from = self.known_or_advertised(&origin);
        self.out.push_back(Output::Emit(Event::Broadcast { from, message }));
    }
}

impl<M: Clone> Core<M> {
    fn on_advert(&mut self, key: &ConnKey, advert: Advert) {
        if advert.origin.id == self.me.id {
            // Ours, from before (flooded back, or from an earlier life of this peer):
            // the next one must outbid it.
            if advert.version >= self.mesh.version {
                self.mesh.version = advert.version;
                self.links_changed();
            }
            return;
        }
        if !self.mesh.learn(advert.clone()) {
            return;
        }
        for next in self.open_keys() {
            if next.peer != key.peer && next.peer != advert.origin.id {
                let frame = MeshFrame::Advert(advert.clone());
                self.out.push_back(Output::SendMesh { key: next, frame });
            }
        }
        self.mesh_changed();
    }

    fn on_relayed(&mut self, key: &ConnKey, relayed: Relayed) {
        if relayed.to == self.me.id {
            if self.knows(&relayed.from) {
                self.reply_the_way_it_came(&relayed);
                self.out.push_back(Output::Verify { key: key.clone(), relayed });
            }
            return;
        }
        // Along the sender's route: to the peer after us on it, if our channel to it is
        // open (no detour: order matters more than arrival).
        let at = relayed.route.iter().position(|peer| *peer == self.me.id);
        let next = at.and_then(|at| relayed.route.get(at + 1));
        match next.and_then(|next| self.open_link(next)).map(|link| link.key.clone()) {
            Some(hop) => {
                let frame = MeshFrame::Relay(relayed);
                self.out.push_back(Output::SendMesh { key: hop, frame });
            }
            None => self.out.push_back(Output::Warn(format!(
                "dropped a signal relayed from {} to {}: its route leads nowhere from here",
                relayed.from, relayed.to
            ))),
        }
    }

    /// The neighbour of `key` relayed a signal that fails its check.
    pub(super) fn forged(&mut self, key: &ConnKey) {
        if self.current(key).is_some_and(|link| link.phase.is_usable()) {
            self.begin_closing(&key.peer, FORGED);
        }
    }

    /// Sends `signal` to `to`: through the mesh when the server is gone (or when asked
    /// to prefer it) and a path exists; otherwise through the server, if it is there.
    pub(super) fn send_signal(&mut self, to: PeerId, signal: Signal) {
        if (!self.signaling_open() || self.prefer_mesh)
            && let Some((hop, route)) = self.relay_route(&to)
        {
            self.pin(to.clone(), route.clone());
            return self.out.push_back(Output::Relay { hop, to, route, signal });
        }
        if self.signaling_open() {
            self.out.push_back(Output::Send { to, signal });
        } else {
            self.out.push_back(Output::Warn(format!(
                "a signal for {to} was not sent: the server is gone and no open channel leads there"
            )));
        }
    }

    /// The way a signal of ours to `to` would take (the channel it starts on, and the
    /// route), if we can sign it and some open channel leads there: the way our last
    /// signal to `to` took while it holds, else a shortest one. A channel whose path is
    /// being restored carries nothing now, so it is no hop.
    pub(super) fn relay_route(&self, to: &PeerId) -> Option<(ConnKey, Vec<PeerId>)> {
        self.me.key.as_ref()?;
        let pinned = self.mesh.pinned.iter().find(|(pinned, _)| pinned == to);
        let holds = |route: &Vec<PeerId>| {
            self.link_in(&route[0], |phase| phase == Phase::Open) && self.mesh.path_holds(route)
        };
        let route = match pinned.map(|(_, route)| route).filter(|route| holds(route)) {
            Some(route) => route.clone(),
            None => {
                let open = self.neighbours(|phase| phase == Phase::Open);
                self.mesh.path(&self.me.id, &open, to)?
            }
        };
        let hop = self.link(&route[0])?.key.clone();
        Some((hop, route))
    }

    /// Our answers to a signal take the way it came, reversed, unless we already have a
    /// way to its sender: that way is known to work now, while our own view of the mesh
    /// may not show one yet (adverts lag behind a mesh that is forming).
    fn reply_the_way_it_came(&mut self, relayed: &Relayed) {
        let has_way = self.mesh.pinned.iter().any(|(peer, _)| *peer == relayed.from);
        if has_way || relayed.route.last() != Some(&self.me.id) {
            return;
        }
        let mut back: Vec<PeerId> = relayed.route.iter().rev().skip(1).cloned().collect();
        back.push(relayed.from.clone());
        self.pin(relayed.from.clone(), back);
    }

    fn pin(&mut self, to: PeerId, route: Vec<PeerId>) {
        self.unpin(&to);
        if self.mesh.pinned.len() >= MAX_ADVERTS {
            self.mesh.pinned.remove(0);
        }
        self.mesh.pinned.push((to, route));
    }

    /// Our signals to `peer` no longer need the way they took (its channel opened, or
    /// the attempt ended).
    pub(super) fn unpin(&mut self, peer: &PeerId) {
        self.mesh.pinned.retain(|(pinned, _)| pinned != peer);
    }

    /// The peers whose channel is in a phase that `phase` accepts.
    fn neighbours(&self, phase: impl Fn(Phase) -> bool) -> Vec<PeerId> {
        let links = self.links.iter().filter(|link| phase(link.phase));
        links.map(|link| link.key.peer.clone()).collect()
    }

    /// Our links changed (one opened or ended): advertise the new list soon, and see who
    /// is still reachable.
    pub(super) fn links_changed(&mut self) {
        let anyone = self.links.iter().any(|link| link.phase.is_usable());
        match self.advert_timer {
            None if anyone && !self.closed => self.advert_timer = Some(self.arm(ADVERT_DELAY_MS)),
            // Nobody to tell (a new neighbour gets the whole picture anyway).
            Some(timer) if !anyone => {
                self.advert_timer = None;
                self.out.push_back(Output::CancelTimer { timer });
            }
            _ => {}
        }
        self.mesh_changed();
    }

    /// A new neighbour starts from everything we know of the mesh.
    pub(super) fn share_mesh(&mut self, key: &ConnKey) {
        for advert in self.mesh.adverts().to_vec() {
            if advert.origin.id != key.peer {
                let frame = MeshFrame::Advert(advert);
                self.out.push_back(Output::SendMesh { key: key.clone(), frame });
            }
        }
    }

    /// Whether `timer` is the advert's; if so, our links go out to every neighbour.
    pub(super) fn advert_due(&mut self, timer: TimerId) -> bool {
        if self.advert_timer != Some(timer) {
            return false;
        }
        self.advert_timer = None;
        self.mesh.version += 1;
        let origin = PeerInfo::new(self.me.id.clone(), self.me.name.clone());
        let links = self.neighbours(Phase::is_usable);
        let advert = Advert { origin, version: self.mesh.version, links };
        for key in self.open_keys() {
            let frame = MeshFrame::Advert(advert.clone());
            self.out.push_back(Output::SendMesh { key, frame });
        }
        true
    }

    /// Who is reachable changed: forget what is out of reach and, while the server is
    /// gone, let the room's membership follow the mesh: a peer the mesh reached and no
    /// longer does left; a peer it reaches that we did not know joined. (A peer the mesh
    /// never reached stays as the server last said; the server's word wins again when
    /// it is back.)
    fn mesh_changed(&mut self) {
        self.mesh.changed = true;
    }

    /// Follows the mesh's changes, once an input is applied: see [`Core::mesh_changed`].
    pub(super) fn follow_mesh(&mut self) {
        if !std::mem::take(&mut self.mesh.changed) {
            return;
        }
        let mine = self.neighbours(Phase::is_usable);
        let reachable: Vec<PeerId> =
            self.mesh.routes(&self.me.id, &mine).into_iter().map(|(peer, _)| peer).collect();
        self.mesh.keep_only(&reachable);
        let before = std::mem::replace(&mut self.mesh.reachable, reachable.clone());
        if self.signaling == Signaling::Connected || self.closed {
            return;
        }
        let gone: Vec<PeerId> = before
            .into_iter()
            .filter(|peer| !reachable.contains(peer) && self.link(peer).is_none())
            .collect();
        for peer in gone {
            self.forget(&peer);
        }
        for peer in reachable {
            if !self.knows(&peer) {
                let info = self.known_or_advertised(&peer);
                self.roster.push(info.clone());
                self.out.push_back(Output::Emit(Event::PeerJoined(info)));
            }
        }
    }

    /// Whether `peer` is reachable through the mesh (for membership after a rejoin).
    pub(super) fn reachable(&self, peer: &PeerId) -> bool {
        let mine = self.neighbours(Phase::is_usable);
        self.mesh.routes(&self.me.id, &mine).iter().any(|(known, _)| known == peer)
    }

    /// The room's record of `id`, or else what its advert says (no key: a key is taken
    /// from the server only).
    fn known_or_advertised(&self, id: &PeerId) -> PeerInfo {
        match self.mesh.advert(id) {
            Some(advert) if !self.knows(id) => {
                PeerInfo::new(id.clone(), advert.origin.name.clone())
            }
            _ => self.info(id),
        }
    }
}

/// Bounds a hop limit that came from a neighbour.
pub(crate) fn bounded_ttl(ttl: u8) -> u8 {
    ttl.min(MAX_TTL)
}
