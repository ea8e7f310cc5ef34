//! The file transfers of one connection, both ways: [`FileLink`] owns the files machine
//! and the browser side of each transfer, feeds the machine what the channel delivers,
//! the send queue's drains and the time, and carries out its outputs in order.

use super::receiving::{IncomingFile, Receiving};
use super::sending::{OutgoingFile, Sending};
use super::shared::spawn;
use crate::alarm::Alarm;
use crate::error::PeerError;
use crate::log;
use crate::timer::now;
use crate::transport::send_queue::SendQueue;
use crate::wire::file_frames::{self, Chunk, FileFrame};
use crate::wire::framing::{Frame, FrameError};
use js_sys::{JsString, Uint8Array};
use peer_core::files::{Direction, FileOutput, Files};
use signaling_protocol::PeerId;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

/// What receives the files peers send (none set: offers are refused).
pub(crate) type FileHandler = Rc<RefCell<Option<Box<dyn FnMut(IncomingFile)>>>>;

/// The file transfers of one connection, both ways.
pub(crate) struct FileLink {
    pub(super) this: Weak<FileLink>,
    pub(super) peer: PeerId,
    pub(super) queue: Weak<RefCell<SendQueue>>,
    handler: FileHandler,
    pub(super) machine: RefCell<Files<Chunk>>,
    incoming: RefCell<Vec<Rc<Receiving>>>,
    outgoing: RefCell<Vec<Rc<Sending>>>,
    /// Steps of outgoing transfers waiting for room in a full send queue, in order.
    pub(super) backlog: RefCell<Vec<(u32, Vec<Frame>)>>,
    /// Whether a task waits for the send queue to drain.
    pub(super) drain_watched: Cell<bool>,
    /// The timer at the machine's next deadline.
    alarm: Alarm,
}

