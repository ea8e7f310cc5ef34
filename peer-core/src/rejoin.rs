//! How the peer gets its signaling back. When the connection to the server drops, open
//! channels go on (they need no server), and the peer rejoins its room as itself (its
//! key gives it its id back) after a backoff that doubles from
//! [`Backoff::min_ms`] to [`Backoff::max_ms`], jittered so that the peers of a restarted
//! server do not all come back in the same millisecond. Once back, the room as the
//! server now knows it is reconciled with ours: a peer with an open channel that has not
//! rejoined yet is kept (it comes back too, or its channel ends), the others are
//! reported as they come and go.

use super::lifecycle::Ending;
use super::link::Phase;
use crate::error::connect_failed;
use crate::ids::RejoinFailure;
use crate::ids::{CallId, Role};
use crate::io::{Event, Output};
use crate::state::{Core, Signaling};
use crate::timings::Backoff;
use signaling_protocol::{ErrorCode, PeerId, PeerInfo};

/// An offer given up with the server, to make again through the mesh: the peer, and the
/// `connect()` calls waiting for it.
type Stranded = (PeerId, Vec<CallId>);

impl<M: Clone> Core<M> {
    /// The signaling transport closed, or an attempt to rejoin could not reach the server.
    pub(super) fn signaling_closed(&mut self, reason: String) {
        let Some((failures, stranded)) = self.signaling_lost() else { return };
        let Some(backoff) = self.backoff else {
            self.signaling = Signaling::Closed;
            self.out.push_back(Output::Emit(Event::SignalingClosed { reason }));
            return self.offer_again_through_mesh(stranded);
        };
        let wait = self.backoff_wait(backoff, failures);
        let wait = self.deadline_in(wait);
        self.signaling = Signaling::Reconnecting { wait: Some(wait), failures };
        if failures == 0 {
            self.out.push_back(Output::Emit(Event::SignalingReconnecting { reason }));
        }
        self.offer_again_through_mesh(stranded);
    }

    /// The wait before the next attempt went by.
    pub(super) fn rejoin_due(&mut self) {
        if let Signaling::Reconnecting { failures, .. } = self.signaling {
            self.signaling = Signaling::Reconnecting { wait: None, failures };
            self.out.push_back(Output::Rejoin);
        }
    }

    /// Back in the room as ourselves; `roster` is who the server has in it now.
    pub(super) fn rejoined(&mut self, roster: Vec<PeerInfo>) {
        if !matches!(self.signaling, Signaling::Reconnecting { wait: None, .. }) {
            return; // no attempt of ours was under way
        }
        self.signaling = Signaling::Connected;
        let absent: Vec<PeerId> = self
            .roster
            .iter()
            .filter(|known| roster.iter().all(|peer| peer.id != known.id))
            .map(|known| known.id.clone())
            .collect();
        // Still reachable through the mesh: not gone, only not back on the server yet.
        let gone: Vec<PeerId> = absent.into_iter().filter(|id| !self.reachable(id)).collect();
        for id in gone {
            self.peer_left(&id);
        }
        for peer in roster {
            let returning = self.link(&peer.id).is_some_and(|link| link.left);
            if returning || !self.knows(&peer.id) {
                self.peer_joined(peer);
            }
        }
        // Paths being restored wait for a restart offer that could not go out meanwhile.
        for peer in self.linked_peers() {
            if self.link_in(&peer, |phase| matches!(phase, Phase::Restarting { .. })) {
                self.offer_restart(&peer);
            }
        }
        self.out.push_back(Output::Emit(Event::SignalingReconnected));
    }

    /// An attempt to rejoin failed: tried again after the backoff when a later attempt
    /// may pass, otherwise signaling is over.
    pub(super) fn rejoin_failed(&mut self, failure: RejoinFailure, error: String) {
        if may_pass_later(failure) {
            self.signaling_closed(error);
        } else {
            self.signaling_over(format!("could not rejoin the room: {error}"));
        }
    }

