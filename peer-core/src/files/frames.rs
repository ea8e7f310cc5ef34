//! The file frames as the machine reads and writes them, already parsed: the driver
//! turns text and binary frames into these and back (`docs/PROTOCOL.md`, "Files").
//! Data frames carry `B`, the driver's bytes (an `ArrayBuffer` in the browser), which
//! the machine only measures and hands on.

/// What the machine needs of a data frame's bytes: how many there are, and to hash them.
pub trait Bytes {
    /// Its length in bytes.
    fn byte_len(&self) -> u64;
    /// Calls `read` with the bytes (a driver whose bytes live elsewhere copies them).
    fn read_with(&self, read: &mut dyn FnMut(&[u8]));
}

impl Bytes for Vec<u8> {
    fn byte_len(&self) -> u64 {
        self.len() as u64
    }

    fn read_with(&self, read: &mut dyn FnMut(&[u8])) {
        read(self);
    }
}

/// The `f` frame's JSON: what a transfer will carry.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The sender's number for the transfer, from 1.
    pub id: u32,
    /// The file's name (not a path).
    pub name: String,
    /// Bytes, as the JSON number read (the machine checks it is whole and in range).
    pub size: f64,
    /// The MIME type, `type` in the JSON ("" when unknown).
    pub mime: String,
}

impl<B> FileFrame<B> {
    /// The transfer it names (none for data frames and other text).
    pub fn id(&self) -> Option<u32> {
        match self {
            FileFrame::Offer(Offer { id, .. })
            | FileFrame::Part(id)
            | FileFrame::End { id, .. }
            | FileFrame::Cancel { id, .. }
            | FileFrame::Refuse { id, .. }
            | FileFrame::Kept(id) => Some(*id),
            FileFrame::Data(_) | FileFrame::OtherText => None,
        }
    }
}

/// One file frame, parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum FileFrame<B> {
    /// `f` + JSON: a transfer starts.
    Offer(Offer),
    /// `d<id>`: the next frame is data of transfer `id`.
    Part(u32),
    /// A binary frame; the driver hands one over only while [`crate::files::Files::awaits_data`].
    Data(B),
    /// A text frame that is no file frame, read where a data frame must come (the driver
    /// hands one over only while [`crate::files::Files::awaits_data`]).
    OtherText,
    /// `e<id>[:sha256]`: the sender sent everything.
    End {
        /// The transfer.
        id: u32,
        /// The digest in lowercase hex; `None`: the sender could not hash.
        sha256: Option<String>,
    },
    /// `x<id>:<reason>`: the sender stopped.
    Cancel {
        /// The transfer.
        id: u32,
        /// Why, as the sender put it.
        reason: String,
    },
    /// `r<id>:<reason>`: the receiver stopped or refused.
    Refuse {
        /// The transfer.
        id: u32,
        /// Why, as the receiver put it.
        reason: String,
    },
    /// `k<id>`: the receiver has it whole.
    Kept(u32),
}

/// A frame the machine cannot take where it came (or naming transfer 0): a bad frame,
/// which ends the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadFrame;

/// Most characters of a reason kept from a peer's `x` or `r` frame.
pub const MAX_REASON_CHARS: usize = 200;

impl<B> FileFrame<B> {
    /// The control frame whose text is `tag` then `body` (`d<id>`, `e<id>`,
    /// `e<id>:<sha256 hex>`, `k<id>`, `x<id>:<reason>`, `r<id>:<reason>`), as
    /// `docs/PROTOCOL.md` ("Files") writes it; `None` when it breaks that format. Each
    /// driver reads `f` frames itself, with its own JSON reader.
    pub fn parse_control(tag: char, body: &str) -> Option<Self> {
        let (digits, rest) = match body.split_once(':') {
            Some((digits, rest)) => (digits, Some(rest)),
            None => (body, None),
        };
        let id = parse_id(digits)?;
        let reason = || {
            let reason: String = rest.unwrap_or_default().chars().take(MAX_REASON_CHARS).collect();
            if reason.is_empty() { "no reason given".to_owned() } else { reason }
        };
        match (tag, rest) {
            ('d', None) => Some(Self::Part(id)),
            ('e', None) => Some(Self::End { id, sha256: None }),
            ('k', None) => Some(Self::Kept(id)),
            ('e', Some(hex)) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(Self::End { id, sha256: Some(hex.to_ascii_lowercase()) })
            }
            ('x', _) => Some(Self::Cancel { id, reason: reason() }),
            ('r', _) => Some(Self::Refuse { id, reason: reason() }),
            _ => None,
        }
    }
}

/// A transfer id: decimal digits, no sign, no leading zero (so not `0`), fits a `u32`.
fn parse_id(digits: &str) -> Option<u32> {
    let well_formed = !digits.is_empty()
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    well_formed.then(|| digits.parse().ok()).flatten()
}
