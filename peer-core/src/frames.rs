//! What peers say to each other about the mesh on their data channels, as the machine
//! sees it (peer-wasm encodes it on the wire). A leaf module: protocol types only.

use signaling_protocol::{PeerId, PeerInfo, Signal};

/// One peer's own list of its open links, as it flooded it through the mesh.
#[derive(Clone, Debug, PartialEq)]
pub struct Advert {
    /// Who says it (its id and name; a key from the mesh is never trusted).
    pub origin: PeerInfo,
    /// Grows with each new list from this origin: an older one is never applied.
    pub version: u32,
    /// The peers its data channels are open to.
    pub links: Vec<PeerId>,
}

/// A signal on its way through the mesh, signed by the peer that sent it (as every
/// signal is; the driver signs and checks, the machine only routes it).
#[derive(Clone, Debug, PartialEq)]
pub struct Relayed {
    /// The peer that sent the signal (and signed it).
    pub from: PeerId,
    /// The peer it is for.
    pub to: PeerId,
    /// The way, as the sender chose it: every peer after the sender, the target last.
    /// Each peer on it passes it to the next, so the signals of one negotiation keep
    /// one path, and their order (the mesh's view changes while it forms).
    pub route: Vec<PeerId>,
    /// The signal, with its time and signature.
    pub signal: Signal,
}

/// What peers say to each other on the data channel about the mesh.
#[derive(Clone, Debug, PartialEq)]
pub enum MeshFrame<M> {
    /// A peer's list of its links (ours, or flooded on from a neighbour).
    Advert(Advert),
    /// The adverts a new neighbour holds: (origin, version) of each, its own among them.
    /// The answer is the adverts it lacks, or holds an older version of.
    Digest(Vec<(PeerId, u32)>),
    /// A signal for `to`, passed on hop by hop.
    Relay(Relayed),
    /// A message for the whole room from `origin`, its `seq`-th broadcast, which may
    /// travel `ttl` more hops.
    Broadcast {
        /// The peer that broadcast it.
        origin: PeerId,
        /// Numbers the broadcasts of `origin`, so each is delivered once.
        seq: u32,
        /// How many more hops it may travel.
        ttl: u8,
        /// The message, unread.
        message: M,
    },
}
