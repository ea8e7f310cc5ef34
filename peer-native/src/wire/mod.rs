//! The data channel's frames: how messages, chunks and mesh frames travel
//! (`docs/PROTOCOL.md`, "The data channel").

pub mod frame;
