//! The mesh on the driver's side: its frames (`wire.rs`). The decisions (routes, floods,
//! membership) are the machine's, in `peer-core`'s `gossip.rs`; the signatures of the signals it
//! carries are checked as every signal's are (`driver/signing.rs`).

pub(crate) mod wire;
