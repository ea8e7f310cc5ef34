//! The sending end: one data frame of a transfer in flight at a time (the next is read
//! while it goes out, and queued only once the send queue has drained, so a file never
//! outpaces the channel and a message queued meanwhile waits behind one data frame at
//! most), each hashed as it goes; then the end frame with the digest, and the
//! receiver's answer, awaited [`STALL_MS`].

use super::digest::FileDigest;
use super::frames::{Bytes, FileFrame, Offer};
use super::io::{Direction, FileOutput};
use super::{Files, MAX_FILE_BYTES, MAX_NAME_CHARS, Pace, STALL_MS};
use crate::time::Instant;

/// One transfer being sent.
#[derive(Debug)]
pub(super) struct Outgoing<B> {
    pub id: u32,
    size: u64,
    /// Bytes per data frame.
    slice: u64,
    /// Bytes queued so far.
    sent: u64,
    /// The next data frame, read and waiting for the queue to drain.
    ready: Option<B>,
    /// Its frames are queued and the queue has not drained since.
    in_flight: bool,
    digest: FileDigest,
    end_sent: bool,
    /// Once its end frame went out: when to give up on the receiver's answer.
    pub confirm_by: Option<Instant>,
    pace: Pace,
}

impl<B: Bytes> Files<B> {
    /// Starts sending a file of `size` bytes as `name`, `slice` bytes per data frame:
    /// its id, or why it cannot be sent. The type is cut to [`MAX_NAME_CHARS`].
    pub fn send_file(
        &mut self,
        name: &str,
        mime: &str,
        size: f64,
        slice: u64,
    ) -> Result<u32, &'static str> {
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err("a name must have 1 to 255 characters");
        }
        if !(0.0..=MAX_FILE_BYTES as f64).contains(&size) {
            return Err("a file may be at most 64 GiB");
        }
        let mime: String = mime.chars().take(MAX_NAME_CHARS).collect();
        self.next_id += 1;
        let id = self.next_id;
        let offer = Offer { id, name: name.to_owned(), size, mime };
        self.send(FileFrame::Offer(offer));
        let size = size as u64;
        self.outgoing.push(Outgoing {
            id,
            size,
            slice: slice.max(1),
            sent: 0,
            ready: None,
            in_flight: true,
            digest: FileDigest::default(),
            end_sent: false,
            confirm_by: None,
            pace: Pace::default(),
        });
        self.read_next(id);
        Ok(id)
    }

    /// Takes what the driver read for outgoing transfer `id` after [`FileOutput::Read`]:
    /// the bytes, or why they could not be read.
    pub fn slice_read(&mut self, id: u32, read: Result<B, String>, now: Instant) {
        let Some(transfer) = self.outgoing.iter().find(|t| t.id == id) else { return };
        let expected = transfer.slice.min(transfer.size - transfer.sent);
        match read {
            Err(reason) => self.stop_sending(id, &format!("the file could not be read: {reason}")),
            Ok(data) if data.byte_len() != expected => {
                self.stop_sending(id, "the file changed while it was being sent")
            }
            Ok(data) => {
                if let Some(transfer) = self.outgoing.iter_mut().find(|t| t.id == id) {
                    transfer.ready = Some(data);
                }
                self.advance(id, now);
            }
        }
    }

    /// The send queue handed everything queued to the channel: the next frames may go.
    pub fn drained(&mut self, now: Instant) {
        for transfer in &mut self.outgoing {
            transfer.in_flight = false;
            if transfer.end_sent && transfer.confirm_by.is_none() {
                // A receiver that never answers must not leave the transfer pending.
                transfer.confirm_by = Some(now.after(STALL_MS));
            }
        }
        // By index: advancing a transfer never removes one.
        for index in 0..self.outgoing.len() {
            self.advance(self.outgoing[index].id, now);
        }
    }

    /// Whether a transfer waits for [`Files::drained`].
    pub fn awaits_drain(&self) -> bool {
        self.outgoing.iter().any(|t| t.in_flight)
    }

    /// Stops sending transfer `id` with `reason`, here and at the receiver (cancelled
    /// here, the file unreadable, the connection refusing frames).
    pub fn stop_sending(&mut self, id: u32, reason: &str) {
        if self.forget_outgoing(id).is_some() {
            self.settle(id, Direction::Outgoing, Err(reason.to_owned()));
            self.send(FileFrame::Cancel { id, reason: reason.to_owned() });
        }
    }

    pub(super) fn forget_outgoing(&mut self, id: u32) -> Option<Outgoing<B>> {
        let index = self.outgoing.iter().position(|t| t.id == id)?;
        Some(self.outgoing.swap_remove(index))
    }

    pub(super) fn on_kept(&mut self, id: u32) {
        let Some(transfer) = self.forget_outgoing(id) else { return };
        let (done, total, way) = (transfer.size, transfer.size, Direction::Outgoing);
        // The last count goes out whatever the pace.
        self.outputs.push(FileOutput::Progress { id, way, done, total });
        self.settle(id, way, Ok(()));
    }

    pub(super) fn stop_unconfirmed_outgoing(&mut self, now: Instant) {
        let late = |t: &Outgoing<B>| t.confirm_by.is_some_and(|deadline| deadline <= now);
        while let Some(id) = self.outgoing.iter().find(|t| late(t)).map(|t| t.id) {
            self.stop_sending(id, "the receiver did not confirm the file within 30 seconds");
        }
    }

    /// Asks for the next data frame, if one is left.
    fn read_next(&mut self, id: u32) {
        let Some(transfer) = self.outgoing.iter_mut().find(|t| t.id == id) else { return };
        if transfer.sent < transfer.size {
            let len = transfer.slice.min(transfer.size - transfer.sent);
            self.outputs.push(FileOutput::Read { id, offset: transfer.sent, len });
        }
    }

    /// Queues what transfer `id` has ready, once nothing of it is in flight.
    fn advance(&mut self, id: u32, now: Instant) {
        let Some(transfer) = self.outgoing.iter_mut().find(|t| t.id == id) else { return };
        if transfer.in_flight {
            return;
        }
        if let Some(data) = transfer.ready.take() {
            data.read_with(&mut |bytes| transfer.digest.add_frame(bytes));
            transfer.sent += data.byte_len();
            transfer.in_flight = true;
            let (done, total) = (transfer.sent, transfer.size);
            let due = transfer.pace.due(now);
            self.outputs.push(FileOutput::SendData { id, data });
            if due {
                let way = Direction::Outgoing;
                self.outputs.push(FileOutput::Progress { id, way, done, total });
            }
            return self.read_next(id);
        }
        if transfer.sent == transfer.size && !transfer.end_sent {
            let sha256 = Some(transfer.digest.hex());
            transfer.end_sent = true;
            transfer.in_flight = true;
            self.send(FileFrame::End { id, sha256 });
        }
    }
}
