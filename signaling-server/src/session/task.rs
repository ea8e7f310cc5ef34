//! One WebSocket peer, served by one task: it reads the peer's frames, writes what is
//! queued for it, pings it, and ends when the socket closes, the peer goes quiet, stops
//! reading or does not join in time, or the server shuts down (then the task ends only
//! once the peer was sent its close frame: `run` waits for it), or a later join with its
//! key took its seat (an order in its queue: it closes with 4000). The rooms abort the
//! task to evict the peer. Its first message is the connection's challenge, queued as
//! the connection is made.
//!
//! One task and one timer per peer, and a queue that allocates only what it holds: an
//! idle connection costs a few KB (see docs/BENCHMARKS.md). The timer's deadlines live in
//! `clock.rs`; the renewal of a peer's TURN credentials is one of them, not a task or
//! timer of its own.

use crate::credentials::identity::Nonce;
use crate::limits::Admission;
use crate::room::outbox::{Outbound, Queued, queue};
use crate::session::clock::{Clock, Due};
use crate::session::connection::{Connection, Frame};
use crate::session::goodbye::Goodbye;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::sync::{oneshot, watch};
use tokio::task::AbortHandle;
use tokio::time::{Instant, Sleep, timeout};

/// Serves one socket in a task of its own, which the rooms can abort.
pub fn spawn(
    socket: WebSocket,
    state: Arc<AppState>,
    shutdown: watch::Receiver<bool>,
    admission: Admission,
) {
    let (own_handle, handle) = oneshot::channel();
    let task = tokio::spawn(serve(socket, state, shutdown, admission, handle));
    let _ = own_handle.send(task.abort_handle());
}

/// Serves one socket until it closes, errors, goes quiet, stops reading, or the server
/// shuts down.
#[allow(clippy::manual_async_fn)] // on purpose: see the first comment
fn serve(
    mut socket: WebSocket,
    state: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
    admission: Admission,
    handle: oneshot::Receiver<AbortHandle>,
) -> impl Future<Output = ()> {
    // An async block, not an async fn: an async fn's future holds its arguments twice
    // (as received and as moved into its body), 432 bytes more for every peer.
    async move {
        // The task's own handle, sent just after it was spawned.
        let Ok(handle) = handle.await else { return };
        let config = &state.config;
        let (outbox, queued) = queue(config.peer_queue_len, config.peer_queue_bytes);
        let outbound = Outbound { outbox, session: handle };
        let mut connection = Connection::new(&state, outbound, Nonce::draw());
        let mut clock = Clock::start(config, Instant::now());
        let timer = tokio::time::sleep_until(clock.wake(config, None));
        tokio::pin!(timer);
        let mut goodbye = Goodbye::Normal;
        loop {
            // What to send, if anything (`continue` when nothing: a message that was moved
            // into the send takes no room in the task while the send waits).
            let message = tokio::select! {
                _ = shutdown.changed() => {
                    goodbye = Goodbye::ShuttingDown;
                    break;
                }
                () = &mut timer => match clock.fired(config, connection.peer(), Instant::now()) {
                    Ok(due) => {
                        timer.as_mut().reset(clock.wake(config, connection.peer()));
                        match due {
                            Due::Ping => Message::Ping(Default::default()),
                            Due::IceRenewal => {
                                connection.renew_ice_servers(&state);
                                continue;
                            }
                            Due::Nothing => continue,
                        }
                    }
                    Err(ending) => {
                        goodbye = ending;
                        break;
                    }
                },
                next = queued.next() => match next {
                    Some(Queued::Text(text)) => Message::Text(text),
                    Some(Queued::TakenOver) => {
                        tracing::info!(peer = ?connection.peer(), "taken over by a newer connection");
                        goodbye = Goodbye::TakenOver;
                        break;
                    }
                    None => break,
                },
                frame = socket.recv() => {
                    clock.heard = Instant::now();
                    let refused = match frame {
                        Some(Ok(Message::Text(text))) => connection.on_frame(&state, Frame::Text(&text)).await,
                        Some(Ok(Message::Binary(_))) => connection.on_frame(&state, Frame::Binary).await,
                        Some(Err(error)) => {
                            goodbye = close_for(&error);
                            break;
                        }
                        Some(Ok(Message::Close(_))) | None => break,
                        Some(Ok(_)) => Ok(()), // ping / pong
                    };
                    match refused {
                        Ok(()) => continue,
                        Err(refusal) => refusal.reply(),
                    }
                }
            };
            // A peer that cannot take one frame for `idle_timeout` is not reading. The one
            // timer keeps time for the send too: each timer costs memory, for every peer.
            let send = socket.send(message);
            tokio::pin!(send);
            match send_within(send, timer.as_mut(), config.idle_timeout, &shutdown).await {
                Sent::Out => {}
                Sent::Stalled => {
                    tracing::info!(peer = ?connection.peer(), "not reading (or gone): a frame did not go out");
                    break;
                }
                Sent::ShuttingDown => {
                    goodbye = Goodbye::ShuttingDown;
                    break;
                }
            }
            timer.as_mut().reset(clock.wake(config, connection.peer()));
        }
        connection.leave(&state);
        if let Some(close) = goodbye.frame() {
            let _ = timeout(Duration::from_secs(1), socket.send(Message::Close(Some(close)))).await;
        }
        // The socket goes before the admission: once the last admission is gone, shutdown
        // may end the process, and every close frame is to be out by then.
        drop(socket);
        drop(admission);
    }
}

