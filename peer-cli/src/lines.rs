//! How the command-line peer prints what happens: one line each, stable enough for
//! scripts to read.

use peer_native::{Payload, PeerEvent};

/// The line printed for `event`, if any.
pub fn event_line(event: &PeerEvent) -> Option<String> {
    Some(match event {
        PeerEvent::PeerJoined(peer) => format!("* joined {}", peer.name),
        PeerEvent::PeerLeft(peer) => format!("* left {}", peer.name),
        PeerEvent::Connected(peer) => format!("* connected {}", peer.name),
        PeerEvent::Disconnected { peer, reason } => {
            format!("* disconnected {} ({reason})", peer.name)
        }
        PeerEvent::Message { from, payload } | PeerEvent::Broadcast { from, payload } => {
            format!("{}: {}", from.name, payload_text(payload))
        }
        PeerEvent::SignalingClosed { reason } => format!("* signaling closed ({reason})"),
        PeerEvent::SignalingReconnecting { reason } => {
            format!("* signaling reconnecting ({reason})")
        }
        PeerEvent::SignalingReconnected => "* signaling reconnected".to_owned(),
        PeerEvent::FileReceived { from, name, size, sha256, .. } => {
            format!("* file {name} from {} ({size} bytes, sha256 {sha256})", from.name)
        }
        PeerEvent::FileFailed { from, name, reason } => {
            format!("* file {name} from {} failed ({reason})", from.name)
        }
        _ => return None,
    })
}

/// A message as printed: text and JSON as they are (on one line: line breaks and other
/// control characters escaped, so a message cannot pass for another line), bytes by
/// their count.
fn payload_text(payload: &Payload) -> String {
    match payload {
        Payload::Text(text) | Payload::Json(text) => one_line(text),
        Payload::Bytes(bytes) | Payload::Typed { bytes, .. } => format!("<{} bytes>", bytes.len()),
    }
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`, ...).
fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use peer_native::{PeerId, PeerInfo};

    fn alice() -> PeerInfo {
        PeerInfo { id: PeerId::new("a".repeat(32)), name: "Alice".into(), key: None }
    }

    #[test]
    fn messages_print_as_name_colon_text() {
        let text = PeerEvent::Message { from: alice(), payload: Payload::Text("hi".into()) };
        assert_eq!(event_line(&text).as_deref(), Some("Alice: hi"));
        let json = PeerEvent::Message { from: alice(), payload: Payload::Json("{\"a\":1}".into()) };
        assert_eq!(event_line(&json).as_deref(), Some("Alice: {\"a\":1}"));
        let bytes = PeerEvent::Message { from: alice(), payload: Payload::Bytes(vec![0; 5]) };
        assert_eq!(event_line(&bytes).as_deref(), Some("Alice: <5 bytes>"));
    }

    #[test]
    fn a_message_stays_on_one_line() {
        let sneaky = Payload::Text("hi\n* left Bob\u{1b}[2J".into());
        let line = event_line(&PeerEvent::Message { from: alice(), payload: sneaky });
        assert_eq!(line.as_deref(), Some("Alice: hi\\n* left Bob\\u{1b}[2J"));
    }

    #[test]
    fn events_print_with_a_star() {
        let gone = PeerEvent::Disconnected { peer: alice(), reason: "left".into() };
        assert_eq!(event_line(&gone).as_deref(), Some("* disconnected Alice (left)"));
        assert_eq!(
            event_line(&PeerEvent::Connected(alice())).as_deref(),
            Some("* connected Alice")
        );
    }

    #[test]
    fn files_print_their_saved_name_size_and_digest() {
        let file = PeerEvent::FileReceived {
            from: alice(),
            name: "a (1).txt".into(),
            path: "./a (1).txt".into(),
            size: 3,
            sha256: "ab".repeat(32),
        };
        let expected = format!("* file a (1).txt from Alice (3 bytes, sha256 {})", "ab".repeat(32));
        assert_eq!(event_line(&file).as_deref(), Some(expected.as_str()));
        let failed =
            PeerEvent::FileFailed { from: alice(), name: "a".into(), reason: "cancelled".into() };
        assert_eq!(event_line(&failed).as_deref(), Some("* file a from Alice failed (cancelled)"));
    }
}
