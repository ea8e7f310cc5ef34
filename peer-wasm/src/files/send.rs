//! The sending end of a transfer: a task reads the `Blob` one data frame at a time,
//! only once the connection's send queue has drained (so it never reads faster than
//! the channel sends, and a chat message queued meanwhile waits behind one data frame
//! at most), hashes each frame, and ends with the digest.

use super::shared::{Outcome, Progress, digest, hash_of, read_slice};
use super::wire;
use super::{FileLink, STALL_MS};
use crate::error::PeerError;
use crate::wire::framing::Frame;
use futures_channel::oneshot;
use js_sys::{Array, Uint8Array};
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
    pub progress: Progress,
    pub outcome: Outcome<()>,
}

impl Sending {
    pub fn new(id: u32, to: PeerId, name: String, size: f64) -> Self {
        Self { id, to, name, size, progress: Progress::default(), outcome: Outcome::new() }
    }

    /// Ends it well: the receiver has it all.
    pub fn kept(&self) {
        self.progress.report(self.size, self.size, true);
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
}

/// Why the sending task stopped early.
enum Stop {
    /// Ended from outside (cancelled, connection gone): nothing more to do.
    Ended,
    /// Failed here: the receiver is told.
    Failed(String),
}

/// Sends `blob` as transfer `state`, `slice` bytes per data frame. A failure here
/// settles `state`; after the end frame, the receiver's answer (`k` or `r`), the
/// connection's end, or 30 s of silence (a receiver that never answers) does.
pub(crate) async fn run(
    link: Weak<FileLink>,
    state: Rc<Sending>,
    blob: Blob,
    mime: String,
    slice: f64,
) {
    let result = transfer(&link, &state, (&blob, &mime), slice).await;
    let Err(stop) = result else {
        // A receiver that never answers must not leave `done` pending for ever.
        gloo_timers::future::TimeoutFuture::new(STALL_MS as u32).await;
        if !state.outcome.is_settled() {
            let reason = "the receiver did not confirm the file within 30 seconds";
            match link.upgrade() {
                Some(link) => link.stop_outgoing(state.id, reason),
                None => {
                    state.fail(reason);
                }
            }
        }
        return;
    };
    let link = link.upgrade();
    if let Some(link) = &link {
        link.forget_outgoing(state.id);
    }
    if let Stop::Failed(reason) = stop {
        if let Some(link) = &link {
            link.send_text(wire::cancel(state.id, &reason));
        }
        state.fail(&reason);
    }
}

async fn transfer(
    link: &Weak<FileLink>,
    state: &Sending,
    (blob, mime): (&Blob, &str),
    slice: f64,
) -> Result<(), Stop> {
    let (id, size) = (state.id, state.size);
    let offer = wire::Offer { id, name: state.name.clone(), size, mime: mime.to_owned() };
    let offer = wire::offer(&offer).map_err(|e| Stop::Failed(crate::error::js_message(&e)))?;
    let mut sent = push(link, state, vec![Frame::Text(offer)]).await?;
    let mut digests = Some(Array::new());
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + slice).min(size);
        // Read while the frame before is still going out.
        let bytes = read_slice(blob, offset, end).await;
        check(state)?;
        let reason = |e| {
            Stop::Failed(format!("the file could not be read: {}", crate::error::js_message(&e)))
        };
        let bytes = bytes.map_err(reason)?;
        if f64::from(bytes.byte_length()) != end - offset {
            return Err(Stop::Failed("the file changed while it was being sent".into()));
        }
        match (&digests, digest(&bytes)) {
            (Some(all), Some(one)) => {
                all.push(&one);
            }
            _ => digests = None,
        }
        wait(sent).await?;
        check(state)?;
        let frames = vec![Frame::Text(wire::part(id)), Frame::Binary(Uint8Array::new(&bytes))];
        sent = push(link, state, frames).await?;
        offset = end;
        state.progress.report(offset, size, false);
    }
    let sha256 = match digests {
        Some(all) => {
            Some(hash_of(&all).await.map_err(|e| Stop::Failed(crate::error::js_message(&e)))?)
        }
        None => None,
    };
    wait(sent).await?;
    check(state)?;
    let done = push(link, state, vec![Frame::Text(wire::end(id, sha256.as_deref()))]).await?;
    wait(done).await
}

/// `Err` once the transfer ended from outside.
fn check(state: &Sending) -> Result<(), Stop> {
    if state.outcome.is_settled() { Err(Stop::Ended) } else { Ok(()) }
}

/// Waits until the queue has handed everything to the channel.
async fn wait(drained: oneshot::Receiver<()>) -> Result<(), Stop> {
    // Cancelled when the connection ends: its end fails the transfer itself.
    drained.await.map_err(|_| Stop::Ended)
}

/// Queues `frames` (one step of the transfer) behind whatever is queued; waits while
/// the queue is full of messages. Resolves to the queue's drained signal.
async fn push(
    link: &Weak<FileLink>,
    state: &Sending,
    frames: Vec<Frame>,
) -> Result<oneshot::Receiver<()>, Stop> {
    loop {
        check(state)?;
        match try_push(link, &frames)? {
            Ok(drained) => return Ok(drained),
            Err(full) => wait(full).await?,
        }
    }
}

/// Queues `frames` now: `Ok(drained)`, or `Err(drained)` when the queue is full.
fn try_push(
    link: &Weak<FileLink>,
    frames: &[Frame],
) -> Result<Result<oneshot::Receiver<()>, oneshot::Receiver<()>>, Stop> {
    let link = link.upgrade().ok_or(Stop::Ended)?;
    let shared = link.queue.upgrade().ok_or(Stop::Ended)?;
    let mut queue = shared.borrow_mut();
    match queue.push(&link.peer, frames.to_vec()) {
        Ok(()) => Ok(Ok(queue.drained())),
        Err(PeerError::QueueFull(_)) => Ok(Err(queue.drained())),
        // The queue is closing, or the channel refused the frame: both mean the
        // connection is ending (its close event may not have come yet).
        Err(error) => {
            Err(Stop::Failed(format!("the connection ended before the transfer did ({error})")))
        }
    }
}

/// A file being sent (see [`crate::Peer::send_file`]): its progress, its end, and a
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
