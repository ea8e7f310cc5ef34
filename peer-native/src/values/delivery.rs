//! How a message travels: which of a connection's two data channels carries it.

/// How a message travels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// In order, and every message arrives (channel 0).
    #[default]
    Reliable,
    /// As soon as possible; a message may be lost or overtake another (channel 1).
    Unreliable,
}
