//! Random interleavings of everything that can happen to a peer (local calls, remote
//! signals of the current and of earlier sessions, channel events, time jumping ahead,
//! server news, signaling dropping and coming back, mesh adverts, relayed signals and
//! broadcasts, forged or not) thrown at the machine, checking after every step what a user relies on:
//! - every `connect()` / `disconnect()` is answered exactly once (after `close()`, all are);
//! - `connectedPeers()` lists exactly the links that are open, and the `Connected` /
//!   `Disconnected` events agree with the links whose channel had opened;
//! - no event for a peer after its `Disconnected` (until it connects again), and its
//!   `PeerLeft` never comes while it still counts as connected;
//! - only the larger id restarts ICE;
//! - `poll_timeout()` is the earliest deadline of the live phases and of the peer, and
//!   after handling the time, no deadline is left in the past; the started
//!   connections not yet released are exactly the live links;
//! - after `close()`: no links, no deadlines, no connection, and nothing more happens.

use super::harness::{Harness, id, info};
use super::invariants::{Seen, check_invariants};
use super::*;
use proptest::prelude::*;
use signaling_protocol::ErrorCode;
use signaling_protocol::Step;

/// The other peers: one id below ours ("m"), two above.
const PEERS: [&str; 3] = ["a", "n", "z"];

#[derive(Clone, Debug)]
enum Op {
    Connect(usize),
    Disconnect(usize),
    Close,
    Joined(usize),
    Left(usize),
    Signal {
        peer: usize,
        session: Pick,
        step: u8,
    },
    Refused(usize),
    SignalingClosed,
    /// Back in the room, which holds the peers whose bit is set.
    Rejoined(u8),
    SignalingOver,
    /// The peer is found in a tab of this browser, or lost.
    Nearby(usize, bool),
    /// An attempt to rejoin failed: unreachable, refused with a code that may pass
    /// later (`room_full`) or not (`invalid_key`), or the browser's fault.
    RejoinFailed(u8),
    Heard(usize, Pick),
    Outbound(usize, Pick),
    Open(usize, Pick),
    Closing(usize, Pick),
    Closed(usize, Pick),
    Received(usize, Pick),
    Failed(usize, Pick),
    Path(usize, Pick, u8),
    IceServerError(usize, Pick),
    /// Time jumps ahead by this many milliseconds, and the deadlines that came are
    /// handled.
    Advance(u32),
    /// A mesh frame from a neighbour: `kind` picks advert, relay, broadcast or digest, `detail`
    /// whose (one of the peers or a stranger) and what.
    Mesh(usize, Pick, u8, u8),
    Forged(usize, Pick),
}

/// Which session an op refers to: the peer's latest connection, an earlier one, or one
/// we never saw.
#[derive(Clone, Debug)]
enum Pick {
    Latest,
    Earlier(usize),
    Unknown(u32),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        4 => Just(Pick::Latest),
        2 => (0..4usize).prop_map(Pick::Earlier),
        1 => any::<u32>().prop_map(Pick::Unknown),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let peer = 0..PEERS.len();
    prop_oneof![
        4 => peer.clone().prop_map(Op::Connect),
        3 => peer.clone().prop_map(Op::Disconnect),
        1 => Just(Op::Close),
        1 => peer.clone().prop_map(Op::Joined),
        1 => peer.clone().prop_map(Op::Left),
        6 => (peer.clone(), pick(), 0..5u8).prop_map(|(peer, session, step)| Op::Signal { peer, session, step }),
        1 => peer.clone().prop_map(Op::Refused),
        1 => Just(Op::SignalingClosed),
        1 => (0..8u8).prop_map(Op::Rejoined),
        1 => Just(Op::SignalingOver),
        1 => (peer.clone(), any::<bool>()).prop_map(|(p, here)| Op::Nearby(p, here)),
        1 => (0..4u8).prop_map(Op::RejoinFailed),
        2 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Heard(p, k)),
        2 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Outbound(p, k)),
        4 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Open(p, k)),
        2 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Closing(p, k)),
        2 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Closed(p, k)),
        3 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Received(p, k)),
        1 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Failed(p, k)),
        3 => (peer.clone(), pick(), 0..3u8).prop_map(|(p, k, s)| Op::Path(p, k, s)),
        1 => (peer.clone(), pick()).prop_map(|(p, k)| Op::IceServerError(p, k)),
        2 => prop_oneof![0..4_000u32, 0..40_000u32].prop_map(Op::Advance),
        3 => (peer.clone(), pick(), 0..4u8, any::<u8>()).prop_map(|(p, k, kind, d)| Op::Mesh(p, k, kind, d)),
        1 => (peer.clone(), pick()).prop_map(|(p, k)| Op::Forged(p, k)),
    ]
}

