//! The sending end of a transfer, as the machine (`peer_core::files`) directs it: its
//! `Blob` read one slice at a time when asked; the app's handle, [`OutgoingFile`].

use super::FileLink;
use super::shared::{Outcome, Progress, read_slice};
use crate::error::PeerError;
use crate::timer::now;
use crate::wire::file_frames::Chunk;
use signaling_protocol::PeerId;
use std::future::Future;
use std::rc::{Rc, Weak};
use web_sys::Blob;

/// One transfer being sent.
pub(crate) struct Sending {
    pub id: u32,
    pub to: PeerId,
    pub name: String,
    pub size: f64,
    blob: Blob,
    pub progress: Progress,
    pub outcome: Outcome<()>,
}

impl Sending {
    pub fn new(id: u32, to: PeerId, name: String, blob: Blob) -> Self {
        Self {
            id,
            to,
            name,
            size: blob.size(),
            blob,
            progress: Progress::default(),
            outcome: Outcome::new(),
        }
    }

    /// Ends it well: the receiver has it all.
    pub fn kept(&self) {
        self.outcome.settle(Ok(()));
        self.progress.set(None);
    }

    /// Ends it with `reason`; `false` when it had ended.
    pub fn fail(&self, reason: &str) -> bool {
        let message = format!("sending \"{}\" to peer {}: {reason}", self.name, self.to);
        let settled = self.outcome.settle(Err(message));
        if settled {
            self.progress.set(None);
        }
        settled
    }

    /// Reads `len` bytes at `offset` and hands them to the machine.
    pub async fn read(self: Rc<Self>, offset: u64, len: u64, link: Weak<FileLink>) {
        let (start, end) = (offset as f64, (offset + len) as f64);
        let read = read_slice(&self.blob, start, end).await;
        let read = read.map(Chunk).map_err(|error| crate::error::js_message(&error));
        if let Some(link) = link.upgrade() {
            link.machine.borrow_mut().slice_read(self.id, read, now());
            link.run();
        }
    }
}

/// A file being sent (see [`crate::api::peer::Peer::send_file`]): its progress, its end, and a
/// way to cancel it. Cloning gives another handle to the same transfer.
#[derive(Clone)]
pub struct OutgoingFile {
    pub(crate) state: Rc<Sending>,
    pub(crate) link: Weak<FileLink>,
}

impl OutgoingFile {
    /// The transfer's id on its connection.
    pub fn id(&self) -> u32 {
        self.state.id
    }

    /// The receiver.
    pub fn to(&self) -> &PeerId {
        &self.state.to
    }

    /// The name the receiver is given.
    pub fn name(&self) -> &str {
        &self.state.name
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.state.size as u64
    }

    /// Calls `callback(bytes sent, size)` as it goes out, at most four times a second,
    /// and once more at the end.
    pub fn on_progress(&self, callback: impl FnMut(u64, u64) + 'static) {
        self.state.progress.set(Some(Box::new(callback)));
    }

    /// Resolves once the receiver confirmed the file arrived whole (size and SHA-256
    /// matched); an error when either side cancelled, the file could not be read, the
    /// receiver's check failed, or the connection ended first.
    pub fn done(&self) -> impl Future<Output = Result<(), PeerError>> + use<> {
        self.state.outcome.wait()
    }

    /// Stops sending it and tells the receiver.
    pub fn cancel(&self) {
        if let Some(link) = self.link.upgrade() {
            link.stop_outgoing(self.state.id, "cancelled by the sender");
        } else {
            self.state.fail("cancelled by the sender");
        }
    }
}
