//! What the tampering proxy changes: the DTLS fingerprint in the SDP of an offer or an
//! answer (someone who wants the data channel to end at them), or the key a roster gives
//! a peer (someone who wants to sign for that peer). Each is a [`Rewrite`] over one
//! message of the protocol, parsed.

use serde_json::Value;
use std::sync::Arc;

/// A real P-256 public key (made with openssl) that no peer of the tests holds: what a
/// tampered roster hands out in place of a peer's own.
pub const STRANGER_KEY: &str =
    "BLJEtzS3L5KzqCJL1cWUxbI6EoATuHhZPI0nY_terqTbSRal10vq1MaRaQLsl7GCcenSgj_pjklIbGWnWNBzK6Q";

/// Which way a message goes through the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// From the tab to the server.
    ToServer,
    /// From the server to the tab.
    ToTab,
}

/// Changes one message going one way, in place; says whether it changed anything.
pub type Rewrite = Arc<dyn Fn(Way, &mut Value) -> bool + Send + Sync>;

/// Alters the `a=fingerprint:` lines of every offer and answer, whichever way it goes
/// (the tab's own, and those it is sent).
pub fn fingerprints() -> Rewrite {
    Arc::new(|_, message| {
        if message["type"] != "signal" {
            return false;
        }
        let Some(signal) = message.get_mut("signal") else { return false };
        if !matches!(signal["kind"].as_str(), Some("offer" | "answer")) {
            return false;
        }
        let Some(Value::String(sdp)) = signal.get_mut("sdp") else { return false };
        let altered = flip_fingerprints(sdp);
        let changed = altered != *sdp;
        *sdp = altered;
        changed
    })
}

/// Hands the tab `key` as the key of the peer `id`, wherever the server names it: the
/// room's roster in `welcome`, a newcomer in `peer_joined`.
pub fn swap_key(id: String, key: String) -> Rewrite {
    Arc::new(move |way, message| {
        if way != Way::ToTab {
            return false;
        }
        let kind = message["type"].clone();
        let peers = match kind.as_str() {
            Some("welcome") => match message.get_mut("peers") {
                Some(Value::Array(peers)) => peers.iter_mut().collect(),
                _ => Vec::new(),
            },
            Some("peer_joined") => message.get_mut("peer").into_iter().collect(),
            _ => Vec::new(),
        };
        let mut changed = false;
        for peer in peers.into_iter().filter(|peer| peer["id"] == id.as_str()) {
            peer["key"] = Value::String(key.clone());
            changed = true;
        }
        changed
    })
}

/// `sdp` with every hex digit of its fingerprints' digests flipped (`0` and `F`, `1`
/// and `E`, ...): the same shape, another certificate.
fn flip_fingerprints(sdp: &str) -> String {
    let flip = |c: char| match c.to_digit(16) {
        Some(digit) => char::from_digit(15 - digit, 16).map_or(c, |c| c.to_ascii_uppercase()),
        None => c,
    };
    let line = |line: &str| match line.strip_prefix("a=fingerprint:") {
        Some(rest) => match rest.split_once(' ') {
            Some((hash, digest)) => {
                format!("a=fingerprint:{hash} {}", digest.chars().map(flip).collect::<String>())
            }
            None => line.to_owned(),
        },
        None => line.to_owned(),
    };
    sdp.split_inclusive('\n').map(line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use signaling_protocol::{PeerId, key_matches_id, peer_id_for};

    const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n\
                       a=fingerprint:sha-256 0A:1B:C2:D3\r\na=setup:actpass\r\n";

    #[test]
    fn an_offer_or_answer_gets_another_fingerprint_and_nothing_else_changes() {
        for kind in ["offer", "answer"] {
            let mut message = json!({
                "type": "signal", "to": "b",
                "signal": { "session": 1, "at": 5, "sig": "s", "kind": kind, "sdp": SDP },
            });
            assert!(fingerprints()(Way::ToServer, &mut message));
            let sdp = message["signal"]["sdp"].as_str().unwrap_or_default();
            assert_eq!(sdp, SDP.replace("0A:1B:C2:D3", "F5:E4:3D:2C"));
            assert_eq!(message["signal"]["sig"], "s");
        }
    }

    #[test]
    fn candidates_and_other_messages_pass_as_they_are() {
        let mut candidate = json!({
            "type": "signal", "from": "a",
            "signal": { "session": 1, "kind": "candidate", "candidate": "a=fingerprint:x 0A" },
        });
        let before = candidate.clone();
        assert!(!fingerprints()(Way::ToTab, &mut candidate));
        assert_eq!(candidate, before);
        let mut welcome = json!({ "type": "welcome", "id": "a", "room": "r", "peers": [] });
        assert!(!fingerprints()(Way::ToTab, &mut welcome));
    }

    #[test]
    fn the_named_peer_gets_the_stranger_key_in_welcomes_and_arrivals_to_the_tab() {
        let swap = swap_key("b".into(), STRANGER_KEY.into());
        let mut welcome = json!({ "type": "welcome", "id": "a", "room": "r", "peers": [
            { "id": "c", "name": "C", "key": "kc" }, { "id": "b", "name": "B", "key": "kb" },
        ]});
        assert!(swap(Way::ToTab, &mut welcome));
        assert_eq!(welcome["peers"][1]["key"], STRANGER_KEY);
        assert_eq!(welcome["peers"][0]["key"], "kc");
        let mut joined = json!({ "type": "peer_joined", "peer": { "id": "b", "name": "B" } });
        assert!(!swap(Way::ToServer, &mut joined.clone()));
        assert!(swap(Way::ToTab, &mut joined));
        assert_eq!(joined["peer"]["key"], STRANGER_KEY);
        let mut other = json!({ "type": "peer_joined", "peer": { "id": "c", "key": "kc" } });
        assert!(!swap(Way::ToTab, &mut other));
    }

    #[test]
    fn the_stranger_key_is_a_valid_key_of_no_one_else() {
        let id = peer_id_for(STRANGER_KEY);
        assert!(key_matches_id(STRANGER_KEY, &id));
        assert!(!key_matches_id(STRANGER_KEY, &PeerId::new("b")));
    }
}
