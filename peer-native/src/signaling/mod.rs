//! The WebSocket to the signaling server (docs/PROTOCOL.md, "Transport", "The flow"):
//! the join handshake (`join.rs`: challenge, `join` with our key's proof, `welcome` or a
//! refusal), then the joined connection (`link.rs`: a reader and a writer task, a bounded
//! queue each way, how it closed). Its errors are in `error.rs`.

// Used by the driver, which is written alongside.
#![allow(dead_code)]

pub(crate) mod error;
pub(crate) mod join;
pub(crate) mod link;
#[cfg(test)]
mod tests;
