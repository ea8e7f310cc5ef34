//! A chunked message being received: its header (`c` + kind + length) and the bytes
//! so far, grown as chunks arrive rather than sized from the header, so a peer cannot
//! make us hold more than about twice what it actually sent.

use super::{BadFrame, MAX_MESSAGE_BYTES, tags};

/// What a chunked message is, once whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkKind {
    /// Bytes (plain, or of the kind a `t` frame named).
    Bytes,
    /// A string, as UTF-8.
    Text,
    /// JSON text, as UTF-8.
    Json,
}

/// A chunked message still arriving.
#[derive(Debug)]
pub(crate) struct Chunked {
    /// What it is.
    pub kind: ChunkKind,
    /// Its announced size: it is whole at exactly this many bytes.
    total: usize,
    /// The bytes so far.
    bytes: Vec<u8>,
}

impl Chunked {
    /// Reads a chunk header's body (after `c`): kind then length. `after_name`: a `t`
    /// frame came before it, so only bytes may follow.
    pub fn start(header: &str, after_name: bool) -> Result<Self, BadFrame> {
        let mut chars = header.chars();
        let kind = match (chars.next(), after_name) {
            (Some(tags::CHUNKS_BYTES), _) => ChunkKind::Bytes,
            (Some(tags::CHUNKS_TEXT | tags::CHUNKS_JSON), true) => {
                return Err(BadFrame::new("a text chunk header right after a t frame"));
            }
            (Some(tags::CHUNKS_TEXT), false) => ChunkKind::Text,
            (Some(tags::CHUNKS_JSON), false) => ChunkKind::Json,
            _ => return Err(BadFrame::new(format!("chunk header c{header:.16} of no known kind"))),
        };
        let total = parse_length(chars.as_str())?;
        Ok(Self { kind, total, bytes: Vec::new() })
    }

    /// Appends one chunk; the whole message once it is complete.
    pub fn append(&mut self, chunk: &[u8]) -> Result<Option<Vec<u8>>, BadFrame> {
        let end = self.bytes.len().saturating_add(chunk.len());
        if end > self.total {
            return Err(BadFrame::new(format!(
                "a chunk takes the message past its {} bytes",
                self.total
            )));
        }
        if end > self.bytes.capacity() {
            // Doubling keeps the copying linear; never past what was announced.
            let wanted = end.max(self.bytes.capacity().saturating_mul(2)).min(self.total);
            self.bytes.reserve_exact(wanted - self.bytes.len());
        }
        self.bytes.extend_from_slice(chunk);
        Ok((end == self.total).then(|| std::mem::take(&mut self.bytes)))
    }

    /// Bytes of memory held for it.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.bytes.capacity()
    }
}

/// A chunk header's length: decimal ASCII digits, no sign, no leading zero, 1 to
/// [`MAX_MESSAGE_BYTES`].
fn parse_length(digits: &str) -> Result<usize, BadFrame> {
    let bad = || BadFrame::new(format!("chunk length {digits:.16} breaks the format"));
    if digits.starts_with('0') || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    // Nine digits hold the largest length: more is over the limit whatever they say.
    let over = || BadFrame::new(format!("chunk length {digits:.16} is over 64 MiB"));
    if digits.len() > 9 {
        return Err(over());
    }
    let total: usize = digits.parse().map_err(|_| bad())?;
    if total > MAX_MESSAGE_BYTES {
        return Err(over());
    }
    Ok(total)
}
