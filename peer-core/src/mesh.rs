//! What a peer knows of the mesh beyond its own links: every peer's latest list of
//! neighbours (link state, flooded with version numbers), which tells who is reachable
//! and by which way; and which broadcasts were already seen, per origin. Plain
//! data with hard bounds: a stranger's adverts or broadcasts cannot grow it without
//! limit. `gossip.rs` puts it to work.

use crate::frames::Advert;
use signaling_protocol::PeerId;

/// Most hops a broadcast or a relayed signal travels (a room is small: 16 covers a line
/// of 17 peers).
pub const MAX_TTL: u8 = 16;
/// Most adverts kept (peers of other parts of the mesh).
pub const MAX_ADVERTS: usize = 512;
/// Most neighbours one advert may list.
pub const MAX_ADVERT_LINKS: usize = 512;
/// Most origins whose broadcasts are remembered.
const MAX_ORIGINS: usize = 512;
/// How far behind an origin's newest broadcast an older one is still recognised: a
/// broadcast arriving later than this many newer ones from the same origin is dropped
/// as a duplicate (flooding over reliable channels keeps paths within a few messages).
const WINDOW: u32 = 128;

/// The broadcasts seen from one origin: the newest number and the [`WINDOW`] before it.
#[derive(Clone, Copy, Debug)]
struct Window {
    newest: u32,
    /// Bit `d` set: `newest - d` was seen.
    bits: u128,
}

impl Window {
    fn first(seq: u32) -> Self {
        Self { newest: seq, bits: 1 }
    }

    /// Marks `seq` seen; whether it was new.
    fn mark(&mut self, seq: u32) -> bool {
        if seq > self.newest {
            let shift = seq - self.newest;
            self.bits = if shift >= WINDOW { 0 } else { self.bits << shift };
            self.bits |= 1;
            self.newest = seq;
            return true;
        }
        let behind = self.newest - seq;
        if behind >= WINDOW || self.bits & (1 << behind) != 0 {
            return false;
        }
        self.bits |= 1 << behind;
        true
    }
}

/// The mesh as one peer knows it.
#[derive(Default)]
pub(crate) struct Mesh {
    adverts: Vec<Advert>,
    seen: Vec<(PeerId, Window)>,
    /// Our own advert's version (the next one goes out with this plus one).
    pub version: u32,
    /// Delays our next advert has waited for our connects under way.
    pub holds: u8,
    /// Our own broadcasts' last number.
    pub last_broadcast: u32,
    /// Who the mesh reached when we last looked (while the server is there, we look
    /// only when it matters).
    pub reachable: Vec<PeerId>,
    /// The same, sorted: to tell quickly whether an advert changes it.
    pub reachable_sorted: Vec<PeerId>,
    /// Links or adverts changed since we last looked.
    pub changed: bool,
    /// Membership follows the mesh (the server is gone), and did after the last input.
    pub following: bool,
    /// The way our signals to a peer took, kept while it holds, so that one
    /// negotiation's signals keep their order.
    pub pinned: Vec<(PeerId, Vec<PeerId>)>,
}

impl Mesh {
    /// Takes `advert` if it is newer than what we hold from its origin; whether it was.
    /// Adverts of peers out of reach are kept too (their versions stop an old advert
    /// from going round a loop of peers for ever), until room is needed: then one of
    /// them goes, and with none to spare the new advert is refused.
    pub fn learn(&mut self, advert: Advert) -> bool {
        if let Some(held) = self.adverts.iter_mut().find(|held| held.origin.id == advert.origin.id)
        {
            if held.version >= advert.version {
                return false;
            }
            *held = advert;
            return true;
        }
        if self.adverts.len() >= MAX_ADVERTS {
            let spare =
                self.adverts.iter().position(|held| !self.reachable.contains(&held.origin.id));
            let Some(spare) = spare else { return false };
            self.adverts.remove(spare);
        }
        self.adverts.push(advert);
        true
    }

    /// Whether a new origin's advert needs room made for it.
    pub fn is_full(&self) -> bool {
        self.adverts.len() >= MAX_ADVERTS
    }

    /// Whether `advert` (not learnt yet) can change who we reach, as last worked out:
    /// not when its origin is out of reach (its links are never followed), nor when it
    /// keeps every link the held one had and adds only links to peers reached already.
    /// In a mesh that forms without the server most adverts are of that kind, and each
    /// search walks every link of the room. `links` is `advert.links`, sorted.
    pub fn changes_reach(&self, me: &PeerId, advert: &Advert, links: &[&PeerId]) -> bool {
        let reached =
            |peer: &PeerId| peer == me || self.reachable_sorted.binary_search(peer).is_ok();
        if !reached(&advert.origin.id) {
            return false;
        }
        let Some(held) = self.advert(&advert.origin.id) else { return true };
        held.links.iter().any(|link| links.binary_search(&link).is_err())
            || advert.links.iter().any(|link| !reached(link))
    }

