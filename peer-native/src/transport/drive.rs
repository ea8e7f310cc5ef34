//! Running str0m: datagrams and time in; datagrams, reports and the next deadline
//! out; and the ICE `failed` that str0m does not have.
//!
//! str0m's contract: every mutation of the `Rtc` is followed by polling its output
//! until `Output::Timeout`, before the next mutation. Every method of the session that
//! changes str0m ends with [`Session::drain`], under the same lock, and the drain feeds
//! queued frames one write at a time, polling after each.

use super::session::Session;
use super::types::{Datagram, Report};
use peer_core::PathState;
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};
use str0m::net::{Protocol, Receive};
use str0m::{Input, Output, Rtc, RtcError};

/// str0m never reports ICE `failed` (more candidates may always come); a path down
/// this long is reported as failed, as a browser would.
const FAILED_AFTER: Duration = Duration::from_secs(10);
/// How long to sleep when nothing is due (str0m's "never" is far in the future).
const IDLE: Duration = Duration::from_secs(1);

/// What the task carries out after a drain.
pub struct Drained {
    /// When to call [`Session::timeout`] next.
    pub deadline: Instant,
    /// Datagrams to send.
    pub datagrams: Vec<Datagram>,
    /// Reports for the owner, oldest first.
    pub reports: Vec<Report>,
}

impl Session {
    /// Feeds a datagram that arrived on `destination` (one of our sockets).
    pub fn receive(
        &mut self,
        now: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        bytes: &[u8],
    ) {
        // Anything that is not STUN, DTLS, RTP or RTCP is not for us.
        let Ok(receive) = Receive::new(Protocol::Udp, source, destination, bytes) else { return };
        let input = Input::Receive(now, receive);
        // Only STUN with our credentials, or anything from an address ICE checked: a
        // stranger's datagrams on our port must not reach DTLS, where an error fails
        // the connection.
        if !self.rtc.accepts(&input) {
            tracing::trace!(%source, "datagram from an unknown source dropped");
            return;
        }
        self.stats.remote = Some(source);
        self.guarded("handling a datagram", |rtc| rtc.handle_input(input));
        self.drain(now);
    }

    /// Lets time pass.
    pub fn timeout(&mut self, now: Instant) {
        self.guarded("handling a timeout", |rtc| rtc.handle_input(Input::Timeout(now)));
        self.drain(now);
    }

    /// Runs `step` on str0m; an error, or a panic (str0m has asserts on what it
    /// parsed), fails the connection instead of taking the task down silently.
    fn guarded<T>(
        &mut self,
        what: &str,
        step: impl FnOnce(&mut Rtc) -> Result<T, RtcError>,
    ) -> Option<T> {
        let rtc = &mut self.rtc;
        match panic::catch_unwind(AssertUnwindSafe(|| step(rtc))) {
            Ok(Ok(value)) => Some(value),
            Ok(Err(error)) => {
                self.fail(format!("str0m failed {what}: {error}"));
                None
            }
            Err(_) => {
                self.fail(format!("str0m panicked {what}"));
                None
            }
        }
    }

    /// Polls str0m until it waits, then does the next sending step (a queued frame,
    /// a close) and polls again, until nothing is due. Datagrams and reports wait in
    /// the session for [`Session::take_drained`].
    pub(super) fn drain(&mut self, now: Instant) {
        loop {
            self.poll_until_timeout(now);
            if !self.send_step() {
                break;
            }
        }
        self.check_path(now);
        if !self.rtc.is_alive() && self.open_reported && !self.closed_reported {
            self.closed_reported = true;
            self.reports.push(Report::ChannelClosed);
        }
    }

    fn poll_until_timeout(&mut self, now: Instant) {
        while self.rtc.is_alive() {
            match self.guarded("polling", Rtc::poll_output) {
                Some(Output::Timeout(at)) => {
                    self.deadline = at;
                    return;
                }
                Some(Output::Transmit(transmit)) => self.outbox.push(Datagram {
                    source: transmit.source,
                    destination: transmit.destination,
                    contents: transmit.contents.into(),
                }),
                Some(Output::Event(event)) => self.on_event(event, now),
                // Failed: the connection is inert now.
                None => return,
            }
        }
    }

    /// Reports a path down for [`FAILED_AFTER`] as failed.
    fn check_path(&mut self, now: Instant) {
        if let Some(since) = self.down_since
            && self.path == Some(PathState::Down)
            && now >= since + FAILED_AFTER
        {
            self.path = Some(PathState::Failed);
            self.reports.push(Report::Path(PathState::Failed));
        }
    }

    /// What the last drains left for the task, and when to wake it next.
    pub fn take_drained(&mut self, now: Instant) -> Drained {
        let mut deadline = self.deadline.min(now + IDLE);
        if let Some(since) = self.down_since
            && self.path == Some(PathState::Down)
        {
            deadline = deadline.min(since + FAILED_AFTER);
        }
        Drained {
            deadline,
            datagrams: std::mem::take(&mut self.outbox),
            reports: std::mem::take(&mut self.reports),
        }
    }

    /// Ends the connection at once, telling the remote (SCTP and DTLS close) with
    /// the datagrams returned.
    pub fn close_now(&mut self) -> Vec<Datagram> {
        if self.rtc.close().is_ok() {
            self.poll_until_timeout(Instant::now());
        }
        std::mem::take(&mut self.outbox)
    }
}
