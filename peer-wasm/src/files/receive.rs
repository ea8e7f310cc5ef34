//! The receiving end of a transfer: the data frames become parts of a `Blob` as they
//! arrive (folded into one `Blob` every [`FOLD_BYTES`], so the page holds at most that
//! much in `ArrayBuffer`s and the browser keeps the rest in its Blob storage), each
//! hashed on arrival; the end frame checks size and digest.

use super::FileLink;
use super::shared::{Outcome, Progress, blob_of, digest, hash_of};
use super::wire::Offer;
use crate::error::PeerError;
use js_sys::{Array, ArrayBuffer};
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
    pub size: f64,
    pub mime: String,
    received: Cell<f64>,
    /// What arrived, folded: a `Blob` of everything before `parts`.
    folded: RefCell<Option<Blob>>,
    parts: RefCell<Array>,
    parts_bytes: Cell<f64>,
    /// The data frames' digests (promises), or `None` without WebCrypto.
    digests: RefCell<Option<Array>>,
    /// `Date.now()` when its last frame arrived.
    pub last_heard: Cell<f64>,
    pub progress: Progress,
    pub outcome: Outcome<Blob>,
}

impl Receiving {
    pub fn new(offer: Offer, from: PeerId) -> Self {
        Self {
            id: offer.id,
            from,
            name: offer.name,
            size: offer.size,
            mime: offer.mime,
            received: Cell::new(0.0),
            folded: RefCell::new(None),
            parts: RefCell::new(Array::new()),
            parts_bytes: Cell::new(0.0),
            digests: RefCell::new(Some(Array::new())),
            last_heard: Cell::new(js_sys::Date::now()),
            progress: Progress::default(),
            outcome: Outcome::new(),
        }
    }

    /// Takes one data frame; `Err` (why) when it breaks the offer.
    pub fn append(&self, bytes: ArrayBuffer) -> Result<(), String> {
        let received = self.received.get() + f64::from(bytes.byte_length());
        if received > self.size {
            // As integers: formatting an f64 would pull float printing into the package.
            let size = self.size as u64;
            return Err(format!("the sender sent more than the {size} bytes it announced"));
        }
        self.received.set(received);
        self.last_heard.set(js_sys::Date::now());
        let mut digests = self.digests.borrow_mut();
        match digests.as_ref().map(|all| (all, digest(&bytes))) {
            Some((all, Some(one))) => {
                all.push(&one);
            }
            // No WebCrypto here: only the size can be checked.
            _ => *digests = None,
        }
        self.parts.borrow().push(&bytes);
        self.parts_bytes.set(self.parts_bytes.get() + f64::from(bytes.byte_length()));
        if self.parts_bytes.get() >= FOLD_BYTES {
            self.fold().map_err(|error| crate::error::js_message(&error))?;
        }
        self.progress.report(received, self.size, false);
        Ok(())
    }

    /// Moves the parts into the folded `Blob`.
    fn fold(&self) -> Result<Blob, wasm_bindgen::JsValue> {
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

    fn release(&self) {
        self.parts.replace(Array::new());
        self.folded.replace(None);
        self.digests.replace(None);
        self.progress.set(None);
    }

    /// Checks size and digest after the end frame, settles, and tells the sender.
    pub async fn finish(self: Rc<Self>, sha256: Option<String>, link: Weak<FileLink>) {
        let result = self.verify(sha256).await;
        let answer = match result {
            Ok(blob) => {
                self.progress.report(self.size, self.size, true);
                self.outcome.settle(Ok(blob));
                self.release();
                super::wire::kept(self.id)
            }
            Err(reason) => {
                self.fail(&reason);
                super::wire::refuse(self.id, &reason)
            }
        };
        if let Some(link) = link.upgrade() {
            link.send_text(answer);
        }
    }

    async fn verify(&self, sha256: Option<String>) -> Result<Blob, String> {
        let (received, size) = (self.received.get() as u64, self.size as u64);
        if received != size {
            return Err(format!("the file ended after {received} of its {size} bytes"));
        }
        let digests = self.digests.borrow().clone();
        if let (Some(expected), Some(digests)) = (sha256, digests) {
            let actual = hash_of(&digests).await.map_err(|e| crate::error::js_message(&e))?;
            if actual != expected {
                return Err("the file arrived damaged: its SHA-256 does not match".into());
            }
        }
        self.fold().map_err(|error| crate::error::js_message(&error))
    }
}

/// A file arriving from a peer (see [`crate::Peer::set_file_handler`]): what it is,
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
        self.state.size as u64
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
