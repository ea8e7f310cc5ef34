//! A native peer (`peer-native`) in a test, recording what it receives as a tab does:
//! every message in an inbox (`{from, fromId, data}`, the shape of a tab's
//! `window.inbox`, bytes as `{bytes: [..]}`) and every event as `"Connected:Bob"`, so
//! that tests assert native peers and tabs alike.

use crate::WAIT;
use peer_native::{Events, JoinOptions, Payload, Peer, PeerEvent};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// What a native peer recorded.
#[derive(Default, Debug)]
pub struct Record {
    /// The messages, as a tab's `window.inbox` holds them.
    pub inbox: Vec<Value>,
    /// The events, as a tab's `window.events` holds them (`"PeerJoined:Bob"`, ...).
    pub events: Vec<String>,
    /// The reason of each `Disconnected`, as `"Bob: reason"`.
    pub reasons: Vec<String>,
}

/// A joined native peer and what it recorded so far; its recorder stops on drop.
pub struct NativePeer {
    /// The peer, to call.
    pub peer: Peer,
    record: Arc<Mutex<Record>>,
    recorder: JoinHandle<()>,
}

impl NativePeer {
    /// Joins `room` at `url` as `name`, with `options` changed as `configure` says.
    pub async fn join(url: &str, room: &str, name: &str) -> NativePeer {
        Self::join_with(JoinOptions::new(url, room, name)).await
    }

    /// Joins with `options`.
    pub async fn join_with(options: JoinOptions) -> NativePeer {
        let joined = tokio::time::timeout(WAIT, Peer::join(options)).await;
        let (peer, events) = joined.expect("joins in time").expect("joins");
        let record = Arc::new(Mutex::new(Record::default()));
        let recorder = tokio::spawn(record_events(events, Arc::clone(&record)));
        NativePeer { peer, record, recorder }
    }

    /// The peer's id, as text.
    pub fn id(&self) -> String {
        self.peer.id().to_string()
    }

    /// Reads what was recorded.
    pub fn read<T>(&self, read: impl FnOnce(&Record) -> T) -> T {
        read(&self.record.lock().expect("the record is not poisoned"))
    }

    /// The inbox, as JSON (a tab's `window.inbox`).
    pub fn inbox(&self) -> Value {
        self.read(|record| Value::Array(record.inbox.clone()))
    }

    /// Polls `condition` on the record until it holds, for at most [`WAIT`]; on timeout
    /// panics with what was recorded.
    pub async fn wait_until(&self, what: &str, condition: impl Fn(&Record) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.read(&condition) {
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting for {what}; recorded {:?}", self.read(|r| format!("{r:?}")));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the inbox holds `count` messages.
    pub async fn wait_for_messages(&self, count: usize) {
        self.wait_until(&format!("{count} messages"), |record| record.inbox.len() >= count).await;
    }

    /// Waits until the event `event` (e.g. `"Connected:Bob"`) was recorded.
    pub async fn wait_for_event(&self, event: &str) {
        self.wait_until(event, |record| record.events.iter().any(|seen| seen == event)).await;
    }

    /// Closes the peer (what is queued goes out first) and stops recording.
    pub async fn close(self) {
        tokio::time::timeout(WAIT, self.peer.close()).await.expect("closes in time");
        self.recorder.abort();
    }
}

/// Records every event of `events` into `record`.
async fn record_events(mut events: Events, record: Arc<Mutex<Record>>) {
    while let Some(event) = events.next().await {
        let Ok(mut record) = record.lock() else { return };
        match event {
            PeerEvent::Message { from, payload } => {
                record.inbox.push(json!({ "from": from.name, "fromId": from.id.to_string(), "data": plain(&payload) }));
            }
            PeerEvent::Connected(peer) => record.events.push(format!("Connected:{}", peer.name)),
            PeerEvent::Disconnected { peer, reason } => {
                record.events.push(format!("Disconnected:{}", peer.name));
                record.reasons.push(format!("{}: {reason}", peer.name));
            }
            PeerEvent::PeerJoined(peer) => record.events.push(format!("PeerJoined:{}", peer.name)),
            PeerEvent::PeerLeft(peer) => record.events.push(format!("PeerLeft:{}", peer.name)),
            other => record.events.push(format!("{other:?}")),
        }
    }
}

/// A payload as a tab's inbox shows it: text as a string, JSON as the value, bytes as
/// `{bytes: [..]}`, a named kind as `{kind, bytes}`.
pub fn plain(payload: &Payload) -> Value {
    match payload {
        Payload::Text(text) => Value::String(text.clone()),
        Payload::Json(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        Payload::Bytes(bytes) => json!({ "bytes": bytes }),
        Payload::Typed { kind, bytes } => json!({ "kind": kind, "bytes": bytes }),
    }
}
