//! The network lab: real networks built from Linux network namespaces for end-to-end
//! tests and the network benchmark. Two LANs, each behind a home router (cone or
//! symmetric NAT, a UDP-dropping firewall, random loss, a NAT that forgets its
//! mappings), and an "internet" between them with the signaling server and coturn; a
//! headless Chromium in each LAN. Needs root; where the machine cannot run it,
//! [`Lab::start`] prints why and returns `None`, and the test passes as skipped.
//!
//! - `netns`: one namespace (create, run in, bind in, delete with its processes);
//! - `topology`: the namespaces, links and addresses;
//! - `router`: NAT kinds and impairments as iptables rules;
//! - `services`: coturn and the signaling server on the internet;
//! - `lab`: [`Lab`], all of it plus the browsers, torn down on drop;
//! - `page`: JS helpers and calls the cases share; `plain`: the same connection with
//!   a bare `RTCPeerConnection`, to tell the library's cost from the network's;
//! - `probe`: whether the lab can run here.

mod lab;
mod netns;
mod page;
mod plain;
mod probe;
mod router;
mod services;
mod topology;

pub use lab::{Lab, LabOptions};
pub use netns::Namespace;
pub use page::{COUNT_ICE_RESTARTS, RECORD_FILES, ice_restarts, stats, timed_connect};
pub use plain::{PlainOutcome, plain_connect, plain_rtt_ms, plain_throughput_mbps};
pub use probe::{skip_line, unavailable};
pub use router::{Nat, block_udp, forget_udp_mappings, lose, reboot};
pub use services::{IceServers, TURN_PORT, TURN_SECRET};
pub use topology::INTERNET_IP;
