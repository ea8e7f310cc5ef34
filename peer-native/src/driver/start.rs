//! Joining and the driver's task: the join's handshake, then the loop that waits on
//! the owner's commands, the signaling server, the connections and the machine's timer.

use super::commands::Command;
use super::file_io::FileReport;
use super::{Driver, Rejoined};
use crate::identity::keys::Identity;
use crate::identity::sealing::SealKey;
use crate::signaling::join::{JoinRequest, join};
use crate::signaling::link::SignalingLink;
use crate::transport::types::{ConnectionConfig, Report};
use crate::values::error::PeerError;
use crate::values::events::Events;
use crate::values::options::JoinOptions;
use peer_core::{Backoff, ConnKey, Core, Input};
use signaling_protocol::{PeerInfo, ServerMessage};
use std::collections::{HashMap, VecDeque};
use tokio::sync::mpsc;

/// Joins as `options` say and starts the driver's task: this peer, where its commands
/// go, and its events.
pub(crate) async fn start(
    options: JoinOptions,
) -> Result<(PeerInfo, mpsc::UnboundedSender<Command>, Events), PeerError> {
    let identity = options.identity.clone().unwrap_or_else(Identity::generate);
    let request = JoinRequest {
        url: options.url.clone(),
        room: options.room.clone(),
        name: options.name.clone(),
        secret: options.secret.clone(),
    };
    let joined = join(&request, &identity).await.map_err(PeerError::from)?;
    let seal = match options.passphrase.clone() {
        // 100,000 rounds of PBKDF2: off the runtime's threads.
        Some(words) => {
            let room = options.room.clone();
            let derived = tokio::task::spawn_blocking(move || SealKey::derive(&words, &room));
            Some(derived.await.map_err(|error| PeerError::Transport(error.to_string()))?)
        }
        None => None,
    };
    let (commands, commands_in) = mpsc::unbounded_channel();
    let (events, events_in) = mpsc::unbounded_channel();
    let (reports, reports_in) = mpsc::unbounded_channel();
    let (rejoins, rejoins_in) = mpsc::unbounded_channel();
    let (file_reports, file_reports_in) = mpsc::unbounded_channel();
    let backoff = options.reconnect.then(Backoff::default);
    let mut core = Core::new(joined.me.clone(), joined.roster, rand_session(), backoff);
    if options.prefer_mesh {
        core.prefer_mesh();
    }
    let me = joined.me.clone();
    let driver = Driver {
        me: joined.me,
        room: options.room,
        core,
        identity,
        seal,
        link: Some(joined.link),
        rejoin: options.reconnect.then_some(request),
        config: ConnectionConfig::new(options.bind),
        connections: HashMap::new(),
        lingering: HashMap::new(),
        closers: Vec::new(),
        calls: HashMap::new(),
        next_call: 0,
        pending: VecDeque::new(),
        events,
        reports,
        rejoins,
        download_dir: options.download_dir,
        file_reports,
        origin: tokio::time::Instant::now(),
    };
    tokio::spawn(driver.run(commands_in, reports_in, rejoins_in, file_reports_in));
    Ok((me, commands, Events { receiver: events_in }))
}

/// A random first session number, so two peers rarely use the same numbers.
fn rand_session() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    nanos ^ std::process::id().rotate_left(16)
}

impl Driver {
    /// The driver's loop: until the peer is closed (by a command, or every handle gone).
    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<Command>,
        mut reports: mpsc::UnboundedReceiver<(ConnKey, Report)>,
        mut rejoins: mpsc::UnboundedReceiver<Rejoined>,
        mut file_reports: mpsc::UnboundedReceiver<(ConnKey, FileReport)>,
    ) {
        loop {
            let deadline = self.deadline();
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => self.apply(Input::Close),
                },
                message = next_message(&mut self.link) => self.server_said(message),
                Some((key, report)) = reports.recv() => self.report(key, report),
                Some(rejoined) = rejoins.recv() => self.rejoined(rejoined),
                Some((key, report)) = file_reports.recv() => self.file_report(&key, report),
                () = sleep_until(deadline) => self.wake(),
            }
            if self.core.is_closed() && self.calls.is_empty() {
                break;
            }
        }
        self.linger_on_close(&mut commands, &mut reports).await;
    }

    /// What the server said (`None`: the signaling connection closed).
    fn server_said(&mut self, message: Option<ServerMessage>) {
        let input = match message {
            Some(ServerMessage::PeerJoined { peer }) => Input::PeerJoined(peer),
            Some(ServerMessage::PeerLeft { peer }) => Input::PeerLeft(peer),
            Some(ServerMessage::Signal { from, signal }) => Input::Signal { from, signal },
            Some(ServerMessage::Error { code, message, to }) => {
                Input::Refused { code, message, to }
            }
            // The join's handshake is over; native peers gather no STUN or TURN
            // candidates, so the server's ICE servers are not used.
            Some(
                ServerMessage::Challenge { .. }
                | ServerMessage::Welcome { .. }
                | ServerMessage::IceServers { .. },
            ) => return,
            None => {
                let link = self.link.take();
                let reason = link.as_ref().and_then(SignalingLink::close_reason);
                let reason = reason.unwrap_or_else(|| "the signaling connection closed".into());
                if link.as_ref().is_some_and(SignalingLink::taken_over) {
                    Input::SignalingOver { reason }
                } else {
                    Input::SignalingClosed { reason }
                }
            }
        };
        self.apply(input);
    }

    /// After close: answers what is still asked (the peer is closed), waits (bounded)
    /// for the released connections to send what they queued, then closes the
    /// signaling connection and answers `close()`.
    async fn linger_on_close(
        mut self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
        reports: &mut mpsc::UnboundedReceiver<(ConnKey, Report)>,
    ) {
        commands.close();
        while let Ok(command) = commands.try_recv() {
            self.command(command);
        }
        while !self.lingering.is_empty() {
            let deadline = self.deadline();
            tokio::select! {
                Some((key, report)) = reports.recv() => self.report(key, report),
                () = sleep_until(deadline) => self.wake(),
            }
        }
        if let Some(link) = self.link.take() {
            link.close();
        }
        for closer in self.closers.drain(..) {
            let _ = closer.send(());
        }
    }
}

/// The next message from the server; never, while there is no signaling connection.
async fn next_message(link: &mut Option<SignalingLink>) -> Option<ServerMessage> {
    match link {
        Some(link) => link.recv().await,
        None => std::future::pending().await,
    }
}

/// Sleeps until `deadline`; forever without one.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
