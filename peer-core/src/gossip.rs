//! The mesh at work: each peer floods the list of its open links (an advert) whenever it
//! changes, so that every peer knows who is reachable and by which way (signals take
//! those ways: `relay.rs`); broadcasts reach the whole room, each once; and while the
//! server is gone, the room's membership follows what the mesh can reach.
//!
//! Costs, per change of one peer's links: one advert (about 60 bytes plus 12 per link)
//! to each neighbour, then on to the peers the origin has no channel to, each of them
//! handed it by as few neighbours as the mesh allows (`forwarding.rs`). A new link
//! costs a digest each way (about 20 bytes per peer of the room) and then only the
//! adverts one side lacks: in a room that forms a full mesh, handing each new neighbour
//! everything held grew with the cube of its size. Each broadcast crosses each link at
//! most twice (once each way, the second copy dropped as seen).

use super::forwarding;
use super::link::Phase;
use super::mesh::MAX_TTL;
use crate::frames::{Advert, MeshFrame};
use crate::ids::ConnKey;
use crate::io::{Event, Output};
use crate::sorting::sort;
use crate::state::{Core, Signaling};
use signaling_protocol::{PeerId, PeerInfo};

/// How long a change of our links waits before it is advertised, so that a burst of
/// changes (a peer connecting to many) makes one advert.
pub(crate) const ADVERT_DELAY_MS: u32 = 100;
/// How many more such delays our advert waits while connects of ours are under way
/// (2 s): their channels are about to change our links again. A peer connecting to 31
/// others at once on a busy machine advertised each of its new channels on its own:
/// 17 adverts to each of 31 neighbours, 6 MB for a 32-peer room.
const ADVERT_HOLDS: u8 = 20;
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
            MeshFrame::Digest(held) => self.on_digest(&key, &held),
            MeshFrame::Relay(relayed) => self.on_relayed(&key, relayed),
            MeshFrame::Broadcast { origin, seq, ttl, message } => {
                self.on_broadcast(&key, origin, seq, ttl, message);
            }
        }
    }

    /// `broadcast()`: its origin (us) and number, marked seen so that it never comes
    /// back to us as new; it goes out on [`Core::open_keys`].
    pub fn begin_broadcast(&mut self) -> (PeerId, u32) {
        self.mesh.last_broadcast += 1;
        let seq = self.mesh.last_broadcast;
        let me = self.me.id.clone();
        self.mesh.first_sight(&me, seq);
        (me, seq)
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
        if self.mesh.is_full() && self.signaling == Signaling::Connected {
            // Room is made from adverts of peers out of reach: know who they are.
            self.refresh_reach();
        }
        let mut origin_links: Vec<&PeerId> = advert.links.iter().collect();
        sort(&mut origin_links);
        let reach_changes =
            self.mesh.changed || self.mesh.changes_reach(&self.me.id, &advert, &origin_links);
        if !self.mesh.learn(advert.clone()) {
            return;
        }
        // On to the neighbours no one else hands it to (`forwarding.rs`).
        for next in self.open_keys() {
            let me = &self.me.id;
            if forwarding::passes_on(&self.mesh, me, &advert, &origin_links, &key.peer, &next.peer)
            {
                let frame = MeshFrame::Advert(advert.clone());
                self.out.push_back(Output::SendMesh { key: next, frame });
            }
        }
        if reach_changes {
            self.mesh_changed();
        }
    }

    /// The peers whose channel is in a phase that `phase` accepts.
    pub(super) fn neighbours(&self, phase: impl Fn(Phase) -> bool) -> Vec<PeerId> {
        let links = self.links.iter().filter(|link| phase(link.phase));
        links.map(|link| link.key.peer.clone()).collect()
    }

    /// Our links changed (one opened or ended): advertise the new list soon, and see who
    /// is still reachable.
    pub(super) fn links_changed(&mut self) {
        let anyone = self.links.iter().any(|link| link.phase.is_usable());
        match self.advert_at {
            None if anyone && !self.closed => {
                self.advert_at = Some(self.deadline_in(ADVERT_DELAY_MS));
            }
            // Nobody to tell (a new neighbour gets the whole picture anyway).
            Some(_) if !anyone => self.advert_at = None,
            _ => {}
        }
        self.mesh_changed();
    }

    /// A new neighbour learns what we hold, and sends us what we lack (`on_digest`).
    pub(super) fn share_mesh(&mut self, key: &ConnKey) {
        let frame = MeshFrame::Digest(self.mesh.digest(&self.me.id));
        self.out.push_back(Output::SendMesh { key: key.clone(), frame });
    }

    /// A new neighbour's digest: it gets every advert we hold a newer version of than it
    /// does (its own too, if we hold one from an earlier life of it: it must outbid it).
    fn on_digest(&mut self, key: &ConnKey, held: &[(PeerId, u32)]) {
        // Once per channel: each entry against each advert is up to 512 x 513
        // comparisons, and a neighbour may send 2,000 control frames a second.
        let Some(link) = self.link_mut(&key.peer).filter(|link| !link.digested) else {
            return;
        };
        link.digested = true;
        for advert in self.mesh.adverts() {
            let theirs = held.iter().find(|(origin, _)| *origin == advert.origin.id);
            if theirs.is_none_or(|(_, version)| *version < advert.version) {
                let frame = MeshFrame::Advert(advert.clone());
                self.out.push_back(Output::SendMesh { key: key.clone(), frame });
            }
        }
    }

    /// The advert's time came: our links go out to every neighbour.
    pub(super) fn advert_due(&mut self) {
        self.advert_at = None;
        let connecting = self.links.iter().any(|link| link.phase.is_negotiating());
        if connecting && self.mesh.holds < ADVERT_HOLDS {
            self.mesh.holds += 1;
            self.advert_at = Some(self.deadline_in(ADVERT_DELAY_MS));
            return;
        }
        self.mesh.holds = 0;
        self.mesh.version += 1;
        let origin = PeerInfo::new(self.me.id.clone(), self.me.name.clone());
        let links = self.neighbours(Phase::is_usable);
        let advert = Advert { origin, version: self.mesh.version, links };
        for key in self.open_keys() {
            let frame = MeshFrame::Advert(advert.clone());
            self.out.push_back(Output::SendMesh { key, frame });
        }
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
    /// While the server is there, its word is the room's membership and signals' ways
    /// are searched when they are sent, so who the mesh reaches is worked out only when
    /// it is needed: each search walks every link of the room, and a forming mesh
    /// changes with every advert (in a room of 100 native peers, searching after each
    /// one was a third of all their work).
    pub(super) fn follow_mesh(&mut self) {
        if self.signaling == Signaling::Connected || self.closed {
            self.mesh.following = false;
            return;
        }
        let first_look = !std::mem::replace(&mut self.mesh.following, true);
        let Some(before) = self.refresh_reach() else { return };
        // On the first look since the server went, `before` is whom the mesh reached while
        // the server was there (as last worked out, maybe long ago): never followed, so no
        // one has gone from it yet.
        let gone: Vec<PeerId> = if first_look {
            Vec::new()
        } else {
            let out_of_reach =
                |peer: &PeerId| self.mesh.reachable_sorted.binary_search(peer).is_err();
            before
                .into_iter()
                .filter(|peer| out_of_reach(peer) && self.link(peer).is_none())
                .collect()
        };
        for peer in gone {
            self.forget(&peer);
        }
        for peer in self.mesh.reachable.clone() {
            if !self.knows(&peer) {
                let info = self.known_or_advertised(&peer);
                self.roster.push(info.clone());
                self.out.push_back(Output::Emit(Event::PeerJoined(info)));
            }
        }
    }

    /// Searches who the mesh reaches if anything changed since the last search; returns
    /// who it reached before, if it searched.
    fn refresh_reach(&mut self) -> Option<Vec<PeerId>> {
        if !std::mem::take(&mut self.mesh.changed) {
            return None;
        }
        let mine = self.neighbours(Phase::is_usable);
        let reachable = self.mesh.reachable_from(&self.me.id, &mine);
        self.mesh.reachable_sorted.clone_from(&reachable);
        sort(&mut self.mesh.reachable_sorted);
        Some(std::mem::replace(&mut self.mesh.reachable, reachable))
    }

    /// Whether `peer` is reachable through the mesh now (for membership after a rejoin).
    pub(super) fn reachable(&mut self, peer: &PeerId) -> bool {
        if self.signaling == Signaling::Connected {
            // Without the server, every input's changes were followed already (and
            // what `refresh_reach` returns would be owed to `follow_mesh`).
            self.refresh_reach();
        }
        self.mesh.reachable.contains(peer)
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
pub fn bounded_ttl(ttl: u8) -> u8 {
    ttl.min(MAX_TTL)
}
