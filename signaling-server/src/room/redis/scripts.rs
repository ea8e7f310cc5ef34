//! What the instances keep in Redis, and the Lua scripts that change it: each applies a
//! whole join, leave, sweep or restore in one step (Redis runs one script at a time), so
//! the room rules hold across instances without read-then-write races. The key layout is
//! written once, at the top of `lua/lib.lua`, which every script starts with.
//!
//! Keys and channels are built only from validated room names, ids (the hex the server
//! derived from a key) and instance ids (see [`super::pubsub`]), never from anything else a
//! client sent.

use redis::Script;

/// The helpers every script begins with.
const LIB: &str = include_str!("lua/lib.lua");

/// The set of instances that joined someone (swept when their liveness key is gone).
pub const INSTANCES: &str = "sig:instances";

/// The liveness key of `instance`: refreshed by its heartbeat, gone when it stops.
pub fn liveness(instance: &str) -> String {
    format!("sig:inst:{instance}")
}

/// The pub/sub channel of `instance`: room events and signals for its peers.
pub fn channel(instance: &str) -> String {
    format!("sig:ch:{instance}")
}

/// The hash of `room` (as `lua/lib.lua` names it).
pub fn room(room: &str) -> String {
    format!("sig:room:{{{room}}}")
}

/// The scripts, compiled once; `redis` sends each by its SHA-1 and loads it on a miss
/// (after a Redis restart, too).
pub struct Scripts {
    /// `lua/join.lua`.
    pub join: Script,
    /// `lua/leave.lua`.
    pub leave: Script,
    /// `lua/sweep.lua`.
    pub sweep: Script,
    /// `lua/restore.lua`.
    pub restore: Script,
}

impl Scripts {
    /// Each script with the helpers before it.
    pub fn new() -> Self {
        let with_lib = |body: &str| Script::new(&format!("{LIB}\n{body}"));
        Self {
            join: with_lib(include_str!("lua/join.lua")),
            leave: with_lib(include_str!("lua/leave.lua")),
            sweep: with_lib(include_str!("lua/sweep.lua")),
            restore: with_lib(include_str!("lua/restore.lua")),
        }
    }
}
