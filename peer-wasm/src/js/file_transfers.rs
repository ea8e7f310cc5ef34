//! Files in the JS API: `Peer.sendFile` and `Peer.onFile`, and the classes of a
//! transfer, `OutgoingFile` and `IncomingFile`, wrapping the Rust handles of `files/`.

use crate::error::PeerError;
use crate::files::{IncomingFile, OutgoingFile};
use crate::js::peer_class::JsPeer;
use js_sys::{Function, Promise};
use signaling_protocol::PeerId;
use std::cell::RefCell;
use std::future::Future;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The `done` promise, made on first use (so a transfer nobody awaits rejects nothing
/// unhandled).
#[derive(Default)]
struct DonePromise(RefCell<Option<Promise>>);

impl DonePromise {
    fn get<F>(&self, make: impl FnOnce() -> F) -> Promise
    where
        F: Future<Output = Result<JsValue, JsValue>> + 'static,
    {
        self.0.borrow_mut().get_or_insert_with(|| future_to_promise(make())).clone()
    }
}

/// Calls `callback(bytesDone, total)`; a throwing callback is logged, not fatal.
fn progress_callback(callback: Option<Function>) -> impl FnMut(u64, u64) + 'static {
    move |done, total| {
        if let Some(callback) = &callback
            && let Err(error) =
                callback.call2(&JsValue::NULL, &(done as f64).into(), &(total as f64).into())
        {
            web_sys::console::error_1(&error);
        }
    }
}

#[wasm_bindgen(js_class = Peer)]
impl JsPeer {
    /// Sends `file` (a `File` or `Blob`, up to 64 GiB) to the connected peer `id`, read
    /// a slice at a time as the channel takes it; messages sent meanwhile do not wait
    /// for it. `options.name` overrides the name (default: the `File`'s name, else
    /// "file"). Returns the transfer: `{id, to, name, size, done, onProgress, cancel}`.
    #[wasm_bindgen(js_name = sendFile)]
    pub fn send_file(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "Blob")] file: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ name?: string }")] options: Option<
            JsValue,
        >,
    ) -> Result<JsOutgoingFile, JsValue> {
        let invalid = |reason| PeerError::InvalidInput { what: "file", reason };
        let blob: web_sys::Blob =
            file.dyn_into().map_err(|_| invalid("expected a File or Blob"))?;
        let read_name = |from: &JsValue| {
            js_sys::Reflect::get(from, &"name".into()).ok().and_then(|name| name.as_string())
        };
        let name = options.as_ref().and_then(read_name).or_else(|| read_name(&blob));
        let name = name.filter(|name| !name.is_empty()).unwrap_or_else(|| "file".into());
        let file = self.peer.send_file(&PeerId::new(id), &blob, &name)?;
        Ok(JsOutgoingFile::new(file))
    }

    /// `cb(file)` as each file a peer sends starts arriving: `file` is `{from, name,
    /// size, type, done, onProgress, cancel}`, `done` a promise of the `Blob`. Without
    /// a callback (or with `null`), offers are refused.
    #[wasm_bindgen(js_name = onFile)]
    pub fn on_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((file: IncomingFile) => void) | null")] cb: Option<
            Function,
        >,
    ) {
        let Some(cb) = cb else { return self.peer.clear_file_handler() };
        self.peer.set_file_handler(move |file| {
            let file = JsValue::from(JsIncomingFile::new(file));
            if let Err(error) = cb.call1(&JsValue::NULL, &file) {
                web_sys::console::error_1(&error);
            }
        });
    }
}

/// A file being sent, from `peer.sendFile(id, file)`.
#[wasm_bindgen(js_name = OutgoingFile)]
pub struct JsOutgoingFile {
    file: OutgoingFile,
    done: DonePromise,
}

impl JsOutgoingFile {
    pub(crate) fn new(file: OutgoingFile) -> Self {
        Self { file, done: DonePromise::default() }
    }
}

#[wasm_bindgen(js_class = OutgoingFile)]
impl JsOutgoingFile {
    /// The transfer's id on its connection.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.file.id()
    }

    /// The receiver's id.
    #[wasm_bindgen(getter)]
    pub fn to(&self) -> String {
        self.file.to().to_string()
    }

    /// The name the receiver is given.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.file.name().to_owned()
    }

    /// Its size in bytes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.file.size() as f64
    }

    /// Resolves once the receiver confirmed the file arrived whole (size and SHA-256
    /// matched); rejects with an `Error` saying why when either side cancelled, the
    /// receiver's check failed, or the connection ended first.
    #[wasm_bindgen(getter, unchecked_return_type = "Promise<void>")]
    pub fn done(&self) -> Promise {
        let done = self.file.done();
        self.done.get(|| async move {
            done.await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// `cb(bytesSent, size)` as it goes out, at most 4 times a second, and at the end.
    #[wasm_bindgen(js_name = onProgress)]
    pub fn on_progress(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((done: number, total: number) => void) | null")]
        cb: Option<Function>,
    ) {
        self.file.on_progress(progress_callback(cb));
    }

    /// Stops sending; the receiver's `done` rejects with "cancelled by the sender".
    pub fn cancel(&self) {
        self.file.cancel();
    }
}

/// A file arriving, given to `peer.onFile(cb)` as its offer arrives.
#[wasm_bindgen(js_name = IncomingFile)]
pub struct JsIncomingFile {
    file: IncomingFile,
    done: DonePromise,
}

impl JsIncomingFile {
    pub(crate) fn new(file: IncomingFile) -> Self {
        Self { file, done: DonePromise::default() }
    }
}

#[wasm_bindgen(js_class = IncomingFile)]
impl JsIncomingFile {
    /// The sender's id.
    #[wasm_bindgen(getter)]
    pub fn from(&self) -> String {
        self.file.from().to_string()
    }

    /// The file's name as the sender gave it (not a path: do not trust it as one).
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.file.name().to_owned()
    }

    /// Its size in bytes, as announced.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.file.size() as f64
    }

    /// Its MIME type as the sender gave it ("" when unknown).
    #[wasm_bindgen(getter, js_name = type)]
    pub fn mime_type(&self) -> String {
        self.file.mime_type().to_owned()
    }

    /// The file as a `Blob`, once all of it arrived and its size and SHA-256 matched;
    /// rejects with an `Error` saying why otherwise (cancelled by either side, the
    /// connection ended, more bytes than announced, damaged).
    #[wasm_bindgen(getter, unchecked_return_type = "Promise<Blob>")]
    pub fn done(&self) -> Promise {
        let done = self.file.done();
        self.done.get(|| async move { Ok(done.await?.into()) })
    }

    /// `cb(bytesReceived, size)` as it arrives, at most 4 times a second, and at the end.
    #[wasm_bindgen(js_name = onProgress)]
    pub fn on_progress(
        &self,
        #[wasm_bindgen(unchecked_param_type = "((done: number, total: number) => void) | null")]
        cb: Option<Function>,
    ) {
        self.file.on_progress(progress_callback(cb));
    }

    /// Stops receiving; what arrived is dropped and the sender's `done` rejects with
    /// "cancelled by the receiver".
    pub fn cancel(&self) {
        self.file.cancel();
    }
}
