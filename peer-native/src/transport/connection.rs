//! The handle of one WebRTC connection: starts its task, applies the remote's
//! signals, sends frames, and ends the task when dropped.

use super::sdp;
use super::session::Session;
use super::task::{self, Shared};
use super::types::{Channel, ConnectionConfig, Report, TransportError};
use crate::values::stats::ConnectionStats;
use crate::wire::frame::Frame;
use peer_core::Role;
use signaling_protocol::Step;
use std::sync::Arc;
use std::time::Instant;
use tokio::task::JoinHandle;

/// One WebRTC connection (str0m) with its two negotiated data channels, run by its own
/// tokio task. What happens is told to the `reports` callback given to
/// [`Connection::start`], in order, from that task.
pub struct Connection {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Connection {
    /// Binds the sockets and starts the task. The offerer's offer is the first report;
    /// the answerer waits for [`Connection::apply`] with the remote's offer. Must be
    /// called inside a tokio runtime.
    pub fn start(
        role: Role,
        config: &ConnectionConfig,
        reports: impl Fn(Report) + Send + 'static,
    ) -> Result<Connection, TransportError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| TransportError::NoRuntime)?;
        let addresses = if config.bind.is_empty() {
            sdp::default_host_addresses()
        } else {
            config.bind.clone()
        };
        // Tokio sockets register with the runtime that is current when they are made.
        let shared = {
            let _entered = runtime.enter();
            task::open(&addresses, |locals| {
                Session::new(role, locals, config.certificate.clone(), Instant::now())
            })?
        };
        let shared = Arc::new(shared);
        let task = runtime.spawn(task::run(Arc::clone(&shared), reports));
        Ok(Connection { shared, task })
    }

    /// Applies a step of the remote: an offer or restart offer (answered with an
    /// `Outbound(Step::Answer)`), the answer to ours, or a trickled candidate. Other
    /// steps are not the connection's and are ignored.
    pub fn apply(&self, step: Step) {
        {
            let mut session = self.shared.lock();
            match step {
                Step::Offer { sdp } | Step::Restart { sdp } => session.accept_offer(&sdp),
                Step::Answer { sdp } => session.accept_answer(&sdp),
                Step::Candidate { candidate, .. } => session.add_candidate(&candidate),
                _ => return,
            }
        }
        self.shared.wake.notify_one();
    }

    /// Sends a frame: queued in order on the reliable channel, written at once on the
    /// unreliable one. Refused when over [`Connection::max_frame`], when the reliable
    /// queue is full, when the unreliable channel holds 1 MiB or more, and on a closed
    /// connection.
    pub fn send(&self, channel: Channel, frame: Frame) -> Result<(), TransportError> {
        self.shared.lock().send(channel, frame)?;
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Bytes waiting to go out on `channel` (queued here and in str0m's buffer).
    pub fn buffered_amount(&self, channel: Channel) -> usize {
        self.shared.lock().buffered_amount(channel)
    }

    /// The largest frame the remote takes: min(its `max-message-size`, 262144), 65536
    /// until its description says otherwise.
    pub fn max_frame(&self) -> usize {
        self.shared.lock().max_frame()
    }

    /// Starts an ICE restart: reports `Outbound(Step::Restart { .. })`, to be answered
    /// by the remote's `answer`. Ignored while an offer of ours waits for its answer.
    pub fn restart_ice(&self) {
        self.shared.lock().restart_ice();
        self.shared.wake.notify_one();
    }

    /// Closes both channels once everything queued went out (reported as
    /// `ChannelClosing`, then `ChannelClosed` when the close completed); refuses new
    /// frames from now on.
    pub fn close_when_drained(&self) {
        self.shared.lock().close_when_drained();
        self.shared.wake.notify_one();
    }

    /// What went through the connection so far.
    pub fn stats(&self) -> ConnectionStats {
        self.shared.lock().stats()
    }

    /// The local addresses offered as host candidates (one socket each).
    pub fn local_addresses(&self) -> Vec<std::net::SocketAddr> {
        self.shared.locals()
    }
}

impl Drop for Connection {
    /// Ends the task and tells the remote (SCTP abort, DTLS close) on a best-effort
    /// basis; the sockets close with the last reference.
    fn drop(&mut self) {
        self.task.abort();
        let datagrams = self.shared.lock().close_now();
        self.shared.transmit(datagrams.into_iter());
    }
}