/// The connection `pick` names for `peer`, among those the machine started.
fn key(h: &Harness, peer: &str, pick: &Pick) -> ConnKey {
    let started: Vec<&ConnKey> = h.started.iter().filter(|key| key.peer == id(peer)).collect();
    match (pick, started.as_slice()) {
        (Pick::Latest, [.., latest]) => (*latest).clone(),
        (Pick::Earlier(n), keys) if !keys.is_empty() => keys[n % keys.len()].clone(),
        (Pick::Unknown(session), _) => {
            ConnKey { peer: id(peer), session: SessionId(*session), serial: 0 }
        }
        _ => ConnKey { peer: id(peer), session: SessionId(7), serial: 0 },
    }
}

fn step(kind: u8) -> Step {
    match kind {
        0 => Step::Offer { sdp: "offer".into() },
        1 => Step::Answer { sdp: "answer".into() },
        2 => Step::Candidate { candidate: "c".into(), sdp_mid: None, sdp_m_line_index: None },
        3 => Step::Restart { sdp: "restart".into() },
        _ => Step::Bye { reason: None },
    }
}

/// One of the peers, ourselves ("m"), or a stranger, as `detail` says.
fn anyone(detail: u8) -> PeerId {
    id(["a", "n", "z", "m", "stranger"][usize::from(detail) % 5])
}

fn mesh_frame(kind: u8, detail: u8) -> MeshFrame<&'static str> {
    match kind {
        0 => MeshFrame::Advert(Advert {
            origin: info(anyone(detail).as_str()),
            version: u32::from(detail / 5),
            links: (0..5).filter(|n| detail & (1 << n) != 0).map(anyone).collect(),
        }),
        1 => MeshFrame::Relay(Relayed {
            from: anyone(detail),
            to: anyone(detail / 5),
            route: vec![anyone(detail / 25), anyone(detail / 5)],
            signal: Signal::new(SessionId(u32::from(detail)), Step::Bye { reason: None }),
        }),
        3 => MeshFrame::Digest(vec![(anyone(detail), u32::from(detail / 5))]),
        _ => MeshFrame::Broadcast {
            origin: anyone(detail),
            seq: u32::from(detail / 5),
            ttl: detail % 3,
            message: "to all",
        },
    }
}

