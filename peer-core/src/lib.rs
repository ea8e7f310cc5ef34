//! The connection logic of a [peer-wasm](https://crates.io/crates/peer-wasm) peer as a
//! sans-IO state machine: it takes inputs (local calls, what the server says, what
//! connections report) and the current time, and answers with outputs (signals to send,
//! connections to start or tear down, events, calls to settle) and the time it next
//! needs to be woken. It touches no JS object, reads no clock and spawns nothing, so
//! every race (offer collisions, stale signals, a disconnect during a connect, close
//! from inside an event) is a plain `cargo test` away; a driver (peer-wasm's `driver/`
//! in the browser) carries the outputs out and feeds what happens back in.
//!
//! ```text
//!   driver  ── Input, now ──▶  Core::apply            (this crate: decides)
//!           ──── now ───────▶  Core::handle_timeout
//!           ◀─ Output ───────  Core::poll_output
//!           ◀─ Instant ──────  Core::poll_timeout
//! ```
//! A driver applies each [`Input`] with [`Core::apply`], passing the time as an
//! [`Instant`] (milliseconds since an origin of its choosing), then drains
//! [`Core::poll_output`] until it returns `None`, and does what each [`Output`] says (in
//! order): send a signal, start or release a connection, settle a waiting call, emit an
//! [`Event`]. It then keeps one timer at [`Core::poll_timeout`] (moved whenever that
//! changes) and, when it goes off, calls [`Core::handle_timeout`] and drains the outputs
//! again. Deadlines live in the state they bound (a link's phase, the heartbeat, the
//! wait before a rejoin), so there is nothing to cancel. Messages are a type parameter
//! `M`, carried unread.
//!
//! `io.rs` is the vocabulary the machine and its drivers share (the [`Input`]s and
//! [`Output`]s; `ids.rs` the names of things, `frames.rs` the mesh's frames);
//! `error.rs` what a call fails with ([`CoreError`]). This file holds the module list;
//! `timings.rs` how long the machine waits for each thing; `state.rs` the state and its
//! queries; `apply.rs` where each input goes;
//! `calls.rs` the local calls; `remote.rs` what the room and the remote say;
//! `lifecycle.rs` how a link opens and ends; `restart.rs` how an open link gets its path
//! back; `fallback.rs` how a connect with no path tries the TURN relay only;
//! `liveness.rs` heartbeats and silent remotes; `timeouts.rs` deadlines coming (and
//! `time.rs` the clock's type); `rejoin.rs` how signaling comes back;
//! `link.rs` a link and its phases; `mesh.rs` what a peer knows of the mesh
//! (adverts, broadcasts seen), `gossip.rs` adverts, membership and broadcasts at work
//! (`forwarding.rs` who passes a new advert on to whom),
//! `relay.rs` which way our signals go, and signals through the mesh; `trust.rs` which
//! signals to believe (`trust_memory.rs` what it remembers of them); `sorting.rs` how
//! the core sorts its short lists.
//! [`files`] is a machine of its own: the file transfers of one connection.
//! `harness.rs` and the `*tests.rs` / `properties.rs` (with `invariants.rs`) files
//! drive it in plain `cargo test -p peer-core`; `tests/simulated.rs` runs several
//! machines against each other in a simulated room, server and network (`tests/sim/`),
//! with a files machine on each connection, over simulated time.
//!
//! Each link goes through the phases of `link::Phase`; the rules, in short:
//! - a session id, chosen by the offerer, is on every signal; a signal of another
//!   session than the link's current one is stale and dropped;
//! - two offers crossing (both sides called connect) are settled by id: the larger id's
//!   offer wins, the smaller id drops its own and answers;
//! - the channel counts as connected only while `Open`: a disconnect takes it out of
//!   [`Core::connected`] at once, and what was queued still goes out (`Draining`);
//! - `Disconnected` is the last event of a connection, and a peer's `PeerLeft` comes
//!   after its `Disconnected`;
//! - an open channel whose path fails stays open while ICE restarts on the same
//!   connection (the larger id offers, as in a collision); what is sent meanwhile
//!   arrives afterwards, in order; the link ends only when the restarts give up;
//! - a connect with no path after a short time (or whose ICE fails) restarts ICE on the
//!   same connection through the TURN relay only, when one is configured; a `failed`
//!   with nothing left to try gets a short time to recover before the connect fails;
//! - every phase that waits on the outside world has a deadline, gone when it ends.

mod apply;
mod calls;
#[cfg(test)]
mod deadline_tests;
mod error;
mod fallback;
#[cfg(test)]
mod fallback_tests;
pub mod files;
mod forwarding;
mod frames;
mod gossip;
#[cfg(test)]
mod harness;
mod ids;
#[cfg(test)]
mod invariants;
mod io;
mod lifecycle;
mod link;
mod liveness;
#[cfg(test)]
mod liveness_tests;
mod mesh;
#[cfg(test)]
mod mesh_tests;
#[cfg(test)]
mod properties;
mod rejoin;
#[cfg(test)]
mod rejoin_tests;
mod relay;
mod remote;
mod restart;
#[cfg(test)]
mod restart_tests;
#[cfg(test)]
mod route_tests;
mod sorting;
mod state;
#[cfg(test)]
mod tests;
mod time;
mod timeouts;
mod timings;
mod trust;
mod trust_memory;
#[cfg(test)]
mod trust_tests;

pub use error::CoreError;
pub use files::Files;
pub use frames::{Advert, MeshFrame, Relayed};
pub use gossip::bounded_ttl;
pub use ids::{CallId, ConnKey, PathState, RejoinFailure, Role, Way};
pub use io::{Event, Input, Output, Verdict};
pub use mesh::{MAX_ADVERT_LINKS, MAX_ADVERTS, MAX_TTL};
pub use time::Instant;
pub use timings::Backoff;
pub use timings::{LINGER_MS, release_linger_ms};
pub use trust::{FRESH_MS, freshness_verdict, sealing_verdict, unsealed};

pub use state::Core;

// What the host tests reach through `use super::*`.
#[cfg(test)]
use {
    link::Phase,
    signaling_protocol::{PeerId, PeerInfo, SessionId, Signal},
    state::Signaling,
    timings::*,
};
