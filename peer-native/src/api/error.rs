//! What a native peer's calls fail with.

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// An argument the server or the protocol would refuse anyway.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument was wrong.
        what: &'static str,
        /// Why.
        reason: String,
    },
}
