//! The native `Peer`: a handle on the driver task, which owns the machine. Every call is
//! a command to that task, answered in the order it was made.

use crate::api::files::OutgoingFile;
use crate::driver::commands::Command;
use crate::driver::start;
use crate::values::delivery::Delivery;
use crate::values::error::PeerError;
use crate::values::events::Events;
use crate::values::options::JoinOptions;
use crate::values::payload::Payload;
use crate::values::stats::ConnectionStats;
use signaling_protocol::{PeerId, PeerInfo};
use std::path::Path;
use tokio::sync::{mpsc, oneshot};

/// One peer of a room. Cheap to clone: every clone drives the same peer. The peer is
/// closed by [`Peer::close`], or once every clone is dropped.
#[derive(Clone, Debug)]
pub struct Peer {
    me: PeerInfo,
    room: String,
    commands: mpsc::UnboundedSender<Command>,
}

impl Peer {
    /// Joins `options.room` on the signaling server at `options.url`; the events of the
    /// peer come on the returned [`Events`]. Must run inside a tokio runtime.
    pub async fn join(options: JoinOptions) -> Result<(Peer, Events), PeerError> {
        let room = options.room.clone();
        let (me, commands, events) = start::start(options).await?;
        Ok((Peer { me, room, commands }, events))
    }

    /// This peer, as the room sees it (its id comes from its key).
    pub fn me(&self) -> &PeerInfo {
        &self.me
    }

    /// This peer's id.
    pub fn id(&self) -> &PeerId {
        &self.me.id
    }

    /// The room's name.
    pub fn room(&self) -> &str {
        &self.room
    }

    /// Opens a data channel to `peer`; resolves once it is open.
    pub async fn connect(&self, peer: &PeerId) -> Result<(), PeerError> {
        let peer = peer.clone();
        self.ask(|answer| Command::Connect { peer, answer }).await?
    }

    /// Closes the data channel to `peer` (what is queued still goes out); a no-op when
    /// there is none.
    pub async fn disconnect(&self, peer: &PeerId) -> Result<(), PeerError> {
        let peer = peer.clone();
        self.ask(|answer| Command::Disconnect { peer, answer }).await?
    }

    /// Sends `payload` reliably to every connected peer, all or none; returns how many.
    pub async fn send_message(&self, payload: Payload) -> Result<usize, PeerError> {
        self.send(None, payload, Delivery::Reliable).await
    }

    /// Sends `payload` to every connected peer the way `delivery` says; returns how many.
    pub async fn send_message_with(
        &self,
        payload: Payload,
        delivery: Delivery,
    ) -> Result<usize, PeerError> {
        self.send(None, payload, delivery).await
    }

    /// Sends `payload` to `peer` the way `delivery` says.
    pub async fn send_to(
        &self,
        peer: &PeerId,
        payload: Payload,
        delivery: Delivery,
    ) -> Result<(), PeerError> {
        self.send(Some(peer.clone()), payload, delivery).await.map(|_| ())
    }

    /// Sends `payload` to the whole room through the mesh (each neighbour passes it on);
    /// returns to how many neighbours it went.
    pub async fn broadcast(&self, payload: Payload) -> Result<usize, PeerError> {
        self.ask(|answer| Command::Broadcast { payload, answer }).await?
    }

    /// Starts sending the file at `path` to `peer` under the file's own name; its bytes
    /// are read from disk as they go out. Refused when `path` is no readable file
    /// (missing, a folder) or `peer` is not connected.
    pub async fn send_file(
        &self,
        peer: &PeerId,
        path: impl AsRef<Path>,
    ) -> Result<OutgoingFile, PeerError> {
        let path = path.as_ref();
        let invalid = |reason: String| PeerError::InvalidInput { what: "file", reason };
        let shown = path.display();
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned());
        let name = name.ok_or_else(|| invalid(format!("{shown} names no file")))?;
        let owned = path.to_owned();
        let opened = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&owned)?;
            let metadata = file.metadata()?;
            Ok::<_, std::io::Error>((file, metadata))
        });
        let opened = opened.await.map_err(|error| invalid(format!("{shown}: {error}")))?;
        let (file, metadata) = opened.map_err(|error| invalid(format!("{shown}: {error}")))?;
        if !metadata.is_file() {
            return Err(invalid(format!("{shown} is not a file")));
        }
        let size = metadata.len();
        let (to, named) = (peer.clone(), name.clone());
        let started =
            self.ask(|answer| Command::SendFile { peer: to, name: named, size, file, answer });
        let started = started.await??;
        let commands = self.commands.clone();
        Ok(OutgoingFile { started, to: peer.clone(), name, commands })
    }

    /// What went through the open connection to `peer` so far (messages and bytes each
    /// way, the remote address in use).
    pub async fn stats(&self, peer: &PeerId) -> Result<ConnectionStats, PeerError> {
        let peer = peer.clone();
        self.ask(|answer| Command::Stats { peer, answer }).await?
    }

    /// The other peers of the room, in the order they joined.
    pub async fn peers(&self) -> Result<Vec<PeerInfo>, PeerError> {
        self.ask(|answer| Command::Peers { answer }).await
    }

    /// The peers with an open data channel.
    pub async fn connected(&self) -> Result<Vec<PeerInfo>, PeerError> {
        self.ask(|answer| Command::Connected { answer }).await
    }

    /// Leaves the room: closes every connection (what is queued still goes out, for a
    /// bounded time) and the signaling connection. Resolves once that is done.
    pub async fn close(&self) {
        let _ = self.ask(|answer| Command::Close { answer }).await;
    }

    async fn send(
        &self,
        to: Option<PeerId>,
        payload: Payload,
        delivery: Delivery,
    ) -> Result<usize, PeerError> {
        self.ask(|answer| Command::Send { to, payload, delivery, answer }).await?
    }

    /// Sends the command `make` builds and waits for its answer.
    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, PeerError> {
        let (answer, answered) = oneshot::channel();
        self.commands.send(make(answer)).map_err(|_| PeerError::Closed)?;
        answered.await.map_err(|_| PeerError::Closed)
    }
}
