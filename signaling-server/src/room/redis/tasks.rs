//! The instance's three background tasks, which end with the server: the publisher
//! (signals to other instances, pipelined in order), the subscriber (this instance's
//! channel, resubscribed after any drop) and the heartbeat (the liveness key, the sweep of
//! dead instances, and putting our peers back after Redis restarted or was unreachable).
//!
//! Failure detection: an instance killed outright stops refreshing its liveness key,
//! which expires after `--redis-liveness-ttl-ms`; the next heartbeat of any live instance
//! (every `--redis-heartbeat-ms`) sweeps it. So its peers are reported left within
//! TTL + one heartbeat (4 s by default).

use super::SharedRooms;
use super::roster::LiveRoom;
use super::scripts::{self, INSTANCES};
use super::snapshot::Snapshot;
use crate::config::REDIS_COMMAND_TIMEOUT;
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{sleep, timeout};

/// Most signals in one pipeline to Redis.
const BATCH: usize = 256;

impl SharedRooms {
    /// Starts the publisher (of what is `queued`), the subscriber and the heartbeat.
    pub(super) fn spawn_tasks(
        self: &Arc<Self>,
        queued: mpsc::Receiver<(String, String)>,
        shutdown: watch::Receiver<bool>,
    ) {
        tokio::spawn(publisher(Arc::clone(self), queued, shutdown.clone()));
        tokio::spawn(subscriber(Arc::clone(self), shutdown.clone()));
        tokio::spawn(heartbeat(Arc::clone(self), shutdown));
    }
}

/// Publishes queued signals, as many as are waiting in one pipeline, in queue order.
async fn publisher(
    shared: Arc<SharedRooms>,
    mut queued: mpsc::Receiver<(String, String)>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            count = queued.recv_many(&mut batch, BATCH) => if count == 0 { return },
            _ = shutdown.changed() => return,
        }
        let mut pipe = redis::pipe();
        for (channel, message) in &batch {
            pipe.cmd("PUBLISH").arg(channel).arg(message).ignore();
        }
        let mut redis = shared.redis.clone();
        match timeout(REDIS_COMMAND_TIMEOUT, pipe.query_async::<()>(&mut redis)).await {
            Ok(Ok(())) => shared.health.metrics.forwarded(batch.len() as u64),
            failed => {
                tracing::warn!(lost = batch.len(), error = ?failed.map(|r| r.err()), "signals to other instances lost");
                shared.health.metrics.failed();
            }
        }
        batch.clear();
    }
}

/// Listens to this instance's channel; after a drop, subscribes again (backing off up
/// to a second) and reconciles the rosters, since events may have been missed.
async fn subscriber(shared: Arc<SharedRooms>, mut shutdown: watch::Receiver<bool>) {
    let channel = scripts::channel(&shared.me);
    let mut lost_once = false;
    let mut backoff = Duration::from_millis(50);
    loop {
        let connect = async {
            let mut pubsub = shared.client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        if let Ok(Ok(pubsub)) = timeout(REDIS_COMMAND_TIMEOUT, connect).await {
            shared.health.subscription(true);
            backoff = Duration::from_millis(50);
            if lost_once {
                shared.health.metrics.reconnected();
                reconcile_later(&shared);
            }
            let mut messages = pubsub.into_on_message();
            loop {
                tokio::select! {
                    message = messages.next() => match message {
                        Some(message) => match std::str::from_utf8(message.get_payload_bytes()) {
                            Ok(payload) => shared.on_message(payload),
                            Err(_) => tracing::warn!("a message that is not UTF-8 on our channel"),
                        },
                        None => break,
                    },
                    _ = shutdown.changed() => return,
                }
            }
            tracing::warn!("subscription to Redis lost");
        }
        lost_once = true;
        shared.health.subscription(false);
        tokio::select! {
            () = sleep(backoff) => backoff = (backoff * 2).min(Duration::from_secs(1)),
            _ = shutdown.changed() => return,
        }
    }
}

/// Keeps the liveness key alive, sweeps dead instances, and puts our peers back when
/// the key was gone (Redis restarted, or we were swept while cut off) or a change could
/// not be made. On shutdown, retires this instance: its peers leave at once.
async fn heartbeat(shared: Arc<SharedRooms>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(shared.config.redis_heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut first = true;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return retire(&shared).await,
        }
        beat(&shared, first).await;
        first = false;
    }
}

