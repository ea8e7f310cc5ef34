//! The files protocol of one connection as a sans-IO machine ([`Files`]): every decision
//! of `docs/PROTOCOL.md` ("Files") is made here, with no I/O and no clock.
//!
//! ```text
//!   driver ── local calls, parsed frames, slices read, "queue drained", now ──▶ Files
//!          ◀── FileOutput: frames to send, slices to read, bytes to append, progress,
//!              transfers settled;  poll_timeout(): the next stall deadline
//! ```
//! The driver (peer-wasm's `files/`) parses and encodes the frames, reads the file,
//! builds what arrived, and runs one timer; after each call it drains
//! [`Files::poll_output`] and re-arms its timer at [`Files::poll_timeout`], calling
//! [`Files::handle_timeout`] when it fires. Data frames are a type parameter `B`,
//! measured and hashed ([`Bytes`]) and handed on.
//!
//! `frames.rs` holds the frames, `io.rs` the outputs and the clock, `digest.rs` the
//! transfer's SHA-256, `send.rs` the sending end (one data frame in flight per
//! transfer, read ahead while it goes out), `receive.rs` the receiving end (offers
//! checked, data counted, stalls, the check at the end); `tests.rs` wires two machines
//! together over simulated time, `limit_tests.rs` feeds one a misbehaving sender's
//! frames, `properties.rs` throws random interleavings of every input at one.
//!
//! Everything a peer announces is bounded: [`MAX_INCOMING`] transfers at once, names
//! and types of [`MAX_NAME_CHARS`], sizes up to [`MAX_FILE_BYTES`], no more bytes than
//! announced, and no silence longer than [`STALL_MS`]. Breaking one of these stops that
//! transfer (the sender is told with an `r` frame); the connection goes on.

mod digest;
mod frames;
mod io;
#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod properties;
mod receive;
mod send;
#[cfg(test)]
mod tests;

pub use frames::{BadFrame, Bytes, FileFrame, MAX_REASON_CHARS, Offer};
pub use io::{Accepted, Direction, FileOutput};

pub use crate::time::Instant;
use receive::Incoming;
use send::Outgoing;

/// Largest file accepted or sent: 64 GiB.
pub const MAX_FILE_BYTES: u64 = 64 << 30;
/// Most transfers one peer may have under way to us at once.
pub const MAX_INCOMING: usize = 8;
/// Longest file name or MIME type, in characters.
pub const MAX_NAME_CHARS: usize = 255;
/// A transfer with no data for this long is stopped, and a sender waits this long for
/// the receiver's answer after its end frame.
pub const STALL_MS: u64 = 30_000;
/// Fewest milliseconds between two progress reports of one transfer.
pub const PROGRESS_EVERY_MS: u64 = 250;
/// How many ended transfer ids are remembered, so their late frames are dropped quietly.
const ENDED_REMEMBERED: usize = 32;

/// The file transfers of one connection, both ways.
#[derive(Debug)]
pub struct Files<B> {
    /// Whether offers are taken (the app set a file handler).
    accepting: bool,
    incoming: Vec<Incoming>,
    outgoing: Vec<Outgoing<B>>,
    /// The transfer the next binary frame belongs to (after a `d` frame).
    part_of: Option<u32>,
    /// Incoming transfers that ended here, whose frames may still be on the way.
    ended: Vec<u32>,
    next_id: u32,
    /// What the driver is to do, oldest first. (Plain `Vec`s here: the lists are short,
    /// and each `VecDeque` type adds its own code to the browser's package.)
    outputs: Vec<FileOutput<B>>,
}

impl<B> Default for Files<B> {
    fn default() -> Self {
        Self {
            accepting: false,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            part_of: None,
            ended: Vec::new(),
            next_id: 0,
            outputs: Vec::new(),
        }
    }
}

impl<B: Bytes> Files<B> {
    /// No transfers; offers refused until [`Files::set_accepting`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether offers are taken from now on.
    pub fn set_accepting(&mut self, accepting: bool) {
        self.accepting = accepting;
    }

