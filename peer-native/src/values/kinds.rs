//! The binary kinds a `t` frame (or an unreliable frame's header) may name: JavaScript's
//! typed arrays but `Uint8Array` (plain bytes go unnamed), `DataView` and `ArrayBuffer`,
//! each with its element size, which a value's byte count is a multiple of.

/// Every kind a `t` frame may name, with its element size in bytes. A receiver takes
/// only these names, so a peer cannot make a browser call any other constructor.
pub const KINDS: [(&str, usize); 13] = [
    ("Int8Array", 1),
    ("Uint8ClampedArray", 1),
    ("Int16Array", 2),
    ("Uint16Array", 2),
    ("Float16Array", 2),
    ("Int32Array", 4),
    ("Uint32Array", 4),
    ("Float32Array", 4),
    ("Float64Array", 8),
    ("BigInt64Array", 8),
    ("BigUint64Array", 8),
    ("DataView", 1),
    ("ArrayBuffer", 1),
];

/// The element size of kind `name`; `None` when it is not one of [`KINDS`].
pub fn element_size(name: &str) -> Option<usize> {
    KINDS.iter().find(|(kind, _)| *kind == name).map(|(_, size)| *size)
}

/// Why `bytes` cannot be a value of kind `name`; `None` when they can.
pub fn misfit(name: &str, bytes: usize) -> Option<String> {
    match element_size(name) {
        None => Some(format!("{name:?} is not a kind a t frame names")),
        Some(size) if !bytes.is_multiple_of(size) => {
            Some(format!("{bytes} bytes are no whole number of {name} elements ({size} bytes)"))
        }
        Some(_) => None,
    }
}
