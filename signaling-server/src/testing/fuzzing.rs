//! Drives the server's protocol handling with no sockets: connections, rooms, queues and
//! evictions are the real ones, the WebSockets are not. A few fixed key pairs sign joins
//! for each connection's challenge, so that inputs reach joined states. Challenges are
//! numbered rather than drawn, so an input replays exactly, and the same joins come back
//! input after input: their proofs are made once per process (a signature costs more than
//! the rest of an input). For the fuzz targets in `fuzz/`; not a stable API.

use crate::config::Config;
use crate::credentials::identity::Nonce;
use crate::room::outbox::{Inbox, Outbound, queue};
use crate::session::connection::{Connection, Frame, Refusal};
use crate::state::AppState;
use crate::testing::key_pair::Identity;
use signaling_protocol::ClientMessage;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One simulated client.
struct Client {
    connection: Connection,
    inbox: Inbox,
    /// Stands in for the session task, which the rooms abort to evict the peer.
    session: JoinHandle<()>,
}

/// Key pairs the harness signs joins with: fewer than the clients, so that two clients
/// of one key meet in a room, and the later takes the earlier's seat.
pub const KEYS: usize = 4;

/// A server with `clients` simulated connections, numbered from 0.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
    clients: Vec<Option<Client>>,
    /// Connections made so far: the next one's challenge.
    connections: u64,
}

/// [`KEYS`] fixed key pairs: the same for every input, so that inputs replay. Made once
/// per process: deriving a public key costs a scalar multiplication, and the fuzzer makes
/// a harness for every input.
fn identities() -> &'static [Identity] {
    static IDENTITIES: OnceLock<Vec<Identity>> = OnceLock::new();
    IDENTITIES.get_or_init(|| (0..KEYS).map(|seed| Identity::fixed(seed as u8)).collect())
}

impl Harness {
    /// Small limits, so that full rooms, full queues and evictions happen often.
    pub fn new(clients: usize) -> Self {
        let config = Config {
            max_peers_per_room: 4,
            max_rooms: 3,
            peer_queue_len: 8,
            // About a dozen small messages: full queues in bytes too.
            peer_queue_bytes: 1024,
            message_burst: 64,
            ..Config::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|error| panic!("a runtime: {error}"));
        let (_, shutdown) = watch::channel(false);
        let state = Arc::new(AppState::new(config, shutdown));
        let mut harness = Self { runtime, state, clients: Vec::new(), connections: 0 };
        harness.clients = (0..clients).map(|_| Some(harness.connect())).collect();
        harness
    }

    fn connect(&mut self) -> Client {
        let config = &self.state.config;
        let (outbox, inbox) = queue(config.peer_queue_len, config.peer_queue_bytes);
        let session = self.runtime.spawn(std::future::pending());
        let outbound = Outbound { outbox, session: session.abort_handle() };
        let mut challenge = [0; 16];
        challenge[..8].copy_from_slice(&self.connections.to_be_bytes());
        self.connections += 1;
        let connection = Connection::new(&self.state, outbound, Nonce::from_bytes(challenge));
        Client { connection, inbox, session }
    }

    /// Client `index` sends a text frame: the refusal it is answered, if any (`None` also
    /// when the client is not connected).
    pub fn text(&mut self, index: usize, text: &str) -> Option<Refusal> {
        self.frame(index, Frame::Text(text))
    }

    /// Client `index` sends a join of `room` under `name` (presenting `secret`) as the
    /// key pair `key` (modulo [`KEYS`]), its proof made for this connection's challenge.
    pub fn signed_join(
        &mut self,
        index: usize,
        key: usize,
        room: &str,
        name: &str,
        secret: Option<&str>,
    ) -> Option<Refusal> {
        let nonce = self.challenge(index)?;
        let proof = self.prove(key, &nonce, room);
        let identity = self.identity(key);
        let key = identity.key().to_owned();
        let secret = secret.map(str::to_owned);
        let (room, name) = (room.to_owned(), name.to_owned());
        let join: ClientMessage = ClientMessage::Join { room, name, secret, key, proof };
        let text = serde_json::to_string(&join).unwrap_or_else(|e| panic!("a join encodes: {e}"));
        self.text(index, &text)
    }

