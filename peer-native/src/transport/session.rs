//! One connection's state without I/O: the str0m `Rtc`, its two negotiated channels,
//! the reliable queue, and the reports waiting for the owner. The connection's task
//! feeds it datagrams and the time and carries out what it returns; the handle calls
//! into it to send and to apply signals. Everything here runs under one lock.
//!
//! This file sets the session up and applies signals; `sending` writes frames and
//! `drive` runs str0m.

use super::sdp::{self, DEFAULT_MAX_FRAME};
#[cfg(doc)]
use super::send_queue;
use super::send_queue::SendQueue;
use super::types::Datagram;
#[cfg(doc)]
use super::types::UNRELIABLE_BACKED_UP;
use super::types::{Channel, Report};
use crate::values::stats::ConnectionStats;
use peer_core::{PathState, Role};
use std::net::SocketAddr;
use std::time::Instant;
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::{ChannelConfig, ChannelId, Reliability};
use str0m::config::DtlsCert;
use str0m::{Candidate, Rtc};

/// str0m's buffer for both channels together. Channel 0 stays under
/// [`send_queue::HIGH_WATER_BYTES`] plus one frame and channel 1 under
/// [`UNRELIABLE_BACKED_UP`] plus one frame, so a write that passed those checks always
/// finds room.
const SCTP_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// One WebRTC connection's state.
pub struct Session {
    pub(super) rtc: Rtc,
    /// Channels 0 and 1 once created (at once for the offerer, with the offer's
    /// answer for the answerer).
    pub(super) channels: [Option<ChannelId>; 2],
    /// Which channels str0m reported open.
    pub(super) opened: [bool; 2],
    /// `ChannelOpen` was reported (both open); once.
    pub(super) open_reported: bool,
    /// `ChannelClosed` was reported; once, and nothing is sent after.
    pub(super) closed_reported: bool,
    /// [`Session::close_when_drained`] was called; the channels close once drained.
    pub(super) closing: bool,
    /// Both channels were closed (`ChannelClosing` was reported at the first).
    pub(super) close_sent: bool,
    /// How many of the two channels were closed.
    pub(super) channels_closed: u8,
    /// Our offer (the first, or a restart) waiting for its answer.
    pub(super) pending_offer: Option<SdpPendingOffer>,
    /// *max frame* of the remote's description (65536 until there is one).
    pub(super) max_frame: usize,
    pub(super) queue: SendQueue,
    pub(super) reports: Vec<Report>,
    pub(super) stats: ConnectionStats,
    /// The path state last reported.
    pub(super) path: Option<PathState>,
    /// When the path went down, to report it failed after a while.
    pub(super) down_since: Option<Instant>,
    /// `Failed` was reported: the `Rtc` is disconnected, nothing more happens.
    pub(super) failed: bool,
    /// Datagrams str0m gave out, for the task to send.
    pub(super) outbox: Vec<Datagram>,
    /// When str0m wants its next timeout.
    pub(super) deadline: Instant,
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
    /// A session offering `local` as host candidates and presenting `certificate` (or a
    /// new one); the offerer's offer is reported at once.
    pub fn new(
        role: Role,
        local: &[SocketAddr],
        certificate: Option<DtlsCert>,
        now: Instant,
    ) -> Session {
        let mut builder = Rtc::builder().set_sctp_max_buffered_amount(SCTP_BUFFER_BYTES);
        if let Some(certificate) = certificate {
            builder = builder.set_dtls_cert(certificate);
        }
        let rtc = builder.build(now);
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
            channels_closed: 0,
            outbox: Vec::new(),
            deadline: now,
        };
        for address in local {
            match Candidate::host(*address, "udp") {
                Ok(candidate) => {
                    session.rtc.add_local_candidate(candidate);
                    session.drain(now);
                }
                Err(error) => tracing::debug!(%error, %address, "not a host candidate"),
            }
        }
        if role == Role::Offerer {
            session.offer();
            session.drain(now);
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
        let accepted = self.rtc.sdp_api().accept_offer(offer);
        self.drain(Instant::now());
        match accepted {
            Ok(answer) => {
                self.max_frame = sdp::max_frame_of(sdp);
                self.pending_offer = None;
                if self.channels[0].is_none() {
                    self.create_channels();
                }
                let sdp = answer.to_sdp_string();
                self.reports.push(Report::Outbound(signaling_protocol::Step::Answer { sdp }));
            }
            Err(error) => self.fail(format!("the remote offer does not apply: {error}")),
        }
    }

    /// The answerer's channels, created (unannounced) once the offer is applied.
    fn create_channels(&mut self) {
        let reliable = self.rtc.direct_api().create_data_channel(channel_config(Channel::Reliable));
        self.drain(Instant::now());
        let unreliable =
            self.rtc.direct_api().create_data_channel(channel_config(Channel::Unreliable));
        self.channels = [Some(reliable), Some(unreliable)];
        self.drain(Instant::now());
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
        let accepted = self.rtc.sdp_api().accept_answer(pending, answer);
        self.drain(Instant::now());
        match accepted {
            Ok(()) => self.max_frame = sdp::max_frame_of(sdp),
            Err(error) => self.fail(format!("the remote answer does not apply: {error}")),
        }
    }

    /// Adds a trickled remote candidate; unusable ones are skipped.
    pub fn add_candidate(&mut self, line: &str) {
        if let Some(candidate) = sdp::remote_candidate(line) {
            self.rtc.add_remote_candidate(candidate);
            self.drain(Instant::now());
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
        let applied = api.apply();
        self.drain(Instant::now());
        if let Some((offer, pending)) = applied {
            self.pending_offer = Some(pending);
            let sdp = offer.to_sdp_string();
            self.reports.push(Report::Outbound(signaling_protocol::Step::Restart { sdp }));
        }
    }

    /// *max frame* for this remote.
    pub fn max_frame(&self) -> usize {
        self.max_frame
    }

    /// A copy of the counters.
    pub fn stats(&self) -> ConnectionStats {
        self.stats.clone()
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
}