    /// Every advert held (for a new neighbour to start from).
    pub fn adverts(&self) -> &[Advert] {
        &self.adverts
    }

    /// What we hold, as (origin, version), and `me` at our own current version: what
    /// a new neighbour needs to send us only the adverts we lack.
    pub fn digest(&self, me: &PeerId) -> Vec<(PeerId, u32)> {
        let held = self.adverts.iter().map(|advert| (advert.origin.id.clone(), advert.version));
        std::iter::once((me.clone(), self.version)).chain(held).collect()
    }

    /// The advert of `id`, if held.
    pub fn advert(&self, id: &PeerId) -> Option<&Advert> {
        self.adverts.iter().find(|advert| advert.origin.id == *id)
    }

    /// Who is reachable from us, in breadth-first order. `me`'s own links are `mine`;
    /// everyone else's are as their adverts say.
    pub fn reachable_from(&self, me: &PeerId, mine: &[PeerId]) -> Vec<PeerId> {
        self.search(me, mine, None).into_iter().map(|(peer, _)| peer).collect()
    }

    /// A shortest way from us to `to` (every peer after us, `to` last), over our links
    /// `mine` and then the adverts' links.
    pub fn path(&self, me: &PeerId, mine: &[PeerId], to: &PeerId) -> Option<Vec<PeerId>> {
        let found = self.search(me, mine, Some(to));
        let mut at = found.iter().position(|(peer, _)| peer == to)?;
        let mut path = vec![to.clone()];
        while let Some(parent) = found[at].1 {
            path.push(found[parent].0.clone());
            at = parent;
        }
        path.reverse();
        Some(path)
    }

