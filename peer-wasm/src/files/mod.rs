//! Files between peers, on the reliable channel beside the messages: a transfer is an
//! offer frame, data frames each announced by a `d` frame, and an end frame with the
//! digest (`docs/PROTOCOL.md`, "Files"). `send.rs` is the sending end, `receive.rs`
//! the receiving end, `wire.rs` the frames, `shared.rs` what both use. A [`FileLink`]
//! holds the transfers of one connection; the state machine (`peer-core`) never sees
//! them (they are data, not connection lifecycle).
//!
//! Everything a peer announces is bounded: [`MAX_INCOMING`] transfers at once, names
//! and types of [`MAX_NAME_CHARS`], sizes up to [`MAX_FILE_BYTES`], no more bytes than
//! announced, and no silence longer than [`STALL_MS`]. Breaking one of these stops
//! that transfer (the sender is told with an `r` frame); the connection goes on.

mod receive;
mod send;
mod shared;
mod wire;

pub use receive::IncomingFile;
pub use send::OutgoingFile;

use crate::error::PeerError;
use crate::log;
use crate::transport::send_queue::SendQueue;
use crate::wire::framing::{Frame, FrameError};
use gloo_timers::callback::Interval;
use js_sys::{ArrayBuffer, JsString};
use receive::Receiving;
use send::Sending;
use signaling_protocol::PeerId;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;
use wire::FileFrame;

/// Largest file accepted or sent: 64 GiB.
pub const MAX_FILE_BYTES: u64 = 64 << 30;
/// Most transfers one peer may have under way to us at once.
pub(crate) const MAX_INCOMING: usize = 8;
/// Longest file name or MIME type, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 255;
/// A transfer with no data for this long is cancelled.
pub(crate) const STALL_MS: f64 = 30_000.0;
/// How many ended transfer ids are remembered, so their late frames are dropped quietly.
const ENDED_REMEMBERED: usize = 32;

/// What receives the files peers send (none set: offers are refused).
pub(crate) type FileHandler = Rc<RefCell<Option<Box<dyn FnMut(IncomingFile)>>>>;

/// The file transfers of one connection, both ways.
pub(crate) struct FileLink {
    this: Weak<FileLink>,
    peer: PeerId,
    queue: Weak<RefCell<SendQueue>>,
    handler: FileHandler,
    incoming: RefCell<Vec<Rc<Receiving>>>,
    outgoing: RefCell<Vec<Rc<Sending>>>,
    /// The transfer the next binary frame belongs to (after a `d` frame).
    part_of: Cell<Option<u32>>,
    /// Transfers that ended here, whose frames may still be on the way.
    ended: RefCell<VecDeque<u32>>,
    next_id: Cell<u32>,
    stall_check: RefCell<Option<Interval>>,
}

impl FileLink {
    pub fn new(peer: PeerId, queue: &Rc<RefCell<SendQueue>>, handler: FileHandler) -> Rc<Self> {
        Rc::new_cyclic(|this| Self {
            this: this.clone(),
            peer,
            queue: Rc::downgrade(queue),
            handler,
            incoming: RefCell::new(Vec::new()),
            outgoing: RefCell::new(Vec::new()),
            part_of: Cell::new(None),
            ended: RefCell::new(VecDeque::new()),
            next_id: Cell::new(0),
            stall_check: RefCell::new(None),
        })
    }

    /// Takes the file frames out of what the channel delivers: `Ok(Some(data))` hands
    /// a frame that is not one back for the messages. `between_messages`: no chunked
    /// message is under way (file frames go only between messages).
    pub fn take(
        &self,
        data: JsValue,
        between_messages: bool,
    ) -> Result<Option<JsValue>, FrameError> {
        if let Some(id) = self.part_of.take() {
            return match data.dyn_into::<JsString>() {
                Ok(_) => Err(FrameError::Unexpected),
                Err(bytes) => {
                    self.on_part(id, bytes.unchecked_into());
                    Ok(None)
                }
            };
        }
        let Some(text) = data.dyn_ref::<JsString>().filter(|_| between_messages) else {
            return Ok(Some(data));
        };
        if text.length() == 0 || !wire::is_file_tag(text.char_code_at(0)) {
            return Ok(Some(data));
        }
        match wire::parse(text)? {
            FileFrame::Offer(offer) => self.on_offer(offer),
            FileFrame::Part(id) => self.part_of.set(Some(id)),
            FileFrame::End { id, sha256 } => {
                if let Some(state) = self.forget_incoming(id) {
                    wasm_bindgen_futures::spawn_local(state.finish(sha256, self.this.clone()));
                }
            }
            FileFrame::Cancel { id, reason } => {
                if let Some(state) = self.forget_incoming(id) {
                    state.fail(&format!("the sender stopped: {reason}"));
                }
            }
            FileFrame::Refuse { id, reason } => {
                if let Some(state) = self.forget_outgoing(id) {
                    state.fail(&format!("the receiver stopped: {reason}"));
                }
            }
            FileFrame::Kept(id) => {
                if let Some(state) = self.forget_outgoing(id) {
                    state.kept();
                }
            }
        }
        Ok(None)
    }

