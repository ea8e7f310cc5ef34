//! The driver: one tokio task that owns the machine (`peer-core`), carries out what it
//! asks against the connections, the signaling server and the owner, and feeds it what
//! happens, with the time. Every decision is the machine's; this is I/O.
//!
//! Inputs are applied one at a time and their outputs executed in order. An output whose
//! work answers at once (a signature checked, a connection that cannot start) queues its
//! input behind the outputs being executed, never inside them.

mod channels;
pub(crate) mod commands;
mod execute;
mod file_io;
mod file_names;
mod file_queue;
#[cfg(test)]
mod file_tests;
mod files;
mod signals;
pub(crate) mod start;

use crate::identity::keys::Identity;
use crate::identity::sealing::SealKey;
use crate::signaling::error::SignalingError;
use crate::signaling::join::{JoinRequest, Joined};
use crate::signaling::link::SignalingLink;
use crate::transport::connection::Connection;
use crate::transport::types::{ConnectionConfig, Report};
use crate::values::error::PeerError;
use crate::values::events::PeerEvent;
use crate::values::payload::Payload;
use crate::wire::reading::Reader;
use file_io::FileReport;
use files::Transfers;
use peer_core::{CallId, ConnKey, Core, Input, Instant};
use signaling_protocol::PeerInfo;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A connection the machine started, and the reader of its reliable channel.
struct Live {
    connection: Connection,
    reader: Reader,
    /// The file transfers on its reliable channel.
    files: Transfers,
}

/// What a rejoin attempt, run in a task of its own, comes back with.
type Rejoined = Result<Joined, SignalingError>;

/// One peer's machine and everything it acts on.
pub(crate) struct Driver {
    me: PeerInfo,
    room: String,
    core: Core<Payload>,
    identity: Identity,
    seal: Option<SealKey>,
    /// The signaling connection (`None` while it is down or closed).
    link: Option<SignalingLink>,
    /// How to join again (`None`: rejoining is off).
    rejoin: Option<JoinRequest>,
    config: ConnectionConfig,
    connections: HashMap<ConnKey, Live>,
    /// Released connections letting what they queued go out, until their channel
    /// closes or the time given them runs out.
    lingering: HashMap<ConnKey, (Connection, tokio::time::Instant)>,
    /// Who waits for `close()` to be done.
    closers: Vec<oneshot::Sender<()>>,
    calls: HashMap<CallId, oneshot::Sender<Result<(), PeerError>>>,
    next_call: u64,
    /// Inputs waiting behind the outputs being executed.
    pending: VecDeque<Input<Payload>>,
    events: mpsc::UnboundedSender<PeerEvent>,
    reports: mpsc::UnboundedSender<(ConnKey, Report)>,
    rejoins: mpsc::UnboundedSender<Rejoined>,
    /// Where received files are saved (`None`: offers are refused).
    download_dir: Option<PathBuf>,
    /// What the disk did for file transfers, per connection.
    file_reports: mpsc::UnboundedSender<(ConnKey, FileReport)>,
    /// The machine's clock starts here.
    origin: tokio::time::Instant,
}

impl Driver {
    /// The machine's time now.
    fn now(&self) -> Instant {
        let ms = self.origin.elapsed().as_millis();
        Instant::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    /// Applies `input` and everything it leads to, executing each output in order.
    fn apply(&mut self, input: Input<Payload>) {
        self.queue(input);
        self.drain();
    }

    /// Queues `input` behind the outputs being executed.
    fn queue(&mut self, input: Input<Payload>) {
        self.pending.push_back(input);
    }

    /// Applies the queued inputs, in order, with what they lead to.
    fn drain(&mut self) {
        while let Some(input) = self.pending.pop_front() {
            let now = self.now();
            self.core.apply(input, now);
            self.execute_all();
        }
    }

    /// Lets the machine handle its deadlines, then executes what that asks.
    fn handle_timeout(&mut self) {
        let now = self.now();
        self.core.handle_timeout(now);
        self.execute_all();
        self.drain();
    }

    fn execute_all(&mut self) {
        while let Some(output) = self.core.poll_output() {
            self.execute(output);
        }
    }

    /// When the driver next needs to be woken, on tokio's clock: the machine's next
    /// deadline, a lingering connection's, or a file transfer's.
    fn deadline(&self) -> Option<tokio::time::Instant> {
        let machine = self.core.poll_timeout();
        let machine = machine.map(|at| self.origin + Duration::from_millis(at.as_millis()));
        let lingering = self.lingering.values().map(|(_, until)| *until).min();
        machine.into_iter().chain(lingering).chain(self.files_deadline()).min()
    }

    /// Handles what is due: the machine's deadlines, and lingering connections whose
    /// time ran out (dropped: closed at once), and the file transfers'.
    fn wake(&mut self) {
        let now = tokio::time::Instant::now();
        self.lingering.retain(|_, (_, until)| *until > now);
        self.handle_timeout();
        self.files_wake();
    }
}