    /// Breadth first from us, each peer found with the index of the peer it was found
    /// from (`None`: one of ours); stops once `until` is found.
    ///
    /// This runs after every advert that changes the mesh, and in a room of `n` peers
    /// each advert lists up to `n` links: who was found already is kept sorted
    /// (`seen`), so each link costs a binary search, not a scan of everyone found.
    fn search<'a>(
        &'a self,
        me: &'a PeerId,
        mine: &'a [PeerId],
        until: Option<&PeerId>,
    ) -> Vec<(PeerId, Option<usize>)> {
        let mut found: Vec<(PeerId, Option<usize>)> = Vec::new();
        let mut seen: Vec<&'a PeerId> = vec![me];
        let mut add = |found: &mut Vec<(PeerId, Option<usize>)>, peer: &'a PeerId, from| {
            let Err(at) = seen.binary_search(&peer) else { return false };
            seen.insert(at, peer);
            found.push((peer.clone(), from));
            until == Some(peer)
        };
        let mut reached = false;
        for peer in mine {
            reached |= add(&mut found, peer, None);
        }
        let mut next = 0;
        while next < found.len() && !reached {
            if let Some(advert) = self.advert(&found[next].0) {
                for peer in &advert.links {
                    reached |= add(&mut found, peer, Some(next));
                }
            }
            next += 1;
        }
        found
    }

    /// Whether no step of `path` after the first is known to be gone: a link that its
    /// advert no longer lists (a step we hold no advert for is taken on trust: it came
    /// from the way a signal reached us).
    pub fn path_holds(&self, path: &[PeerId]) -> bool {
        path.windows(2)
            .all(|step| self.advert(&step[0]).is_none_or(|advert| advert.links.contains(&step[1])))
    }

    /// Marks `origin`'s broadcast `seq` seen; whether it is new (else: a duplicate, or
    /// too old to tell, both dropped).
    pub fn first_sight(&mut self, origin: &PeerId, seq: u32) -> bool {
        if let Some((_, window)) = self.seen.iter_mut().find(|(known, _)| known == origin) {
            return window.mark(seq);
        }
        if self.seen.len() >= MAX_ORIGINS {
            self.seen.remove(0);
        }
        self.seen.push((origin.clone(), Window::first(seq)));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signaling_protocol::PeerInfo;

    fn id(name: &str) -> PeerId {
        PeerId::from(name)
    }

    fn advert(origin: &str, version: u32, links: &[&str]) -> Advert {
        let links = links.iter().map(|link| id(link)).collect();
        Advert { origin: PeerInfo::new(origin, origin), version, links }
    }

    #[test]
    fn only_a_newer_advert_replaces_the_one_held() {
        let mut mesh = Mesh::default();
        assert!(mesh.learn(advert("b", 2, &["a"])));
        assert!(!mesh.learn(advert("b", 2, &["a", "c"])));
        assert!(!mesh.learn(advert("b", 1, &[])));
        assert!(mesh.learn(advert("b", 3, &["a", "c"])));
        assert_eq!(mesh.advert(&id("b")).map(|a| a.links.len()), Some(2));
    }

    #[test]
    fn paths_are_shortest_and_start_with_one_of_our_neighbours() {
        // a - b - c - d, and a - e - d: d is two hops away through e.
        let mut mesh = Mesh::default();
        mesh.learn(advert("b", 1, &["a", "c"]));
        mesh.learn(advert("c", 1, &["b", "d"]));
        mesh.learn(advert("e", 1, &["a", "d"]));
        mesh.learn(advert("d", 1, &["c", "e"]));
        let reachable = mesh.reachable_from(&id("a"), &[id("b"), id("e")]);
        assert_eq!(reachable, [id("b"), id("e"), id("c"), id("d")], "never ourselves");
        let path = |to: &str| mesh.path(&id("a"), &[id("b"), id("e")], &id(to));
        assert_eq!(path("c"), Some(vec![id("b"), id("c")]));
        assert_eq!(path("d"), Some(vec![id("e"), id("d")]));
        assert_eq!(path("b"), Some(vec![id("b")]));
        assert_eq!(path("a"), None);
        assert!(mesh.path_holds(&[id("b"), id("c"), id("d")]));
        assert!(!mesh.path_holds(&[id("b"), id("e")]));
        assert!(mesh.path_holds(&[id("x"), id("y")]), "nothing known against it");
    }

    #[test]
    fn a_broadcast_is_new_once_whatever_the_order_within_the_window() {
        let mut mesh = Mesh::default();
        let origin = id("o");
        assert!(mesh.first_sight(&origin, 5));
        assert!(!mesh.first_sight(&origin, 5));
        assert!(mesh.first_sight(&origin, 3), "older, unseen");
        assert!(!mesh.first_sight(&origin, 3));
        assert!(mesh.first_sight(&origin, 200));
        assert!(!mesh.first_sight(&origin, 5), "too far behind to tell: dropped");
        assert!(mesh.first_sight(&origin, 199));
        assert!(mesh.first_sight(&id("p"), 5), "origins are apart");
    }

    /// Peer `p{n}` for each bit `n` set in `bits`.
    fn peers(bits: u8) -> Vec<PeerId> {
        (0..8).filter(|n| bits & (1 << n) != 0).map(|n| id(&format!("p{n}"))).collect()
    }

    fn advert_of(origin: u8, version: u32, links: u8) -> Advert {
        let origin = format!("p{origin}");
        Advert {
            origin: PeerInfo::new(origin.as_str(), origin.as_str()),
            version,
            links: peers(links),
        }
    }

    proptest::proptest! {
        /// An advert that `changes_reach` lets by changes no one's reach: a search after
        /// learning it finds whom the search before it found.
        #[test]
        fn an_advert_said_not_to_change_the_reach_does_not(
            held in proptest::collection::vec((0u8..8, 0u8..=255), 0..12),
            mine in 0u8..=255,
            (origin, links) in (0u8..8, 0u8..=255),
        ) {
            let (me, mine) = (id("me"), peers(mine));
            let mut mesh = Mesh::default();
            for (version, (origin, links)) in (1..).zip(&held) {
                mesh.learn(advert_of(*origin, version, *links));
            }
            let mut before = mesh.reachable_from(&me, &mine);
            mesh.reachable_sorted = before.clone();
            mesh.reachable_sorted.sort_unstable();
            let new = advert_of(origin, 100, links);
            let mut sorted: Vec<&PeerId> = new.links.iter().collect();
            sorted.sort_unstable();
            let changes = mesh.changes_reach(&me, &new, &sorted);
            mesh.learn(new.clone());
            let mut after = mesh.reachable_from(&me, &mine);
            before.sort_unstable();
            after.sort_unstable();
            proptest::prop_assert!(changes || before == after, "{before:?} became {after:?}");
        }
    }

    #[test]
    fn memory_is_bounded_whatever_a_stranger_sends() {
        let mut mesh = Mesh::default();
        for n in 0..2 * MAX_ADVERTS {
            mesh.learn(advert(&format!("x{n}"), 1, &[]));
            mesh.first_sight(&id(&format!("x{n}")), 1);
        }
        assert_eq!(mesh.adverts().len(), MAX_ADVERTS);
        let kept = mesh.adverts()[0].origin.id.clone();
        mesh.reachable = vec![kept.clone()];
        assert!(mesh.learn(advert("new", 1, &[])), "room made from the unreachable");
        assert!(mesh.advert(&kept).is_some(), "not from the reachable");
        mesh.reachable = mesh.adverts().iter().map(|a| a.origin.id.clone()).collect();
        assert!(!mesh.learn(advert("newer", 1, &[])), "full of reachable peers: refused");
        assert_eq!(mesh.seen.len(), MAX_ORIGINS);
    }
}
