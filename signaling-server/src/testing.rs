//! Stand-ins for tests and benchmarks (of this crate, the fuzz targets, the e2e tests):
//! a real Redis on a free port (`testing/redis.rs`) and a peer's key pair, which signs
//! joins as a browser would (`testing/identity.rs`). Not a stable API.

mod identity;
mod redis;

pub use identity::Identity;
pub use redis::RedisProcess;
