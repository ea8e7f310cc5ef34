//! The tests' driver: the machine plus a record of everything it asked for, checking
//! what a real driver relies on (a call settled once, a connection released once).

use super::*;
use signaling_protocol::Step;

/// A received message, as the tests tag it.
type Msg = &'static str;

/// A machine plus what a driver would track: the time and waiting calls.
pub(super) struct Harness {
    pub core: Core<Msg>,
    /// The time of the next input (it starts at 0 ms).
    pub now: Instant,
    pub settled: Vec<(CallId, Result<(), CoreError>)>,
    pub events: Vec<Event<Msg>>,
    pub sent: Vec<(PeerId, Signal)>,
    pub started: Vec<ConnKey>,
    pub released: Vec<ConnKey>,
    pub applied: Vec<(ConnKey, Step)>,
    pub closing: Vec<ConnKey>,
    pub restarted: Vec<ConnKey>,
    /// Connections told to use relayed candidates only (by a restart or by themselves).
    pub relay_only: Vec<ConnKey>,
    pub heartbeats: Vec<ConnKey>,
    /// Signals (of those `sent`) that went through a tab of this browser.
    pub tab_signals: usize,
    pub rejoins: usize,
    /// Mesh frames sent, and on which channel.
    pub mesh_out: Vec<(ConnKey, MeshFrame<Msg>)>,
    /// Signals sent through the mesh: the first hop, the target, the signal.
    pub relays: Vec<(ConnKey, PeerId, Signal)>,
    /// Signals handed over for their signature check: sender, signal, key, neighbour.
    pub verifies: Vec<(PeerId, Signal, String, Option<ConnKey>)>,
    next_call: u64,
    signatures: u64,
}

/// A signal from `from` whose signature checked out.
pub(super) fn good(from: PeerId, signal: Signal) -> Input<Msg> {
    Input::Checked { from, signal, via: None, verdict: Verdict::Good }
}

pub(super) fn info(id: &str) -> PeerInfo {
    PeerInfo::new(id, format!("Peer {id}"))
}

/// A peer with a key (so its signals may go through the mesh).
pub(super) fn keyed(id: &str) -> PeerInfo {
    PeerInfo { key: Some(format!("key-of-{id}")), ..info(id) }
}

/// A peer whose id is the id of its (real P-256) key, as the server announces peers.
pub(super) fn signing_peer() -> PeerInfo {
    const KEY: &str =
        "BFsLh3u2fNzB8qd-Gqy_d4ehmHvKyLeRa9k0pWGr9OT-zy0AtL5gJ8btbbAMY3KrFblCCQnMwvzusRmUHRK6nHM";
    let id = signaling_protocol::peer_id_for(KEY);
    PeerInfo { key: Some(KEY.into()), ..PeerInfo::new(id, "Signer") }
}

pub(super) fn id(id: &str) -> PeerId {
    PeerId::from(id)
}

impl Harness {
    /// Peer `me` in a room with `others`; sessions numbered from 100.
    pub fn new(me: &str, others: &[&str]) -> Self {
        let roster = others.iter().map(|other| info(other)).collect();
        Self::with_roster(keyed(me), roster)
    }

    /// Peer `me` in a room with `roster`; sessions numbered from 100.
    pub fn with_roster(me: PeerInfo, roster: Vec<PeerInfo>) -> Self {
        Self {
            core: Core::new(me, roster, 100, Some(Backoff::default())),
            now: Instant::default(),
            settled: Vec::new(),
            events: Vec::new(),
            sent: Vec::new(),
            started: Vec::new(),
            released: Vec::new(),
            applied: Vec::new(),
            closing: Vec::new(),
            restarted: Vec::new(),
            relay_only: Vec::new(),
            heartbeats: Vec::new(),
            tab_signals: 0,
            rejoins: 0,
            mesh_out: Vec::new(),
            relays: Vec::new(),
            verifies: Vec::new(),
            next_call: 0,
            signatures: 0,
        }
    }

    /// Applies `input` now and records every output, checking the driver-side rules: a
    /// call is settled once, a connection released once.
    pub fn apply(&mut self, input: Input<Msg>) {
        self.core.apply(input, self.now);
        self.drain();
    }

    /// Time goes on to `at` (if it is later), and the deadlines that came are handled.
    pub fn fire(&mut self, at: Instant) {
        self.now = self.now.max(at);
        self.core.handle_timeout(self.now);
        self.drain();
    }

    /// Every deadline the machine has (`poll_timeout` is the earliest).
    pub fn timers(&self) -> Vec<Instant> {
        let mut all = self.core.link_timers();
        all.extend(self.core.own_timers());
        all
    }

