//! The rooms this instance has peers in, as it knows them: every member (on any instance)
//! in join order, and for its own peers their seat (queue and task). Redis holds the
//! truth; a roster follows it through the room's numbered events (`pubsub.rs`), which reach
//! every instance with members in the room, in order, each applied once: an event numbered
//! at or below what the roster has seen is stale. A peer is told of the events after the
//! state its welcome showed (its `since`), so it hears of each change exactly once.
//!
//! One `std::sync::Mutex`, taken once per operation and never across an `.await` (the
//! callers run the scripts, then bring the result here), as in the memory backend.
//! Seating a join is in `seating.rs`, taking events in `events.rs`, and catching up after
//! events may have been lost in `recovery.rs`.

use super::pubsub::Event;
use super::snapshot::Listed;
use crate::metrics::Metrics;
use crate::room::outbox::Outbound;
use crate::room::types::Ticket;
use axum::extract::ws::Utf8Bytes;
use signaling_protocol::{PeerId, PeerInfo};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

mod events;
mod recovery;
pub mod seating;

pub use recovery::LiveRoom;

/// A seat this instance must clear in Redis (its peer was evicted for not reading): the
/// caller runs the leave script for it.
#[derive(Debug, PartialEq, Eq)]
pub struct Gone {
    pub room: String,
    pub id: PeerId,
    pub ticket: Ticket,
}

/// One of our peers.
struct Seat {
    outbound: Outbound,
    /// The last event its welcome reflected.
    since: u64,
}

/// A member of the room (on any instance), as this instance knows it.
struct Entry {
    info: PeerInfo,
    instance: String,
    ticket: u64,
    /// Set when the member is one of our peers.
    seat: Option<Seat>,
    /// Whether our peers were told it joined: a newcomer seated here before its join
    /// event arrived is announced by that event, and only by it.
    announced: bool,
}

struct Roster {
    /// The room's secret hash ('' for none), to recreate the room after a Redis restart.
    secret: String,
    /// Joins of ours to this room waiting for their script's answer.
    expecting: usize,
    /// Events that came while we had no peer here yet but a join was on its way: the
    /// first join's snapshot may be older than some of them.
    early: Vec<Event>,
    /// The last event applied.
    seq: u64,
    members: Vec<Entry>,
}

impl Roster {
    fn new(secret: &str) -> Self {
        let secret = secret.to_owned();
        Self { secret, expecting: 0, early: Vec::new(), seq: 0, members: Vec::new() }
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.members.iter().position(|member| member.info.id.as_str() == id)
    }

    fn has_seats(&self) -> bool {
        self.members.iter().any(|member| member.seat.is_some())
    }

    /// Nothing to keep it for: no peer of ours, no join of ours on its way.
    fn idle(&self) -> bool {
        self.expecting == 0 && !self.has_seats()
    }
}

/// Where a signal goes.
pub enum Route {
    /// Into one of our peers' queues.
    Delivered,
    /// Its target (ours) stopped reading and was evicted.
    Evicted(Gone),
    /// To the instance that holds its target.
    Forward(String),
}

/// Every roster of this instance.
pub struct Rosters {
    me: Arc<str>,
    rooms: Mutex<HashMap<String, Roster>>,
    metrics: Arc<Metrics>,
}