/// What became of a frame being sent.
enum Sent {
    Out,
    /// It could not go out within the stall time: the peer is not reading.
    Stalled,
    /// The server began to shut down meanwhile (the frame may not have gone out).
    ShuttingDown,
}

impl From<Result<(), axum::Error>> for Sent {
    fn from(sent: Result<(), axum::Error>) -> Self {
        if sent.is_ok() { Sent::Out } else { Sent::Stalled }
    }
}

/// How often a send that waits on a full socket looks for a shutdown.
const SHUTDOWN_CHECK: Duration = Duration::from_secs(1);

/// Waits for `send` to finish, giving up after `stall` (timed by `timer`, left to be reset
/// by the caller) or once the server shuts down. (An async block, as in [`serve`].)
#[allow(clippy::manual_async_fn)]
fn send_within<F: Future<Output = Result<(), axum::Error>>>(
    mut send: Pin<&mut F>,
    mut timer: Pin<&mut Sleep>,
    stall: Duration,
    shutdown: &watch::Receiver<bool>,
) -> impl Future<Output = Sent> {
    async move {
        // Usually the frame goes out at once, and the timer is not touched.
        if let Poll::Ready(sent) =
            std::future::poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx))).await
        {
            return Sent::from(sent);
        }
        let deadline = Instant::now() + stall;
        loop {
            // A peer that does not read must not hold up a shutdown for `stall`. Looking
            // every second, with the timer there is, costs no memory; waiting on the
            // shutdown signal would, in every peer's task (its future is 120 bytes).
            timer.as_mut().reset(deadline.min(Instant::now() + SHUTDOWN_CHECK));
            tokio::select! {
                sent = send.as_mut() => return Sent::from(sent),
                () = timer.as_mut() => {}
            }
            if shutdown.has_changed().unwrap_or(true) {
                return Sent::ShuttingDown;
            }
            if Instant::now() >= deadline {
                return Sent::Stalled;
            }
        }
    }
}

/// What to tell a peer whose frame could not be read: 1009 for a message over the size
/// limit, 1002 for a protocol violation, nothing for a broken connection.
fn close_for(error: &axum::Error) -> Goodbye {
    let cause = std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<tungstenite::Error>());
    let goodbye = match cause {
        Some(tungstenite::Error::Capacity(_)) => Goodbye::TooBig,
        Some(tungstenite::Error::Protocol(_) | tungstenite::Error::Utf8(_)) => {
            Goodbye::ProtocolError
        }
        _ => Goodbye::Silent,
    };
    tracing::info!(%error, "read failed");
    goodbye
}

/// Closes a connection over the server's limits with 1013 ("try again later").
pub async fn refuse_busy(mut socket: WebSocket, client: SocketAddr) {
    tracing::warn!(%client, "refused: connection limit reached");
    let _ = socket.send(Message::Close(Goodbye::TryLater.frame())).await;
}
