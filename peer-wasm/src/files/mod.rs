//! Files between peers, on the reliable channel beside the messages: a transfer is an
//! offer frame, data frames each announced by a `d` frame, and an end frame with the
//! digest (`docs/PROTOCOL.md`, "Files"). Every decision (limits, ids, which frame comes
//! when, pacing, stalls, the check at the end) is made by the sans-IO machine
//! `peer_core::files::Files`, one per connection; this folder is its driver and only
//! does I/O: a [`FileLink`] (`file_link.rs`) hands the machine the frames and the time
//! and carries out what it asks (slices to read, bytes to keep, callbacks), with one
//! timer for its deadlines; `queueing.rs` puts its frames on the send queue.
//! `sending.rs` is the sending end's browser side (read the `Blob`), `receiving.rs` the
//! receiving end's (build the `Blob`), `shared.rs` what both use. The frames' text, and
//! the data frames' bytes as the machine measures and hashes them, are
//! `crate::wire::file_frames`.

mod file_link;
mod queueing;
mod receiving;
mod sending;
mod shared;

pub use peer_core::files::MAX_FILE_BYTES;
pub use receiving::IncomingFile;
pub use sending::OutgoingFile;

pub(crate) use file_link::{FileHandler, FileLink};
