//! Running str0m: datagrams and time in, datagrams and reports out, and the ICE
//! `failed` that str0m does not have.

use super::session::Session;
use super::types::Report;
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

/// A datagram for the network.
pub struct Datagram {
    /// The local address (socket) to send from.
    pub source: SocketAddr,
    /// Where to.
    pub destination: SocketAddr,
    /// The bytes.
    pub contents: Vec<u8>,
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
    }

    /// Lets time pass.
    pub fn timeout(&mut self, now: Instant) {
        self.guarded("handling a timeout", |rtc| rtc.handle_input(Input::Timeout(now)));
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

    /// Runs str0m until it waits: returns the datagrams to send and when to call
    /// [`Session::timeout`] next. Reports pile up in [`Session::take_reports`].
    pub fn poll(&mut self, now: Instant, out: &mut Vec<Datagram>) -> Instant {
        self.pump();
        let mut deadline = now + IDLE;
        while self.rtc.is_alive() {
            match self.guarded("polling", Rtc::poll_output) {
                Some(Output::Timeout(at)) => {
                    deadline = deadline.min(at);
                    break;
                }
                Some(Output::Transmit(transmit)) => out.push(Datagram {
                    source: transmit.source,
                    destination: transmit.destination,
                    contents: transmit.contents.into(),
                }),
                Some(Output::Event(event)) => {
                    self.on_event(event, now);
                    // Acknowledged data made room, or a channel opened: refill.
                    self.pump();
                }
                // Failed: the connection is inert now.
                None => break,
            }
        }
        self.check_path(now);
        if !self.rtc.is_alive() && self.open_reported && !self.closed_reported {
            self.closed_reported = true;
            self.reports.push(Report::ChannelClosed);
        }
        match self.down_since {
            Some(since) if self.path == Some(PathState::Down) => deadline.min(since + FAILED_AFTER),
            _ => deadline,
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

    /// Ends the connection at once, telling the remote (SCTP and DTLS close) with
    /// the datagrams returned.
    pub fn close_now(&mut self, out: &mut Vec<Datagram>) {
        if self.rtc.close().is_err() {
            return;
        }
        // Bounded: the close emits a handful of datagrams.
        for _ in 0..64 {
            match self.rtc.poll_output() {
                Ok(Output::Transmit(transmit)) => out.push(Datagram {
                    source: transmit.source,
                    destination: transmit.destination,
                    contents: transmit.contents.into(),
                }),
                Ok(Output::Event(_)) => {}
                Ok(Output::Timeout(_)) | Err(_) => break,
            }
        }
    }
}
