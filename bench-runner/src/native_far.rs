//! The far end of the "peer-wasm↔native" pairs (`--native`): one native peer
//! (peer-native) in a room of its own on the benchmark's server. Each of the page's
//! pairs joins that room with a new peer-wasm peer and connects to it (`www/bench/
//! native.js`); what the far tab does for the other pairs, this peer does on the pair's
//! own channel, so nothing else crosses between the page and this process:
//!   text "echo"        → text "echoing"; from then on every binary message goes back
//!   text "sink COUNT"  → text "sinking"; once COUNT binary messages have come,
//!                        text "sunk BYTES SUM MISORDERED" (the checks of `measure.js`)

use crate::Error;
use peer_native::{Delivery, Events, JoinOptions, Payload, Peer, PeerEvent, PeerId};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use tokio::task::JoinHandle;

/// The room the native peer waits in.
pub const ROOM: &str = "bench-native";
/// Every `SAMPLE`-th byte of a message is checksummed, as `measure.js` does.
const SAMPLE: usize = 61;

/// The native peer and the task that answers the page's peers; both end on drop.
pub struct NativeFar {
    peer: Peer,
    task: JoinHandle<()>,
}

impl NativeFar {
    /// Joins [`ROOM`] on `url` (loopback only, as the page's peers are) and starts
    /// answering.
    pub async fn start(url: &str) -> Result<Self, Error> {
        let mut options = JoinOptions::new(url, ROOM, "native");
        options.bind = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
        let (peer, events) = Peer::join(options).await?;
        let task = tokio::spawn(serve(peer.clone(), events));
        Ok(Self { peer, task })
    }

    /// The native peer's id, which the page connects to.
    pub fn id(&self) -> &PeerId {
        self.peer.id()
    }

    /// Leaves the room.
    pub async fn close(self) {
        self.task.abort();
        self.peer.close().await;
    }
}

/// What the far end does with one remote's binary messages.
enum Mode {
    /// Nothing asked yet.
    Idle,
    /// Send each one back.
    Echo,
    /// Count and check them, then report.
    Sink(Sink),
}

/// A transfer being received.
struct Sink {
    count: u64,
    received: u64,
    bytes: u64,
    sum: i32,
    misordered: u64,
}

async fn serve(peer: Peer, mut events: Events) {
    let mut modes: HashMap<PeerId, Mode> = HashMap::new();
    while let Some(event) = events.next().await {
        let (from, payload) = match event {
            PeerEvent::Message { from, payload } => (from.id, payload),
            PeerEvent::Disconnected { peer: gone, .. } | PeerEvent::PeerLeft(gone) => {
                modes.remove(&gone.id);
                continue;
            }
            _ => continue,
        };
        let mode = modes.entry(from.clone()).or_insert(Mode::Idle);
        let reply = match payload {
            Payload::Text(order) => take_order(mode, &order),
            Payload::Bytes(bytes) => match mode {
                Mode::Echo => Some(Payload::Bytes(bytes)),
                Mode::Sink(sink) => sink.take(&bytes),
                Mode::Idle => None,
            },
            _ => None,
        };
        if let Some(reply) = reply {
            // A pair the page closed meanwhile: nothing to tell it.
            let _ = peer.send_to(&from, reply, Delivery::Reliable).await;
        }
    }
}

/// The page's order, and the answer to it.
fn take_order(mode: &mut Mode, order: &str) -> Option<Payload> {
    if order == "echo" {
        *mode = Mode::Echo;
        return Some(Payload::text("echoing"));
    }
    let count = order.strip_prefix("sink ")?.parse().ok()?;
    *mode = Mode::Sink(Sink { count, received: 0, bytes: 0, sum: 0, misordered: 0 });
    Some(Payload::text("sinking"))
}

impl Sink {
    /// Checks one message as `far.js` does; the report once the last one came.
    fn take(&mut self, bytes: &[u8]) -> Option<Payload> {
        let seq = sequence_of(bytes);
        if u64::from(seq) != self.received {
            self.misordered += 1;
        }
        self.sum = checksum(self.sum, bytes, seq);
        self.bytes += bytes.len() as u64;
        self.received += 1;
        (self.received == self.count)
            .then(|| Payload::text(format!("sunk {} {} {}", self.bytes, self.sum, self.misordered)))
    }
}

/// The sequence number in a message's first 4 bytes (little-endian).
fn sequence_of(bytes: &[u8]) -> u32 {
    let mut head = [0u8; 4];
    for (to, from) in head.iter_mut().zip(bytes) {
        *to = *from;
    }
    u32::from_le_bytes(head)
}

/// `checksum` of `measure.js`: every [`SAMPLE`]-th byte from an offset that shifts with
/// the sequence number, then the last byte, folded with 32-bit wrapping arithmetic.
fn checksum(mut sum: i32, bytes: &[u8], seq: u32) -> i32 {
    let start = 4 + seq as usize % SAMPLE;
    for byte in bytes.iter().skip(start).step_by(SAMPLE) {
        sum = sum.wrapping_mul(31).wrapping_add(i32::from(*byte));
    }
    let last = bytes.last().copied().unwrap_or(0);
    sum.wrapping_mul(31).wrapping_add(i32::from(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_is_the_one_of_measure_js() {
        // From measure.js in Node: checksum(7, Uint8Array.from({length: 200}, (_, i) =>
        // (i * 37) & 255), 66) === 272644730.
        let bytes: Vec<u8> = (0..200u32).map(|i| ((i * 37) & 255) as u8).collect();
        assert_eq!(checksum(7, &bytes, 66), 272_644_730);
    }

    #[test]
    fn a_sink_reports_once_every_message_came_in_order() {
        let mut mode = Mode::Idle;
        assert!(
            matches!(take_order(&mut mode, "sink 2"), Some(Payload::Text(t)) if t == "sinking")
        );
        let Mode::Sink(sink) = &mut mode else { panic!("not sinking") };
        assert!(sink.take(&[0, 0, 0, 0, 9]).is_none());
        let report = sink.take(&[1, 0, 0, 0, 9]);
        assert!(
            matches!(report, Some(Payload::Text(t)) if t.starts_with("sunk 10 ") && t.ends_with(" 0"))
        );
        assert!(take_order(&mut mode, "sink x").is_none(), "not a count");
    }
}
