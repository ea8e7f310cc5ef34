//! File transfers on a connection, as `peer_core::files::Files` directs them: the
//! frames go to the machine, and what it asks is carried out here (slices read and
//! bytes written off the driver's task by `file_io.rs`, frames queued by
//! `file_queue.rs`, the owner told). This is the native counterpart of peer-wasm's
//! `files/file_link.rs`, with files on disk instead of Blobs.

use super::Driver;
use super::commands::Started;
use super::file_io::{FileReport, Saved, Writer, read_slice};
use super::file_names::sanitize;
use crate::values::error::PeerError;
use crate::values::events::PeerEvent;
use crate::wire::files::{FileFrame, data_frames};
use peer_core::ConnKey;
use peer_core::files::{Accepted, BadFrame, Direction, FileOutput, Files};
use signaling_protocol::{PeerId, PeerInfo};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, watch};

/// The file transfers of one connection: the machine, and what each transfer holds
/// here.
#[derive(Debug, Default)]
pub(super) struct Transfers {
    pub machine: Files<Vec<u8>>,
    outgoing: HashMap<u32, Sending>,
    incoming: HashMap<u32, Receiving>,
    /// Frames of outgoing transfers waiting for room in a full send queue, in order.
    pub backlog: VecDeque<(u32, crate::wire::frame::Frame)>,
}

impl Transfers {
    /// No transfers; offers taken when `accepting`.
    pub fn new(accepting: bool) -> Self {
        let mut transfers = Self::default();
        transfers.machine.set_accepting(accepting);
        transfers
    }

    /// Whether the transfer `id` is still being sent.
    pub fn is_sending(&self, id: u32) -> bool {
        self.outgoing.contains_key(&id)
    }
}

/// One file being sent.
#[derive(Debug)]
struct Sending {
    name: String,
    file: Arc<Mutex<std::fs::File>>,
    progress: watch::Sender<u64>,
    done: oneshot::Sender<Result<(), PeerError>>,
}

/// One file being received.
#[derive(Debug)]
struct Receiving {
    /// The name as the sender gave it.
    name: String,
    /// Dropped with the transfer: the writer then removes what it wrote.
    writer: Writer,
    /// Where it was saved, once it was.
    saved: Option<Saved>,
}

impl Driver {
    /// Takes one file frame of `key`'s channel: `Err` when it is a bad frame there.
    pub(super) fn file_frame(&mut self, key: &ConnKey, frame: FileFrame) -> Result<(), BadFrame> {
        let now = self.now();
        let Some(live) = self.connections.get_mut(key) else { return Ok(()) };
        let handled = live.files.machine.handle_frame(frame, now);
        self.run_files(key);
        handled
    }

    /// Starts sending `file` (`size` bytes) as `name` to `peer`.
    pub(super) fn send_file(
        &mut self,
        peer: &PeerId,
        name: &str,
        size: u64,
        file: std::fs::File,
    ) -> Result<Started, PeerError> {
        let key = self.core.open_key(peer)?;
        let live = self.connections.get_mut(&key);
        let live = live.ok_or_else(|| PeerError::NotConnected(peer.clone()))?;
        let slice = live.connection.max_frame() as u64;
        let id = live.files.machine.send_file(name, "", size as f64, slice);
        let id =
            id.map_err(|reason| PeerError::InvalidInput { what: "file", reason: reason.into() })?;
        let (progress, progress_in) = watch::channel(0);
        let (done, done_in) = oneshot::channel();
        let file = Arc::new(Mutex::new(file));
        let sending = Sending { name: name.to_owned(), file, progress, done };
        live.files.outgoing.insert(id, sending);
        self.run_files(&key);
        Ok(Started { id, key, size, progress: progress_in, done: done_in })
    }

    /// Stops sending transfer `id` of `key`, here and at the receiver.
    pub(super) fn cancel_file(&mut self, key: &ConnKey, id: u32) {
        let Some(live) = self.connections.get_mut(key) else { return };
        live.files.machine.stop_sending(id, "cancelled by the sender");
        self.run_files(key);
    }

    /// Ends every transfer of `key` (its connection is going).
    pub(super) fn end_transfers(&mut self, key: &ConnKey) {
        let Some(live) = self.connections.get_mut(key) else { return };
        live.files.backlog.clear();
        live.files.machine.fail_all("the connection ended before the transfer did");
        self.run_files(key);
    }

    /// What the disk did for a transfer of `key`.
    pub(super) fn file_report(&mut self, key: &ConnKey, report: FileReport) {
        let now = self.now();
        let Some(live) = self.connections.get_mut(key) else {
            // The connection ended while the file was being named: it is whole on disk.
            if let FileReport::Saved { saved: Ok(saved), .. } = report {
                let from = self.peer_info(&key.peer);
                let _ = self.events.send(received(from, saved));
            }
            return;
        };
        let machine = &mut live.files.machine;
        match report {
            FileReport::Read { id, read } => machine.slice_read(id, read, now),
            FileReport::WriteFailed { id, reason } => machine.stop_receiving(id, &reason),
            FileReport::Saved { id, saved } => {
                let kept = saved.as_ref().map(drop).map_err(Clone::clone);
                if let (Some(receiving), Ok(saved)) = (live.files.incoming.get_mut(&id), saved) {
                    receiving.saved = Some(saved);
                }
                live.files.machine.verified(id, kept);
            }
        }
        self.run_files(key);
    }

