//! One connection's state without I/O: the str0m `Rtc`, its two negotiated channels,
//! the reliable queue, and the reports waiting for the owner. The connection's task
//! feeds it datagrams and the time and carries out what it returns; the handle calls
//! into it to send and to apply signals. Everything here runs under one lock.

use super::sdp::{self, DEFAULT_MAX_FRAME};
use super::send_queue::{self, SendQueue};
use super::types::{Channel, ConnectionStats, Report, TransportError};
use crate::wire::frame::Frame;
use peer_core::{PathState, Role};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::{ChannelConfig, ChannelId, Reliability};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Input, Output, Rtc, RtcError};

/// str0m's buffer for both channels together. Channel 0 stays under
/// [`send_queue::HIGH_WATER_BYTES`] plus one frame and channel 1 under
/// [`UNRELIABLE_BACKED_UP`] plus one frame, so a write that passed those checks always
/// finds room.
const SCTP_BUFFER_BYTES: usize = 4 * 1024 * 1024;
/// An unreliable send is refused while channel 1 holds this much
/// (`docs/PROTOCOL.md`, "The unreliable channel").
pub const UNRELIABLE_BACKED_UP: usize = 1024 * 1024;
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

/// One WebRTC connection's state.
pub struct Session {
    pub(super) rtc: Rtc,
    /// Channels 0 and 1 once created (at once for the offerer, with the offer's
    /// answer for the answerer).
    pub(super) channels: [Option<ChannelId>; 2],
    pub(super) opened: [bool; 2],
    pub(super) open_reported: bool,
    pub(super) closed_reported: bool,
    /// [`Session::close_when_drained`] was called; the channels close once drained.
    closing: bool,
    close_sent: bool,
    pending_offer: Option<SdpPendingOffer>,
    max_frame: usize,
    queue: SendQueue,
    pub(super) reports: Vec<Report>,
    pub(super) stats: ConnectionStats,
    pub(super) path: Option<PathState>,
    pub(super) down_since: Option<Instant>,
    failed: bool,
}

/// The two channels' configurations (`docs/PROTOCOL.md`, "The data channel").
fn channel_config(channel: Channel) -> ChannelConfig {
    match channel {
        Channel::Reliable => ChannelConfig {
            label: "peer-wasm".into(),
            ordered: true,
            reliability: Reliability::Reliable,
            negotiated: Some(0),
            protocol: String::new(),
        },
        Channel::Unreliable => ChannelConfig {
            label: "peer-wasm-unreliable".into(),
            ordered: false,
            reliability: Reliability::MaxRetransmits { retransmits: 0 },
            negotiated: Some(1),
            protocol: String::new(),
        },
    }
}

impl Session {
    /// A session offering `local` as host candidates; the offerer's offer is reported
    /// at once.
    pub fn new(role: Role, local: &[SocketAddr], now: Instant) -> Session {
        let rtc = Rtc::builder().set_sctp_max_buffered_amount(SCTP_BUFFER_BYTES).build(now);
        let mut session = Session {
            rtc,
            channels: [None, None],
            opened: [false, false],
            open_reported: false,
            closed_reported: false,
            closing: false,
            close_sent: false,
            pending_offer: None,
            max_frame: DEFAULT_MAX_FRAME,
            queue: SendQueue::default(),
            reports: Vec::new(),
            stats: ConnectionStats::default(),
            path: None,
            down_since: None,
            failed: false,
        };
        for address in local {
            match Candidate::host(*address, "udp") {
                Ok(candidate) => {
                    session.rtc.add_local_candidate(candidate);
                }
                Err(error) => tracing::debug!(%error, %address, "not a host candidate"),
            }
        }
        if role == Role::Offerer {
            session.offer();
        }
        session
    }

    /// Creates the first offer, with both channels and the application m-line.
    fn offer(&mut self) {
        let mut api = self.rtc.sdp_api();
        let reliable = api.add_channel_with_config(channel_config(Channel::Reliable));
        let unreliable = api.add_channel_with_config(channel_config(Channel::Unreliable));
        self.channels = [Some(reliable), Some(unreliable)];
        match api.apply() {
            Some((offer, pending)) => {
                self.pending_offer = Some(pending);
                let sdp = offer.to_sdp_string();
                self.reports.push(Report::Outbound(signaling_protocol::Step::Offer { sdp }));
            }
            None => self.fail("str0m made no offer for the data channels".into()),
        }
    }