async fn beat(shared: &Arc<SharedRooms>, first: bool) {
    let ttl_ms = u64::try_from(shared.config.redis_liveness_ttl.as_millis()).unwrap_or(u64::MAX);
    let mut pipe = redis::pipe();
    pipe.cmd("SET").arg(scripts::liveness(&shared.me)).arg(1).arg("PX").arg(ttl_ms).arg("GET");
    pipe.cmd("SADD").arg(INSTANCES).arg(&*shared.me).ignore();
    let mut redis = shared.redis.clone();
    let Ok(Ok((previous,))) =
        timeout(REDIS_COMMAND_TIMEOUT, pipe.query_async::<(Option<String>,)>(&mut redis)).await
    else {
        shared.health.commands(false);
        shared.dirty.store(true, Ordering::Relaxed);
        return;
    };
    let was_down = shared.health.commands(true);
    if was_down && !first {
        shared.health.metrics.reconnected();
    }
    if previous.is_none() || shared.dirty.swap(false, Ordering::Relaxed) {
        if !first {
            tracing::warn!(
                restarted = previous.is_none(),
                "putting this instance's peers back into Redis"
            );
        }
        if previous.is_none() {
            shared.rosters.restart_counts();
        }
        if restore(shared).await {
            shared.health.metrics.restored();
            if !first {
                reconcile_later(shared);
            }
        } else {
            shared.dirty.store(true, Ordering::Relaxed);
        }
    }
    sweep(shared).await;
}

/// Runs the restore script with every live peer of ours; whether it ran.
async fn restore(shared: &SharedRooms) -> bool {
    let live = shared.rosters.live();
    let mut invocation = shared.scripts.restore.prepare_invoke();
    invocation.arg(&*shared.me);
    for LiveRoom { room, secret, peers } in &live {
        invocation.arg(room).arg(secret).arg(peers.len());
        for (peer, ticket) in peers {
            let key = peer.key.as_deref().unwrap_or_default();
            invocation.arg(peer.id.as_str()).arg(*ticket).arg(key).arg(&peer.name);
        }
    }
    let mut redis = shared.redis.clone();
    match timeout(REDIS_COMMAND_TIMEOUT * 5, invocation.invoke_async::<u64>(&mut redis)).await {
        Ok(Ok(removed)) => {
            let peers: usize = live.iter().map(|room| room.peers.len()).sum();
            tracing::info!(
                peers,
                rooms = live.len(),
                stale = removed,
                "peers of this instance in Redis"
            );
            true
        }
        failed => {
            tracing::warn!(error = ?failed.map(|r| r.err()), "restore failed");
            shared.health.metrics.failed();
            false
        }
    }
}

/// Removes what dead instances held.
async fn sweep(shared: &SharedRooms) {
    let mut redis = shared.redis.clone();
    let invocation = shared.scripts.sweep.prepare_invoke();
    match timeout(REDIS_COMMAND_TIMEOUT, invocation.invoke_async::<(u64, u64)>(&mut redis)).await {
        Ok(Ok((0, _))) => {}
        Ok(Ok((instances, peers))) => {
            tracing::warn!(instances, peers, "swept dead instances: their peers left their rooms");
            shared.health.metrics.swept(instances, peers);
        }
        _ => shared.health.metrics.failed(),
    }
}

/// Once the other instances have had a heartbeat or two to put their peers back, reads
/// each of our rooms and tells our peers what changed that the events did not say.
fn reconcile_later(shared: &Arc<SharedRooms>) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        sleep(shared.config.redis_heartbeat * 2 + Duration::from_millis(100)).await;
        let rooms = shared.rosters.rooms();
        let mut pipe = redis::pipe();
        for room in &rooms {
            pipe.cmd("HGETALL").arg(scripts::room(room));
        }
        let mut redis = shared.redis.clone();
        let read = timeout(REDIS_COMMAND_TIMEOUT, pipe.query_async::<Vec<Vec<String>>>(&mut redis));
        let Ok(Ok(replies)) = read.await else {
            shared.health.metrics.failed();
            shared.dirty.store(true, Ordering::Relaxed);
            return;
        };
        for (room, fields) in rooms.iter().zip(replies) {
            for gone in shared.rosters.reconcile(room, Snapshot::from_fields(&fields)) {
                shared.clear(gone);
            }
        }
    });
}

/// A server shutting down: its liveness key goes and it sweeps itself, so that the
/// others hear its peers left now rather than after the TTL.
async fn retire(shared: &SharedRooms) {
    let mut redis = shared.redis.clone();
    let mut delete = redis::cmd("DEL");
    delete.arg(scripts::liveness(&shared.me));
    if let Ok(Ok(())) = timeout(REDIS_COMMAND_TIMEOUT, delete.query_async::<()>(&mut redis)).await {
        sweep(shared).await;
    }
}
