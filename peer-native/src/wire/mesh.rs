//! The mesh frames on the reliable channel (`docs/PROTOCOL.md`, "The mesh"):
//! - text `g` + a JSON object whose `kind` is `advert` (`id`, `name`, `version`,
//!   `links`), `digest` (`have`: id to version) or `relay` (`from`, `to`, `route`,
//!   `signal`, the signal as JSON text);
//! - text `b<ttl>:<seq>:<origin>`: the message that follows at once is `origin`'s
//!   broadcast number `seq`, which may travel `ttl` more hops.
//!
//! Everything read is bounded (ids, lists, the signal), so a peer cannot make us hold
//! more than these limits; anything else, an unknown `kind` included, is a bad frame.

use super::BadFrame;
use super::frame::Frame;
use peer_core::{Advert, MAX_ADVERT_LINKS, MAX_ADVERTS, MAX_TTL, MeshFrame, Relayed, bounded_ttl};
use serde::Serialize;
use serde_json::{Map, Value};
use signaling_protocol::{PeerId, PeerInfo, Signal, validate_name};

/// Longest peer id read (the server's are far shorter).
pub const MAX_ID_CHARS: usize = 64;
/// Longest relayed signal, as JSON text.
pub const MAX_SIGNAL_CHARS: usize = 64 * 1024;

/// A mesh frame as read: a whole control frame, or a broadcast's header, whose message
/// follows.
#[derive(Clone, Debug, PartialEq)]
pub enum Tapped<M> {
    /// An advert, a digest or a relayed signal.
    Control(MeshFrame<M>),
    /// The header of a broadcast (its `ttl` already capped at [`MAX_TTL`]).
    Broadcast {
        /// The peer that broadcast it.
        origin: PeerId,
        /// Its number among `origin`'s broadcasts.
        seq: u32,
        /// Hops it may still travel.
        ttl: u8,
    },
}

/// Parses a text frame whose first character is a mesh tag (`tags::is_mesh`).
pub fn parse<M>(text: &str) -> Result<Tapped<M>, BadFrame> {
    let (parsed, what) = match text.strip_prefix('b') {
        Some(body) => (broadcast_header(body), "broadcast header"),
        None => (control(text.get(1..).unwrap_or_default()), "mesh control frame"),
    };
    parsed.ok_or_else(|| BadFrame::new(format!("{what} {text:.80} breaks its format")))
}

fn broadcast_header<M>(body: &str) -> Option<Tapped<M>> {
    let mut parts = body.splitn(3, ':');
    let ttl: u8 = parts.next()?.parse().ok().filter(|ttl| *ttl > 0)?;
    let seq: u32 = parts.next()?.parse().ok()?;
    let origin = id(parts.next()?)?;
    Some(Tapped::Broadcast { origin, seq, ttl: bounded_ttl(ttl) })
}

fn control<M>(json: &str) -> Option<Tapped<M>> {
    let value: Value = serde_json::from_str(json).ok()?;
    let object = value.as_object()?;
    let frame = match object.get("kind")?.as_str()? {
        "advert" => MeshFrame::Advert(advert(object)?),
        "digest" => MeshFrame::Digest(digest(object)?),
        "relay" => MeshFrame::Relay(relayed(object)?),
        _ => return None,
    };
    Some(Tapped::Control(frame))
}

fn advert(object: &Map<String, Value>) -> Option<Advert> {
    let name = string(object, "name").filter(|name| validate_name(name).is_ok())?;
    let origin = PeerInfo::new(id(string(object, "id")?)?, name);
    let version = whole_u32(object.get("version")?)?;
    let links = object.get("links")?.as_array()?;
    if links.len() > MAX_ADVERT_LINKS {
        return None;
    }
    let links = links.iter().map(|link| id(link.as_str()?)).collect::<Option<_>>()?;
    Some(Advert { origin, version, links })
}

