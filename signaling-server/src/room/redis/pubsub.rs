//! What instances tell each other over pub/sub: tab-separated text, because the Lua
//! scripts write it too. Room names (A-Z a-z 0-9 - _ .), ids and instance ids (hex) hold
//! no tab; a display name may, so it always comes last, and a signal's JSON last of all.
//!
//! - `e ROOM SEQ KIND ID INSTANCE TICKET KEY NAME`: a room event (KEY the peer's public
//!   key, validated: A-Z a-z 0-9 - _), KIND `j` (joined), `l` (left) or `t` (took over:
//!   the id's key joined again, on INSTANCE under TICKET);
//! - `s ROOM TO JSON`: a signal for the peer TO, as the JSON text it is to be sent.

use signaling_protocol::PeerId;

/// What happened in a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A peer joined.
    Joined,
    /// A peer left.
    Left,
    /// A peer's key joined again on another connection (maybe on another instance), which
    /// took the seat of its id.
    TookOver,
}

/// A room event, numbered by the room's `#seq`. (Owned: one may wait for the first
/// join's answer; events are joins and leaves, not signals, so they are few.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub room: String,
    pub seq: u64,
    pub kind: Kind,
    pub id: String,
    pub instance: String,
    pub ticket: u64,
    pub key: Option<String>,
    pub name: String,
}

/// One pub/sub message.
#[derive(Debug, PartialEq, Eq)]
pub enum Inbound<'a> {
    /// A room changed.
    Event(Event),
    /// A signal for one of our peers.
    Signal { room: &'a str, to: &'a str, text: &'a str },
}

/// The message that carries `text` (an encoded `signal`) to `to` in `room`.
pub fn signal(room: &str, to: &PeerId, text: &str) -> String {
    format!("s\t{room}\t{to}\t{text}")
}

/// Reads a pub/sub message; `None` for anything else.
pub fn parse(payload: &str) -> Option<Inbound<'_>> {
    if let Some(rest) = payload.strip_prefix("s\t") {
        let mut parts = rest.splitn(3, '\t');
        let (room, to, text) = (parts.next()?, parts.next()?, parts.next()?);
        return Some(Inbound::Signal { room, to, text });
    }
    let mut parts = payload.strip_prefix("e\t")?.splitn(8, '\t');
    let room = parts.next()?;
    let seq = parts.next()?.parse().ok()?;
    let kind = match parts.next()? {
        "j" => Kind::Joined,
        "l" => Kind::Left,
        "t" => Kind::TookOver,
        _ => return None,
    };
    let (id, instance) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let ticket = parts.next()?.parse().ok()?;
    let key = Some(parts.next()?).filter(|key| !key.is_empty()).map(str::to_owned);
    let (room, name) = (room.to_owned(), parts.next()?.to_owned());
    Some(Inbound::Event(Event { room, seq, kind, id, instance, ticket, key, name }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_and_signals_read_back_names_with_tabs_included() {
        let event = "e\tlobby\t7\tj\t00ab\tff01\t3\tk-1\tAnn\tB";
        assert_eq!(
            parse(event),
            Some(Inbound::Event(Event {
                room: "lobby".into(),
                seq: 7,
                kind: Kind::Joined,
                id: "00ab".into(),
                instance: "ff01".into(),
                ticket: 3,
                key: Some("k-1".into()),
                name: "Ann\tB".into(),
            }))
        );
        let text = r#"{"type":"signal","from":"a","signal":{"x":"\t"}}"#;
        let message = signal("lobby", &PeerId::from("00ab"), text);
        assert_eq!(parse(&message), Some(Inbound::Signal { room: "lobby", to: "00ab", text }));
        assert_eq!(parse("e\tlobby\tseven\tj\ta\tb\t1\t\tn"), None);
        assert_eq!(parse("x"), None);
    }
}
