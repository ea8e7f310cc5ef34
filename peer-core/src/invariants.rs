//! What the property test (`properties.rs`) checks after every step: the order of the
//! events, and the machine's state against what its driver saw.

use super::harness::{Harness, id};
use super::*;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

/// What the events said so far, per peer.
#[derive(Default)]
pub(super) struct Seen {
    pub connected: HashSet<PeerId>,
    checked: usize,
}

impl Seen {
    /// Reads the events emitted since the last call, checking their order.
    pub fn read(&mut self, events: &[Event<&'static str>]) -> Result<(), TestCaseError> {
        for event in &events[self.checked..] {
            match event {
                Event::Connected(peer) => {
                    prop_assert!(self.connected.insert(peer.id.clone()), "{peer:?} connected twice")
                }
                Event::Disconnected { peer, .. } => {
                    prop_assert!(
                        self.connected.remove(&peer.id),
                        "{peer:?} disconnected, never connected"
                    )
                }
                Event::Message { from, .. } => {
                    prop_assert!(
                        self.connected.contains(&from.id),
                        "message from {from:?} outside its connection"
                    )
                }
                Event::PeerLeft(peer) => {
                    prop_assert!(
                        !self.connected.contains(&peer.id),
                        "{peer:?} left while connected"
                    )
                }
                Event::PeerJoined(_)
                | Event::Broadcast { .. }
                | Event::SignalingClosed { .. }
                | Event::SignalingReconnecting { .. }
                | Event::SignalingReconnected => {}
            }
        }
        self.checked = events.len();
        Ok(())
    }
}

pub(super) fn check_invariants(h: &Harness, seen: &Seen) -> Result<(), TestCaseError> {
    let links = h.core.links();
    // A link is to a peer of the room (one that left is forgotten once its link ends).
    for (key, _) in &links {
        prop_assert!(
            h.core.roster().iter().any(|peer| peer.id == key.peer),
            "{key:?} not in the room"
        );
    }
    // connectedPeers() is exactly the open links (their path restored or not).
    let open: HashSet<PeerId> = links
        .iter()
        .filter(|(_, phase)| phase.is_usable())
        .map(|(key, _)| key.peer.clone())
        .collect();
    let listed: HashSet<PeerId> = h.core.connected().into_iter().map(|peer| peer.id).collect();
    prop_assert_eq!(&listed, &open);
    // The events agree with the links whose channel had opened.
    let had_opened: HashSet<PeerId> = links
        .iter()
        .filter(|(_, phase)| phase.was_open())
        .map(|(key, _)| key.peer.clone())
        .collect();
    prop_assert_eq!(&seen.connected, &had_opened);
    // The next timeout is the earliest deadline of the live phases and of the peer.
    let earliest = h.timers().into_iter().min();
    prop_assert_eq!(h.core.poll_timeout(), earliest);
    // Connections started and not released = the live links.
    let mut unreleased: HashMap<ConnKey, usize> = HashMap::new();
    for key in &h.started {
        *unreleased.entry(key.clone()).or_default() += 1;
    }
    for key in &h.released {
        *unreleased.entry(key.clone()).or_default() -= 1;
    }
    unreleased.retain(|_, count| *count > 0);
    let live_keys: HashMap<ConnKey, usize> =
        links.iter().map(|(key, _)| (key.clone(), 1)).collect();
    prop_assert_eq!(unreleased, live_keys);
    // Only the larger id restarts ICE, and only on a channel that had opened.
    for key in &h.restarted {
        prop_assert!(key.peer < id("m"), "{key:?} restarted by the smaller id");
    }
    Ok(())
}
