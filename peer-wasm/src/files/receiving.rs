//! The receiving end of a transfer, as the machine (`peer_core::files`) directs it: the
//! data frames it counted become parts of a `Blob` (folded into one `Blob` every
//! [`FOLD_BYTES`], so the page holds at most that much in `ArrayBuffer`s and the browser
//! keeps the rest in its Blob storage); once the machine checked size and digest, the
//! file is put together. The app's handle is [`IncomingFile`].

use super::FileLink;
use super::shared::{Outcome, Progress, blob_of};
use crate::error::PeerError;
use crate::wire::file_frames::Chunk;
use js_sys::{Array, ArrayBuffer};
use peer_core::files::Accepted;
use signaling_protocol::PeerId;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::{Rc, Weak};
use web_sys::Blob;

/// Received bytes held as `ArrayBuffer`s before they are folded into the `Blob`.
const FOLD_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// One transfer being received.
pub(crate) struct Receiving {
    pub id: u32,
    pub from: PeerId,
    pub name: String,
    pub size: u64,
    pub mime: String,
    /// What arrived, folded: a `Blob` of everything before `parts`.
    folded: RefCell<Option<Blob>>,
    parts: RefCell<Array>,
    parts_bytes: Cell<f64>,
    pub progress: Progress,
    pub outcome: Outcome<Blob>,
}

impl Receiving {
    pub fn new(accepted: Accepted, from: PeerId) -> Self {
        Self {
            id: accepted.id,
            from,
            name: accepted.name,
            size: accepted.size,
            mime: accepted.mime,
            folded: RefCell::new(None),
            parts: RefCell::new(Array::new()),
            parts_bytes: Cell::new(0.0),
            progress: Progress::default(),
            outcome: Outcome::new(),
        }
    }

    /// Keeps one data frame (the machine counted it); `Err` (why) when the browser
    /// could not.
    pub fn append(&self, data: Chunk) -> Result<(), String> {
        let bytes: ArrayBuffer = data.0;
        self.parts.borrow().push(&bytes);
        self.parts_bytes.set(self.parts_bytes.get() + f64::from(bytes.byte_length()));
        if self.parts_bytes.get() >= FOLD_BYTES {
            self.fold().map_err(|error| crate::error::js_message(&error))?;
        }
        Ok(())
    }

    /// Moves the parts into the folded `Blob`.
    pub fn fold(&self) -> Result<Blob, wasm_bindgen::JsValue> {
        let parts = self.parts.replace(Array::new());
        if let Some(folded) = self.folded.borrow().as_ref() {
            parts.unshift(folded);
        }
        let blob = blob_of(&parts, &self.mime)?;
        self.parts_bytes.set(0.0);
        *self.folded.borrow_mut() = Some(blob.clone());
        Ok(blob)
    }

    /// Ends it with `reason`, dropping what arrived; `false` when it had ended.
    pub fn fail(&self, reason: &str) -> bool {
        let message = format!("receiving \"{}\" from peer {}: {reason}", self.name, self.from);
        if !self.outcome.settle(Err(message)) {
            return false;
        }
        self.release();
        true
    }

    /// Ends it well, with the file put together by [`Receiving::fold`].
    pub fn keep(&self) {
        let blob = self.folded.borrow().clone();
        match blob {
            Some(blob) => {
                self.outcome.settle(Ok(blob));
                self.release();
            }
            None => {
                self.fail("the file was not put together");
            }
        }
    }

    fn release(&self) {
        self.parts.replace(Array::new());
        self.folded.replace(None);
        self.progress.set(None);
    }
}

/// A file arriving from a peer (see [`crate::api::peer::Peer::set_file_handler`]): what it is,
/// its progress, and at the end the file as a `Blob`. Cloning gives another handle to
/// the same transfer.
#[derive(Clone)]
pub struct IncomingFile {
    pub(crate) state: Rc<Receiving>,
    pub(crate) link: Weak<FileLink>,
}

impl IncomingFile {
    /// The sender.
    pub fn from(&self) -> &PeerId {
        &self.state.from
    }

    /// The file's name, as the sender gave it (not a path: do not trust it as one).
    pub fn name(&self) -> &str {
        &self.state.name
    }

    /// Its size in bytes, as announced.
    pub fn size(&self) -> u64 {
        self.state.size
    }

    /// Its MIME type, as the sender gave it ("" when unknown).
    pub fn mime_type(&self) -> &str {
        &self.state.mime
    }

    /// Calls `callback(bytes received, size)` as it arrives, at most four times a
    /// second, and once more at the end.
    pub fn on_progress(&self, callback: impl FnMut(u64, u64) + 'static) {
        self.state.progress.set(Some(Box::new(callback)));
    }

    /// The whole file, once it arrived and its size and SHA-256 matched; an error when
    /// either side cancelled, the connection ended first, or the check failed.
    pub fn done(&self) -> impl Future<Output = Result<Blob, PeerError>> + use<> {
        self.state.outcome.wait()
    }

    /// Stops receiving it and tells the sender; what arrived is dropped.
    pub fn cancel(&self) {
        if let Some(link) = self.link.upgrade() {
            link.stop_incoming(self.state.id, "cancelled by the receiver");
        } else {
            self.state.fail("cancelled by the receiver");
        }
    }
}
