//! What both ends of a transfer use: the outcome a transfer settles once, the progress
//! callback (called when the machine says, so already paced), the browser's `Blob`
//! calls, and a task runner. (The digest is the machine's, in `peer_core::files`.)

use crate::error::PeerError;
use futures_channel::oneshot;
use js_sys::{Array, ArrayBuffer};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

/// Bytes `start..end` of `blob`, read by the browser.
pub(crate) async fn read_slice(blob: &Blob, start: f64, end: f64) -> Result<ArrayBuffer, JsValue> {
    let slice = blob.slice_with_f64_and_f64(start, end)?;
    Ok(JsFuture::from(slice.array_buffer()).await?.into())
}

/// A `Blob` of `parts` (Blobs and ArrayBuffers), of MIME type `mime`.
pub(crate) fn blob_of(parts: &Array, mime: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_blob_sequence_and_options(parts, &options)
}

/// How a transfer ended, settled once; any number of callers may wait for it.
pub(crate) struct Outcome<T> {
    settled: RefCell<Option<Result<T, String>>>,
    waiting: RefCell<Vec<oneshot::Sender<Result<T, String>>>>,
}

impl<T: Clone> Outcome<T> {
    pub fn new() -> Self {
        Self { settled: RefCell::new(None), waiting: RefCell::new(Vec::new()) }
    }

    pub fn is_settled(&self) -> bool {
        self.settled.borrow().is_some()
    }

    /// Settles it, unless it already was; `true` when this call did.
    pub fn settle(&self, result: Result<T, String>) -> bool {
        if self.is_settled() {
            return false;
        }
        *self.settled.borrow_mut() = Some(result.clone());
        let waiting = std::mem::take(&mut *self.waiting.borrow_mut());
        for waiter in waiting {
            let _ = waiter.send(result.clone());
        }
        true
    }

    /// Resolves with the outcome once there is one (a failure as a
    /// [`PeerError::Transfer`]): what a transfer's `done()` returns.
    pub fn wait(&self) -> impl Future<Output = Result<T, PeerError>> + use<T> {
        let (answer, answered) = oneshot::channel();
        match &*self.settled.borrow() {
            Some(result) => {
                let _ = answer.send(result.clone());
            }
            None => self.waiting.borrow_mut().push(answer),
        }
        async move {
            let outcome = answered.await.unwrap_or_else(|_| Err("the peer was dropped".into()));
            outcome.map_err(PeerError::Transfer)
        }
    }
}

/// What a progress callback receives: bytes done, bytes in all.
pub(crate) type ProgressCallback = Box<dyn FnMut(u64, u64)>;

/// A transfer's progress callback.
#[derive(Default)]
pub(crate) struct Progress {
    callback: RefCell<Option<ProgressCallback>>,
}

impl Progress {
    pub fn set(&self, callback: Option<ProgressCallback>) {
        let old = self.callback.replace(callback);
        drop(old);
    }

    /// Tells the callback (the machine paces the calls).
    pub fn report(&self, done: u64, total: u64) {
        // Called with no borrow held: it may cancel the transfer or set a new callback.
        let Some(mut callback) = self.callback.borrow_mut().take() else { return };
        callback(done, total);
        let mut slot = self.callback.borrow_mut();
        if slot.is_none() {
            *slot = Some(callback);
        }
    }
}

/// Runs `task` on the page's event loop. Boxed, so that every task of this folder shares
/// one copy of the executor's code in the package.
pub(crate) fn spawn(task: impl Future<Output = ()> + 'static) {
    let task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(task);
    wasm_bindgen_futures::spawn_local(task);
}
