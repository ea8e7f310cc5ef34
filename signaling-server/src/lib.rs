//! The signaling server: introduces peers and relays their WebRTC negotiation.
//!
//! Peers join a room over a WebSocket at `/ws` (JSON messages of [`signaling_protocol`],
//! documented in `docs/PROTOCOL.md`), each proving it holds the key its id is derived
//! from; the server announces arrivals and departures, and relays signals (offers,
//! answers, ICE candidates: any JSON object, which it does not read) to one peer of the
//! same room with the sender stamped. It never sees the messages peers exchange over
//! their data channels. It also serves the chat page from a directory.
//!
//! Layout, one folder per layer, each importing only those below it (the binary,
//! `main.rs`, only parses options, binds and calls [`run`]):
//!
//! - `http/`: the routes ([`app`]: the WebSocket upgrade, `/healthz`, `/metrics`), the
//!   page at `/`, and [`run`], which serves until shutdown and waits for every socket's
//!   goodbye (tests serve on `127.0.0.1:0`);
//! - `session/`: one client's socket: the task that serves it, what its frames do with
//!   no socket (`connection.rs`, which the fuzz targets drive), its deadlines on one
//!   timer, and how it ends;
//! - `state.rs`: what every handler and session shares;
//! - `room/`: the rooms behind one interface, with the types both backends speak and
//!   each peer's queue, bounded in messages and bytes; the backends, each in its own
//!   folder: this process's memory (`memory.rs`, one mutex) or Redis, shared by several
//!   instances (`redis.rs`, `redis/`);
//! - `credentials/`: each connection's challenge and the check of a join's proof, TURN
//!   credentials, and the ICE servers each peer is handed with them;
//! - at the bottom, [`Config`] (`config.rs`, the one place every limit is stated), the
//!   connection caps and the token bucket (`limits.rs`), and `/metrics` (`metrics.rs`).
//!
//! With the `testing` feature (never in the release binary), `testing/` adds a real Redis
//! and a peer's key pair for tests, and the socket-free harness of the fuzz targets.

mod config;
mod credentials;
mod http;
mod limits;
mod metrics;
mod room;
mod session;
mod state;
#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;

pub use config::{Config, ConfigError, MIN_TURN_CREDENTIAL_TTL, TurnSecret};
pub use credentials::turn::{Credentials as TurnCredentials, mint as mint_turn_credentials};
pub use http::routes::app;
pub use http::serve::run;
