//! The data channel's frames: how messages, chunks, file frames and mesh frames travel
//! (`docs/PROTOCOL.md`, "The data channel", "Files", "The unreliable channel", "The
//! mesh"), byte for byte what the browser package writes and reads.
//!
//! - `frame.rs`: one data-channel message ([`frame::Frame`]);
//! - `tags.rs`: the one registry of the characters that open text frames;
//! - `sending.rs`: a payload or mesh frame into frames (chunked when large);
//! - `reading.rs`: the reliable channel's receiver, a state machine fed frame by frame;
//!   `chunks.rs` holds the message it is putting together;
//! - `unreliable.rs`: the unreliable channel's single frames, both ways;
//! - `files.rs`: the file frames, read into and written from `peer_core::files`' types;
//! - `mesh.rs`: the `g` control frames and the `b` broadcast header.
//!
//! Everything a remote can send is bounded here: messages of [`MAX_MESSAGE_BYTES`],
//! ids, lists and signals of the mesh's limits. What breaks a format is a [`BadFrame`],
//! which ends the connection to that peer.

// Used by the driver, which is written alongside.
#![allow(dead_code)]

mod chunks;
pub mod files;
pub mod frame;
pub mod mesh;
pub mod reading;
pub mod sending;
pub mod tags;
pub mod unreliable;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_bad;
#[cfg(test)]
mod tests_files;
#[cfg(test)]
mod tests_mesh;

/// Largest message sent or accepted, whole: 64 MiB of bytes or of UTF-8.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// Largest frame sent, even where the remote would take more (bigger frames only make
/// the channel's buffer burstier).
pub const MAX_FRAME_BYTES: usize = 256 * 1024;
/// Frame size when the remote's limit cannot be read.
pub const FALLBACK_FRAME_BYTES: usize = 64 * 1024;

/// *max frame* for a remote whose SCTP `maxMessageSize` is `remote` (`None` when it
/// cannot be read): min(it, 262144), or 65536 when unreadable, 0 or below 1024.
pub fn max_frame(remote: Option<u64>) -> usize {
    match remote {
        Some(size) if size >= 1024 => {
            usize::try_from(size).unwrap_or(MAX_FRAME_BYTES).min(MAX_FRAME_BYTES)
        }
        _ => FALLBACK_FRAME_BYTES,
    }
}

/// Why a payload or mesh frame cannot be sent; nothing went out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The protocol cannot carry it (over 64 MiB, JSON text that does not parse, a kind
    /// that is not one of [`crate::values::kinds::KINDS`], bytes that do not fit their kind).
    #[error("the message cannot be sent: {0}")]
    Unsendable(String),
    /// Over the unreliable channel's one-frame limit.
    #[error(
        "message of {bytes} bytes is over the unreliable channel's limit of {limit} bytes; send it reliably"
    )]
    TooLargeForUnreliable {
        /// The frame's size, header included.
        bytes: usize,
        /// *max frame*.
        limit: usize,
    },
}

/// A frame that breaks the protocol where it came: the connection to its sender ends
/// (the driver reports "the peer broke the framing"; the detail is for the log).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad frame: {detail}")]
pub struct BadFrame {
    /// What was wrong, for the log.
    pub detail: String,
}

impl BadFrame {
    /// A bad frame, and why.
    pub(crate) fn new(detail: impl Into<String>) -> Self {
        Self { detail: detail.into() }
    }
}
