//! Tests of the transport over real sockets on loopback.

mod loopback;
