//! A room's events, as the rosters take them: kept while our first join there is on its
//! way, applied in order once we have a peer there (each at most once), and told to our
//! peers whose welcome came before them.

use super::{Entry, Gone, Roster, Rosters, close_taken_over, deliver_all};
use crate::config::MAX_EARLY_EVENTS;
use crate::metrics::Metrics;
use crate::room::redis::pubsub::{Event, Kind};
use crate::room::types::encode;
use signaling_protocol::{PeerId, PeerInfo, ServerMessage};

impl Rosters {
    /// Applies a room event; returns the seats evicted on the way.
    pub fn apply(&self, event: &Event) -> Vec<Gone> {
        let mut rooms = self.lock();
        let Some(roster) = rooms.get_mut(&event.room) else { return Vec::new() };
        let mut gone = Vec::new();
        if !roster.has_seats() {
            if roster.early.len() < MAX_EARLY_EVENTS {
                roster.early.push(event.clone());
            }
            return gone;
        }
        apply_event(roster, &self.me, event, &self.metrics, &mut gone);
        if roster.idle() {
            rooms.remove(&event.room);
        }
        gone
    }
}

/// Applies `event` to a roster with peers of ours, telling them.
pub(super) fn apply_event(
    roster: &mut Roster,
    me: &str,
    event: &Event,
    metrics: &Metrics,
    gone: &mut Vec<Gone>,
) {
    if event.seq <= roster.seq {
        return;
    }
    roster.seq = event.seq;
    let (name, key) = (event.name.clone(), event.key.clone());
    let info = PeerInfo { id: PeerId::from(event.id.as_str()), name, key };
    let index = roster.position(&event.id);
    let news = match (event.kind, index) {
        (Kind::Joined, None) => {
            let (instance, ticket) = (event.instance.clone(), event.ticket);
            let announced = true;
            let member = Entry { info: info.clone(), instance, ticket, seat: None, announced };
            roster.members.push(member);
            Some(ServerMessage::PeerJoined { peer: info })
        }
        // Put back after a Redis restart, or our own newcomer (seated, unannounced).
        (Kind::Joined, Some(index)) => {
            let fresh = !std::mem::replace(&mut roster.members[index].announced, true);
            fresh.then_some(ServerMessage::PeerJoined { peer: info })
        }
        (Kind::Left, index) => {
            // Our own peers' seats go when they leave here; one still seated was swept
            // while we were cut off, and the restore will put it back.
            if let Some(index) = index.filter(|i| roster.members[*i].seat.is_none()) {
                roster.members.remove(index);
            }
            Some(ServerMessage::PeerLeft { peer: info })
        }
        (Kind::TookOver, Some(index)) => {
            let member = &mut roster.members[index];
            let ours = member.seat.is_some() && me == event.instance.as_str();
            if !(ours && member.ticket == event.ticket)
                && let Some(earlier) = member.seat.take()
            {
                close_taken_over(earlier);
            }
            member.instance = event.instance.clone();
            member.ticket = event.ticket;
            None
        }
        (Kind::TookOver, None) => None,
    };
    if let Some(news) = news {
        let text = encode(&news);
        deliver_all(roster, &event.room, &event.id, event.seq, &text, metrics, gone);
    }
}