    /// The proof by the key pair `key` (modulo [`KEYS`]) of a join of `room` on the
    /// connection challenged with `nonce` (made once per process, then kept).
    pub fn prove(&self, key: usize, nonce: &str, room: &str) -> String {
        proof(key % KEYS, nonce, room)
    }

    /// The key pair `key` (modulo [`KEYS`]) signs with.
    pub fn identity(&self, key: usize) -> &Identity {
        &identities()[key % KEYS]
    }

    /// The challenge client `index` was sent (`None` when it is not connected).
    pub fn challenge(&self, index: usize) -> Option<String> {
        Some(self.clients.get(index)?.as_ref()?.connection.challenge())
    }

    /// Client `index` sends a binary frame.
    pub fn binary(&mut self, index: usize) -> Option<Refusal> {
        self.frame(index, Frame::Binary)
    }

    fn frame(&mut self, index: usize, frame: Frame<'_>) -> Option<Refusal> {
        let Some(Some(client)) = self.clients.get_mut(index) else { return None };
        let answer = self.runtime.block_on(client.connection.on_frame(&self.state, frame)).err();
        self.reap_evicted();
        answer
    }

    /// Messages queued for client `index` (JSON text), oldest first.
    pub fn read(&mut self, index: usize) -> Vec<String> {
        let Some(Some(client)) = self.clients.get_mut(index) else { return Vec::new() };
        client.inbox.drain().into_iter().map(|text| text.to_string()).collect()
    }

    /// Client `index`'s socket goes away; it leaves its room.
    pub fn disconnect(&mut self, index: usize) {
        if let Some(client) = self.clients.get_mut(index).and_then(Option::take) {
            client.session.abort();
            client.connection.leave(&self.state);
        }
        self.reap_evicted();
    }

    /// A fresh connection in place of client `index`.
    pub fn reconnect(&mut self, index: usize) {
        self.disconnect(index);
        if index < self.clients.len() {
            self.clients[index] = Some(self.connect());
        }
    }

    /// Client `index`'s peer id, once joined.
    pub fn id(&self, index: usize) -> Option<String> {
        let client = self.clients.get(index)?.as_ref()?;
        client.connection.peer().map(|id| id.to_string())
    }

    /// Peers joined and rooms held, as the rooms count them.
    pub fn occupancy(&self) -> (usize, usize) {
        self.state.rooms.occupancy()
    }

    /// Clients the rooms evicted, or whose seat a later join with their key took, end like
    /// a real session (whose task the rooms abort, or tell to close): the connection is
    /// gone. Told apart by membership, which is immediate, rather than by the abort, which
    /// the runtime completes later.
    fn reap_evicted(&mut self) {
        let rooms = &self.state.rooms;
        for slot in &mut self.clients {
            let evicted = slot.as_ref().is_some_and(|client| {
                let place = client.connection.place();
                place.is_some_and(|(room, id, ticket)| !rooms.is_member(room, id, ticket))
            });
            if evicted {
                *slot = None;
            }
        }
    }
}

/// The proof of identity `key` for a join of `room` on the connection challenged with
/// `nonce`: made once per process, then kept.
fn proof(key: usize, nonce: &str, room: &str) -> String {
    type Proofs = HashMap<(usize, String, String), String>;
    static PROOFS: OnceLock<Mutex<Proofs>> = OnceLock::new();
    let mut proofs = PROOFS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if proofs.len() > 1 << 16 {
        proofs.clear(); // a caller with ever new rooms
    }
    let made = (key, nonce.to_owned(), room.to_owned());
    proofs.entry(made).or_insert_with(|| identities()[key].prove(nonce, room)).clone()
}
