//! How a [`FileLink`] queues the machine's frames on the connection's send queue: an
//! outgoing transfer's frames as steps kept in order (held back while the queue is full
//! of messages), control frames best effort; and the "queue drained" input the machine
//! paces its data frames by.

use super::file_link::FileLink;
use super::shared::spawn;
use crate::timer::now;
use crate::wire::file_frames::{self, FileFrame};
use crate::wire::framing::Frame;

impl FileLink {
    /// Queues a text frame: an outgoing transfer's offer or end frame as a step of it,
    /// a control frame best effort (the connection may be closing).
    pub(super) fn send_frame(&self, frame: FileFrame) {
        let step = matches!(frame, FileFrame::Offer(_) | FileFrame::End { .. });
        let id = frame.id().unwrap_or_default();
        let text = match file_frames::encode(&frame) {
            Ok(Some(text)) => text,
            Ok(None) => return,
            Err(error) => return self.stop_outgoing(id, &crate::error::js_message(&error)),
        };
        if step {
            return self.push_step(id, vec![Frame::Text(text)]);
        }
        if let Some(queue) = self.queue.upgrade() {
            let _ = queue.borrow_mut().push(&self.peer, vec![Frame::Text(text)]);
        }
    }

    /// Queues one step of outgoing transfer `id` behind whatever is queued; kept back,
    /// in order, while the queue is full of messages.
    pub(super) fn push_step(&self, id: u32, frames: Vec<Frame>) {
        let mut backlog = self.backlog.borrow_mut();
        if !backlog.is_empty() {
            return backlog.push((id, frames));
        }
        drop(backlog);
        if let Err(frames) = self.try_push(id, frames) {
            self.backlog.borrow_mut().push((id, frames));
        }
    }

    /// Queues `frames` now: `Err(frames)` when the queue is full.
    fn try_push(&self, id: u32, frames: Vec<Frame>) -> Result<(), Vec<Frame>> {
        let Some(queue) = self.queue.upgrade() else { return Ok(()) };
        if queue.borrow().is_full() {
            return Err(frames);
        }
        let pushed = queue.borrow_mut().push(&self.peer, frames);
        match pushed {
            Ok(()) => Ok(()),
            // The queue is closing, or the channel refused the frame: both mean the
            // connection is ending (its close event may not have come yet).
            Err(error) => {
                let reason = format!("the connection ended before the transfer did ({error})");
                self.stop_outgoing(id, &reason);
                Ok(())
            }
        }
    }

    /// Waits for the send queue to drain when the machine or the backlog needs it.
    pub(super) fn watch_drain(&self) {
        let needed = self.machine.borrow().awaits_drain() || !self.backlog.borrow().is_empty();
        if !needed || self.drain_watched.get() {
            return;
        }
        let Some(queue) = self.queue.upgrade() else { return };
        self.drain_watched.set(true);
        let drained = queue.borrow_mut().drained();
        let this = self.this.clone();
        spawn(async move {
            // Cancelled when the connection ends: its end fails the transfers itself.
            let Ok(()) = drained.await else { return };
            if let Some(link) = this.upgrade() {
                link.on_drained();
            }
        });
    }

    fn on_drained(&self) {
        self.drain_watched.set(false);
        if !self.queue_is_empty() {
            // Frames queued since the watch began: wait for those too.
            return self.watch_drain();
        }
        let mut steps = std::mem::take(&mut *self.backlog.borrow_mut()).into_iter();
        while let Some((id, frames)) = steps.next() {
            if self.sending(id).is_none() {
                continue;
            }
            if let Err(frames) = self.try_push(id, frames) {
                // Still full: the rest waits, in order, ahead of anything newer.
                let mut backlog = self.backlog.borrow_mut();
                let newer = std::mem::take(&mut *backlog);
                backlog.push((id, frames));
                backlog.extend(steps);
                backlog.extend(newer);
                break;
            }
        }
        if self.backlog.borrow().is_empty() {
            self.machine.borrow_mut().drained(now());
        }
        self.run();
    }

    /// Whether the send queue has handed everything to the channel (or is gone).
    fn queue_is_empty(&self) -> bool {
        let Some(queue) = self.queue.upgrade() else { return true };
        queue.borrow().is_empty()
    }
}
