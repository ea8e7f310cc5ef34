//! The server's options, with their defaults.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the server can be told; `main.rs` fills it from flags and environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory served at `/` (the chat page; its `pkg/` holds the built WASM package).
    pub static_dir: PathBuf,
    /// Most peers one room holds; a further join gets `room_full`.
    pub max_peers_per_room: usize,
    /// Largest WebSocket message accepted, in bytes (SDPs are a few KiB).
    pub max_message_bytes: usize,
    /// Messages waiting for one peer's socket; a peer that falls this far behind is
    /// disconnected instead of growing the server's memory.
    pub peer_queue_len: usize,
    /// Bytes of messages waiting for one peer's socket, past which it is disconnected
    /// the same way: what a peer that stops reading can hold of the server's memory.
    pub peer_queue_bytes: usize,
    /// Most rooms at once; a join that would create one more gets `too_many_rooms`.
    pub max_rooms: usize,
    /// Most open WebSocket connections; past it new ones are closed with 1013.
    pub max_connections: usize,
    /// Most open WebSocket connections from one IP address (closed with 1013 past it).
    pub max_connections_per_ip: usize,
    /// Messages per second one connection may send, sustained...
    pub messages_per_second: u32,
    /// ...and at once; past that each message is refused with `rate_limited`.
    pub message_burst: u32,
    /// Pages allowed to open the WebSocket, by `Origin` header (e.g.
    /// `https://chat.example`); empty allows every origin.
    pub allowed_origins: Vec<String>,
    /// Refuse to create a room without a secret (`secret_required`). Either way, a room
    /// created with a secret admits only joins that present it.
    pub require_room_secrets: bool,
    /// Serve `GET /metrics` (Prometheus text format).
    pub metrics: bool,
    /// How often the server pings each socket.
    pub heartbeat: Duration,
    /// A socket from which nothing (not even a pong) arrived for this long is closed and
    /// its peer reported as left: a vanished host is noticed within seconds.
    pub idle_timeout: Duration,
    /// A socket that has not joined a room this long after it opened is closed (1008,
    /// "join timeout"), whether it answers pings or not.
    pub join_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            static_dir: PathBuf::from("www"),
            max_peers_per_room: 64,
            max_message_bytes: 64 * 1024,
            peer_queue_len: 256,
            // A newcomer to a full room (64 peers) may be sent an offer and a few
            // candidates by each of the 63 others at once: ~63 x 8 KB, half of this.
            // Sixteen messages of the largest size. And 1,024 stuck connections from one
            // address hold at most 1 GiB, until the send deadline drops them.
            peer_queue_bytes: 1024 * 1024,
            max_rooms: 10_000,
            max_connections: 16_000,
            max_connections_per_ip: 1_024,
            messages_per_second: 100,
            message_burst: 1_000,
            allowed_origins: Vec::new(),
            require_room_secrets: false,
            metrics: true,
            heartbeat: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(15),
            // A browser joins within a round trip of opening; ten seconds leave room for
            // a slow network and a retry after a refusal, and free an idle place soon.
            join_timeout: Duration::from_secs(10),
        }
    }
}
