//! The Rust API: the [`peer::Peer`] a page drives, and the values it is given and gives
//! back (the room, the join options, the events, how a message travels).

pub(crate) mod delivery;
pub(crate) mod events;
pub(crate) mod join_options;
pub(crate) mod peer;
pub(crate) mod room;
