//! One WebRTC connection to one remote peer: its `RTCPeerConnection`, its data channel,
//! the handlers it owns, and the task that negotiates it.
//!
//! The handlers only forward into the peer's input channel; they capture a sender and
//! the remote's id, never the peer itself, so there are no reference cycles. Dropping a
//! [`Connection`] unsets every handler, stops its negotiation task and closes the
//! channel and the connection.

use crate::driver::{ConnEvent, Input};
use crate::framing::{self, Frame, Reassembler};
use crate::negotiation::{Role, negotiate};
use crate::send_queue::SendQueue;
use crate::signaling::SignalingTransport;
use crate::{PeerError, log};
use futures_channel::mpsc::{self, UnboundedSender};
use futures_util::future::{AbortHandle, Abortable};
use signaling_protocol::{PeerId, Signal};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    Event, MessageEvent, RtcDataChannel, RtcDataChannelInit, RtcDataChannelType, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcPeerConnectionState,
};

/// Label of the one data channel each connection carries.
const CHANNEL_LABEL: &str = "peer-wasm";

/// Where a connection's handlers report to: the peer's input channel, tagged with the
/// remote's id and this connection's generation (so events of a replaced connection
/// are recognised as stale).
#[derive(Clone)]
pub(crate) struct Reporter {
    inputs: UnboundedSender<Input>,
    peer: PeerId,
    generation: u64,
}

impl Reporter {
    /// A reporter for the connection `generation` to `peer`.
    pub(crate) fn new(inputs: UnboundedSender<Input>, peer: PeerId, generation: u64) -> Self {
        Self { inputs, peer, generation }
    }

    /// The remote peer this reporter speaks for.
    pub(crate) fn peer(&self) -> &PeerId {
        &self.peer
    }

    /// Posts one event; dropped silently once the peer is gone.
    pub(crate) fn report(&self, event: ConnEvent) {
        let input = Input::Conn { peer: self.peer.clone(), generation: self.generation, event };
        let _ = self.inputs.unbounded_send(input);
    }
}

/// A live connection to one remote peer.
pub(crate) struct Connection {
    pc: RtcPeerConnection,
    channel: RtcDataChannel,
    queue: Rc<RefCell<SendQueue>>,
    /// The remote's largest accepted message, read once the channel is open.
    max_frame: Cell<Option<usize>>,
    /// Remote signals, handed in order to the negotiation task.
    signals: UnboundedSender<Signal>,
    negotiation: AbortHandle,
    reporter: Reporter,
    _on_ice_candidate: Closure<dyn FnMut(RtcPeerConnectionIceEvent)>,
    _on_state_change: Closure<dyn FnMut(Event)>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_buffered_low: Closure<dyn FnMut(Event)>,
}

impl Connection {
    /// Creates the connection and starts negotiating it: as [`Role::Offerer`] it sends
    /// an offer at once; as [`Role::Answerer`] it waits for the offer passed to
    /// [`Connection::deliver`].
    pub(crate) fn start(
        role: Role,
        reporter: Reporter,
        signaling: Rc<dyn SignalingTransport>,
    ) -> Result<Self, PeerError> {
        // No ICE servers: host candidates reach other tabs and hosts on the same network.
        let pc = RtcPeerConnection::new().map_err(PeerError::browser)?;
        // Both sides create the same pre-negotiated channel (id 0), so neither waits for
        // `ondatachannel` and the roles differ only in who sends the offer.
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(0);
        init.set_ordered(true);
        let channel = pc.create_data_channel_with_data_channel_dict(CHANNEL_LABEL, &init);
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);

        let on_ice_candidate = {
            let reporter = reporter.clone();
            Closure::<dyn FnMut(_)>::new(move |event: RtcPeerConnectionIceEvent| {
                // A null candidate only marks the end of gathering.
                if let Some(candidate) = event.candidate() {
                    reporter.report(ConnEvent::LocalCandidate(Signal::Candidate {
                        candidate: candidate.candidate(),
                        sdp_mid: candidate.sdp_mid(),
                        sdp_m_line_index: candidate.sdp_m_line_index(),
                    }));
                }
            })
        };
        let on_state_change = {
            let reporter = reporter.clone();
            let pc = pc.clone();
            Closure::<dyn FnMut(_)>::new(move |_: Event| {
                if pc.connection_state() == RtcPeerConnectionState::Failed {
                    reporter.report(ConnEvent::Failed("ICE failed".into()));
                }
            })
        };
        let on_open = {
            let reporter = reporter.clone();
            Closure::<dyn FnMut(_)>::new(move |_: Event| reporter.report(ConnEvent::Open))
        };
        let on_close = {
            let reporter = reporter.clone();
            Closure::<dyn FnMut(_)>::new(move |_: Event| reporter.report(ConnEvent::Closed))
        };
        let on_message = {
            let reporter = reporter.clone();
            let mut reassembler = Reassembler::default();
            Closure::<dyn FnMut(_)>::new(move |event: MessageEvent| {
                match reassembler.push(event.data()) {
                    Ok(Some(payload)) => reporter.report(ConnEvent::Message(payload)),
                    Ok(None) => {}
                    Err(error) => {
                        log::warn(&format!("{} sent an invalid frame: {error:?}", reporter.peer()));
                        reporter.report(ConnEvent::Failed("the peer broke the framing".into()));
                    }
                }
            })
        };
        let queue = Rc::new(RefCell::new(SendQueue::new(channel.clone())));
        let on_buffered_low = {
            let reporter = reporter.clone();
            let queue = Rc::clone(&queue);
            Closure::<dyn FnMut(_)>::new(move |_: Event| {
                if let Err(error) = queue.borrow_mut().pump() {
                    reporter.report(ConnEvent::Failed(crate::error::js_message(&error)));
                }
            })
        };
        pc.set_onicecandidate(Some(on_ice_candidate.as_ref().unchecked_ref()));
        pc.set_onconnectionstatechange(Some(on_state_change.as_ref().unchecked_ref()));
        channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        channel.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        channel.set_onbufferedamountlow(Some(on_buffered_low.as_ref().unchecked_ref()));

