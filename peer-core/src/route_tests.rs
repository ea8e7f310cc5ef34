//! Which way our signals go: a tab of this browser while the peer is in one and the
//! server is there, the server otherwise.

use super::harness::{Harness, offer};
use super::*;

#[test]
fn a_peer_in_another_tab_is_signaled_through_the_tabs_while_the_server_is_there() {
    let mut h = Harness::new("m", &["b", "c"]);
    h.apply(Input::Nearby { peer: PeerId::from("b"), here: true });
    h.connect("b");
    h.apply(Input::Outbound { key: h.key("b"), step: offer() });
    assert_eq!(h.tab_signals, 1, "b's offer went through the tabs");
    h.connect("c");
    h.apply(Input::Outbound { key: h.key("c"), step: offer() });
    assert_eq!((h.sent.len(), h.tab_signals), (2, 1), "c is not in a tab: the server");
    // b's tab went away: back to the server.
    h.apply(Input::Nearby { peer: PeerId::from("b"), here: false });
    h.disconnect("b");
    assert_eq!((h.sent.len(), h.tab_signals), (3, 1), "the bye through the server");
}

#[test]
fn without_the_server_no_signal_goes_through_the_tabs() {
    let mut h = Harness::new("m", &["b"]);
    h.apply(Input::Nearby { peer: PeerId::from("b"), here: true });
    h.connect("b");
    h.apply(Input::SignalingClosed { reason: "gone".into() });
    h.apply(Input::Outbound { key: h.key("b"), step: offer() });
    assert!(h.sent.is_empty());
}
