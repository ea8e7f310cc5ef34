//! Stand-ins for tests and benchmarks (of this crate, the fuzz targets, the e2e tests),
//! built only with the `testing` feature, never into the release binary: a real Redis on
//! a free port (`testing/redis.rs`), a peer's key pair, which signs joins as a browser
//! would (`testing/identity.rs`), and a socket-free driver of the message handling for the
//! fuzz targets (`testing/fuzzing.rs`). Not a stable API.

mod fuzzing;
mod identity;
mod redis;

pub use crate::session::connection::Refusal;
pub use fuzzing::{Harness, KEYS};
pub use identity::Identity;
pub use redis::RedisProcess;
