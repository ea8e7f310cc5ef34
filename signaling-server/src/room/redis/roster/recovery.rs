//! What the rosters do when events may have been lost: list our live peers for the
//! restore script, start counting events afresh after a Redis restart, and catch a roster
//! up with a snapshot of its room (after a lost subscription, or when a join's snapshot is
//! newer than the roster), telling our peers what changed.

use super::{Gone, Roster, Rosters, deliver_all, entry_of};
use crate::metrics::Metrics;
use crate::room::redis::snapshot::Snapshot;
use crate::room::types::encode;
use signaling_protocol::{PeerInfo, ServerMessage};

/// A room with our peers, as the restore script takes it.
pub struct LiveRoom {
    pub room: String,
    /// Its secret hash ('' for none).
    pub secret: String,
    /// Our peers there, and their tickets.
    pub peers: Vec<(PeerInfo, u64)>,
}

impl Rosters {
    /// Every room with our peers, and those peers.
    pub fn live(&self) -> Vec<LiveRoom> {
        let rooms = self.lock();
        let ours = |roster: &Roster| {
            let seated = roster.members.iter().filter(|member| member.seat.is_some());
            seated.map(|m| (m.info.clone(), m.ticket)).collect()
        };
        let live = |(room, roster): (&String, &Roster)| LiveRoom {
            room: room.clone(),
            secret: roster.secret.clone(),
            peers: ours(roster),
        };
        rooms.iter().map(live).collect()
    }

    /// The names of the rooms with our peers.
    pub fn rooms(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Forgets how far each room's events went (Redis restarted: they count from 0).
    pub fn restart_counts(&self) {
        for roster in self.lock().values_mut() {
            roster.seq = 0;
        }
    }

    /// Brings `room` in line with `snapshot` (read after events may have been lost):
    /// members that came or went meanwhile are announced to our peers.
    pub fn reconcile(&self, room: &str, snapshot: Snapshot) -> Vec<Gone> {
        let mut rooms = self.lock();
        let Some(roster) = rooms.get_mut(room) else { return Vec::new() };
        let mut gone = Vec::new();
        if snapshot.seq <= roster.seq {
            // Events since the read brought the roster further: the snapshot is stale.
            return gone;
        }
        catch_up(roster, room, &snapshot, u64::MAX, &self.metrics, &mut gone);
        roster.seq = snapshot.seq;
        if !roster.has_seats() {
            rooms.remove(room);
        }
        gone
    }
}

/// Makes `roster` list what `snapshot` lists (our own seated peers stay), telling our
/// peers seated before event `seq` of each member that came or went.
pub(super) fn catch_up(
    roster: &mut Roster,
    room: &str,
    snapshot: &Snapshot,
    seq: u64,
    metrics: &Metrics,
    gone: &mut Vec<Gone>,
) {
    let mut news = Vec::new();
    roster.members.retain(|member| {
        let listed = snapshot.members.iter().any(|listed| listed.info.id == member.info.id);
        if !listed && member.seat.is_none() {
            news.push(ServerMessage::PeerLeft { peer: member.info.clone() });
        }
        listed || member.seat.is_some()
    });
    for listed in &snapshot.members {
        if roster.position(listed.info.id.as_str()).is_none() {
            roster.members.push(entry_of(listed));
            news.push(ServerMessage::PeerJoined { peer: listed.info.clone() });
        }
    }
    for message in news {
        let (ServerMessage::PeerJoined { peer } | ServerMessage::PeerLeft { peer }) = &message
        else {
            continue;
        };
        let text = encode(&message);
        deliver_all(roster, room, peer.id.as_str(), seq, &text, metrics, gone);
    }
}
