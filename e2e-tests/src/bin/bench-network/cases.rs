//! The network cases the benchmark runs, and one case's run: a lab of its own, fresh
//! pages for every connect, the library's connect then a plain one on the same pages,
//! then round trips and throughput over the last pair of each.

use crate::Options;
use crate::measure::{self, Samples};
use e2e_tests::Tab;
use e2e_tests::netlab::{
    IceServers, Lab, LabOptions, Nat, block_udp, lose, plain_connect, plain_rtt_ms,
    plain_throughput_mbps, timed_connect,
};
use serde_json::json;
use std::time::{Duration, Instant};

/// One network case.
pub struct Case {
    /// Its row's name.
    pub name: &'static str,
    /// The lab it needs.
    pub lab: LabOptions,
    /// Drops UDP at router a.
    pub udp_blocked: bool,
    /// Random loss on both routers, both ways.
    pub loss: f64,
}

/// Every steady network case (the NAT that forgets its mappings is a one-off event,
/// measured by its e2e test).
pub const CASES: [Case; 4] = [
    Case {
        name: "cone NATs, STUN",
        lab: LabOptions { nats: [Nat::Cone, Nat::Cone], ice: IceServers::Stun },
        udp_blocked: false,
        loss: 0.0,
    },
    Case {
        name: "symmetric NATs, STUN + TURN",
        lab: LabOptions { nats: [Nat::Symmetric, Nat::Symmetric], ice: IceServers::StunAndTurn },
        udp_blocked: false,
        loss: 0.0,
    },
    Case {
        name: "UDP dropped at a, TURN UDP + TCP",
        lab: LabOptions { nats: [Nat::Cone, Nat::Cone], ice: IceServers::TurnUdpAndTcp },
        udp_blocked: true,
        loss: 0.0,
    },
    Case {
        name: "cone NATs, 5 % loss both ways",
        lab: LabOptions { nats: [Nat::Cone, Nat::Cone], ice: IceServers::StunAndTurn },
        udp_blocked: false,
        loss: 0.05,
    },
];

/// No case runs longer than this: its connects stop there, and what was measured is
/// reported.
const CASE_BUDGET: Duration = Duration::from_secs(240);

/// One case's figures, the library's and plain `RTCPeerConnection`'s.
pub struct Row {
    /// The case.
    pub name: &'static str,
    /// The library: connect times of those that connected, and how many were tried.
    pub ours: Samples,
    /// Plain `RTCPeerConnection`, the same way.
    pub plain: Samples,
}

/// Runs `case`: `options.connects` connects each way, then the data path.
pub async fn run(case: &Case, options: &Options) -> Row {
    let lab = lab_for(case).await;
    let started = Instant::now();
    let (mut ours, mut plain) = (Samples::default(), Samples::default());
    let mut last = None;
    for n in 0..options.connects {
        if started.elapsed() > CASE_BUDGET {
            eprintln!("[bench-network] {}: out of time after {n} connects", case.name);
            break;
        }
        let (alice, bob, bob_id) = pair(&lab, &format!("bench-{n}")).await;
        let (outcome, took) = timed_connect(&alice, &bob_id).await;
        ours.record(outcome == "connected", took, &outcome);
        let outcome = plain_connect(&alice, &bob, case.lab.ice, "all").await;
        plain.record(
            outcome.connected,
            Duration::from_secs_f64(outcome.ms / 1000.0),
            &outcome.error,
        );
        last = Some((alice, bob, bob_id, outcome.connected));
    }
    if let Some((alice, bob, bob_id, plain_up)) = last {
        if ours.connected > 0 && measure::connected(&alice, &bob_id).await {
            measure::prepare(&alice, &bob, &bob_id).await;
            ours.rtt_ms = Some(measure::rtt_ms(&alice, &bob_id, options.pings).await);
            ours.mbps = Some(measure::throughput_mbps(&alice, &bob_id, options.mib).await);
        }
        if plain_up {
            plain.rtt_ms = Some(plain_rtt_ms(&alice, options.pings).await);
            plain.mbps = Some(plain_throughput_mbps(&alice, options.mib).await);
        }
    }
    lab.close().await;
    Row { name: case.name, ours, plain }
}

/// The symmetric-NAT case connected `runs` times by the library (default options), each
/// with fresh pages; bounded by [`CASE_BUDGET`] as a whole.
pub async fn repeat_symmetric(runs: usize) -> Samples {
    let lab = lab_for(&CASES[1]).await;
    let started = Instant::now();
    let mut ours = Samples::default();
    for n in 0..runs {
        if started.elapsed() > CASE_BUDGET {
            eprintln!("[bench-network] symmetric NATs: out of time after {n} connects");
            break;
        }
        let (alice, _bob, bob_id) = pair(&lab, &format!("again-{n}")).await;
        let (outcome, took) = timed_connect(&alice, &bob_id).await;
        ours.record(outcome == "connected", took, &outcome);
    }
    lab.close().await;
    ours
}

/// The lab of `case`, with its impairments; exits when it cannot be built.
async fn lab_for(case: &Case) -> Lab {
    let Some(lab) = Lab::start(case.lab).await else {
        panic!("the network lab cannot run here (see the line above)")
    };
    if case.udp_blocked {
        block_udp(lab.router(0)).unwrap_or_else(|e| panic!("{e}"));
    }
    if case.loss > 0.0 {
        for side in 0..2 {
            lose(lab.router(side), case.loss).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    lab
}

/// Fresh pages on both sides joined to `room`: Alice (side a), Bob (side b), Bob's id.
async fn pair<'a>(lab: &'a Lab, room: &str) -> (Tab<'a>, Tab<'a>, String) {
    let (alice, bob) = (lab.tab(0).await, lab.tab(1).await);
    alice.join_with(room, "Alice", json!({})).await;
    let bob_id = bob.join_with(room, "Bob", json!({})).await;
    alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    (alice, bob, bob_id)
}
