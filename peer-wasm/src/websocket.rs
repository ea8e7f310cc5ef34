//! The signaling transport over a browser `WebSocket` to the signaling server.

use crate::signaling::{SignalingEvent, SignalingLink, SignalingTransport};
use crate::{PeerError, timer, wire};
use futures_channel::{mpsc, oneshot};
use signaling_protocol::{ClientMessage, ServerMessage};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// How long opening the socket may take.
const OPEN_TIMEOUT_MS: u32 = 10_000;

/// A WebSocket to the signaling server. Owns its event handlers: dropping it removes them
/// and closes the socket.
pub struct WebSocketSignaling {
    socket: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl WebSocketSignaling {
    /// Opens a WebSocket to `url` and resolves once it is open.
    pub async fn open(url: &str) -> Result<SignalingLink, PeerError> {
        let unreachable = || PeerError::SignalingUnreachable { url: url.to_owned() };
        let socket = WebSocket::new(url).map_err(|_| unreachable())?;
        let (events, incoming) = mpsc::unbounded();
        let (opened, on_opened) = oneshot::channel::<bool>();
        // Whichever of open / error / close comes first settles the wait.
        let opened = Rc::new(RefCell::new(Some(opened)));
        let settle = move |ok: bool| {
            if let Some(opened) = opened.borrow_mut().take() {
                let _ = opened.send(ok);
            }
        };

        let on_message = {
            let events = events.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                match decode(&event) {
                    Some(message) => {
                        let _ = events.unbounded_send(SignalingEvent::Message(message));
                    }
                    None => crate::log::warn("ignored an unreadable signaling message"),
                }
            })
        };
        let on_close = {
            let settle = settle.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                settle(false);
                let reason = match event.reason() {
                    reason if reason.is_empty() => format!("closed with code {}", event.code()),
                    reason => reason,
                };
                let _ = events.unbounded_send(SignalingEvent::Closed { reason });
            })
        };
        let on_open = {
            let settle = settle.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| settle(true))
        };
        // An error is always followed by a close event, which reports it.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| settle(false));

        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let transport = Self {
            socket,
            _on_message: on_message,
            _on_close: on_close,
            _on_open: on_open,
            _on_error: on_error,
        };

        match timer::timeout(OPEN_TIMEOUT_MS, on_opened).await {
            Some(Ok(true)) => Ok(SignalingLink { transport: Rc::new(transport), events: incoming }),
            _ => Err(unreachable()),
        }
    }
}

/// Parses one text frame from the server; `None` for anything unreadable.
fn decode(event: &MessageEvent) -> Option<ServerMessage> {
    wire::decode_server(&event.data().as_string()?)
}

impl SignalingTransport for WebSocketSignaling {
    fn send(&self, message: &ClientMessage) -> Result<(), PeerError> {
        if self.socket.ready_state() != WebSocket::OPEN {
            return Err(PeerError::SignalingClosed);
        }
        let text = wire::encode_client(message);
        self.socket.send_with_str(&text).map_err(|_| PeerError::SignalingClosed)
    }

    fn close(&self) {
        let _ = self.socket.close();
    }
}
