//! A simulated room for several [`Core`]s: a signaling server that delivers joins,
//! leaves and signals (and can go down and come back), and a network whose connections
//! open a little after their offer and answer are applied and carry mesh frames,
//! heartbeats, messages and file transfers (each end with its own files machine,
//! `files.rs`). Time is simulated: when nothing is left to deliver now, it
//! jumps to the next delivery or the earliest `poll_timeout()` of the peers (quinn-proto's
//! `tests/util.rs` `Pair`, str0m's `tests/common.rs` `progress`). Deterministic: no
//! sleeps, no threads, no randomness beyond the sessions each peer starts from.

mod faults;
mod files;
mod outputs;

pub use files::BYTES_PER_MS;
use files::FileSide;
use peer_core::files::{FileFrame, Files};
use peer_core::{Backoff, CallId, ConnKey, Core, CoreError, Event, Input, Instant};
use signaling_protocol::{KEY_CHARS, PeerId, PeerInfo, peer_id_for};

/// A message, as the tests tag it.
pub type Msg = &'static str;

/// How long a signal or a frame takes from one peer to another.
pub const LATENCY_MS: u64 = 20;
/// How long a connection takes to open once its offer and answer are applied.
pub const OPEN_DELAY_MS: u64 = 150;

/// One peer of the room.
pub struct Peer {
    pub info: PeerInfo,
    pub core: Core<Msg>,
    /// Its events, with the time each came.
    pub events: Vec<(Instant, Event<Msg>)>,
    pub settled: Vec<(CallId, Result<(), CoreError>)>,
    /// On the server now (its signaling connection is up).
    pub on_server: bool,
    /// Its tab crashed: it does nothing more, and nothing reaches it.
    pub crashed: bool,
    next_call: u64,
}

/// One end of a simulated connection.
pub(crate) struct End {
    pub owner: usize,
    pub key: ConnKey,
    /// Its data channel reported open.
    pub open: bool,
    /// The files machine of this connection, and what its driver holds.
    pub files: Files<Vec<u8>>,
    pub(crate) side: FileSide,
}

impl End {
    /// Peer `owner`'s new end of `key`, taking files.
    pub(crate) fn new(owner: usize, key: ConnKey) -> Self {
        let mut files = Files::new();
        files.set_accepting(true);
        Self { owner, key, open: false, files, side: FileSide::default() }
    }
}

/// Something on its way to a peer.
struct Delivery {
    at: Instant,
    /// Orders deliveries due at the same time as they were sent.
    seq: u64,
    to: usize,
    what: Arrival,
}

/// What arrives: an input for the peer's machine, or, for the files machine of one of
/// its connections, a frame from the channel or the news that its send queue drained.
enum Arrival {
    Input(Input<Msg>),
    File { key: ConnKey, frame: FileFrame<Vec<u8>> },
    Drained { key: ConnKey },
}

/// The room, the network and the time.
pub struct Sim {
    pub now: Instant,
    pub peers: Vec<Peer>,
    /// The signaling server is up.
    pub server_up: bool,
    pub(crate) ends: Vec<End>,
    in_flight: Vec<Delivery>,
    seq: u64,
    /// Signing times, unique so no two signals look like a replay.
    signed: u64,
    /// ICE restarts begun, by any peer.
    pub restarts: usize,
    /// Signals sent through the mesh, by any peer.
    pub relayed: usize,
}

