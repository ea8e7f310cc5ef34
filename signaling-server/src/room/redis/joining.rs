//! A join through Redis: the join script applies the room rules and seats the peer there
//! in one step; then the peer is seated in its room's roster here and welcomed.

use super::SharedRooms;
use super::roster::seating::Newcomer;
use super::roster::{Gone, Rosters};
use super::snapshot::Snapshot;
use crate::config::REDIS_COMMAND_TIMEOUT;
use crate::room::outbox::Outbound;
use crate::room::types::{Admit, Arrival, Joined, Ticket, encode};
use sha2::{Digest, Sha256};
use signaling_protocol::{ErrorCode, IceServer, PeerInfo, ServerMessage};
use std::sync::atomic::Ordering;

impl SharedRooms {
    /// Seats a peer: the join script applies the room rules in Redis, then the peer gets
    /// its welcome here, and every member (here and elsewhere) hears of it through the
    /// room's event. `unavailable` when Redis cannot be reached in time.
    pub async fn join(
        &self,
        join: Admit<'_>,
        outbound: Outbound,
        ice_servers: impl FnOnce() -> Vec<IceServer>,
    ) -> Result<Joined, ErrorCode> {
        if !self.health.up() {
            return Err(ErrorCode::Unavailable);
        }
        let secret = join.secret.map(secret_hash).unwrap_or_default();
        let ticket = Ticket(self.tickets.fetch_add(1, Ordering::Relaxed));
        // The room's events are kept from now until this join lands (whatever happens to
        // this future), so none slips between its snapshot and its roster.
        self.rosters.expect(join.room, &secret);
        let _landing = Landing { rosters: &self.rosters, room: join.room };
        let reply = self.run_join(&join, &secret, ticket).await?;
        let outcome = match reply.as_slice() {
            [ok, rest @ ..] if ok == "ok" => rest,
            [refusal, ..] => return Err(ErrorCode::from_wire(refusal)),
            _ => return Err(ErrorCode::Unavailable),
        };
        let [seq, took_from, _, fields @ ..] = outcome else { return Err(ErrorCode::Unavailable) };
        let id = join.id.clone();
        let key = Some(join.key.to_owned());
        let info = PeerInfo { id: id.clone(), name: join.name.to_owned(), key };
        let newcomer = Newcomer {
            room: join.room,
            secret: &secret,
            info,
            ticket,
            outbound,
            seq: seq.parse().unwrap_or(0),
            snapshot: Snapshot::from_fields(fields),
        };
        let seated = self.rosters.seat(newcomer, |others| {
            encode(&ServerMessage::Welcome {
                id: id.clone(),
                room: join.room.to_owned(),
                peers: others,
                ice_servers: ice_servers(),
            })
        });
        for gone in seated.gone {
            self.clear(gone);
        }
        if !seated.welcomed {
            // It filled its queue with refusals before joining without reading them.
            self.clear(Gone { room: join.room.to_owned(), id: id.clone(), ticket });
            return Err(ErrorCode::RateLimited);
        }
        if took_from.is_empty() {
            return Ok(Joined { id, ticket, arrival: Arrival::Fresh });
        }
        self.metrics.took_over();
        Ok(Joined { id, ticket, arrival: Arrival::TookOver })
    }

    /// Runs the join script; its reply, or `unavailable`.
    async fn run_join(
        &self,
        join: &Admit<'_>,
        secret: &str,
        ticket: Ticket,
    ) -> Result<Vec<String>, ErrorCode> {
        let id = &join.id;
        let mut redis = self.redis.clone();
        let mut invocation = self.scripts.join.prepare_invoke();
        invocation
            .arg(join.room)
            .arg(&*self.me)
            .arg(ticket.0)
            .arg(id.as_str())
            .arg(join.name)
            .arg(secret)
            .arg(self.config.max_peers_per_room)
            .arg(self.config.max_rooms)
            .arg(if self.config.require_room_secrets { "1" } else { "0" })
            .arg(join.key);
        let call = invocation.invoke_async::<Vec<String>>(&mut redis);
        match tokio::time::timeout(REDIS_COMMAND_TIMEOUT * 2, call).await {
            Ok(Ok(reply)) => Ok(reply),
            failed => {
                tracing::warn!(room = join.room, error = ?failed.map(|r| r.err()), "join script failed");
                self.health.metrics.failed();
                // It may have run without its answer arriving: clear the seat it may hold.
                self.clear(Gone { room: join.room.to_owned(), id: id.clone(), ticket });
                Err(ErrorCode::Unavailable)
            }
        }
    }
}

/// Tells the rosters a join landed, when dropped.
struct Landing<'a> {
    rosters: &'a Rosters,
    room: &'a str,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        self.rosters.landed(self.room);
    }
}

/// What Redis keeps of a room's secret: its SHA-256 (hex), so that Redis never holds a
/// secret itself, and equal secrets still compare equal there.
fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(format!("room-secret\0{secret}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
