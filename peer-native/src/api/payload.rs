//! What a message carries, as a native peer holds it.

/// The data of one message. A browser peer receives each kind as it would from another
/// tab (`Text` a string, `Json` the parsed value, `Bytes` a `Uint8Array`, `Typed` the
/// named typed array), and sends its own the same way.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// A string.
    Text(String),
    /// A JSON value, as JSON text (kept as text so numbers come out as they came in).
    Json(String),
    /// Bytes (a `Uint8Array` in a browser).
    Bytes(Vec<u8>),
    /// Bytes of a named JavaScript kind (`Float32Array`, `ArrayBuffer`, ...): the value's
    /// memory as is, little-endian.
    Typed {
        /// The kind's JavaScript name, one of `wire::KINDS`.
        kind: String,
        /// The value's bytes.
        bytes: Vec<u8>,
    },
}