    fn on_offer(&self, offer: wire::Offer) {
        let id = offer.id;
        if let Err(reason) = self.check_offer(&offer) {
            log::warn(&format!("refused a file from {}: {reason}", self.peer));
            self.remember_ended(id);
            return self.send_text(wire::refuse(id, &reason));
        }
        let state = Rc::new(Receiving::new(offer, self.peer.clone()));
        self.incoming.borrow_mut().push(Rc::clone(&state));
        self.watch_stalls();
        let file = IncomingFile { state, link: self.this.clone() };
        // Called with no borrow held, so it may call back into the peer.
        let Some(mut handler) = self.handler.borrow_mut().take() else { return };
        handler(file);
        let mut slot = self.handler.borrow_mut();
        if slot.is_none() {
            *slot = Some(handler);
        }
    }

    /// Why an offer is refused, if it is.
    fn check_offer(&self, offer: &wire::Offer) -> Result<(), String> {
        let size = offer.size;
        if self.handler.borrow().is_none() {
            return Err("the receiver takes no files".into());
        }
        if self.incoming.borrow().len() >= MAX_INCOMING {
            return Err(format!("more than {MAX_INCOMING} files at once"));
        }
        if self.incoming.borrow().iter().any(|state| state.id == offer.id)
            || self.ended.borrow().contains(&offer.id)
        {
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

    fn on_part(&self, id: u32, bytes: ArrayBuffer) {
        let state = self.incoming.borrow().iter().find(|state| state.id == id).cloned();
        let Some(state) = state else {
            if !self.ended.borrow().contains(&id) {
                log::warn(&format!("{} sent data for unknown file transfer {id}", self.peer));
                self.remember_ended(id);
                self.send_text(wire::refuse(id, "unknown transfer"));
            }
            return;
        };
        if let Err(reason) = state.append(bytes) {
            self.stop_incoming(id, &reason);
        }
    }

    /// Stops receiving transfer `id` with `reason`, here and at the sender.
    pub fn stop_incoming(&self, id: u32, reason: &str) {
        if let Some(state) = self.forget_incoming(id) {
            state.fail(reason);
            self.send_text(wire::refuse(id, reason));
        }
    }

    /// Stops sending transfer `id` with `reason`, here and at the receiver.
    pub fn stop_outgoing(&self, id: u32, reason: &str) {
        if let Some(state) = self.forget_outgoing(id) {
            state.fail(reason);
            self.send_text(wire::cancel(id, reason));
        }
    }

    fn forget_incoming(&self, id: u32) -> Option<Rc<Receiving>> {
        let mut incoming = self.incoming.borrow_mut();
        let index = incoming.iter().position(|state| state.id == id)?;
        let state = incoming.swap_remove(index);
        drop(incoming);
        self.remember_ended(id);
        Some(state)
    }

    pub(crate) fn forget_outgoing(&self, id: u32) -> Option<Rc<Sending>> {
        let mut outgoing = self.outgoing.borrow_mut();
        let index = outgoing.iter().position(|state| state.id == id)?;
        Some(outgoing.swap_remove(index))
    }

    fn remember_ended(&self, id: u32) {
        let mut ended = self.ended.borrow_mut();
        if ended.len() == ENDED_REMEMBERED {
            ended.pop_front();
        }
        ended.push_back(id);
    }

    /// Queues one text frame (a control frame: best effort, the connection may be
    /// closing).
    pub(crate) fn send_text(&self, text: JsString) {
        if let Some(queue) = self.queue.upgrade() {
            let _ = queue.borrow_mut().push(&self.peer, vec![Frame::Text(text)]);
        }
    }

    /// Starts sending `blob` as `name`, `max_frame` bytes per data frame.
    pub fn send_file(
        &self,
        blob: &Blob,
        name: &str,
        max_frame: usize,
    ) -> Result<OutgoingFile, PeerError> {
        let invalid = |reason| PeerError::InvalidInput { what: "file", reason };
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return Err(invalid("a name must have 1 to 255 characters"));
        }
        if blob.size() > MAX_FILE_BYTES as f64 {
            return Err(invalid("a file may be at most 64 GiB"));
        }
        let mime: String = blob.type_().chars().take(MAX_NAME_CHARS).collect();
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let state = Rc::new(Sending::new(id, self.peer.clone(), name.to_owned(), blob.size()));
        self.outgoing.borrow_mut().push(Rc::clone(&state));
        let slice = max_frame as f64;
        let task = send::run(self.this.clone(), Rc::clone(&state), blob.clone(), mime, slice);
        wasm_bindgen_futures::spawn_local(task);
        Ok(OutgoingFile { state, link: self.this.clone() })
    }

    /// Ends every transfer with `reason` (the connection is gone).
    pub fn fail_all(&self, reason: &str) {
        let incoming = std::mem::take(&mut *self.incoming.borrow_mut());
        let outgoing = std::mem::take(&mut *self.outgoing.borrow_mut());
        for state in incoming {
            state.fail(reason);
        }
        for state in outgoing {
            state.fail(reason);
        }
    }

    /// Checks every few seconds for incoming transfers gone silent.
    fn watch_stalls(&self) {
        let mut check = self.stall_check.borrow_mut();
        if check.is_some() {
            return;
        }
        let this = self.this.clone();
        *check = Some(Interval::new(5_000, move || {
            let Some(link) = this.upgrade() else { return };
            let now = js_sys::Date::now();
            let stalled: Vec<u32> = (link.incoming.borrow().iter())
                .filter(|state| now - state.last_heard.get() > STALL_MS)
                .map(|state| state.id)
                .collect();
            for id in stalled {
                link.stop_incoming(id, "no data for 30 seconds");
            }
        }));
    }
}

impl Drop for FileLink {
    fn drop(&mut self) {
        self.fail_all("the connection ended before the transfer did");
    }
}
