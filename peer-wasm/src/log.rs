//! Console logging for what the library cannot report through a promise or an event.

/// Writes a warning to the browser console, prefixed with the crate name.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("peer-wasm: {message}").into());
}
