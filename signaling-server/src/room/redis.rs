//! The rooms in Redis, shared by every instance given the same `--redis-url`: any peer
//! reaches any peer of its room, whichever instance each is on.
//!
//! Redis holds who is in which room, changed only by Lua scripts (`scripts.rs`), so the
//! rules (room full, the first join's secret, `--max-rooms`, one seat per id) hold across
//! instances with no race. Each change is published, numbered, to every instance with
//! members in the room, on that instance's own channel; each instance keeps a roster of
//! its rooms from those events (`roster.rs`) and tells its own peers. A signal to a peer
//! of this instance goes straight to its queue; to a peer elsewhere, onto the holder's
//! channel (`pubsub.rs`) through one publisher task that pipelines them in order. Each
//! instance keeps a liveness key alive; the others sweep an instance whose key expired,
//! its peers leaving their rooms, announced. After Redis restarts or comes back, each
//! instance puts its live peers back (`tasks.rs`); meanwhile clients get `unavailable`
//! (`health.rs`).
//!
//! The client is the `redis` crate (redis-rs, the most used and maintained Rust client):
//! its `ConnectionManager` reconnects by itself and multiplexes every command over one
//! connection, its `Script` sends scripts by hash, and its async pub/sub runs on tokio;
//! nothing more is needed (`fred` offers as much with a larger API and build).

pub mod health;
mod joining;
mod pubsub;
mod roster;
mod scripts;
mod snapshot;
mod tasks;

use crate::config::{Config, MAX_PUBLISH_QUEUE, REDIS_COMMAND_TIMEOUT};
use crate::metrics::Metrics;
use crate::room::types::{OpaqueSignal, Ticket, encode};
use health::{Health, RedisMetrics};
use pubsub::Inbound;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use roster::{Gone, Rosters, Route};
use scripts::Scripts;
use signaling_protocol::{ErrorCode, PeerId, ServerMessage};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// This instance's side of the shared rooms.
pub struct SharedRooms {
    /// Itself, for the tasks it spawns.
    this: Weak<SharedRooms>,
    /// This instance's id: 16 random hex digits.
    me: Arc<str>,
    redis: ConnectionManager,
    client: redis::Client,
    scripts: Scripts,
    rosters: Rosters,
    publish: mpsc::Sender<(String, String)>,
    health: Health,
    /// A leave or join could not be cleared in Redis: put our peers back when it is
    /// reachable again.
    dirty: AtomicBool,
    /// The room rules, the heartbeat and the liveness key's lifetime.
    config: Arc<Config>,
    tickets: AtomicU64,
    metrics: Arc<Metrics>,
}

impl SharedRooms {
    /// Connects (lazily) to `url` and starts the publisher, the subscriber and the
    /// heartbeat, which end with `shutdown`. Panics on a URL [`Config::validate`] refuses.
    pub fn start(
        url: &str,
        config: Arc<Config>,
        metrics: Arc<Metrics>,
        redis_metrics: RedisMetrics,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Self> {
        let client = redis::Client::open(url).unwrap_or_else(|e| panic!("--redis-url: {e}"));
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_COMMAND_TIMEOUT))
            .set_response_timeout(Some(REDIS_COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let redis = ConnectionManager::new_lazy_with_config(client.clone(), manager)
            .unwrap_or_else(|e| panic!("Redis connection manager: {e}"));
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).unwrap_or_else(|error| panic!("no OS randomness: {error}"));
        let me: Arc<str> = id.iter().map(|b| format!("{b:02x}")).collect::<String>().into();
        tracing::info!(instance = %me, "rooms shared through Redis");
        let (publish, queued) = mpsc::channel(MAX_PUBLISH_QUEUE);
        let shared = Arc::new_cyclic(|this| Self {
            this: this.clone(),
            rosters: Rosters::new(Arc::clone(&me), Arc::clone(&metrics)),
            me,
            redis,
            client,
            scripts: Scripts::new(),
            publish,
            health: Health::new(redis_metrics),
            dirty: AtomicBool::new(false),
            config,
            tickets: AtomicU64::new(0),
            metrics,
        });
        shared.spawn_tasks(queued, shutdown);
        shared
    }

