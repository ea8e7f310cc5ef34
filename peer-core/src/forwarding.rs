//! Who passes a new advert on to whom. Flooding an advert to every neighbour not linked
//! to its origin sent each advert across a dense mesh many times over: every common
//! neighbour of the origin and a peer handed it to that peer. In a room of 60 native
//! peers forming a full mesh in one process, 1,650 adverts made were passed on 1.05
//! million times (95% of all mesh messages), and the room did not finish forming in 60 s;
//! with these rules it formed in 29 s.

use crate::frames::Advert;
use crate::mesh::Mesh;
use signaling_protocol::PeerId;

/// How many peers with smaller ids, linked to both the origin and the next peer, make
/// passing an advert on ours to skip: two, so that one link we still see but that has
/// closed does not leave the next peer without it.
const COVERING_PEERS: usize = 2;

/// Whether `advert`, new to `me` and come from neighbour `sender`, is ours to pass on
/// to our neighbour `next`, as we know the mesh. Not when someone else hands it on:
/// - `next` sent it, or is its origin;
/// - `next` is linked to the origin (the advert lists it, or `next`'s own advert lists
///   the origin): the origin sent it, or sends a newer one since their channel opened;
/// - `next` is linked to `sender` (by either one's advert): the sender passed it on to
///   `next`, or left it to someone by these same rules;
/// - [`COVERING_PEERS`] peers with smaller ids than ours are linked to both the origin
///   and `next`: each got it from the origin, and passes it on or leaves it by these rules.
///
/// Whoever a peer leaves it to is earlier on the advert's way, or has a smaller id, so
/// the rules never leave it in a circle; and a channel that opens after the advert went
/// by starts with a digest, which hands over what either side lacks.
/// `origin_links` is `advert.links`, sorted (a search each, not a scan: a hash set would
/// add its code to the browser package for this alone).
pub(crate) fn passes_on(
    mesh: &Mesh,
    me: &PeerId,
    advert: &Advert,
    origin_links: &[&PeerId],
    sender: &PeerId,
    next: &PeerId,
) -> bool {
    let origin = &advert.origin.id;
    if next == sender || next == origin || origin_links.binary_search(&next).is_ok() {
        return false;
    }
    let theirs = mesh.advert(next).map(|its| its.links.as_slice()).unwrap_or_default();
    if theirs.contains(origin) || theirs.contains(sender) {
        return false;
    }
    if mesh.advert(sender).is_some_and(|its| its.links.contains(next)) {
        return false;
    }
    let covering =
        theirs.iter().filter(|peer| *peer < me && origin_links.binary_search(peer).is_ok());
    covering.take(COVERING_PEERS).count() < COVERING_PEERS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use signaling_protocol::PeerInfo;
    use std::collections::VecDeque;

    fn id(n: usize) -> PeerId {
        PeerId::from(format!("p{n:02}").as_str())
    }

    fn advert(n: usize, links: &[usize]) -> Advert {
        let links = links.iter().map(|link| id(*link)).collect();
        Advert { origin: PeerInfo::new(id(n), format!("{n}")), version: 1, links }
    }

    /// Floods `origin`'s advert over `graph` (each peer's neighbours), every peer
    /// holding every other's advert: which peers got it, and how many messages it took.
    fn flood(graph: &[Vec<usize>], origin: usize) -> (Vec<bool>, usize) {
        let adverts: Vec<Advert> = (0..graph.len()).map(|n| advert(n, &graph[n])).collect();
        let the_advert = &adverts[origin];
        let mut origin_links: Vec<&PeerId> = the_advert.links.iter().collect();
        origin_links.sort_unstable();
        let mut got = vec![false; graph.len()];
        got[origin] = true;
        let mut messages = 0;
        let mut way: VecDeque<(usize, usize)> =
            graph[origin].iter().map(|n| (origin, *n)).collect();
        while let Some((sender, at)) = way.pop_front() {
            messages += 1;
            if std::mem::replace(&mut got[at], true) {
                continue; // held already: not passed on again
            }
            let mut mesh = Mesh::default();
            for (n, held) in adverts.iter().enumerate() {
                if n != at {
                    mesh.learn(held.clone());
                }
            }
            for next in &graph[at] {
                if passes_on(&mesh, &id(at), the_advert, &origin_links, &id(sender), &id(*next)) {
                    way.push_back((at, *next));
                }
            }
        }
        (got, messages)
    }

    /// A connected graph of `n` peers: a random spanning tree plus the extra edges.
    fn graph(n: usize, parents: &[usize], extra: &[(usize, usize)]) -> Vec<Vec<usize>> {
        let mut graph = vec![Vec::new(); n];
        let mut link = |a: usize, b: usize| {
            if a != b && !graph[a].contains(&b) {
                graph[a].push(b);
                graph[b].push(a);
            }
        };
        for child in 1..n {
            link(child, parents[child - 1] % child);
        }
        for (a, b) in extra {
            link(a % n, b % n);
        }
        graph
    }

    proptest! {
        #[test]
        fn every_peer_of_a_connected_mesh_gets_every_advert(
            n in 2usize..24,
            parents in proptest::collection::vec(0usize..1000, 23),
            extra in proptest::collection::vec((0usize..1000, 0usize..1000), 0..120),
            origin in 0usize..1000,
        ) {
            let graph = graph(n, &parents, &extra);
            let (got, _) = flood(&graph, origin % n);
            prop_assert!(got.iter().all(|got| *got), "not every peer got it: {got:?} in {graph:?}");
        }
    }

    #[test]
    fn a_full_mesh_hears_it_from_the_origin_only() {
        let n = 30;
        let graph: Vec<Vec<usize>> = (0..n).map(|a| (0..n).filter(|b| *b != a).collect()).collect();
        let (got, messages) = flood(&graph, 7);
        assert!(got.iter().all(|got| *got));
        assert_eq!(messages, n - 1);
    }

    #[test]
    fn a_line_passes_it_hop_by_hop() {
        let graph = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
        assert_eq!(flood(&graph, 0), (vec![true; 4], 3));
    }

    #[test]
    fn a_peer_linked_to_two_smaller_common_neighbours_is_left_to_them() {
        // Origin 9 is linked to 1, 2 and 5; 5 got the advert and looks at 8, which is
        // linked to 1 and 2 but not to 9: 1 and 2 hand it on, 5 does not.
        let mut mesh = Mesh::default();
        mesh.learn(advert(8, &[1, 2, 5]));
        let origin = advert(9, &[1, 2, 5]);
        let mut links: Vec<&PeerId> = origin.links.iter().collect();
        links.sort_unstable();
        assert!(!passes_on(&mesh, &id(5), &origin, &links, &id(9), &id(8)));
        mesh.learn(Advert { version: 2, ..advert(8, &[1, 5]) });
        assert!(passes_on(&mesh, &id(5), &origin, &links, &id(9), &id(8)), "one is not enough");
    }
}
