//! One WebRTC connection to one remote peer: its `RTCPeerConnection`, its two data
//! channels (reliable, and unreliable in `unreliable.rs`), the listeners it owns, its
//! send queue, and the task that negotiates it.
//!
//! The listeners only post into the peer's input channel (see `reporter.rs`), but for
//! the plain messages the reliable channel's listener hands to the page from JS once the
//! machine counts the connection open (`plain_messages.rs`). Dropping a [`Connection`]
//! removes every listener, stops its negotiation task and closes the channels and the
//! connection.

use crate::error::PeerError;
use crate::files::{FileHandler, FileLink, OutgoingFile};
use crate::log;
use crate::transport::mesh_tap::MeshTap;
use crate::transport::negotiation::{NegotiationJob, negotiate};
use crate::transport::plain_messages::{MessageSink, PlainMessages, PlainState};
use crate::transport::reporter::{ApplyNow, PeerInput, Reporter};
use crate::transport::send_queue::SendQueue;
use crate::transport::unreliable::UnreliableChannel;
use crate::wire::framing::{self, Frame, Reassembler};
use futures_channel::mpsc::{self, UnboundedSender};
use futures_util::future::{AbortHandle, Abortable};
use gloo_events::EventListener;
use peer_core::{ConnKey, Input, PathState, Role};
use signaling_protocol::{PeerInfo, Step};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    MessageEvent, RtcConfiguration, RtcDataChannel, RtcDataChannelInit, RtcDataChannelType,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcPeerConnectionState,
};

/// Label of the reliable data channel each connection carries.
const CHANNEL_LABEL: &str = "peer-wasm";

/// A live connection to one remote peer.
pub(crate) struct Connection {
    pc: RtcPeerConnection,
    channel: RtcDataChannel,
    unreliable: UnreliableChannel,
    queue: Rc<RefCell<SendQueue>>,
    /// The file transfers on this connection.
    files: Rc<FileLink>,
    /// The remote's largest accepted message, read once the channel is open.
    max_frame: Cell<Option<usize>>,
    /// Remote steps and restarts, handed in order to the negotiation task.
    jobs: UnboundedSender<NegotiationJob>,
    negotiation: AbortHandle,
    reporter: Reporter,
    /// The reliable channel's message listener (plain messages go to the page from JS).
    messages: PlainMessages,
    _listeners: [EventListener; 8],
}

impl Connection {
    /// Creates the connection `key` and starts negotiating it: as [`Role::Offerer`] it
    /// creates the offer at once; as [`Role::Answerer`] it waits for the offer passed
    /// to [`Connection::deliver`].
    pub(crate) fn start(
        key: ConnKey,
        role: Role,
        (inputs, apply_now): (UnboundedSender<PeerInput>, ApplyNow),
        config: &RtcConfiguration,
        (file_handler, sink): (FileHandler, &MessageSink),
    ) -> Result<Self, PeerError> {
        let peer = key.peer.clone();
        let reporter = Reporter::new(inputs, apply_now, key);
        let pc = RtcPeerConnection::new_with_configuration(config).map_err(PeerError::browser)?;
        // Both sides create the same pre-negotiated channels (ids 0 and 1), so neither
        // waits for `ondatachannel` and the roles differ only in who sends the offer.
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(0);
        init.set_ordered(true);
        let channel = pc.create_data_channel_with_data_channel_dict(CHANNEL_LABEL, &init);
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        let unreliable = UnreliableChannel::create(&pc, &reporter);
        let plain = PlainState::new(sink);
        let idle = Rc::clone(&plain);
        let queue = SendQueue::new(channel.clone(), move |is_idle| idle.set_queue_idle(is_idle));
        let queue = Rc::new(RefCell::new(queue));
        let files = FileLink::new(peer, &queue, file_handler);
        let listeners = listen(&pc, [&channel, unreliable.channel()], (&queue, &files), &reporter);
        let messages = on_message(&channel, &plain, &files, &reporter);

        let (jobs, inbox) = mpsc::unbounded();
        let (negotiation, registration) = AbortHandle::new_pair();
        let task = negotiate(pc.clone(), role, inbox, reporter.clone());
        spawn_local(async move {
            // Aborted when the connection is dropped.
            let _ = Abortable::new(task, registration).await;
        });
        Ok(Self {
            pc,
            channel,
            unreliable,
            queue,
            files,
            max_frame: Cell::new(None),
            jobs,
            negotiation,
            reporter,
            messages,
            _listeners: listeners,
        })
    }

    /// The `RTCPeerConnection` itself (for its stats).
    pub(crate) fn peer_connection(&self) -> RtcPeerConnection {
        self.pc.clone()
    }

