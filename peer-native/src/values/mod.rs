//! The values that go in and out of a peer: payloads and how they travel, join
//! options, events and errors. Plain data, used by every layer above.

pub mod delivery;
pub mod error;
pub mod events;
pub mod kinds;
pub mod options;
pub mod payload;
pub mod stats;
