//! A transfer's digest (`docs/PROTOCOL.md`, "Files"): SHA-256 over the SHA-256 digests
//! of its data frames, joined in order. Both ends fold each data frame in as it passes,
//! so nothing of the file is kept for it.

use sha2::{Digest, Sha256};

/// The digest of the data frames so far.
#[derive(Clone, Default)]
pub(super) struct FileDigest(Sha256);

impl FileDigest {
    /// Folds in the next data frame.
    pub fn add_frame(&mut self, frame: &[u8]) {
        self.0.update(Sha256::digest(frame));
    }

    /// The digest of every frame added, as 64 lowercase hex digits.
    pub fn hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let whole = self.0.clone().finalize();
        let hex = whole.iter().flat_map(|byte| [byte >> 4, byte & 15]);
        hex.map(|digit| char::from(DIGITS[usize::from(digit)])).collect()
    }
}

impl std::fmt::Debug for FileDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileDigest")
    }
}
