//! Seating a join the scripts accepted: its welcome shows the room as of the newest state
//! known here (the join's snapshot, or the roster when it is further), and the room's
//! events kept while the join was on its way are applied after it. A join on its way
//! keeps its room's roster, and its events, until it lands.

use super::{Entry, Gone, Roster, Rosters, Seat, close_taken_over, entry_of, events, recovery};
use crate::room::outbox::Outbound;
use crate::room::redis::snapshot::Snapshot;
use crate::room::types::Ticket;
use axum::extract::ws::Utf8Bytes;
use signaling_protocol::PeerInfo;

/// A join the scripts accepted, to seat here.
pub struct Newcomer<'a> {
    pub room: &'a str,
    pub secret: &'a str,
    pub info: PeerInfo,
    pub ticket: Ticket,
    pub outbound: Outbound,
    /// The event of this join, and the room as it stood after it.
    pub seq: u64,
    pub snapshot: Snapshot,
}

/// What came of seating a newcomer.
pub struct Seated {
    /// Whether its welcome fit in its queue (if not, it is not seated: clear it in Redis).
    pub welcomed: bool,
    /// Our peers evicted on the way (telling them of changes the roster caught up with).
    pub gone: Vec<Gone>,
}

impl Rosters {
    /// Seats a join the script accepted and queues its welcome, built by `welcome` from
    /// the other members as of the newest state known here.
    pub fn seat(
        &self,
        newcomer: Newcomer<'_>,
        welcome: impl FnOnce(Vec<PeerInfo>) -> Utf8Bytes,
    ) -> Seated {
        let mut rooms = self.lock();
        let Newcomer { room, secret, info, ticket, outbound, seq, snapshot } = newcomer;
        let roster = rooms.entry(room.to_owned()).or_insert_with(|| Roster::new(secret));
        let mut gone = Vec::new();
        let first = !roster.has_seats();
        let (others, since) = if first {
            // The snapshot is the room; events after it wait in `early`.
            let others = snapshot.members.iter().map(|listed| listed.info.clone()).collect();
            (others, seq)
        } else if roster.seq >= seq {
            let others: Vec<PeerInfo> = roster.members.iter().map(|m| m.info.clone()).collect();
            (others, roster.seq)
        } else {
            // The snapshot is newer: events before it may have come before this roster
            // existed (and were dropped), or be on their way (and will be stale).
            recovery::catch_up(roster, room, &snapshot, seq, &self.metrics, &mut gone);
            roster.seq = seq;
            (snapshot.members.iter().map(|listed| listed.info.clone()).collect(), seq)
        };
        let others: Vec<PeerInfo> = others.into_iter().filter(|peer| peer.id != info.id).collect();
        if !outbound.outbox.offer(welcome(others)) {
            if roster.idle() {
                rooms.remove(room);
            }
            return Seated { welcomed: false, gone };
        }
        if first {
            roster.members = snapshot.members.iter().map(entry_of).collect();
            roster.seq = seq;
        }
        let seat = Some(Seat { outbound, since });
        let me = self.me.to_string();
        match roster.position(info.id.as_str()) {
            Some(index) => {
                let member = &mut roster.members[index];
                if let Some(earlier) = member.seat.take() {
                    close_taken_over(earlier);
                }
                let announced = member.announced;
                *member = Entry { info, instance: me, ticket: ticket.0, seat, announced };
            }
            None => {
                let (ticket, announced) = (ticket.0, false);
                roster.members.push(Entry { info, instance: me, ticket, seat, announced });
            }
        }
        if first {
            let mut early = std::mem::take(&mut roster.early);
            early.sort_by_key(|event| event.seq);
            for event in &early {
                events::apply_event(roster, &self.me, event, &self.metrics, &mut gone);
            }
        }
        Seated { welcomed: true, gone }
    }

    /// A join of ours to `room` is on its way: keep the room's events until it lands.
    pub fn expect(&self, room: &str, secret: &str) {
        let mut rooms = self.lock();
        rooms.entry(room.to_owned()).or_insert_with(|| Roster::new(secret)).expecting += 1;
    }

    /// That join landed (seated or not).
    pub fn landed(&self, room: &str) {
        let mut rooms = self.lock();
        let Some(roster) = rooms.get_mut(room) else { return };
        roster.expecting = roster.expecting.saturating_sub(1);
        if roster.idle() {
            rooms.remove(room);
        }
    }
}