    /// The next thing to do, if any.
    pub fn poll_output(&mut self) -> Option<FileOutput<B>> {
        (!self.outputs.is_empty()).then(|| self.outputs.remove(0))
    }

    /// When [`Files::handle_timeout`] must next be called: the earliest deadline of a
    /// transfer (no data arriving, no answer to an end frame).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let incoming = self.incoming.iter().filter_map(Incoming::deadline).min();
        let outgoing = self.outgoing.iter().filter_map(|transfer| transfer.confirm_by).min();
        match (incoming, outgoing) {
            (Some(one), Some(other)) => Some(one.min(other)),
            (one, other) => one.or(other),
        }
    }

    /// Stops every transfer whose deadline passed at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.stop_stalled_incoming(now);
        self.stop_unconfirmed_outgoing(now);
    }

    /// Takes one frame from the peer: `Err` when it is a bad frame where it came (the
    /// connection ends).
    pub fn handle_frame(&mut self, frame: FileFrame<B>, now: Instant) -> Result<(), BadFrame> {
        if let Some(id) = self.part_of.take() {
            let FileFrame::Data(data) = frame else { return Err(BadFrame) };
            self.on_data(id, data, now);
            return Ok(());
        }
        if frame.id() == Some(0) {
            // Ids start at 1, so that `r0` never has to refuse an offer numbered 0.
            return Err(BadFrame);
        }
        match frame {
            FileFrame::Data(_) | FileFrame::OtherText => return Err(BadFrame),
            FileFrame::Offer(offer) => self.on_offer(offer, now),
            FileFrame::Part(id) => self.part_of = Some(id),
            FileFrame::End { id, sha256 } => self.on_end(id, sha256),
            FileFrame::Cancel { id, reason } => {
                if self.forget_incoming(id).is_some() {
                    let result = Err(format!("the sender stopped: {reason}"));
                    self.settle(id, Direction::Incoming, result);
                }
            }
            FileFrame::Refuse { id, reason } => {
                if self.forget_outgoing(id).is_some() {
                    let result = Err(format!("the receiver stopped: {reason}"));
                    self.settle(id, Direction::Outgoing, result);
                }
            }
            FileFrame::Kept(id) => self.on_kept(id),
        }
        Ok(())
    }

    /// Whether the next frame must be the data frame a `d` frame announced (the driver
    /// hands it over, binary or not).
    pub fn awaits_data(&self) -> bool {
        self.part_of.is_some()
    }

    /// Ends every transfer with `reason`, telling nobody (the connection is gone).
    /// Incoming transfers already being checked finish their check.
    pub fn fail_all(&mut self, reason: &str) {
        for transfer in std::mem::take(&mut self.incoming) {
            if transfer.is_receiving() {
                self.remember_ended(transfer.id);
                self.settle(transfer.id, Direction::Incoming, Err(reason.to_owned()));
            } else {
                self.incoming.push(transfer);
            }
        }
        for transfer in std::mem::take(&mut self.outgoing) {
            self.settle(transfer.id, Direction::Outgoing, Err(reason.to_owned()));
        }
        self.part_of = None;
    }

    fn settle(&mut self, id: u32, way: Direction, result: Result<(), String>) {
        self.outputs.push(FileOutput::Settled { id, way, result });
    }

    fn send(&mut self, frame: FileFrame<B>) {
        self.outputs.push(FileOutput::Send(frame));
    }

    fn remember_ended(&mut self, id: u32) {
        if self.ended.len() == ENDED_REMEMBERED {
            self.ended.remove(0);
        }
        self.ended.push(id);
    }
}

/// When to report progress: at most every [`PROGRESS_EVERY_MS`] (the last count goes
/// out whatever the pace).
#[derive(Debug, Default)]
struct Pace {
    last: Option<Instant>,
}

impl Pace {
    fn due(&mut self, now: Instant) -> bool {
        let due = self.last.is_none_or(|then| now.millis_since(then) >= PROGRESS_EVERY_MS);
        if due {
            self.last = Some(now);
        }
        due
    }
}