impl Sim {
    /// A room where `names` joined in that order, each knowing the ones before it (and
    /// told of the later ones as they join).
    pub fn new(names: &[&str]) -> Self {
        let mut sim = Self {
            now: Instant::default(),
            peers: Vec::new(),
            server_up: true,
            ends: Vec::new(),
            in_flight: Vec::new(),
            seq: 0,
            signed: 0,
            restarts: 0,
            relayed: 0,
        };
        for (n, name) in names.iter().enumerate() {
            let info = keyed(name);
            let roster = sim.peers.iter().map(|peer| peer.info.clone()).collect();
            let first_session = 1000 * (n as u32 + 1);
            let core = Core::new(info.clone(), roster, first_session, Some(Backoff::default()));
            for other in 0..sim.peers.len() {
                sim.apply(other, Input::PeerJoined(info.clone()));
            }
            sim.peers.push(Peer {
                info,
                core,
                events: Vec::new(),
                settled: Vec::new(),
                on_server: true,
                crashed: false,
                next_call: 0,
            });
        }
        sim
    }

    /// The index of the peer `name`.
    pub fn peer(&self, name: &str) -> usize {
        self.peers.iter().position(|peer| peer.info.name == name).expect("a peer")
    }

    /// The id of the peer `name`.
    pub fn id(&self, name: &str) -> PeerId {
        self.peers[self.peer(name)].info.id.clone()
    }

    /// `from` calls `connect(to)`.
    pub fn connect(&mut self, from: &str, to: &str) -> CallId {
        let (at, to) = (self.peer(from), self.id(to));
        let peer = &mut self.peers[at];
        peer.next_call += 1;
        let call = CallId(peer.next_call);
        self.apply(at, Input::Connect { peer: to, call });
        call
    }

    /// What `call` of `name` returned, if it was answered.
    pub fn result(&self, name: &str, call: CallId) -> Option<&Result<(), CoreError>> {
        let settled = &self.peers[self.peer(name)].settled;
        settled.iter().find(|(done, _)| *done == call).map(|(_, result)| result)
    }

    /// The names of the peers `name` counts as connected.
    pub fn connected(&self, name: &str) -> Vec<String> {
        let core = &self.peers[self.peer(name)].core;
        core.connected().into_iter().map(|peer| peer.name).collect()
    }

    /// `from` sends `message` on its open channel to `to` (it arrives as a message).
    pub fn send(&mut self, from: &str, to: &str, message: Msg) {
        let key = self.peers[self.peer(from)].core.open_key(&self.id(to)).expect("open");
        if let Some(remote) = self.remote_end(self.peer(from), &key) {
            let key = self.ends[remote].key.clone();
            self.deliver(self.ends[remote].owner, LATENCY_MS, Input::Received { key, message });
        }
    }

    /// Runs until `done` holds (panics after `limit_ms` of simulated time): what is
    /// due now is delivered, then time jumps to the next thing due.
    pub fn run_until(&mut self, limit_ms: u64, mut done: impl FnMut(&Sim) -> bool) {
        let limit = Instant::from_millis(self.now.as_millis() + limit_ms);
        while !done(self) {
            assert!(self.step(), "nothing left to happen");
            assert!(self.now <= limit, "not done within {limit_ms} ms");
        }
    }

    /// Runs for `ms` of simulated time.
    pub fn run_for(&mut self, ms: u64) {
        let end = Instant::from_millis(self.now.as_millis() + ms);
        while self.next_due().is_some_and(|at| at <= end) {
            self.step();
        }
        self.now = end;
    }

    /// Delivers the earliest thing due, or handles the earliest deadline; whether
    /// anything was left to happen.
    fn step(&mut self) -> bool {
        let Some(at) = self.next_due() else { return false };
        self.now = self.now.max(at);
        let first = self.in_flight.iter().enumerate().min_by_key(|(_, d)| (d.at, d.seq));
        if let Some((index, _)) = first.filter(|(_, delivery)| delivery.at <= self.now) {
            let delivery = self.in_flight.remove(index);
            match delivery.what {
                Arrival::Input(input) => self.apply(delivery.to, input),
                Arrival::File { key, frame } => self.file_frame(delivery.to, &key, frame),
                Arrival::Drained { key } => self.file_queue_drained(delivery.to, &key),
            }
            return true;
        }
        for at in 0..self.peers.len() {
            let peer = &mut self.peers[at];
            if !peer.crashed && peer.core.poll_timeout().is_some_and(|due| due <= self.now) {
                peer.core.handle_timeout(self.now);
                self.drain(at);
            }
        }
        self.file_deadlines();
        true
    }

