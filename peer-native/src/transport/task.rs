//! The tokio side of a connection: its UDP sockets (one per local address, so a
//! datagram's local address is known without `IP_PKTINFO`) and the task that moves
//! datagrams and time between them and the session.

use super::session::Session;
use super::types::Datagram;
use super::types::{Report, TransportError};
use socket2::{Domain, Protocol, Socket, Type};
use std::future::poll_fn;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Instant;
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use tokio::sync::Notify;

/// Room for one datagram: str0m sends at most its MTU (1200), browsers about as much.
const DATAGRAM_BYTES: usize = 2048;
/// The receive buffer asked for each socket. With Linux's default (208 KiB), the burst
/// that opens a bulk transfer overflowed it: the datagrams dropped waited for SCTP's
/// first retransmission timeout, and a 16 MiB transfer between two native peers took
/// a second longer. Memory is spent only while datagrams wait.
const RECEIVE_BUFFER: usize = 1 << 20;
/// Most datagrams taken per wake-up, so that timers and the handle still get a turn.
const BATCH: usize = 32;

/// What the handle and the task share.
pub struct Shared {
    /// A std mutex: nothing is awaited while it is held, and the handle's calls are
    /// synchronous.
    session: Mutex<Session>,
    /// Set by the handle after it changed the session (a frame queued, a signal
    /// applied), so the task polls it.
    pub wake: Notify,
    sockets: Vec<(SocketAddr, UdpSocket)>,
}

impl Shared {
    /// The session, locked. A panic elsewhere under the lock leaves the session as it
    /// was; going on is better than a second panic here.
    pub fn lock(&self) -> MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The local addresses, one per socket.
    pub fn locals(&self) -> Vec<SocketAddr> {
        self.sockets.iter().map(|(local, _)| *local).collect()
    }

    /// Sends datagrams, each from the socket of its source address. UDP may lose
    /// them anyway: a full socket buffer drops one rather than waits.
    pub fn transmit(&self, datagrams: impl Iterator<Item = Datagram>) {
        for datagram in datagrams {
            let socket = self.sockets.iter().find(|(local, _)| *local == datagram.source);
            let Some((_, socket)) = socket else {
                tracing::debug!(source = %datagram.source, "no socket for a datagram's source");
                continue;
            };
            if let Err(error) = socket.try_send_to(&datagram.contents, datagram.destination) {
                tracing::trace!(%error, "datagram not sent");
            }
        }
    }
}

impl Shared {
    /// A datagram already waiting on any socket, without waiting.
    fn try_receive(&self, buffer: &mut [u8]) -> Option<(SocketAddr, SocketAddr, usize)> {
        self.sockets.iter().find_map(|(local, socket)| {
            let (length, source) = socket.try_recv_from(buffer).ok()?;
            Some((*local, source, length))
        })
    }
}

/// Binds one UDP socket on an unused port of each address; addresses that cannot be
/// bound are skipped.
pub fn open(
    addresses: &[IpAddr],
    session: impl FnOnce(&[SocketAddr]) -> Session,
) -> Result<Shared, TransportError> {
    let mut sockets = Vec::new();
    let mut errors = Vec::new();
    for ip in addresses {
        let bound = bind(SocketAddr::new(*ip, 0))
            .and_then(|socket| Ok((socket.local_addr()?, UdpSocket::from_std(socket)?)));
        match bound {
            Ok(socket) => sockets.push(socket),
            Err(error) => errors.push(format!("{ip}: {error}")),
        }
    }
    if sockets.is_empty() {
        return Err(TransportError::NoAddress(errors.join("; ")));
    }
    let locals: Vec<SocketAddr> = sockets.iter().map(|(local, _)| *local).collect();
    Ok(Shared { session: Mutex::new(session(&locals)), wake: Notify::new(), sockets })
}

/// A non-blocking UDP socket on `address`, asking for a [`RECEIVE_BUFFER`] (the system
/// may give less: Linux caps it at `net.core.rmem_max`).
fn bind(address: SocketAddr) -> std::io::Result<std::net::UdpSocket> {
    let socket = Socket::new(Domain::for_address(address), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(error) = socket.set_recv_buffer_size(RECEIVE_BUFFER) {
        tracing::debug!(%error, "the default receive buffer stays");
    }
    socket.bind(&address.into())?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The connection's task: sends what the session's drains left and delivers its
/// reports, then waits for a datagram, the session's deadline or the handle (which
/// changed the session and drained it). Ends when the handle aborts it.
pub async fn run(shared: Arc<Shared>, reports: impl Fn(Report) + Send + 'static) {
    let mut buffer = vec![0u8; DATAGRAM_BYTES];
    loop {
        let drained = shared.lock().take_drained(Instant::now());
        shared.transmit(drained.datagrams.into_iter());
        // Outside the lock: the owner may call back into the connection.
        for report in drained.reports {
            reports(report);
        }
        tokio::select! {
            received = receive(&shared.sockets, &mut buffer) => match received {
                Ok((local, source, length)) => {
                    let mut session = shared.lock();
                    let bytes = buffer.get(..length).unwrap_or_default();
                    session.receive(Instant::now(), source, local, bytes);
                    // More may be waiting: take them under the same lock, and send
                    // what they produced together.
                    for _ in 1..BATCH {
                        let Some((local, source, length)) = shared.try_receive(&mut buffer) else {
                            break;
                        };
                        let bytes = buffer.get(..length).unwrap_or_default();
                        session.receive(Instant::now(), source, local, bytes);
                    }
                }
                // E.g. an ICMP "port unreachable" for an earlier datagram: not fatal.
                Err(error) => tracing::trace!(%error, "receiving a datagram"),
            },
            () = tokio::time::sleep_until(drained.deadline.into()) => {
                shared.lock().timeout(Instant::now());
            }
            () = shared.wake.notified() => {}
        }
    }
}

/// The next datagram on any socket: (the socket's address, the sender, its length).
async fn receive(
    sockets: &[(SocketAddr, UdpSocket)],
    buffer: &mut [u8],
) -> std::io::Result<(SocketAddr, SocketAddr, usize)> {
    poll_fn(|context| {
        for (local, socket) in sockets {
            let mut read = ReadBuf::new(buffer);
            match socket.poll_recv_from(context, &mut read) {
                Poll::Ready(Ok(source)) => {
                    return Poll::Ready(Ok((*local, source, read.filled().len())));
                }
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => {}
            }
        }
        Poll::Pending
    })
    .await
}
