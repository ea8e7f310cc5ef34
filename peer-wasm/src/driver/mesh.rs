//! The driver's part of the mesh: mesh frames out on the channels, and the task that
//! signs our relayed signals and checks the ones relayed to us.

use super::{Driver, send};
use crate::connection::Connection;
use crate::core::{ConnKey, Input, MAX_TTL, MeshFrame, Relayed};
use crate::mesh::{self, FRESH_MS, Job, crypto, wire};
use crate::{Payload, framing, log};
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use signaling_protocol::{PeerId, Signal};
use std::rc::Weak;

impl Driver {
    /// Sends a mesh frame on `key`'s channel. A broadcast passed on to a neighbour whose
    /// queue is full is dropped there, with a warning (that neighbour is not keeping up).
    pub(super) fn send_mesh(&self, key: &ConnKey, frame: MeshFrame<Payload>) {
        let connections = self.connections.borrow();
        let Some(connection) = super::find(&connections, key) else { return };
        let sent = match frame {
            MeshFrame::Advert(advert) => connection.send_control(wire::advert_frame(&advert)),
            MeshFrame::Digest(held) => connection.send_control(wire::digest_frame(&held)),
            MeshFrame::Relay(relayed) => connection.send_control(wire::relay_frame(&relayed)),
            MeshFrame::Broadcast { origin, seq, ttl, message } => {
                framing::encode(&message, connection.max_frame()).and_then(|frames| {
                    let header = wire::broadcast_frame(&origin, seq, ttl);
                    connection.send(std::iter::once(header).chain(frames).collect())
                })
            }
        };
        if let Err(error) = sent {
            log::warn(&format!("a mesh message for {} was not sent: {error}", key.peer));
        }
    }

    /// Hands our signal for `to` to the signing task, which sends it on `hop`.
    pub(super) fn relay(&self, hop: ConnKey, to: PeerId, route: Vec<PeerId>, signal: &Signal) {
        let text = crate::wire::encode_signal(signal);
        let from = self.me.id.clone();
        let relayed = Relayed { from, to, route, at: mesh::now_ms(), text, proof: String::new() };
        let _ = self.jobs.unbounded_send(Job::Sign { hop, relayed });
    }

    /// Hands a signal relayed to us to the checking task, with its sender's key.
    pub(super) fn verify(&self, key: ConnKey, relayed: Relayed) {
        let sender =
            self.core.borrow().roster().iter().find(|peer| peer.id == relayed.from).cloned();
        let public_key = sender.and_then(|sender| sender.key);
        let _ = self.jobs.unbounded_send(Job::Verify { key, relayed, public_key });
    }

    /// Broadcasts `payload` to the whole room through the mesh: to every open channel,
    /// which pass it on. All or none, as `send_message`: a full queue is reported first.
    pub fn broadcast(&self, payload: &Payload) -> Result<usize, crate::PeerError> {
        if self.core.borrow().is_closed() {
            return Err(crate::PeerError::Closed);
        }
        let keys = self.core.borrow().open_keys();
        let connections = self.connections.borrow();
        let open: Vec<(&ConnKey, &Connection)> =
            keys.iter().filter_map(|key| Some((key, super::find(&connections, key)?))).collect();
        send::check_room(&open)?;
        // Numbered once no queue refuses it (a number lost to a payload that cannot be
        // encoded leaves a gap, which the receivers' windows take in their stride).
        let (origin, seq) = self.core.borrow_mut().begin_broadcast();
        let header = wire::broadcast_frame(&origin, seq, MAX_TTL);
        send::send_reliably(payload, Some(&header), &open)
    }
}

/// Signs and checks relayed signals, one at a time, for as long as the driver lives.
pub(super) async fn sign_and_check(driver: Weak<Driver>, mut jobs: UnboundedReceiver<Job>) {
    while let Some(job) = jobs.next().await {
        let Some(room) = driver.upgrade().map(|driver| driver.room.clone()) else { return };
        match job {
            Job::Sign { hop, mut relayed } => {
                let Some(key) = driver.upgrade().and_then(|driver| driver.signer.clone()) else {
                    continue;
                };
                let Some(proof) = crypto::sign(&key, &mesh::signed_text(&room, &relayed)).await
                else {
                    log::warn("WebCrypto refused to sign a relayed signal");
                    continue;
                };
                relayed.proof = proof;
                if let Some(driver) = driver.upgrade() {
                    driver.send_mesh(&hop, MeshFrame::Relay(relayed));
                }
            }
            Job::Verify { key, relayed, public_key } => {
                let input = check(&room, key, relayed, public_key).await;
                if let (Some(driver), Some(input)) = (driver.upgrade(), input) {
                    // Behind whatever the connections reported meanwhile.
                    let _ = driver.inputs.unbounded_send(input);
                }
            }
        }
    }
}

/// What a signal relayed to us amounts to: the signal, a forgery, or nothing (too old,
/// or from a peer whose key we do not have).
async fn check(
    room: &str,
    key: ConnKey,
    relayed: Relayed,
    public_key: Option<String>,
) -> Option<Input<Payload>> {
    let Some(public_key) = public_key else {
        log::warn(&format!("dropped a signal relayed from {}: no key of its own", relayed.from));
        return None;
    };
    if relayed.at.abs_diff(mesh::now_ms()) > FRESH_MS {
        log::warn(&format!("dropped a stale signal relayed from {}", relayed.from));
        return None;
    }
    if !crypto::verify(&public_key, &relayed.proof, &mesh::signed_text(room, &relayed)).await {
        return Some(Input::Forged { key });
    }
    let signal = crate::wire::decode_signal(&relayed.text)?;
    Some(Input::Signal { from: relayed.from, signal })
}