    /// Signaling is over for good: the server refused to take us back, or gave our
    /// identity to a newer connection (rejoining would take it back from that one, and
    /// the two would take turns forever).
    pub(super) fn signaling_over(&mut self, reason: String) {
        if let Some((_, stranded)) = self.signaling_lost() {
            self.signaling = Signaling::Closed;
            self.out.push_back(Output::Emit(Event::SignalingClosed { reason }));
            self.offer_again_through_mesh(stranded);
        }
    }

    /// The signaling connection, or an attempt to rejoin, ended: how many attempts have
    /// failed so far (`None` when this is a late report, to ignore), and the attempts
    /// to offer again through the mesh. An offer waiting for its answer is given up (the
    /// answer may have gone to the server that is gone): its `connect()` calls fail, or,
    /// when some open channel leads to the peer, wait for a new offer through the mesh.
    fn signaling_lost(&mut self) -> Option<(u32, Vec<Stranded>)> {
        let failures = match self.signaling {
            Signaling::Connected => 0,
            Signaling::Reconnecting { wait: None, failures } => failures + 1,
            // A late report of a transport already given up on.
            Signaling::Reconnecting { wait: Some(_), .. } | Signaling::Closed => return None,
        };
        let mut stranded = Vec::new();
        if failures == 0 {
            // A restart offer waiting for its answer may have gone down with the
            // transport (a router that rebooted kills the socket silently, and the offer
            // with it): once signaling is back, it is offered again.
            for link in &mut self.links {
                link.restart_pending = false;
            }
            for peer in self.linked_peers() {
                if !self.link_in(&peer, |phase| matches!(phase, Phase::Offering { .. })) {
                    continue;
                }
                if self.relay_route(&peer).is_some()
                    && let Some(link) = self.link_mut(&peer)
                {
                    stranded.push((peer.clone(), std::mem::take(&mut link.connecting)));
                }
                let error = connect_failed(&peer, "the signaling connection closed");
                self.finish(&peer, error, Ending::Quietly);
            }
        }
        Some((failures, stranded))
    }

    /// Offers again, through the mesh (signaling is down now), to the peers whose offer
    /// was stranded with the server; their `connect()` calls wait for the new attempt.
    fn offer_again_through_mesh(&mut self, stranded: Vec<Stranded>) {
        for (peer, calls) in stranded {
            if self.link(&peer).is_none() && !self.closed {
                let session = self.new_session();
                self.start_link(&peer, Role::Offerer, session).connecting = calls;
            } else {
                for call in calls {
                    self.settle(
                        call,
                        Err(connect_failed(&peer, "the signaling connection closed")),
                    );
                }
            }
        }
    }

    /// The wait before attempt `failures + 1`: doubling from the minimum up to the
    /// maximum, the lower half of it jittered away at random.
    pub(super) fn backoff_wait(&mut self, backoff: Backoff, failures: u32) -> u32 {
        let ceiling = backoff.min_ms.saturating_mul(1 << failures.min(20)).min(backoff.max_ms);
        let half = ceiling / 2;
        // xorshift32: plenty for jitter, and no dependency.
        self.random ^= self.random << 13;
        self.random ^= self.random >> 17;
        self.random ^= self.random << 5;
        half + self.random % (ceiling - half + 1)
    }
}

/// Whether a failed rejoin may succeed on a later attempt: the server may be back, or
/// take us once it is less full or busy (`unavailable`: its Redis is back within
/// seconds, or another instance takes us). Other refusals would be repeated.
fn may_pass_later(failure: RejoinFailure) -> bool {
    match failure {
        RejoinFailure::Unreachable => true,
        RejoinFailure::Refused(code) => matches!(
            code,
            ErrorCode::RoomFull
                | ErrorCode::TooManyRooms
                | ErrorCode::RateLimited
                | ErrorCode::Unavailable
                | ErrorCode::Other
        ),
        RejoinFailure::Browser => false,
    }
}
