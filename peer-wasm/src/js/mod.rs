//! The JS API: every `#[wasm_bindgen]` export and its TypeScript types, a thin wrapper
//! over the Rust API (`api/`). JS values are read and checked here, and errors become JS
//! `Error`s here.

pub(crate) mod callbacks;
pub(crate) mod file_transfers;
pub(crate) mod keys;
pub(crate) mod options;
pub(crate) mod peer_class;
pub(crate) mod types;
