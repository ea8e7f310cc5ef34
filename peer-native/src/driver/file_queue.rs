//! How file frames go on a connection's reliable channel: an outgoing transfer's frames
//! as steps kept in order (held back while the send queue is full of messages), control
//! frames best effort; the "queue drained" input the machine paces its data frames by
//! (the transport reports no drains, so it is watched on a short tick while a transfer
//! waits for one); and the machine's deadlines in the driver's wake-ups.

use super::Driver;
use crate::transport::send_queue::MAX_QUEUED_BYTES;
use crate::transport::types::Channel;
use crate::wire::files::{FileFrame, encode};
use crate::wire::frame::Frame;
use peer_core::ConnKey;
use std::time::Duration;

/// The send queue counts as drained once less than this waits on the reliable channel:
/// then the transport's own queue is empty (it hands frames to SCTP while SCTP holds
/// under 256 KiB, so what is left is at most that and one frame), as a browser's send
/// queue is when it reports a drain; the next data frame, read meanwhile, goes at once.
const DRAINED_BELOW: usize = 512 * 1024;
/// How often a drain is looked for while a transfer waits for one.
const DRAIN_TICK: Duration = Duration::from_millis(2);

impl Driver {
    /// Queues a file frame: an outgoing transfer's offer or end frame as a step of it,
    /// a control frame best effort (the connection may be closing).
    pub(super) fn send_file_frame(&mut self, key: &ConnKey, frame: FileFrame) {
        let step = matches!(frame, FileFrame::Offer(_) | FileFrame::End { .. });
        let id = frame.id().unwrap_or_default();
        let Some(encoded) = encode(&frame) else { return };
        if step {
            return self.push_step(key, id, [encoded]);
        }
        if let Some(live) = self.connections.get(key) {
            let _ = live.connection.send(Channel::Reliable, encoded);
        }
    }

    /// Queues frames of outgoing transfer `id` behind whatever is queued; kept back, in
    /// order, while the send queue is full.
    pub(super) fn push_step(
        &mut self,
        key: &ConnKey,
        id: u32,
        frames: impl IntoIterator<Item = Frame>,
    ) {
        let Some(live) = self.connections.get_mut(key) else { return };
        for frame in frames {
            let full = live.connection.buffered_amount(Channel::Reliable) >= MAX_QUEUED_BYTES;
            if full || !live.files.backlog.is_empty() {
                live.files.backlog.push_back((id, frame));
                continue;
            }
            if let Err(error) = live.connection.send(Channel::Reliable, frame) {
                // Refused by a channel that is closing or closed: the connection is
                // ending (its close may not have been reported yet).
                let reason = format!("the connection ended before the transfer did ({error})");
                live.files.machine.stop_sending(id, &reason);
                return self.run_files(key);
            }
        }
    }

    /// When the file transfers next need the driver: the machines' deadlines, and the
    /// next drain tick while a transfer waits for a drain.
    pub(super) fn files_deadline(&self) -> Option<tokio::time::Instant> {
        let at = |ms: u64| self.origin + Duration::from_millis(ms);
        let mut deadline = None::<tokio::time::Instant>;
        for live in self.connections.values() {
            let machine = &live.files.machine;
            let tick = (machine.awaits_drain() || !live.files.backlog.is_empty())
                .then(|| self.next_drain_tick());
            let timeout = machine.poll_timeout().map(|instant| at(instant.as_millis()));
            for candidate in [tick, timeout].into_iter().flatten() {
                deadline = Some(deadline.map_or(candidate, |d| d.min(candidate)));
            }
        }
        deadline
    }

    /// The next tick on a fixed grid from the driver's start: it does not move when the
    /// deadline is worked out again after other work, so a busy connection (frames
    /// arriving every millisecond) cannot put the drain check off for ever.
    fn next_drain_tick(&self) -> tokio::time::Instant {
        let tick = DRAIN_TICK.as_millis();
        let since = tokio::time::Instant::now().saturating_duration_since(self.origin);
        let next = (since.as_millis() / tick + 1).saturating_mul(tick);
        let next = Duration::from_millis(u64::try_from(next).unwrap_or(u64::MAX));
        self.origin.checked_add(next).unwrap_or_else(tokio::time::Instant::now)
    }

    /// Lets every files machine handle its deadlines, and hands it the drains.
    pub(super) fn files_wake(&mut self) {
        let now = self.now();
        let keys: Vec<ConnKey> = self.connections.keys().cloned().collect();
        for key in keys {
            let Some(live) = self.connections.get_mut(&key) else { continue };
            live.files.machine.handle_timeout(now);
            let waits = live.files.machine.awaits_drain() || !live.files.backlog.is_empty();
            if waits && live.connection.buffered_amount(Channel::Reliable) < DRAINED_BELOW {
                self.flush_backlog(&key);
            }
            self.run_files(&key);
        }
    }

    /// Queues the held-back steps of `key` while there is room; once none is left, the
    /// machine hears the queue drained.
    fn flush_backlog(&mut self, key: &ConnKey) {
        let now = self.now();
        let Some(live) = self.connections.get_mut(key) else { return };
        let held = std::mem::take(&mut live.files.backlog);
        let held: Vec<_> = held.into_iter().filter(|(id, _)| live.files.is_sending(*id)).collect();
        let mut held = held.into_iter();
        while let Some((id, frame)) = held.next() {
            if live.connection.buffered_amount(Channel::Reliable) >= MAX_QUEUED_BYTES {
                live.files.backlog.push_back((id, frame));
                live.files.backlog.extend(held);
                return;
            }
            if let Err(error) = live.connection.send(Channel::Reliable, frame) {
                let reason = format!("the connection ended before the transfer did ({error})");
                live.files.machine.stop_sending(id, &reason);
            }
        }
        live.files.machine.drained(now);
    }
}