    /// Removes our peer seated by `ticket` from its room; the room's members (here too)
    /// hear it left through the room's event.
    pub fn leave(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        let seated = self.rosters.leave(room, id, ticket);
        if seated {
            self.clear(Gone { room: room.to_owned(), id: id.clone(), ticket });
        }
        seated
    }

    /// Delivers `signal` from `from` (seated by `ticket`) to `to` of `room`, here or on
    /// the instance that holds it.
    pub fn relay(
        &self,
        room: &str,
        from: &PeerId,
        ticket: Ticket,
        to: &PeerId,
        signal: OpaqueSignal,
    ) -> Result<(), ErrorCode> {
        if from == to {
            return Err(ErrorCode::SignalToSelf);
        }
        let mut signal = Some(signal);
        let mut text = || {
            encode(&ServerMessage::Signal {
                from: from.clone(),
                signal: signal.take().unwrap_or_default(),
            })
        };
        match self.rosters.route(room, from, ticket, to, &mut text)? {
            Route::Delivered => Ok(()),
            Route::Evicted(gone) => {
                self.clear(gone);
                Ok(())
            }
            Route::Forward(instance) => {
                if !self.health.up() {
                    return Err(ErrorCode::Unavailable);
                }
                let message = pubsub::signal(room, to, &text());
                self.publish
                    .try_send((scripts::channel(&instance), message))
                    .map_err(|_| ErrorCode::RateLimited)
            }
        }
    }

    /// Whether `id` is our peer in `room` by the join that got `ticket`.
    #[cfg(any(test, feature = "testing"))]
    pub fn is_member(&self, room: &str, id: &PeerId, ticket: Ticket) -> bool {
        self.rosters.is_member(room, id, ticket)
    }

    /// Our peers, and the rooms they are in.
    pub fn occupancy(&self) -> (usize, usize) {
        self.rosters.occupancy()
    }

    /// A message from our channel: a room event or a signal for one of our peers.
    fn on_message(&self, payload: &str) {
        let gone = match pubsub::parse(payload) {
            Some(Inbound::Event(event)) => self.rosters.apply(&event),
            Some(Inbound::Signal { room, to, text }) => {
                match self.rosters.deliver(room, to, text.to_owned().into()) {
                    Ok(evicted) => evicted.into_iter().collect(),
                    Err(()) => {
                        tracing::debug!(room, to, "a signal for a peer no longer here");
                        Vec::new()
                    }
                }
            }
            None => {
                tracing::warn!("unreadable message on this instance's channel");
                Vec::new()
            }
        };
        for gone in gone {
            self.clear(gone);
        }
    }

    /// Runs the leave script for `gone` in the background (the caller, a session ending,
    /// does not wait); when it fails, the next heartbeat puts our live peers back and
    /// clears the rest.
    fn clear(&self, gone: Gone) {
        let this = self.this.clone();
        tokio::spawn(async move {
            let Some(shared) = this.upgrade() else { return };
            let mut redis = shared.redis.clone();
            let mut invocation = shared.scripts.leave.prepare_invoke();
            invocation.arg(&gone.room).arg(&*shared.me).arg(gone.id.as_str()).arg(gone.ticket.0);
            let call = invocation.invoke_async::<i64>(&mut redis);
            if !matches!(tokio::time::timeout(REDIS_COMMAND_TIMEOUT * 2, call).await, Ok(Ok(_))) {
                tracing::warn!(room = gone.room, peer = %gone.id, "leave script failed: cleared once Redis is back");
                shared.health.metrics.failed();
                shared.dirty.store(true, Ordering::Relaxed);
            }
        });
    }
}
