//! The receiving end: offers checked against the limits, data frames counted against
//! the announced size and hashed, silent transfers stopped, and the size and digest
//! checked at the end frame, before the driver puts the file together.

use super::digest::FileDigest;
use super::frames::{Bytes, FileFrame, Offer};
use super::io::{Accepted, Direction, FileOutput};
use super::{Files, MAX_FILE_BYTES, MAX_INCOMING, MAX_NAME_CHARS, Pace, STALL_MS};
use crate::time::Instant;

/// One transfer being received.
#[derive(Debug)]
pub(super) struct Incoming {
    pub id: u32,
    size: u64,
    received: u64,
    /// When its last frame (or its offer) arrived.
    last_heard: Instant,
    pace: Pace,
    digest: FileDigest,
    /// Whether its end frame came, its size and digest matched, and the driver is
    /// putting the file together.
    checking: bool,
}

impl Incoming {
    /// When it stalls, unless data comes; none while it is being checked.
    pub fn deadline(&self) -> Option<Instant> {
        (!self.checking).then(|| self.last_heard.after(STALL_MS))
    }

    pub fn is_receiving(&self) -> bool {
        !self.checking
    }
}

impl<B: Bytes> Files<B> {
    pub(super) fn on_offer(&mut self, offer: Offer, now: Instant) {
        let id = offer.id;
        if let Err(reason) = self.check_offer(&offer) {
            self.outputs.push(FileOutput::Warning(format!("refused a file: {reason}")));
            self.remember_ended(id);
            return self.send(FileFrame::Refuse { id, reason });
        }
        let size = offer.size as u64;
        self.incoming.push(Incoming {
            id,
            size,
            received: 0,
            last_heard: now,
            pace: Pace::default(),
            digest: FileDigest::default(),
            checking: false,
        });
        let accepted = Accepted { id, name: offer.name, mime: offer.mime, size };
        self.outputs.push(FileOutput::Accepted(accepted));
    }

    /// Why an offer is refused, if it is.
    fn check_offer(&self, offer: &Offer) -> Result<(), String> {
        let size = offer.size;
        if !self.accepting {
            return Err("the receiver takes no files".into());
        }
        if self.incoming.iter().filter(|t| t.is_receiving()).count() >= MAX_INCOMING {
            return Err(format!("more than {MAX_INCOMING} files at once"));
        }
        if self.incoming.iter().any(|t| t.id == offer.id) || self.ended.contains(&offer.id) {
            return Err("a transfer id used twice".into());
        }
        let name_chars = offer.name.chars().count();
        if name_chars == 0 || name_chars > MAX_NAME_CHARS {
            return Err(format!("a name must have 1 to {MAX_NAME_CHARS} characters"));
        }
        if offer.mime.chars().count() > MAX_NAME_CHARS {
            return Err(format!("a type must have at most {MAX_NAME_CHARS} characters"));
        }
        if !(0.0..=MAX_FILE_BYTES as f64).contains(&size) || size.fract() != 0.0 {
            return Err(format!("a size must be a whole number of bytes up to {MAX_FILE_BYTES}"));
        }
        Ok(())
    }

    pub(super) fn on_data(&mut self, id: u32, data: B, now: Instant) {
        let found = self.incoming.iter_mut().find(|t| t.id == id && t.is_receiving());
        let Some(transfer) = found else {
            if !self.ended.contains(&id) {
                let warning = format!("data for unknown file transfer {id}");
                self.outputs.push(FileOutput::Warning(warning));
                self.remember_ended(id);
                let reason = "unknown transfer".to_owned();
                self.send(FileFrame::Refuse { id, reason });
            }
            return;
        };
        let received = transfer.received + data.byte_len();
        let size = transfer.size;
        if received > size {
            let reason = format!("the sender sent more than the {size} bytes it announced");
            return self.stop_receiving(id, &reason);
        }
        transfer.received = received;
        transfer.last_heard = now;
        data.read_with(&mut |bytes| transfer.digest.add_frame(bytes));
        let due = transfer.pace.due(now);
        self.outputs.push(FileOutput::Append { id, data });
        if due {
            let way = Direction::Incoming;
            self.outputs.push(FileOutput::Progress { id, way, done: received, total: size });
        }
    }

    pub(super) fn on_end(&mut self, id: u32, sha256: Option<String>) {
        let found = self.incoming.iter_mut().find(|t| t.id == id && t.is_receiving());
        let Some(transfer) = found else { return };
        let (received, size) = (transfer.received, transfer.size);
        if received != size {
            let reason = format!("the file ended after {received} of its {size} bytes");
            return self.stop_receiving(id, &reason);
        }
        // Without a digest (a sender that could not hash), only the size is checked.
        if sha256.is_some_and(|expected| expected != transfer.digest.hex()) {
            return self.stop_receiving(id, "the file arrived damaged: its SHA-256 does not match");
        }
        transfer.checking = true;
        self.remember_ended(id);
        self.outputs.push(FileOutput::Verify { id });
    }

    /// Takes the driver's answer after [`FileOutput::Verify`]: `Ok` once the file is put
    /// together, else why it could not be.
    pub fn verified(&mut self, id: u32, kept: Result<(), String>) {
        let found = self.incoming.iter().position(|t| t.id == id && !t.is_receiving());
        let Some(index) = found else { return };
        let transfer = self.incoming.swap_remove(index);
        match kept {
            Ok(()) => {
                let (done, total, way) = (transfer.size, transfer.size, Direction::Incoming);
                // The last count goes out whatever the pace.
                self.outputs.push(FileOutput::Progress { id, way, done, total });
                self.settle(id, way, Ok(()));
                self.send(FileFrame::Kept(id));
            }
            Err(reason) => {
                self.settle(id, Direction::Incoming, Err(reason.clone()));
                self.send(FileFrame::Refuse { id, reason });
            }
        }
    }

    /// Stops receiving transfer `id` with `reason`, here and at the sender (cancelled
    /// here, a limit broken, the file could not be kept).
    pub fn stop_receiving(&mut self, id: u32, reason: &str) {
        if self.forget_incoming(id).is_some() {
            self.settle(id, Direction::Incoming, Err(reason.to_owned()));
            self.send(FileFrame::Refuse { id, reason: reason.to_owned() });
        }
    }

    /// Removes incoming transfer `id` while it receives (not once it is being checked).
    pub(super) fn forget_incoming(&mut self, id: u32) -> Option<Incoming> {
        let index = self.incoming.iter().position(|t| t.id == id && t.is_receiving())?;
        let transfer = self.incoming.swap_remove(index);
        // Remembered, so a data frame still on the way is dropped quietly.
        self.remember_ended(id);
        Some(transfer)
    }

    pub(super) fn stop_stalled_incoming(&mut self, now: Instant) {
        let stalled = |t: &Incoming| t.deadline().is_some_and(|deadline| deadline <= now);
        while let Some(id) = self.incoming.iter().find(|t| stalled(t)).map(|t| t.id) {
            self.stop_receiving(id, "no data for 30 seconds");
        }
    }
}