    /// Hands a remote offer, answer or candidate to the negotiation task.
    pub(crate) fn deliver(&self, step: Step) {
        let _ = self.jobs.unbounded_send(NegotiationJob::Apply(step));
    }

    /// Restarts ICE with `config` (the latest ICE servers: TURN credentials may have
    /// been renewed since the connection began); the restart offer is reported as
    /// [`Input::Outbound`].
    pub(crate) fn restart_ice(&self, config: &RtcConfiguration) {
        self.reconfigure(config);
        let _ = self.jobs.unbounded_send(NegotiationJob::RestartIce);
    }

    /// Takes `config` (ICE servers, transport policy) for the next ICE gathering.
    pub(crate) fn reconfigure(&self, config: &RtcConfiguration) {
        if let Err(error) = self.pc.set_configuration_with_configuration(config) {
            log::warn(&format!("kept the old ICE servers: {}", crate::error::js_message(&error)));
        }
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
        self.queue.borrow_mut().push(&self.reporter.key().peer, frames)
    }

    /// Queues a mesh control frame (see [`SendQueue::push_control`]).
    pub(crate) fn send_control(&self, frame: Frame) -> Result<(), PeerError> {
        self.queue.borrow_mut().push_control(&self.reporter.key().peer, vec![frame])
    }

    /// The machine counts this connection to `peer` open: its plain messages may go
    /// to the page without entering the module (see [`PlainMessages`]).
    pub(crate) fn open_for_messages(&self, peer: &PeerInfo) {
        let (id, name) = (JsValue::from_str(peer.id.as_str()), JsValue::from_str(&peer.name));
        self.messages.open((&id, &name), &self.channel, self.max_frame());
    }

    /// The machine released this connection: every frame goes to the module, which
    /// drops them.
    pub(crate) fn close_for_messages(&self) {
        self.messages.close();
    }

    /// Whether a message went to the page from JS since the last call.
    pub(crate) fn heard_in_js(&self) -> bool {
        self.messages.take_heard()
    }

    /// Starts sending `blob` to the remote as the file `name`.
    pub(crate) fn send_file(
        &self,
        blob: &web_sys::Blob,
        name: &str,
    ) -> Result<OutgoingFile, PeerError> {
        self.files.send_file(blob, name, self.max_frame())
    }

    /// Sends one frame on the unreliable channel now, or refuses it.
    pub(crate) fn send_unreliable(&self, frame: &Frame) -> Result<(), PeerError> {
        self.unreliable.send(&self.reporter.key().peer, frame)
    }