    fn drain(&mut self) {
        while let Some(output) = self.core.poll_output() {
            match output {
                Output::Settle { call, result } => {
                    assert!(self.settled.iter().all(|(done, _)| *done != call), "{call:?} twice");
                    self.settled.push((call, result));
                }
                Output::Emit(event) => self.events.push(event),
                Output::Signal { to, signal, way: Way::Mesh { hop, .. } } => {
                    self.relays.push((hop, to, signal));
                }
                Output::Signal { to, signal, way } => {
                    self.tab_signals += usize::from(way == Way::Tab);
                    self.sent.push((to, signal));
                }
                Output::StartConnection { key, .. } => self.started.push(key),
                Output::Release { key, .. } => {
                    assert!(!self.released.contains(&key), "{key:?} released twice");
                    self.released.push(key);
                }
                Output::Apply { key, step } => self.applied.push((key, step)),
                Output::CloseChannel { key } => self.closing.push(key),
                Output::RestartIce { key, relay_only } => {
                    self.restarted.push(key.clone());
                    if relay_only {
                        self.relay_only.push(key);
                    }
                }
                Output::RelayOnly { key } => self.relay_only.push(key),
                Output::Heartbeat { key } => self.heartbeats.push(key),
                Output::Rejoin => self.rejoins += 1,
                Output::SendMesh { key, frame } => self.mesh_out.push((key, frame)),
                Output::Verify { from, signal, key, via } => {
                    self.verifies.push((from, signal, key, via));
                }
                Output::CloseSignaling | Output::Warn(_) => {}
            }
        }
    }

    /// The deadlines of the links (not the heartbeat's, the advert's or the rejoin's).
    pub fn phase_timers(&self) -> Vec<Instant> {
        self.core.link_timers()
    }

    /// Whether the last signal sent is a `bye` to `peer` for `session`.
    pub fn bye_sent(&self, peer: &str, session: SessionId) -> bool {
        matches!(
            self.sent.last(),
            Some((to, Signal { session: s, step: Step::Bye { .. }, .. })) if *to == id(peer) && *s == session
        )
    }

    /// One heartbeat period goes by.
    pub fn heartbeat_period(&mut self) {
        let heartbeat_at = self.core.heartbeat_at.expect("the heartbeat timer is armed");
        self.fire(heartbeat_at);
    }

    pub fn call(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }

    pub fn connect(&mut self, peer: &str) -> CallId {
        let call = self.call();
        self.apply(Input::Connect { peer: id(peer), call });
        call
    }

    pub fn disconnect(&mut self, peer: &str) -> CallId {
        let call = self.call();
        self.apply(Input::Disconnect { peer: id(peer), call });
        call
    }

    pub fn result(&self, call: CallId) -> Option<&Result<(), CoreError>> {
        self.settled.iter().find(|(done, _)| *done == call).map(|(_, result)| result)
    }

    /// The connection most recently started to `peer`.
    pub fn key(&self, peer: &str) -> ConnKey {
        let started = self.started.iter().rev().find(|key| key.peer == id(peer));
        started.cloned().expect("a connection was started")
    }

    /// Connects to `peer` as the offerer, all the way to an open channel.
    pub fn open_as_offerer(&mut self, peer: &str) -> ConnKey {
        let (call, key) = self.answered(peer);
        self.apply(Input::ChannelOpen { key: key.clone() });
        assert_eq!(self.result(call), Some(&Ok(())));
        key
    }

    /// Connects to `peer` as the offerer, up to its answer (the channel not open yet).
    pub fn answered(&mut self, peer: &str) -> (CallId, ConnKey) {
        let call = self.connect(peer);
        let key = self.key(peer);
        self.apply(Input::Outbound { key: key.clone(), step: offer() });
        self.remote(peer, key.session, Step::Answer { sdp: "answer".into() });
        (call, key)
    }

    /// Why `call` failed to connect (panics if it did not fail so).
    pub fn connect_failure(&self, call: CallId) -> String {
        match self.result(call) {
            Some(Err(CoreError::ConnectFailed { reason, .. })) => reason.clone(),
            other => panic!("not a failed connect: {other:?}"),
        }
    }

    /// A signal from `peer`, its signature checked and found good (the checks
    /// themselves are `trust_tests.rs`'s).
    pub fn remote(&mut self, peer: &str, session: SessionId, step: Step) {
        let signal = Signal { at: self.next_sig(), ..Signal::new(session, step) };
        self.apply(good(id(peer), signal));
    }

    /// A fresh signing time, so no two signals of a test look like a replay.
    pub fn next_sig(&mut self) -> u64 {
        self.signatures += 1;
        self.signatures
    }

    pub fn connected(&self) -> Vec<String> {
        self.core.connected().into_iter().map(|peer| peer.id.to_string()).collect()
    }

    /// The events, as short strings (`"+b"` connected, `"-b"` disconnected, `"left b"`,
    /// `"joined b"`, `"b: text"`, `"signaling closed"`).
    pub fn log(&self) -> Vec<String> {
        self.events.iter().map(describe).collect()
    }
}

fn describe(event: &Event<Msg>) -> String {
    match event {
        Event::Connected(peer) => format!("+{}", peer.id),
        Event::Disconnected { peer, .. } => format!("-{}", peer.id),
        Event::PeerLeft(peer) => format!("left {}", peer.id),
        Event::PeerJoined(peer) => format!("joined {}", peer.id),
        Event::Message { from, message } => format!("{}: {message}", from.id),
        Event::Broadcast { from, message } => format!("{} to all: {message}", from.id),
        Event::SignalingClosed { .. } => "signaling closed".into(),
        Event::SignalingReconnecting { .. } => "reconnecting".into(),
        Event::SignalingReconnected => "reconnected".into(),
    }
}

pub(super) fn offer() -> Step {
    Step::Offer { sdp: "offer".into() }
}
