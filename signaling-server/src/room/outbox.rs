//! One peer's outbound queue: encoded messages waiting for its socket, bounded both in
//! messages (`--peer-queue-len`) and in bytes (`--peer-queue-bytes`), so that a peer that
//! stops reading holds little of the server's memory before the rooms evict it. The
//! rooms hold its sending end ([`Outbound`], with the task to abort); the peer's session
//! drains the other.
//!
//! The channel counts the messages. The bytes are one atomic counter beside it, which the
//! rooms add to (always under their lock, so they never race each other) and the session
//! takes from as it takes messages out. It shares one small allocation with the limit:
//! the whole per-peer cost of the bound in bytes.
//!
//! Besides messages, the queue carries one order: a newer connection with the peer's key
//! took its seat, so this one is to close (with its own close frame, after what was
//! queued before).

use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::task::AbortHandle;

/// Bytes queued for one peer, and how many it may have.
struct Bytes {
    queued: AtomicUsize,
    max: usize,
}

/// What waits in a peer's queue. (As small as the text alone: the enum fits in the
/// text's niche.)
pub enum Queued {
    /// A message, as JSON text.
    Text(Utf8Bytes),
    /// A newer connection with the peer's key took its seat: end this one.
    TakenOver,
}

/// The sending end, cloned into the rooms when the peer joins.
#[derive(Clone)]
pub struct Outbox {
    messages: flume::Sender<Queued>,
    bytes: Arc<Bytes>,
}

/// How the rooms reach one peer: its queue, and the task serving its socket (aborted to
/// disconnect the peer when it stops reading).
#[derive(Clone)]
pub struct Outbound {
    /// Messages for the peer.
    pub outbox: Outbox,
    /// The task serving the peer.
    pub session: AbortHandle,
}

/// The receiving end, drained by the peer's session.
pub struct Inbox {
    messages: flume::Receiver<Queued>,
    bytes: Arc<Bytes>,
}

/// An empty queue for at most `max_messages` messages and `max_bytes` bytes.
pub fn queue(max_messages: usize, max_bytes: usize) -> (Outbox, Inbox) {
    // flume allocates only what it holds, so an idle peer's queue costs next to nothing.
    let (sender, receiver) = flume::bounded(max_messages);
    let bytes = Arc::new(Bytes { queued: AtomicUsize::new(0), max: max_bytes });
    (Outbox { messages: sender, bytes: Arc::clone(&bytes) }, Inbox { messages: receiver, bytes })
}

impl Outbox {
    /// Queues `text`, unless that would pass either bound: then nothing is queued and the
    /// peer, which is not reading, is to be evicted. An empty queue takes any message, so
    /// that no setting makes a message undeliverable. (A message broadcast to a room is
    /// shared, yet counted in full by every queue: the bound errs on the safe side.)
    pub fn offer(&self, text: Utf8Bytes) -> bool {
        let len = text.len();
        // Counted before it is queued, so the session, which subtracts only once it took
        // the message out, never takes the counter below zero.
        let before = self.bytes.queued.fetch_add(len, Ordering::Relaxed);
        let fits = before == 0 || before.saturating_add(len) <= self.bytes.max;
        if fits && self.messages.try_send(Queued::Text(text)).is_ok() {
            return true;
        }
        self.bytes.queued.fetch_sub(len, Ordering::Relaxed);
        false
    }

    /// Tells the session a newer connection took its peer's seat, after what is already
    /// queued; `false` when the queue is full (the peer is not reading: abort it).
    pub fn taken_over(&self) -> bool {
        self.messages.try_send(Queued::TakenOver).is_ok()
    }
}

impl Inbox {
    /// The next message or order, once there is one; `None` when every sender is gone.
    /// Cancel-safe: a message is taken out and uncounted within one poll.
    pub async fn next(&self) -> Option<Queued> {
        let queued = self.messages.recv_async().await.ok()?;
        if let Queued::Text(text) = &queued {
            self.bytes.queued.fetch_sub(text.len(), Ordering::Relaxed);
        }
        Some(queued)
    }

    /// Every message queued now, oldest first, without waiting (for the fuzz harness and
    /// tests); an order to close is dropped.
    #[cfg(any(test, feature = "testing"))]
    pub fn drain(&self) -> Vec<Utf8Bytes> {
        let texts: Vec<Utf8Bytes> = self
            .messages
            .try_iter()
            .filter_map(|queued| match queued {
                Queued::Text(text) => Some(text),
                Queued::TakenOver => None,
            })
            .collect();
        let len = texts.iter().map(|text| text.len()).sum();
        self.bytes.queued.fetch_sub(len, Ordering::Relaxed);
        texts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_in_messages_and_in_bytes_and_taking_out_frees_both() {
        let (outbox, inbox) = queue(3, 10);
        assert!(outbox.offer("123456".into()));
        assert!(!outbox.offer("12345".into()), "11 bytes is past 10");
        assert!(outbox.offer("1234".into()), "10 is not");
        let Some(Queued::Text(first)) = inbox.next().await else { panic!("a message") };
        assert_eq!(first.as_str(), "123456");
        assert!(outbox.offer("12".into()), "6 bytes in 2 messages");
        assert!(outbox.offer("".into()), "3 messages");
        assert!(!outbox.offer("".into()), "a fourth message is past 3");
        assert_eq!(inbox.drain().len(), 3);
        assert!(outbox.offer("a message longer than the whole bound".into()), "when empty");
    }

    #[tokio::test]
    async fn the_order_to_close_comes_after_what_was_queued_and_costs_no_room() {
        assert_eq!(size_of::<Queued>(), size_of::<Utf8Bytes>());
        let (outbox, inbox) = queue(2, 10);
        assert!(outbox.offer("12345".into()));
        assert!(outbox.taken_over());
        assert!(!outbox.taken_over(), "the queue is full");
        assert!(matches!(inbox.next().await, Some(Queued::Text(_))));
        assert!(matches!(inbox.next().await, Some(Queued::TakenOver)));
        assert!(outbox.offer("1234567890".into()), "no bytes left counted");
    }
}
