//! Stand-ins for tests and benchmarks (of this crate, the fuzz targets, the e2e tests),
//! built only with the `testing` feature, never into the release binary: a real Redis on
//! a free port (`testing/redis_server.rs`), a peer's key pair, which signs joins as a
//! browser would (`testing/key_pair.rs`), and a socket-free driver of the message handling
//! for the fuzz targets (`testing/fuzzing.rs`). Not a stable API.

mod fuzzing;
mod key_pair;
mod redis_server;

pub use crate::session::connection::Refusal;
pub use fuzzing::{Harness, KEYS};
pub use key_pair::Identity;
pub use redis_server::RedisProcess;