        let deadline = reporter.clone();
        spawn_local(async move {
            crate::timer::sleep(crate::driver::OPEN_DEADLINE_MS).await;
            deadline.report(ConnEvent::OpenDeadline);
        });
        let (signals, inbox) = mpsc::unbounded();
        let (negotiation, registration) = AbortHandle::new_pair();
        let task = negotiate(pc.clone(), role, inbox, signaling, reporter.clone());
        spawn_local(async move {
            // Aborted when the connection is dropped: a promise of a closed
            // RTCPeerConnection may never settle, and the task must not wait forever.
            let _ = Abortable::new(task, registration).await;
        });

        Ok(Self {
            pc,
            channel,
            queue,
            max_frame: Cell::new(None),
            signals,
            negotiation,
            reporter,
            _on_ice_candidate: on_ice_candidate,
            _on_state_change: on_state_change,
            _on_open: on_open,
            _on_close: on_close,
            _on_message: on_message,
            _on_buffered_low: on_buffered_low,
        })
    }

    /// Hands a remote offer, answer or candidate to the negotiation task.
    pub(crate) fn deliver(&self, signal: Signal) {
        let _ = self.signals.unbounded_send(signal);
    }

    /// The largest frame to send: the remote's `maxMessageSize` (256 KiB in Chromium),
    /// read from the SCTP transport once the channel is open.
    pub(crate) fn max_frame(&self) -> usize {
        if let Some(max) = self.max_frame.get() {
            return max;
        }
        let max = js_sys::Reflect::get(&self.pc, &"sctp".into())
            .and_then(|sctp| js_sys::Reflect::get(&sctp, &"maxMessageSize".into()))
            .ok()
            .and_then(|max| max.as_f64())
            // 0 means "no limit"; stay within what every browser takes.
            .filter(|max| *max >= 1024.0)
            .map_or(framing::FALLBACK_FRAME_BYTES, |max| {
                (max as usize).min(framing::MAX_FRAME_BYTES)
            });
        self.max_frame.set(Some(max));
        max
    }

    /// Queues the frames of one message for the channel (see [`SendQueue`]).
    pub(crate) fn send(&self, frames: Vec<Frame>) -> Result<(), PeerError> {
        self.queue.borrow_mut().push(&self.reporter.peer, frames)
    }

    /// Whether the send queue is over its limit (see [`SendQueue::push`]).
    pub(crate) fn is_full(&self) -> bool {
        self.queue.borrow().is_full()
    }

    /// Bytes waiting to go out to this peer (queued plus in the channel's buffer).
    pub(crate) fn buffered_amount(&self) -> usize {
        self.queue.borrow().buffered_amount()
    }

    /// Resolves once everything queued has been handed to the channel.
    pub(crate) fn drained(&self) -> futures_channel::oneshot::Receiver<()> {
        self.queue.borrow_mut().drained()
    }

    /// Starts a graceful close of the data channel: everything queued still goes out,
    /// and the `close` event follows once the remote has closed its end too. Should that
    /// not happen in time (the remote vanished), a failure is reported instead, so the
    /// connection is ended either way.
    pub(crate) fn close_gracefully(&self, linger_ms: u32) {
        let mut queue = self.queue.borrow_mut();
        queue.close_when_drained();
        // Allow for the queue to drain at 1 MB/s at least.
        let drain_ms = u32::try_from(queue.buffered_amount() / 1000).unwrap_or(u32::MAX);
        let reporter = self.reporter.clone();
        spawn_local(async move {
            crate::timer::sleep(linger_ms.saturating_add(drain_ms)).await;
            reporter.report(ConnEvent::Failed("the data channel did not close in time".into()));
        });
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.negotiation.abort();
        self.pc.set_onicecandidate(None);
        self.pc.set_onconnectionstatechange(None);
        self.channel.set_onopen(None);
        self.channel.set_onclose(None);
        self.channel.set_onmessage(None);
        self.channel.set_onbufferedamountlow(None);
        self.channel.close();
        self.pc.close();
    }
}
