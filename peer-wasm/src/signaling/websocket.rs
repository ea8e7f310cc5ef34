//! The signaling transport over a browser `WebSocket` to the signaling server.

use crate::error::PeerError;
use crate::signaling::link::{SignalingEvent, SignalingLink, SignalingTransport};
use crate::timer;
use crate::wire::signaling_json;
use futures_channel::{mpsc, oneshot};
use gloo_events::EventListener;
use signaling_protocol::{ClientMessage, ServerMessage, TAKEN_OVER_CLOSE_CODE};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// How long opening the socket may take.
const OPEN_TIMEOUT_MS: u32 = 10_000;

/// A WebSocket to the signaling server. Owns its listeners: dropping it removes them
/// and closes the socket (a failed join, a timed-out open and a closed peer all end
/// this way).
pub struct WebSocketSignaling {
    socket: WebSocket,
    _listeners: [EventListener; 4],
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
            EventListener::new(&socket, "message", move |event| {
                match decode(event.unchecked_ref()) {
                    Some(message) => {
                        let _ = events.unbounded_send(SignalingEvent::Message(message));
                    }
                    None => crate::log::warn("ignored an unreadable signaling message"),
                }
            })
        };
        let on_close = {
            let settle = settle.clone();
            EventListener::new(&socket, "close", move |event| {
                settle(false);
                let event: &CloseEvent = event.unchecked_ref();
                let reason = match event.reason() {
                    reason if reason.is_empty() => format!("closed with code {}", event.code()),
                    reason => reason,
                };
                let closed = match event.code() {
                    TAKEN_OVER_CLOSE_CODE => SignalingEvent::Replaced { reason },
                    _ => SignalingEvent::Closed { reason },
                };
                let _ = events.unbounded_send(closed);
            })
        };
        let on_open = {
            let settle = settle.clone();
            EventListener::new(&socket, "open", move |_| settle(true))
        };
        // An error is always followed by a close event, which reports it.
        let on_error = EventListener::new(&socket, "error", move |_| settle(false));
        let transport = Self { socket, _listeners: [on_message, on_close, on_open, on_error] };

        match timer::timeout(OPEN_TIMEOUT_MS, on_opened).await {
            Some(Ok(true)) => Ok(SignalingLink { transport: Rc::new(transport), events: incoming }),
            // Dropping the transport closes the socket.
            _ => Err(unreachable()),
        }
    }
}

/// Parses one text frame from the server; `None` for anything unreadable.
fn decode(event: &MessageEvent) -> Option<ServerMessage> {
    signaling_json::decode_server(&event.data().as_string()?)
}

impl SignalingTransport for WebSocketSignaling {
    fn send(&self, message: &ClientMessage) -> Result<(), PeerError> {
        if self.socket.ready_state() != WebSocket::OPEN {
            return Err(PeerError::SignalingClosed);
        }
        let text = signaling_json::encode_client(message);
        self.socket.send_with_str(&text).map_err(|_| PeerError::SignalingClosed)
    }

    fn close(&self) {
        let _ = self.socket.close();
    }
}

impl Drop for WebSocketSignaling {
    fn drop(&mut self) {
        // The listeners go with the fields.
        let _ = self.socket.close();
    }
}