    /// Applies a remote offer (a first one, or an ICE restart) and reports the answer.
    pub fn accept_offer(&mut self, sdp: &str) {
        let offer = match SdpOffer::from_sdp_string(sdp) {
            Ok(offer) => offer,
            Err(error) => return self.fail(format!("the remote offer does not parse: {error}")),
        };
        match self.rtc.sdp_api().accept_offer(offer) {
            Ok(answer) => {
                self.max_frame = sdp::max_frame_of(sdp);
                self.pending_offer = None;
                if self.channels[0].is_none() {
                    let mut api = self.rtc.direct_api();
                    let reliable = api.create_data_channel(channel_config(Channel::Reliable));
                    let unreliable = api.create_data_channel(channel_config(Channel::Unreliable));
                    self.channels = [Some(reliable), Some(unreliable)];
                }
                let sdp = answer.to_sdp_string();
                self.reports.push(Report::Outbound(signaling_protocol::Step::Answer { sdp }));
            }
            Err(error) => self.fail(format!("the remote offer does not apply: {error}")),
        }
    }

    /// Applies the answer to our pending offer; one with no offer waiting is stale.
    pub fn accept_answer(&mut self, sdp: &str) {
        let Some(pending) = self.pending_offer.take() else {
            tracing::debug!("an answer with no offer of ours waiting: dropped");
            return;
        };
        let answer = match SdpAnswer::from_sdp_string(sdp) {
            Ok(answer) => answer,
            Err(error) => return self.fail(format!("the remote answer does not parse: {error}")),
        };
        match self.rtc.sdp_api().accept_answer(pending, answer) {
            Ok(()) => self.max_frame = sdp::max_frame_of(sdp),
            Err(error) => self.fail(format!("the remote answer does not apply: {error}")),
        }
    }

    /// Adds a trickled remote candidate; unusable ones are skipped.
    pub fn add_candidate(&mut self, line: &str) {
        if let Some(candidate) = sdp::remote_candidate(line) {
            self.rtc.add_remote_candidate(candidate);
        }
    }

    /// Starts an ICE restart and reports its offer; ignored while an offer of ours
    /// waits for its answer (the first one, or a previous restart).
    pub fn restart_ice(&mut self) {
        if self.pending_offer.is_some() || self.failed {
            tracing::debug!("no ICE restart while an offer waits for its answer");
            return;
        }
        let mut api = self.rtc.sdp_api();
        api.ice_restart(true);
        if let Some((offer, pending)) = api.apply() {
            self.pending_offer = Some(pending);
            let sdp = offer.to_sdp_string();
            self.reports.push(Report::Outbound(signaling_protocol::Step::Restart { sdp }));
        }
    }

    /// *max frame* for this remote.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// Queues a frame on channel 0 or writes it to channel 1 at once.
    pub fn send(&mut self, channel: Channel, frame: Frame) -> Result<(), TransportError> {
        let size = send_queue::frame_len(&frame);
        if size == 0 {
            return Err(TransportError::Empty);
        }
        if size > self.max_frame {
            return Err(TransportError::TooLarge { size, max: self.max_frame });
        }
        if self.closing || self.closed_reported || self.failed {
            return Err(TransportError::NotOpen);
        }
        match channel {
            Channel::Reliable if self.queue.is_full() => Err(TransportError::QueueFull),
            Channel::Reliable => {
                self.queue.push(frame);
                Ok(())
            }
            Channel::Unreliable => self.send_unreliable(&frame),
        }
    }

    fn send_unreliable(&mut self, frame: &Frame) -> Result<(), TransportError> {
        if !self.open_reported {
            return Err(TransportError::NotOpen);
        }
        if self.sctp_buffered(Channel::Unreliable) >= UNRELIABLE_BACKED_UP {
            return Err(TransportError::BackedUp);
        }
        match self.write(Channel::Unreliable, frame) {
            Ok(true) => Ok(()),
            Ok(false) => Err(TransportError::BackedUp),
            Err(error) => {
                tracing::debug!(%error, "unreliable write refused");
                Err(TransportError::NotOpen)
            }
        }
    }

