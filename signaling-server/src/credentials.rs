//! What proves who a peer is and what lets it through a TURN server: the challenge and
//! the check of a join's proof (`identity.rs`), TURN credentials minted per peer by the
//! TURN REST scheme (`turn.rs`), and the ICE servers each peer is handed with them, and
//! when they are renewed (`ice.rs`). Nothing here is kept per peer.

pub mod ice;
pub mod identity;
pub mod turn;
