//! The mesh frames on the reliable channel, as `docs/PROTOCOL.md` ("The mesh")
//! specifies them:
//! - text frame `g` + a JSON object whose `kind` is `advert` (`id`, `name`, `version`,
//!   `links`), `digest` (`have`: id to version) or `relay` (`from`, `to`, `route`, `at`,
//!   `signal`, `proof`);
//! - text frame `b<ttl>:<seq>:<origin>`: the message that follows at once, framed as any
//!   message is, is `origin`'s broadcast number `seq`, which may travel `ttl` more hops.
//!
//! Everything read is bounded: a peer cannot make us hold more than these limits.

use crate::wire::framing::{Frame, FrameError};
use crate::wire::signaling_json::{self, field, set, string, whole};
use crate::wire::tags;
use js_sys::{Array, JSON, JsString, Object};
use peer_core::{Advert, MAX_ADVERT_LINKS, MAX_ADVERTS, MAX_TTL, MeshFrame, Relayed, bounded_ttl};
use signaling_protocol::{PeerId, PeerInfo, validate_name};
use wasm_bindgen::{JsCast, JsValue};

/// Longest peer id read (the server's are far shorter).
const MAX_ID_CHARS: usize = 64;
/// Longest relayed signal, as JSON text (an offer with many candidates is a few KB).
const MAX_SIGNAL_CHARS: usize = 64 * 1024;

/// A mesh frame as read: a whole control frame, or the header of a broadcast whose
/// message follows.
pub(crate) enum Tapped<M> {
    Control(MeshFrame<M>),
    Broadcast { origin: PeerId, seq: u32, ttl: u8 },
}

/// Whether the text frame starting with `tag` (its first UTF-16 unit) is a mesh frame.
pub(crate) fn is_mesh_tag(tag: f64) -> bool {
    tags::is_one_of(&tags::MESH, tag)
}

/// Parses a text frame whose tag [`is_mesh_tag`].
pub(crate) fn parse<M>(frame: &JsString) -> Result<Tapped<M>, FrameError> {
    let text = String::from(frame);
    let (tag, body) = (text.get(..1).unwrap_or_default(), text.get(1..).unwrap_or_default());
    let parsed = if tag == "b" { broadcast_header(body) } else { control(body) };
    parsed.ok_or(FrameError::Malformed)
}

fn broadcast_header<M>(body: &str) -> Option<Tapped<M>> {
    let mut parts = body.splitn(3, ':');
    let ttl: u8 = parts.next()?.parse().ok().filter(|ttl| *ttl > 0)?;
    let seq: u32 = parts.next()?.parse().ok()?;
    let origin = id(parts.next()?)?;
    Some(Tapped::Broadcast { origin, seq, ttl: bounded_ttl(ttl) })
}

fn control<M>(body: &str) -> Option<Tapped<M>> {
    let value = JSON::parse(body).ok()?;
    let frame = match string(&value, "kind")?.as_str() {
        "advert" => MeshFrame::Advert(advert(&value)?),
        "digest" => MeshFrame::Digest(digest(&value)?),
        "relay" => MeshFrame::Relay(Relayed {
            from: id(&string(&value, "from")?)?,
            to: id(&string(&value, "to")?)?,
            route: route(&value)?,
            signal: string(&value, "signal")
                .filter(|text| text.len() <= MAX_SIGNAL_CHARS)
                .and_then(|text| signaling_json::decode_signal(&text))?,
        }),
        _ => return None,
    };
    Some(Tapped::Control(frame))
}

/// A relay's route: 1 to [`MAX_TTL`] ids, none twice.
fn route(value: &JsValue) -> Option<Vec<PeerId>> {
    let route = field(value, "route").filter(Array::is_array).map(|route| Array::from(&route))?;
    if route.length() == 0 || route.length() > u32::from(MAX_TTL) {
        return None;
    }
    let route: Vec<PeerId> =
        route.iter().map(|hop| id(&hop.as_string()?)).collect::<Option<_>>()?;
    let once = route.iter().enumerate().all(|(n, hop)| !route[..n].contains(hop));
    once.then_some(route)
}

fn advert(value: &JsValue) -> Option<Advert> {
    let name = string(value, "name").filter(|name| validate_name(name).is_ok())?;
    let origin = PeerInfo::new(id(&string(value, "id")?)?, name);
    let version = whole(&field(value, "version")?, f64::from(u32::MAX))? as u32;
    let links = field(value, "links").filter(Array::is_array).map(|links| Array::from(&links))?;
    if links.length() as usize > MAX_ADVERT_LINKS {
        return None;
    }
    let links = links.iter().map(|link| id(&link.as_string()?)).collect::<Option<_>>()?;
    Some(Advert { origin, version, links })
}

/// A digest's `have`: at most one entry per advert a peer may hold, and its own.
fn digest(value: &JsValue) -> Option<Vec<(PeerId, u32)>> {
    let have = field(value, "have").filter(|have| have.is_object() && !Array::is_array(have))?;
    let entries = Object::entries(have.unchecked_ref());
    if entries.length() as usize > MAX_ADVERTS + 1 {
        return None;
    }
    entries
        .iter()
        .map(|entry| {
            let entry = Array::from(&entry);
            let version = whole(&entry.get(1), f64::from(u32::MAX))? as u32;
            Some((id(&entry.get(0).as_string()?)?, version))
        })
        .collect()
}

fn id(text: &str) -> Option<PeerId> {
    let fits = !text.is_empty() && text.len() <= MAX_ID_CHARS && !text.contains(':');
    fits.then(|| PeerId::new(text))
}

/// The `g` frame of an advert.
pub(crate) fn advert_frame(advert: &Advert) -> Frame {
    let object = Object::new();
    set(&object, "kind", "advert".into());
    set(&object, "id", advert.origin.id.as_str().into());
    set(&object, "name", advert.origin.name.as_str().into());
    set(&object, "version", advert.version.into());
    let links: Array = advert.links.iter().map(|link| JsValue::from(link.as_str())).collect();
    set(&object, "links", links.into());
    control_frame(&object)
}

/// The `g` frame of a digest.
pub(crate) fn digest_frame(held: &[(PeerId, u32)]) -> Frame {
    let have = Object::new();
    for (origin, version) in held {
        set(&have, origin.as_str(), (*version).into());
    }
    let object = Object::new();
    set(&object, "kind", "digest".into());
    set(&object, "have", have.into());
    control_frame(&object)
}

/// The `g` frame of a relayed signal.
pub(crate) fn relay_frame(relayed: &Relayed) -> Frame {
    let object = Object::new();
    set(&object, "kind", "relay".into());
    set(&object, "from", relayed.from.as_str().into());
    set(&object, "to", relayed.to.as_str().into());
    let route: Array = relayed.route.iter().map(|hop| JsValue::from(hop.as_str())).collect();
    set(&object, "route", route.into());
    set(&object, "signal", signaling_json::encode_signal(&relayed.signal).into());
    control_frame(&object)
}

fn control_frame(object: &Object) -> Frame {
    // Strings and numbers only: stringify cannot fail.
    let json = JSON::stringify(object).unwrap_or_else(|_| JsString::from("{}"));
    Frame::Text(JsString::from("g").concat(&json))
}

/// The header frame sent right before a broadcast's message.
pub(crate) fn broadcast_frame(origin: &PeerId, seq: u32, ttl: u8) -> Frame {
    Frame::Text(JsString::from(format!("b{ttl}:{seq}:{origin}")))
}