    /// Carries out what the files machine of `key` asks, in order.
    pub(super) fn run_files(&mut self, key: &ConnKey) {
        loop {
            let Some(live) = self.connections.get_mut(key) else { return };
            let Some(output) = live.files.machine.poll_output() else { return };
            self.carry_file(key, output);
        }
    }

    fn carry_file(&mut self, key: &ConnKey, output: FileOutput<Vec<u8>>) {
        let Some(live) = self.connections.get_mut(key) else { return };
        let files = &mut live.files;
        match output {
            FileOutput::Send(frame) => self.send_file_frame(key, frame),
            FileOutput::SendData { id, data } => self.push_step(key, id, data_frames(id, data)),
            FileOutput::Read { id, offset, len } => {
                let Some(sending) = files.outgoing.get(&id) else { return };
                let (reports, key) = (self.file_reports.clone(), key.clone());
                let report = move |report| {
                    let _ = reports.send((key, report));
                };
                read_slice(Arc::clone(&sending.file), id, offset, len, report);
            }
            FileOutput::Accepted(accepted) => self.accepted(key, accepted),
            FileOutput::Append { id, data } => {
                let appended = files.incoming.get(&id).map(|r| r.writer.append(data));
                if let Some(Err(reason)) = appended {
                    files.machine.stop_receiving(id, &reason);
                }
            }
            FileOutput::Verify { id } => {
                if let Some(receiving) = files.incoming.get(&id) {
                    receiving.writer.finish();
                }
            }
            FileOutput::Progress { id, way: Direction::Outgoing, done, .. } => {
                if let Some(sending) = files.outgoing.get(&id) {
                    sending.progress.send_replace(done);
                }
            }
            FileOutput::Progress { id, way: Direction::Incoming, done, total } => {
                let from = self.peer_info(&key.peer);
                let event = PeerEvent::FileProgress { from, id, received: done, size: total };
                let _ = self.events.send(event);
            }
            FileOutput::Settled { id, way, result } => self.settled(key, id, way, result),
            FileOutput::Warning(text) => tracing::warn!("peer {}: {text}", key.peer),
        }
    }

    /// An offer the machine took: its writer starts, and the owner is told.
    fn accepted(&mut self, key: &ConnKey, accepted: Accepted) {
        let Some(live) = self.connections.get_mut(key) else { return };
        let Accepted { id, name, size, .. } = accepted;
        let Some(dir) = self.download_dir.clone() else {
            return live.files.machine.stop_receiving(id, "the receiver takes no files");
        };
        let (reports, reporting_key) = (self.file_reports.clone(), key.clone());
        let report = move |report| {
            let _ = reports.send((reporting_key.clone(), report));
        };
        let writer = Writer::start(id, dir, sanitize(&name), report);
        let receiving = Receiving { name: name.clone(), writer, saved: None };
        live.files.incoming.insert(id, receiving);
        let from = self.peer_info(&key.peer);
        let _ = self.events.send(PeerEvent::FileOffered { from, id, name, size });
    }

    /// Transfer `id` of `key` ended: its sender or the owner is told.
    fn settled(&mut self, key: &ConnKey, id: u32, way: Direction, result: Result<(), String>) {
        let Some(live) = self.connections.get_mut(key) else { return };
        if way == Direction::Outgoing {
            let Some(sending) = live.files.outgoing.remove(&id) else { return };
            let result = result.map_err(|reason| {
                let name = &sending.name;
                PeerError::Transfer(format!("sending \"{name}\" to peer {}: {reason}", key.peer))
            });
            let _ = sending.done.send(result);
            return;
        }
        let Some(receiving) = live.files.incoming.remove(&id) else { return };
        let from = self.peer_info(&key.peer);
        let event = match (result, receiving.saved) {
            (Ok(()), Some(saved)) => received(from, saved),
            (Err(reason), _) => PeerEvent::FileFailed { from, name: receiving.name, reason },
            (Ok(()), None) => {
                let reason = "the file was not saved".to_owned();
                PeerEvent::FileFailed { from, name: receiving.name, reason }
            }
        };
        let _ = self.events.send(event);
    }

    /// Who `peer` is, as the roster knows it (its id alone once it left).
    fn peer_info(&self, peer: &PeerId) -> PeerInfo {
        let known = self.core.roster().iter().find(|info| &info.id == peer).cloned();
        known.unwrap_or_else(|| PeerInfo { id: peer.clone(), name: String::new(), key: None })
    }
}

/// The event for a file saved whole.
fn received(from: PeerInfo, saved: Saved) -> PeerEvent {
    let Saved { name, path, size, sha256 } = saved;
    PeerEvent::FileReceived { from, name, path, size, sha256 }
}