    /// Refuses a message when the unreliable channel is backed up (see
    /// [`UnreliableChannel::check`]).
    pub(crate) fn check_unreliable(&self) -> Result<(), PeerError> {
        self.unreliable.check(&self.reporter.key().peer)
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

    /// Sends a heartbeat, unless data is going out anyway (which tells the remote we are
    /// here just as well, and which a heartbeat must not cut into).
    pub(crate) fn heartbeat(&self) {
        if self.queue.borrow().buffered_amount() == 0 {
            // A channel that is closing refuses it: nothing to tell then.
            let _ = self.channel.send_with_str(framing::HEARTBEAT_FRAME);
        }
    }

    /// Closes the channel once everything queued went out (reported as
    /// [`Input::ChannelClosing`]); refuses new messages from now on. The unreliable
    /// channel closes at once: nothing waits for it.
    pub(crate) fn close_when_drained(&self) {
        self.unreliable.close();
        if self.queue.borrow_mut().close_when_drained() {
            self.reporter.report(|key| Input::ChannelClosing { key });
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The listeners go with the fields; the negotiation task is stopped here.
        self.negotiation.abort();
        self.files.fail_all("the connection ended before the transfer did");
        self.unreliable.close();
        self.channel.close();
        self.pc.close();
    }
}

/// The listeners of one connection, each forwarding one kind of event.
fn listen(
    pc: &RtcPeerConnection,
    [channel, unreliable]: [&RtcDataChannel; 2],
    (queue, files): (&Rc<RefCell<SendQueue>>, &Rc<FileLink>),
    reporter: &Reporter,
) -> [EventListener; 8] {
    let on_candidate = {
        let reporter = reporter.clone();
        EventListener::new(pc, "icecandidate", move |event| {
            let event: &RtcPeerConnectionIceEvent = event.unchecked_ref();
            // A null candidate only marks the end of gathering: nothing to send.
            if let Some(candidate) = event.candidate() {
                let step = Step::Candidate {
                    candidate: candidate.candidate(),
                    sdp_mid: candidate.sdp_mid(),
                    sdp_m_line_index: candidate.sdp_m_line_index(),
                };
                reporter.report(|key| Input::Outbound { key, step });
            }
        })
    };
    let on_state = {
        let (reporter, pc) = (reporter.clone(), pc.clone());
        EventListener::new(&pc.clone(), "connectionstatechange", move |_| {
            let state = match pc.connection_state() {
                RtcPeerConnectionState::Connected => PathState::Up,
                RtcPeerConnectionState::Disconnected => PathState::Down,
                RtcPeerConnectionState::Failed => PathState::Failed,
                _ => return,
            };
            reporter.report(|key| Input::Path { key, state });
        })
    };
    // Open once both channels are: they open together as SCTP comes up, but each fires
    // its own event, and an unreliable send right after `connect()` must find it open.
    // An unreliable channel that closes unopened (the remote opened and at once closed,
    // which closes that one first) counts as settled, or the messages the reliable one
    // brought meanwhile would be dropped with a connection that never opened.
    let settled = Rc::new(Cell::new(0u8));
    let settle = {
        let (reporter, settled) = (reporter.clone(), Rc::clone(&settled));
        move || {
            settled.set(settled.get() + 1);
            if settled.get() == 2 {
                reporter.report(|key| Input::ChannelOpen { key });
            }
        }
    };
    let on_open = {
        let settle = settle.clone();
        EventListener::new(channel, "open", move |_| settle())
    };
    let unreliable_done = Rc::new(Cell::new(false));
    let on_unreliable = |event: &'static str| {
        let (settle, done) = (settle.clone(), Rc::clone(&unreliable_done));
        EventListener::new(unreliable, event, move |_| {
            if !done.replace(true) {
                settle();
            }
        })
    };
    let [on_unreliable_open, on_unreliable_close] = [on_unreliable("open"), on_unreliable("close")];
    let on_close = {
        let (reporter, files) = (reporter.clone(), Rc::clone(files));
        EventListener::new(channel, "close", move |_| {
            files.fail_all("the connection closed before the transfer ended");
            reporter.report(|key| Input::ChannelClosed { key })
        })
    };
    let on_buffered_low = {
        let (reporter, queue) = (reporter.clone(), Rc::clone(queue));
        EventListener::new(channel, "bufferedamountlow", move |_| match queue.borrow_mut().pump() {
            Ok(false) => {}
            Ok(true) => reporter.report(|key| Input::ChannelClosing { key }),
            Err(error) => {
                let reason = crate::error::js_message(&error);
                reporter.report(|key| Input::Failed { key, reason });
            }
        })
    };
    let on_ice_error = {
        let reporter = reporter.clone();
        EventListener::new(pc, "icecandidateerror", move |event| {
            // `RTCPeerConnectionIceErrorEvent`: which server, and what it answered.
            let read = |key: &str| js_sys::Reflect::get(event, &key.into()).unwrap_or_default();
            let (url, code, text) = (read("url"), read("errorCode"), read("errorText"));
            let detail = format!(
                "{} answered {} {}",
                url.as_string().unwrap_or_default(),
                // As an integer: formatting an f64 would pull float printing into the
                // package (about 17 KB gzip).
                code.as_f64().unwrap_or_default() as i64,
                text.as_string().unwrap_or_default()
            );
            reporter.report(|key| Input::IceServerError { key, detail });
        })
    };
    [
        on_candidate,
        on_state,
        on_open,
        on_unreliable_open,
        on_unreliable_close,
        on_close,
        on_buffered_low,
        on_ice_error,
    ]
}

/// The reliable channel's message listener: plain messages go to the page from JS once
/// the machine counts the connection open; the rest come here. Mesh frames go to the
/// machine, file frames to the transfers, the rest to the messages (a broadcast's message
/// too, once whole).
fn on_message(
    channel: &RtcDataChannel,
    plain: &Rc<PlainState>,
    files: &Rc<FileLink>,
    reporter: &Reporter,
) -> PlainMessages {
    let (reporter, files) = (reporter.clone(), Rc::clone(files));
    let mut reassembler = Reassembler::default();
    let mut mesh = MeshTap::default();
    PlainMessages::listen(channel, plain, move |event: MessageEvent, state| {
        let data = event.data();
        if framing::is_heartbeat(&data) {
            return reporter.report(|key| Input::Heard { key });
        }
        // A mesh frame is left to the input loop; the rest is applied at once.
        let rest = mesh.take(data, reassembler.is_between_messages(), &reporter);
        let applied_now = rest.is_some();
        if let Some(data) = rest {
            match files.take(data, reassembler.is_between_messages()) {
                Ok(Some(data)) => match reassembler.push(data) {
                    Ok(Some(message)) => mesh.received(message, &reporter),
                    other => reporter.received(other),
                },
                other => reporter.received(other.map(|_| None)),
            }
        }
        state.set_between(
            reassembler.is_between_messages() && mesh.is_idle() && !files.awaits_data(),
        );
        if applied_now {
            reporter.apply_now();
        }
    })
}