fn input(h: &mut Harness, op: &Op) -> Option<Input<&'static str>> {
    Some(match op {
        Op::Connect(p) => Input::Connect { peer: id(PEERS[*p]), call: h.call() },
        Op::Disconnect(p) => Input::Disconnect { peer: id(PEERS[*p]), call: h.call() },
        Op::Close => Input::Close,
        Op::Joined(p) => Input::PeerJoined(info(PEERS[*p])),
        Op::Left(p) => Input::PeerLeft(info(PEERS[*p])),
        Op::Signal { peer, session, step: kind } => {
            let session = key(h, PEERS[*peer], session).session;
            let signal = Signal { at: h.next_sig(), ..Signal::new(session, step(*kind)) };
            let from = id(PEERS[*peer]);
            match kind % 3 {
                // Arrived and not checked yet (the peers have no keys: dropped).
                0 => Input::Signal { from, signal },
                _ => Input::Checked { from, signal, via: None, verdict: Verdict::Good },
            }
        }
        Op::Refused(p) => Input::Refused {
            code: ErrorCode::RateLimited,
            message: "slow down".into(),
            to: Some(id(PEERS[*p])),
        },
        Op::SignalingClosed => Input::SignalingClosed { reason: "gone".into() },
        Op::Rejoined(members) => Input::Rejoined {
            roster: (0..PEERS.len())
                .filter(|n| members & (1 << n) != 0)
                .map(|n| info(PEERS[n]))
                .collect(),
        },
        Op::SignalingOver => Input::SignalingOver { reason: "invalid_resume".into() },
        Op::Nearby(p, here) => Input::Nearby { peer: id(PEERS[*p]), here: *here },
        Op::RejoinFailed(kind) => {
            let failure = match kind {
                0 => RejoinFailure::Unreachable,
                1 => RejoinFailure::Refused(ErrorCode::RoomFull),
                2 => RejoinFailure::Refused(ErrorCode::InvalidKey),
                _ => RejoinFailure::Browser,
            };
            Input::RejoinFailed { failure, error: "no".into() }
        }
        Op::Heard(p, k) => Input::Heard { key: key(h, PEERS[*p], k) },
        Op::Outbound(p, k) => Input::Outbound { key: key(h, PEERS[*p], k), step: step(2) },
        Op::Open(p, k) => Input::ChannelOpen { key: key(h, PEERS[*p], k) },
        Op::Closing(p, k) => Input::ChannelClosing { key: key(h, PEERS[*p], k) },
        Op::Closed(p, k) => Input::ChannelClosed { key: key(h, PEERS[*p], k) },
        Op::Received(p, k) => Input::Received { key: key(h, PEERS[*p], k), message: "hi" },
        Op::Failed(p, k) => {
            Input::Failed { key: key(h, PEERS[*p], k), reason: "ICE failed".into() }
        }
        Op::Path(p, k, state) => {
            let state = [PathState::Up, PathState::Down, PathState::Failed][usize::from(*state)];
            Input::Path { key: key(h, PEERS[*p], k), state }
        }
        Op::IceServerError(p, k) => {
            Input::IceServerError { key: key(h, PEERS[*p], k), detail: "401".into() }
        }
        Op::Mesh(p, k, kind, detail) => {
            Input::Mesh { key: key(h, PEERS[*p], k), frame: mesh_frame(*kind, *detail) }
        }
        Op::Forged(p, k) => {
            let via = key(h, PEERS[*p], k);
            let signal = Signal::new(via.session, step((via.serial % 5) as u8));
            let (from, via) = (via.peer.clone(), Some(via));
            Input::Checked { from, signal, via, verdict: Verdict::Forged }
        }
        Op::Advance(ms) => {
            h.fire(h.now.after_ms(*ms));
            return None;
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_keeps_the_promises(
        ops in proptest::collection::vec(op(), 1..60),
        relay in any::<bool>(),
    ) {
        let mut h = Harness::new("m", &PEERS);
        // With a TURN server to fall back on, or without.
        h.core.set_relay_fallback(relay);
        let mut seen = Seen::default();
        for op in &ops {
            if let Some(input) = input(&mut h, op) {
                h.apply(input);
            } else {
                // Time was handled: nothing is left overdue.
                prop_assert!(h.core.poll_timeout().is_none_or(|at| at > h.now));
            }
            seen.read(&h.events)?;
            check_invariants(&h, &seen)?;
        }
        // close() answers every call, ends every link, drops every deadline...
        h.apply(Input::Close);
        seen.read(&h.events)?;
        check_invariants(&h, &seen)?;
        prop_assert!(h.core.links().is_empty());
        prop_assert!(h.timers().is_empty());
        prop_assert!(seen.connected.is_empty());
        let calls = h.call().0 - 1;
        prop_assert_eq!(h.settled.len() as u64, calls, "every call answered once");
        // ...and nothing happens after it.
        let (events, started) = (h.events.len(), h.started.len());
        for op in &ops {
            if let Some(input) = input(&mut h, op) {
                h.apply(input);
            }
        }
        prop_assert_eq!(h.events.len(), events);
        prop_assert_eq!(h.started.len(), started);
        prop_assert!(h.timers().is_empty());
    }
}