impl FileLink {
    pub fn new(peer: PeerId, queue: &Rc<RefCell<SendQueue>>, handler: FileHandler) -> Rc<Self> {
        Rc::new_cyclic(|this| Self {
            this: this.clone(),
            peer,
            queue: Rc::downgrade(queue),
            handler,
            machine: RefCell::new(Files::new()),
            incoming: RefCell::new(Vec::new()),
            outgoing: RefCell::new(Vec::new()),
            backlog: RefCell::new(Vec::new()),
            drain_watched: Cell::new(false),
            alarm: Alarm::default(),
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
        if self.machine.borrow().awaits_data() {
            // Whatever comes after a `d` frame is the machine's to judge.
            let frame = match data.dyn_into::<JsString>() {
                Ok(_) => FileFrame::OtherText,
                Err(bytes) => FileFrame::Data(Chunk(bytes.unchecked_into())),
            };
            return self.handle(frame).map(|()| None);
        }
        let Some(text) = data.dyn_ref::<JsString>().filter(|_| between_messages) else {
            return Ok(Some(data));
        };
        if text.length() == 0 || !file_frames::is_file_tag(text.char_code_at(0)) {
            return Ok(Some(data));
        }
        self.handle(file_frames::parse(text)?).map(|()| None)
    }

    /// Whether the next frame belongs to a transfer (it follows a `d` frame).
    pub fn awaits_data(&self) -> bool {
        self.machine.borrow().awaits_data()
    }

    fn handle(&self, frame: FileFrame) -> Result<(), FrameError> {
        let accepting = self.handler.borrow().is_some();
        let handled = {
            let mut machine = self.machine.borrow_mut();
            machine.set_accepting(accepting);
            machine.handle_frame(frame, now())
        };
        self.run();
        handled.map_err(|_| FrameError::Unexpected)
    }

    /// Starts sending `blob` as `name`, `max_frame` bytes per data frame.
    pub fn send_file(
        &self,
        blob: &Blob,
        name: &str,
        max_frame: usize,
    ) -> Result<OutgoingFile, PeerError> {
        let sent =
            self.machine.borrow_mut().send_file(name, &blob.type_(), blob.size(), max_frame as u64);
        let id = sent.map_err(|reason| PeerError::InvalidInput { what: "file", reason })?;
        let state = Rc::new(Sending::new(id, self.peer.clone(), name.to_owned(), blob.clone()));
        self.outgoing.borrow_mut().push(Rc::clone(&state));
        self.run();
        Ok(OutgoingFile { state, link: self.this.clone() })
    }

    /// Stops receiving transfer `id` with `reason`, here and at the sender.
    pub fn stop_incoming(&self, id: u32, reason: &str) {
        self.machine.borrow_mut().stop_receiving(id, reason);
        self.run();
    }

    /// Stops sending transfer `id` with `reason`, here and at the receiver.
    pub fn stop_outgoing(&self, id: u32, reason: &str) {
        self.machine.borrow_mut().stop_sending(id, reason);
        self.run();
    }

    /// Ends every transfer with `reason` (the connection is gone).
    pub fn fail_all(&self, reason: &str) {
        self.backlog.borrow_mut().clear();
        self.machine.borrow_mut().fail_all(reason);
        self.run();
    }

    /// Carries out what the machine asks, in order, then watches the queue and the
    /// clock for it. No borrow is held while an output runs: callbacks may call back.
    pub(super) fn run(&self) {
        loop {
            let output = self.machine.borrow_mut().poll_output();
            let Some(output) = output else { break };
            self.carry(output);
        }
        self.watch_drain();
        self.arm_timer();
    }

    fn carry(&self, output: FileOutput<Chunk>) {
        match output {
            FileOutput::Send(frame) => self.send_frame(frame),
            FileOutput::SendData { id, data } => {
                let part = Frame::Text(file_frames::part(id));
                self.push_step(id, vec![part, Frame::Binary(Uint8Array::new(&data.0))]);
            }
            FileOutput::Read { id, offset, len } => {
                if let Some(state) = self.sending(id) {
                    spawn(state.read(offset, len, self.this.clone()));
                }
            }
            FileOutput::Accepted(accepted) => self.accepted(accepted),
            FileOutput::Append { id, data } => {
                let appended = self.receiving(id).map(|state| state.append(data));
                if let Some(Err(reason)) = appended {
                    self.stop_incoming(id, &reason);
                }
            }
            FileOutput::Verify { id } => {
                let Some(state) = self.receiving(id) else { return };
                let kept = state.fold().map(drop).map_err(|e| crate::error::js_message(&e));
                self.machine.borrow_mut().verified(id, kept);
            }
            FileOutput::Progress { id, way: Direction::Outgoing, done, total } => {
                if let Some(state) = self.sending(id) {
                    state.progress.report(done, total);
                }
            }
            FileOutput::Progress { id, way: Direction::Incoming, done, total } => {
                if let Some(state) = self.receiving(id) {
                    state.progress.report(done, total);
                }
            }
            FileOutput::Settled { id, way, result } => self.settled(id, way, result),
            FileOutput::Warning(warning) => log::warn(&format!("peer {}: {warning}", self.peer)),
        }
    }

    fn accepted(&self, accepted: peer_core::files::Accepted) {
        let state = Rc::new(Receiving::new(accepted, self.peer.clone()));
        self.incoming.borrow_mut().push(Rc::clone(&state));
        let file = IncomingFile { state, link: self.this.clone() };
        // Called with no borrow held, so it may call back into the peer.
        let Some(mut handler) = self.handler.borrow_mut().take() else { return };
        handler(file);
        let mut slot = self.handler.borrow_mut();
        if slot.is_none() {
            *slot = Some(handler);
        }
    }

    fn settled(&self, id: u32, way: Direction, result: Result<(), String>) {
        match way {
            Direction::Outgoing => {
                let mut outgoing = self.outgoing.borrow_mut();
                let Some(index) = outgoing.iter().position(|state| state.id == id) else { return };
                let state = outgoing.swap_remove(index);
                drop(outgoing);
                match result {
                    Ok(()) => state.kept(),
                    Err(reason) => {
                        state.fail(&reason);
                    }
                }
            }
            Direction::Incoming => {
                let mut incoming = self.incoming.borrow_mut();
                let Some(index) = incoming.iter().position(|state| state.id == id) else { return };
                let state = incoming.swap_remove(index);
                drop(incoming);
                match result {
                    Ok(()) => state.keep(),
                    Err(reason) => {
                        state.fail(&reason);
                    }
                }
            }
        }
    }

    pub(super) fn sending(&self, id: u32) -> Option<Rc<Sending>> {
        self.outgoing.borrow().iter().find(|state| state.id == id).cloned()
    }

    fn receiving(&self, id: u32) -> Option<Rc<Receiving>> {
        self.incoming.borrow().iter().find(|state| state.id == id).cloned()
    }

    /// Keeps the alarm at the machine's next deadline.
    fn arm_timer(&self) {
        let this = self.this.clone();
        self.alarm.set(self.machine.borrow().poll_timeout(), move || {
            // As a task: the timeout is dropped once its callback has returned.
            spawn(async move {
                if let Some(link) = this.upgrade() {
                    link.alarm.fired();
                    link.machine.borrow_mut().handle_timeout(now());
                    link.run();
                }
            });
        });
    }
}

impl Drop for FileLink {
    fn drop(&mut self) {
        self.fail_all("the connection ended before the transfer did");
    }
}
