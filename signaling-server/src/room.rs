//! The rooms: who is in which room, and delivery of messages to them. Both backends speak
//! the types of `types.rs` and deliver into each peer's bounded queue (`outbox.rs`);
//! `backend.rs` puts them behind one interface. Each backend's folder holds only that
//! backend: this process's memory (`memory.rs`) or Redis, shared by every instance
//! (`redis.rs`, `redis/`).

pub mod backend;
pub mod memory;
pub mod outbox;
pub mod redis;
pub mod types;
