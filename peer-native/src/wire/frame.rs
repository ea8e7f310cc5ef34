//! One data-channel message, as the transport carries it.

/// One data-channel message: a text frame (a string message, UTF-8 on the wire) or a
/// binary one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A string message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}
