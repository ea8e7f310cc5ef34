//! The simulated files driver: each connection end's files machine, its frames carried
//! over the channel with the network's latency, its send queue draining at
//! [`BYTES_PER_MS`], the file it sends read from memory (or held back, to stall it), and
//! what arrives kept. Its deadlines are the simulation's like any other.

use super::{Arrival, LATENCY_MS, Sim};
use peer_core::ConnKey;
use peer_core::Instant;
use peer_core::files::{Direction, FileFrame, FileOutput};
use std::collections::HashMap;

/// How fast a send queue hands data to the channel: 16 KiB a millisecond (16 MB/s).
pub const BYTES_PER_MS: u64 = 16 * 1024;

/// What the driver of one end's files machine holds.
#[derive(Default)]
pub(crate) struct FileSide {
    /// The files it sends, by transfer id.
    sending: HashMap<u32, Vec<u8>>,
    /// What arrived, by transfer id.
    received: HashMap<u32, Vec<u8>>,
    /// Reads are held (the file stalls) instead of answered at once.
    hold_reads: bool,
    held: Vec<(u32, u64, u64)>,
    /// A "drained" is on its way to the machine.
    drain_pending: bool,
    /// Data bytes queued since the last drain.
    queued: u64,
    /// Everything else the machine said, with the time.
    said: Vec<(Instant, FileOutput<Vec<u8>>)>,
}

impl Sim {
    /// `from` sends `file` to `to` on their open connection, `slice` bytes per data frame:
    /// the transfer's id.
    pub fn send_file(
        &mut self,
        from: &str,
        to: &str,
        name: &str,
        file: Vec<u8>,
        slice: u64,
    ) -> u32 {
        let end = self.open_end(from, to);
        let size = file.len() as f64;
        let files = &mut self.ends[end].files;
        let id = files.send_file(name, "application/octet-stream", size, slice).expect("sendable");
        self.ends[end].side.sending.insert(id, file);
        self.run_files(end);
        id
    }

    /// `from` stops sending transfer `id` to `to`.
    pub fn cancel_file(&mut self, from: &str, to: &str, id: u32) {
        let end = self.open_end(from, to);
        self.ends[end].files.stop_sending(id, "cancelled by the sender");
        self.run_files(end);
    }

    /// Holds `from`'s reads of the files it sends to `to` (a file that stops giving
    /// bytes), or answers them again, the held ones first.
    pub fn hold_reads(&mut self, from: &str, to: &str, hold: bool) {
        let end = self.open_end(from, to);
        self.ends[end].side.hold_reads = hold;
        if !hold {
            for (id, offset, len) in std::mem::take(&mut self.ends[end].side.held) {
                self.read(end, id, offset, len);
            }
            self.run_files(end);
        }
    }

    /// How `name`'s transfer `id` with `other` ended (`way` it went), if it did.
    pub fn file_result(
        &self,
        name: &str,
        other: &str,
        id: u32,
        way: Direction,
    ) -> Option<Result<(), String>> {
        let said = &self.ends[self.open_end(name, other)].side.said;
        said.iter().find_map(|(_, output)| match output {
            FileOutput::Settled { id: i, way: w, result } if (*i, *w) == (id, way) => {
                Some(result.clone())
            }
            _ => None,
        })
    }

    /// The bytes of transfer `id` that `name` received from `other`.
    pub fn file_received(&self, name: &str, other: &str, id: u32) -> Vec<u8> {
        let side = &self.ends[self.open_end(name, other)].side;
        side.received.get(&id).cloned().unwrap_or_default()
    }

    /// How many progress reports `name` had of transfer `id` with `other`.
    pub fn file_progress_reports(&self, name: &str, other: &str, id: u32) -> usize {
        let said = &self.ends[self.open_end(name, other)].side.said;
        let of_id = |(_, output): &&(Instant, FileOutput<Vec<u8>>)| matches!(output, FileOutput::Progress { id: i, .. } if *i == id);
        said.iter().filter(of_id).count()
    }

    /// A frame from the channel for peer `to`'s connection `key`.
    pub(super) fn file_frame(&mut self, to: usize, key: &ConnKey, frame: FileFrame<Vec<u8>>) {
        let Some(end) = self.end(to, key) else { return };
        let now = self.now;
        self.ends[end].files.handle_frame(frame, now).expect("a good frame");
        self.run_files(end);
    }

    /// Everything peer `to`'s connection `key` queued went out.
    pub(super) fn file_queue_drained(&mut self, to: usize, key: &ConnKey) {
        let Some(end) = self.end(to, key) else { return };
        self.ends[end].side.drain_pending = false;
        let now = self.now;
        self.ends[end].files.drained(now);
        self.run_files(end);
    }

    /// Fires every files machine's deadline that came.
    pub(super) fn file_deadlines(&mut self) {
        for end in 0..self.ends.len() {
            let due = self.ends[end].files.poll_timeout().is_some_and(|at| at <= self.now);
            if due && !self.peers[self.ends[end].owner].crashed {
                let now = self.now;
                self.ends[end].files.handle_timeout(now);
                self.run_files(end);
            }
        }
    }

    /// Carries out what the files machine of `end` asks, in order.
    fn run_files(&mut self, end: usize) {
        while let Some(output) = self.ends[end].files.poll_output() {
            match output {
                FileOutput::Send(frame) => self.file_over_channel(end, frame),
                FileOutput::SendData { id, data } => {
                    self.ends[end].side.queued += data.len() as u64;
                    self.file_over_channel(end, FileFrame::Part(id));
                    self.file_over_channel(end, FileFrame::Data(data));
                }
                FileOutput::Read { id, offset, len } if self.ends[end].side.hold_reads => {
                    self.ends[end].side.held.push((id, offset, len));
                }
                FileOutput::Read { id, offset, len } => self.read(end, id, offset, len),
                FileOutput::Append { id, data } => {
                    self.ends[end].side.received.entry(id).or_default().extend(data);
                }
                FileOutput::Verify { id } => self.ends[end].files.verified(id, Ok(())),
                other => self.ends[end].side.said.push((self.now, other)),
            }
        }
        if self.ends[end].files.awaits_drain() && !self.ends[end].side.drain_pending {
            let side = &mut self.ends[end].side;
            side.drain_pending = true;
            let took = std::mem::take(&mut side.queued).div_ceil(BYTES_PER_MS);
            let (owner, key) = (self.ends[end].owner, self.ends[end].key.clone());
            self.arrive(owner, took, Arrival::Drained { key });
        }
    }

    fn read(&mut self, end: usize, id: u32, offset: u64, len: u64) {
        let Some(file) = self.ends[end].side.sending.get(&id) else { return };
        let slice = file[offset as usize..(offset + len) as usize].to_vec();
        let now = self.now;
        self.ends[end].files.slice_read(id, Ok(slice), now);
    }

    /// Sends `frame` to the other end of `end`'s connection.
    fn file_over_channel(&mut self, end: usize, frame: FileFrame<Vec<u8>>) {
        let (owner, key) = (self.ends[end].owner, self.ends[end].key.clone());
        if let Some(remote) = self.remote_end(owner, &key) {
            let (to, key) = (self.ends[remote].owner, self.ends[remote].key.clone());
            self.arrive(to, LATENCY_MS, Arrival::File { key, frame });
        }
    }

    /// `from`'s end of its open connection to `to`.
    fn open_end(&self, from: &str, to: &str) -> usize {
        let at = self.peer(from);
        let key = self.peers[at].core.open_key(&self.id(to)).expect("an open connection");
        self.end(at, &key).expect("its end")
    }
}
