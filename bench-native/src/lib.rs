//! Benchmarks of native peers (`peer-native`), printed as one Markdown table
//! (`bash scripts/bench-native.sh`; method and latest figures in `docs/BENCHMARKS.md`):
//!
//! - `pair`: two peers in this process, through a real signaling server over loopback:
//!   round trip with one ping in flight, and reliable throughput per message size;
//! - `mesh`: a room of many peers forming a full mesh through the server (formation
//!   time, signals relayed, the server's CPU);
//! - `no-server`: the same room linked in a sparse graph, the server killed, then every
//!   other pair connected through the mesh.
//!
//! Every benchmark starts its own `signaling-server` process (the binary given with
//! `--server`); every peer binds 127.0.0.1 only, so all traffic stays on loopback.

pub mod bench_result;
pub mod mesh;
pub mod pair;
pub mod report;
pub mod room;
pub mod server;
pub mod stats;
