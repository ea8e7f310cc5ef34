//! A file being sent, as its sender holds it ([`OutgoingFile`]): its progress, its end,
//! and a way to cancel it. Files received are reported as [`crate::PeerEvent`]s.

use crate::driver::commands::{Command, Started};
use crate::values::error::PeerError;
use signaling_protocol::PeerId;
use tokio::sync::{mpsc, watch};

/// A file being sent (see [`crate::Peer::send_file`]).
#[derive(Debug)]
#[must_use = "a file is sent whether or not its handle is kept; keep it to know when it arrived"]
pub struct OutgoingFile {
    pub(crate) started: Started,
    pub(crate) to: PeerId,
    pub(crate) name: String,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
}

impl OutgoingFile {
    /// The transfer's id on its connection.
    pub fn id(&self) -> u32 {
        self.started.id
    }

    /// The receiver.
    pub fn to(&self) -> &PeerId {
        &self.to
    }

    /// The name the receiver is given (the file's own name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.started.size
    }

    /// Bytes sent so far, updated as it goes out at most four times a second, and once
    /// more at the end; `changed()` on it waits for the next count.
    pub fn progress(&self) -> watch::Receiver<u64> {
        self.started.progress.clone()
    }

    /// Resolves once the receiver confirmed the file arrived whole (size and SHA-256
    /// matched); an error when either side cancelled, the file could not be read, the
    /// receiver's check failed, or the connection ended first.
    pub async fn done(self) -> Result<(), PeerError> {
        self.started.done.await.unwrap_or(Err(PeerError::Closed))
    }

    /// Stops sending it and tells the receiver (a no-op once it ended).
    pub fn cancel(&self) {
        let (key, id) = (self.started.key.clone(), self.started.id);
        let _ = self.commands.send(Command::CancelFile { key, id });
    }
}
