//! What the files machine asks its driver to do ([`FileOutput`]), and the small types
//! both share: which way a transfer goes.

use super::frames::FileFrame;

/// Which way a transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// We send it.
    Outgoing,
    /// We receive it.
    Incoming,
}

/// An offer the machine accepted: the driver makes the incoming file and tells the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The sender's number for it.
    pub id: u32,
    /// Its name, as the sender gave it.
    pub name: String,
    /// Its MIME type ("" when unknown).
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One thing for the driver to do, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub enum FileOutput<B> {
    /// Queue this control frame (best effort: the connection may be ending), or this
    /// offer or end frame of an outgoing transfer.
    Send(FileFrame<B>),
    /// Queue `d<id>` and these bytes right behind it, as one step.
    SendData {
        /// The transfer.
        id: u32,
        /// The data frame.
        data: B,
    },
    /// Read `len` bytes at `offset` of outgoing transfer `id`'s file, and hand them back
    /// with [`super::Files::slice_read`].
    Read {
        /// The transfer.
        id: u32,
        /// From this byte.
        offset: u64,
        /// This many bytes.
        len: u64,
    },
    /// A transfer starts arriving.
    Accepted(Accepted),
    /// Append these bytes to incoming transfer `id`.
    Append {
        /// The transfer.
        id: u32,
        /// The data frame.
        data: B,
    },
    /// Incoming transfer `id` arrived whole (size and digest checked): put the file
    /// together, and say whether that worked with [`super::Files::verified`].
    Verify {
        /// The transfer.
        id: u32,
    },
    /// Tell the app how far transfer `id` is (paced by the machine).
    Progress {
        /// The transfer.
        id: u32,
        /// Which way it goes.
        way: Direction,
        /// Bytes sent or received.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// Transfer `id` ended: well, or with why it failed. Nothing more comes for it.
    Settled {
        /// The transfer.
        id: u32,
        /// Which way it went.
        way: Direction,
        /// `Err(reason)` when it failed.
        result: Result<(), String>,
    },
    /// Something a peer did wrong that is worth a line in the log.
    Warning(String),
}