impl Rosters {
    /// No rosters; `me` is this instance's id.
    pub fn new(me: Arc<str>, metrics: Arc<Metrics>) -> Self {
        Self { me, rooms: Mutex::new(HashMap::new()), metrics }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Roster>> {
        self.rooms.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Routes a signal from `from` (seated by `ticket`) to `to`, in `room`.
    pub fn route(
        &self,
        room: &str,
        from: &PeerId,
        ticket: Ticket,
        to: &PeerId,
        text: impl FnOnce() -> Utf8Bytes,
    ) -> Result<Route, signaling_protocol::ErrorCode> {
        use signaling_protocol::ErrorCode;
        let mut rooms = self.lock();
        let roster = rooms.get_mut(room).ok_or(ErrorCode::NotJoined)?;
        let sender = roster.position(from.as_str()).map(|index| &roster.members[index]);
        if !sender.is_some_and(|m| m.seat.is_some() && m.ticket == ticket.0) {
            return Err(ErrorCode::NotJoined);
        }
        let index = roster.position(to.as_str()).ok_or(ErrorCode::UnknownPeer)?;
        let target = &roster.members[index];
        if *target.instance != *self.me {
            return Ok(Route::Forward(target.instance.clone()));
        }
        let seat = target.seat.as_ref().ok_or(ErrorCode::UnknownPeer)?;
        if seat.outbound.outbox.offer(text()) {
            self.metrics.relayed();
            return Ok(Route::Delivered);
        }
        let gone = evict(roster, room, index, &self.metrics);
        if roster.idle() {
            rooms.remove(room);
        }
        Ok(Route::Evicted(gone))
    }

    /// Hands a signal from another instance to our peer `to`; `Err` when it is not ours
    /// (any more), `Ok(Some)` when it had to be evicted.
    pub fn deliver(&self, room: &str, to: &str, text: Utf8Bytes) -> Result<Option<Gone>, ()> {
        let mut rooms = self.lock();
        let roster = rooms.get_mut(room).ok_or(())?;
        let index = roster.position(to).ok_or(())?;
        let seat = roster.members[index].seat.as_ref().ok_or(())?;
        if seat.outbound.outbox.offer(text) {
            self.metrics.relayed();
            return Ok(None);
        }
        let gone = evict(roster, room, index, &self.metrics);
        if roster.idle() {
            rooms.remove(room);
        }
        Ok(Some(gone))
    }

    /// Unseats our peer `id` of `room` seated by `ticket`; `false` when that seat is gone
    /// already. Its member stays listed until the room's event says it left.
    pub fn leave(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        let mut rooms = self.lock();
        let Some(roster) = rooms.get_mut(room) else { return false };
        let Some(index) = roster.position(id.as_str()) else { return false };
        let member = &mut roster.members[index];
        if member.ticket != ticket.0 || member.seat.take().is_none() {
            return false;
        }
        if roster.idle() {
            rooms.remove(room);
        }
        true
    }

    /// Whether `id` is our peer in `room` by the join that got `ticket`.
    #[cfg(any(test, feature = "testing"))]
    pub fn is_member(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        let rooms = self.lock();
        let Some(roster) = rooms.get(room) else { return false };
        roster.position(id.as_str()).is_some_and(|index| {
            let member = &roster.members[index];
            member.seat.is_some() && member.ticket == ticket.0
        })
    }

    /// Our peers, and the rooms they are in.
    pub fn occupancy(&self) -> (usize, usize) {
        let rooms = self.lock();
        let seats = rooms.values().flat_map(|r| &r.members).filter(|m| m.seat.is_some());
        (seats.count(), rooms.len())
    }
}

fn entry_of(listed: &Listed) -> Entry {
    let (info, instance) = (listed.info.clone(), listed.instance.clone());
    Entry { info, instance, ticket: listed.ticket, seat: None, announced: true }
}

/// Tells our seated peers (but `about`) whose welcome came before event `seq`; evicts
/// those whose queue is full.
fn deliver_all(
    roster: &mut Roster,
    room: &str,
    about: &str,
    seq: u64,
    text: &Utf8Bytes,
    metrics: &Metrics,
    gone: &mut Vec<Gone>,
) {
    let stuck: Vec<usize> = (0..roster.members.len())
        .filter(|&index| {
            let member = &roster.members[index];
            let Some(seat) = &member.seat else { return false };
            member.info.id.as_str() != about
                && seat.since < seq
                && !seat.outbound.outbox.offer(text.clone())
        })
        .collect();
    for index in stuck {
        gone.push(evict(roster, room, index, metrics));
    }
}

/// Unseats our peer at `index`, which stopped reading, and ends its task; the others hear
/// it left once its leave script ran.
fn evict(roster: &mut Roster, room: &str, index: usize, metrics: &Metrics) -> Gone {
    let member = &mut roster.members[index];
    tracing::warn!(peer = %member.info.id, "disconnecting a peer that stopped reading");
    metrics.evicted();
    if let Some(seat) = member.seat.take() {
        seat.outbound.session.abort();
    }
    Gone { room: room.to_owned(), id: member.info.id.clone(), ticket: Ticket(member.ticket) }
}

/// Tells the connection whose seat a newer one with the same key took (here or
/// elsewhere) to close, or ends it when its queue is full: it is not reading.
fn close_taken_over(earlier: Seat) {
    if !earlier.outbound.outbox.taken_over() {
        earlier.outbound.session.abort();
    }
}

#[cfg(test)]
mod tests;
