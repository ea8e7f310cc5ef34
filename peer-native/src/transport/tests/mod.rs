//! Tests of the transport: two connections over real sockets on loopback, a
//! browser-style offer, limits.

mod browser_offer;
mod chromium;
mod limits;
mod loopback;