    /// Writes one frame to str0m: `false` when its buffer has no room.
    fn write(&mut self, channel: Channel, frame: &Frame) -> Result<bool, RtcError> {
        let Some(id) = self.channels[channel.stream_id() as usize] else { return Ok(false) };
        let Some(mut handle) = self.rtc.channel(id) else { return Ok(false) };
        let (binary, bytes) = match frame {
            Frame::Text(text) => (false, text.as_bytes()),
            Frame::Binary(bytes) => (true, bytes.as_slice()),
        };
        let written = handle.write(binary, bytes)?;
        if written {
            self.stats.messages_sent += 1;
            self.stats.bytes_sent += bytes.len() as u64;
        }
        Ok(written)
    }

    /// Bytes in str0m's buffer for `channel`.
    fn sctp_buffered(&mut self, channel: Channel) -> usize {
        let Some(id) = self.channels[channel.stream_id() as usize] else { return 0 };
        self.rtc.channel(id).map_or(0, |mut handle| handle.buffered_amount())
    }

    /// What waits to go out on `channel`: queued here plus in str0m's buffer.
    pub fn buffered_amount(&mut self, channel: Channel) -> usize {
        let queued = match channel {
            Channel::Reliable => self.queue.queued_bytes(),
            Channel::Unreliable => 0,
        };
        queued + self.sctp_buffered(channel)
    }

    /// Closes both channels once the queue and str0m's buffer for channel 0 are empty.
    pub fn close_when_drained(&mut self) {
        self.closing = true;
    }

    /// A copy of the counters.
    pub fn stats(&self) -> ConnectionStats {
        self.stats.clone()
    }

    /// Hands queued frames to str0m while channel 0 is under its high-water mark, then
    /// closes the channels if asked and drained.
    fn pump(&mut self) {
        while self.open_reported && !self.failed {
            let Some(frame) = self.queue.front().cloned() else { break };
            if self.sctp_buffered(Channel::Reliable) >= send_queue::HIGH_WATER_BYTES {
                break;
            }
            match self.write(Channel::Reliable, &frame) {
                Ok(true) => {
                    self.queue.pop();
                }
                Ok(false) => break,
                Err(error) => return self.fail(format!("writing to the data channel: {error}")),
            }
        }
        let drained = self.queue.is_empty() && self.sctp_buffered(Channel::Reliable) == 0;
        if self.closing && !self.close_sent && self.open_reported && drained {
            self.close_sent = true;
            let mut api = self.rtc.direct_api();
            for id in self.channels.iter().flatten() {
                api.close_data_channel(*id);
            }
            self.reports.push(Report::ChannelClosing);
        }
    }

    /// Records a failure: reported once, then the connection goes inert.
    pub(super) fn fail(&mut self, reason: String) {
        if self.failed {
            return;
        }
        tracing::debug!(%reason, "connection failed");
        self.failed = true;
        self.reports.push(Report::Failed(reason));
        self.rtc.disconnect();
    }

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
        self.stats.remote = Some(source);
        if let Err(error) = self.rtc.handle_input(Input::Receive(now, receive)) {
            self.fail(format!("str0m refused a datagram: {error}"));
        }
    }

    /// Lets time pass.
    pub fn timeout(&mut self, now: Instant) {
        if let Err(error) = self.rtc.handle_input(Input::Timeout(now)) {
            self.fail(format!("str0m failed on a timeout: {error}"));
        }
    }

    /// Runs str0m until it waits: returns the datagrams to send and when to call
    /// [`Session::timeout`] next. Reports pile up in [`Session::take_reports`].
    pub fn poll(&mut self, now: Instant, out: &mut Vec<Datagram>) -> Instant {
        self.pump();
        let mut deadline = now + IDLE;
        while self.rtc.is_alive() {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    deadline = deadline.min(at);
                    break;
                }
                Ok(Output::Transmit(transmit)) => out.push(Datagram {
                    source: transmit.source,
                    destination: transmit.destination,
                    contents: transmit.contents.into(),
                }),
                Ok(Output::Event(event)) => {
                    self.on_event(event, now);
                    // Acknowledged data made room, or a channel opened: refill.
                    self.pump();
                }
                Err(error) => self.fail(format!("str0m failed: {error}")),
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

    /// The reports gathered since the last call, oldest first.
    pub fn take_reports(&mut self) -> Vec<Report> {
        std::mem::take(&mut self.reports)
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