/// A digest's `have`: at most one entry per advert a peer may hold, and its own.
fn digest(object: &Map<String, Value>) -> Option<Vec<(PeerId, u32)>> {
    let have = object.get("have")?.as_object()?;
    if have.len() > MAX_ADVERTS + 1 {
        return None;
    }
    have.iter().map(|(origin, version)| Some((id(origin)?, whole_u32(version)?))).collect()
}

fn relayed(object: &Map<String, Value>) -> Option<Relayed> {
    let signal = string(object, "signal").filter(|text| text.len() <= MAX_SIGNAL_CHARS)?;
    Some(Relayed {
        from: id(string(object, "from")?)?,
        to: id(string(object, "to")?)?,
        route: route(object.get("route")?)?,
        signal: serde_json::from_str::<Signal>(signal).ok()?,
    })
}

/// A relay's route: 1 to [`MAX_TTL`] ids, none twice.
fn route(value: &Value) -> Option<Vec<PeerId>> {
    let hops = value.as_array()?;
    if hops.is_empty() || hops.len() > usize::from(MAX_TTL) {
        return None;
    }
    let route: Vec<PeerId> = hops.iter().map(|hop| id(hop.as_str()?)).collect::<Option<_>>()?;
    let once = route.iter().enumerate().all(|(n, hop)| !route[..n].contains(hop));
    once.then_some(route)
}

fn string<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key)?.as_str()
}

/// A JSON number that is a whole number from 0 to `u32::MAX` (`7.0` too, as a browser
/// reads it).
fn whole_u32(value: &Value) -> Option<u32> {
    let number = value.as_f64()?;
    let whole = number.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&number);
    // Whole and in range: the cast is exact.
    whole.then_some(number as u32)
}

/// A peer id as the mesh carries it: 1 to [`MAX_ID_CHARS`] bytes (as the browser
/// counts them; ids are ASCII), no `:`.
fn id(text: &str) -> Option<PeerId> {
    let fits = !text.is_empty() && text.len() <= MAX_ID_CHARS && !text.contains(':');
    fits.then(|| PeerId::new(text))
}

/// An advert's JSON, fields in the order the browser writes them.
#[derive(Serialize)]
struct AdvertJson<'a> {
    kind: &'static str,
    id: &'a str,
    name: &'a str,
    version: u32,
    links: Vec<&'a str>,
}

/// A digest's JSON.
#[derive(Serialize)]
struct DigestJson {
    kind: &'static str,
    have: Map<String, Value>,
}

/// A relay's JSON.
#[derive(Serialize)]
struct RelayJson<'a> {
    kind: &'static str,
    from: &'a str,
    to: &'a str,
    route: Vec<&'a str>,
    signal: String,
}

/// The `g` frame of an advert, a digest or a relay; `None` for a broadcast, which is a
/// header and a message ([`broadcast_header_frame`]).
pub fn control_frame<M>(frame: &MeshFrame<M>) -> Option<Frame> {
    let json = match frame {
        MeshFrame::Advert(advert) => serde_json::to_string(&AdvertJson {
            kind: "advert",
            id: advert.origin.id.as_str(),
            name: &advert.origin.name,
            version: advert.version,
            links: advert.links.iter().map(PeerId::as_str).collect(),
        }),
        MeshFrame::Digest(held) => serde_json::to_string(&DigestJson {
            kind: "digest",
            have: held.iter().map(|(id, v)| (id.as_str().to_owned(), Value::from(*v))).collect(),
        }),
        MeshFrame::Relay(relayed) => serde_json::to_string(&RelayJson {
            kind: "relay",
            from: relayed.from.as_str(),
            to: relayed.to.as_str(),
            route: relayed.route.iter().map(PeerId::as_str).collect(),
            signal: serde_json::to_string(&relayed.signal).ok()?,
        }),
        MeshFrame::Broadcast { .. } => return None,
    };
    // Strings and numbers only: serializing cannot fail.
    json.ok().map(|json| Frame::Text(format!("g{json}")))
}

/// The header frame sent right before a broadcast's message.
pub fn broadcast_header_frame(origin: &PeerId, seq: u32, ttl: u8) -> Frame {
    Frame::Text(format!("b{ttl}:{seq}:{origin}"))
}