    /// When the next delivery or deadline is due.
    fn next_due(&self) -> Option<Instant> {
        let deliveries = self.in_flight.iter().map(|delivery| delivery.at);
        let live = self.peers.iter().filter(|peer| !peer.crashed);
        let deadlines = live.filter_map(|peer| peer.core.poll_timeout());
        let files = self.ends.iter().filter(|end| !self.peers[end.owner].crashed);
        let file_deadlines = files.filter_map(|end| end.files.poll_timeout());
        deliveries.chain(deadlines).chain(file_deadlines).min()
    }

    /// Applies `input` to peer `at` now and acts on what it says.
    fn apply(&mut self, at: usize, input: Input<Msg>) {
        if self.peers[at].crashed {
            return;
        }
        if std::env::var_os("SIM_TRACE").is_some() {
            eprintln!("{} {} <- {input:?}", self.now.as_millis(), self.peers[at].info.name);
        }
        self.peers[at].core.apply(input, self.now);
        self.drain(at);
    }

    /// Sends `input` to peer `to`, arriving `delay_ms` from now.
    pub(crate) fn deliver(&mut self, to: usize, delay_ms: u64, input: Input<Msg>) {
        self.arrive(to, delay_ms, Arrival::Input(input));
    }

    fn arrive(&mut self, to: usize, delay_ms: u64, what: Arrival) {
        self.seq += 1;
        let at = Instant::from_millis(self.now.as_millis() + delay_ms);
        self.in_flight.push(Delivery { at, seq: self.seq, to, what });
    }

    /// A fresh signing time.
    pub(crate) fn sign(&mut self) -> u64 {
        self.signed += 1;
        self.signed
    }

    /// The end of the connection facing `key` of peer `owner`: the remote's end of the
    /// same session, its latest.
    pub(crate) fn remote_end(&self, owner: usize, key: &ConnKey) -> Option<usize> {
        let remote = self.peers.iter().position(|peer| peer.info.id == key.peer)?;
        let me = &self.peers[owner].info.id;
        let ends = self.ends.iter().enumerate().filter(|(_, end)| {
            end.owner == remote && end.key.peer == *me && end.key.session == key.session
        });
        ends.max_by_key(|(_, end)| end.key.serial).map(|(index, _)| index)
    }

    /// The events of `name`, as short strings (`"+b"`, `"-b"`, `"left b"`, ...), by name.
    pub fn log(&self, name: &str) -> Vec<String> {
        self.peers[self.peer(name)].events.iter().map(|(_, event)| describe(event)).collect()
    }
}

/// The peer `name`, with a key of the proper shape and the id that key gives (the only
/// keys the machine trusts a signature with); the key is never used to sign here.
fn keyed(name: &str) -> PeerInfo {
    let mut key = format!("B{name}");
    key.extend(std::iter::repeat_n('A', KEY_CHARS - key.len()));
    PeerInfo { key: Some(key.clone()), ..PeerInfo::new(peer_id_for(&key), name) }
}

fn describe(event: &Event<Msg>) -> String {
    match event {
        Event::Connected(peer) => format!("+{}", peer.name),
        Event::Disconnected { peer, .. } => format!("-{}", peer.name),
        Event::PeerLeft(peer) => format!("left {}", peer.name),
        Event::PeerJoined(peer) => format!("joined {}", peer.name),
        Event::Message { from, message } => format!("{}: {message}", from.name),
        Event::Broadcast { from, message } => format!("{} to all: {message}", from.name),
        Event::SignalingClosed { .. } => "signaling closed".into(),
        Event::SignalingReconnecting { .. } => "reconnecting".into(),
        Event::SignalingReconnected => "reconnected".into(),
    }
}
