//! What a program holds: the peer, and the files it sends. Each call is a command to the
//! driver's task.

pub mod files;
pub mod peer;
