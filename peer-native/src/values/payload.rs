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
        /// The kind's JavaScript name, one of `wire::kinds::KINDS`.
        kind: String,
        /// The value's bytes.
        bytes: Vec<u8>,
    },
}

impl Payload {
    /// A string payload.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// A bytes payload (a `Uint8Array` in a browser).
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self::Bytes(bytes.into())
    }

    /// A JSON payload from any serde value, as compact JSON text.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(Self::Json)
    }

    /// Bytes of a named kind (`"Float32Array"`, ...): `None` when `kind` is not one of
    /// `wire::kinds::KINDS` or the byte count is no whole number of its elements.
    pub fn typed(kind: &str, bytes: impl Into<Vec<u8>>) -> Option<Self> {
        let bytes = bytes.into();
        let fits = crate::values::kinds::misfit(kind, bytes.len()).is_none();
        fits.then(|| Self::Typed { kind: kind.to_owned(), bytes })
    }

    /// How many bytes the message is (UTF-8 for text and JSON).
    pub fn byte_len(&self) -> usize {
        match self {
            Self::Text(text) | Self::Json(text) => text.len(),
            Self::Bytes(bytes) | Self::Typed { bytes, .. } => bytes.len(),
        }
    }
}
