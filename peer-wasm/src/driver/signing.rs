//! Every signal we send is signed, and every signal we get is checked, by one task, in
//! order: signals leave and are applied in the order they were made (an offer before its
//! candidates), while WebCrypto's promises may settle in any order. The machine decides
//! what to check against which key (`core/trust.rs`); this is the crypto and the clock.

use super::Driver;
use crate::core::{ConnKey, Input, MeshFrame, Relayed, Verdict};
use crate::{identity, log};
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use signaling_protocol::{ClientMessage, PeerId, Signal, signal_text};
use std::rc::Weak;

/// How far a signal's time may be from ours: older ones are dropped (a replay of an old
/// signal gets nowhere), and the clocks of two machines may differ a bit.
pub(crate) const FRESH_MS: u64 = 5 * 60 * 1000;

/// Which way a signal of ours goes once signed.
pub(super) enum Way {
    /// Through a tab of this browser if the target is in one, else through the server.
    Direct,
    /// Through the mesh, along `route`, starting on the channel of `hop`.
    Mesh { hop: ConnKey, route: Vec<PeerId> },
}

/// Work for the signing task.
pub(super) enum Job {
    /// Stamp, sign and send our signal for `to`.
    Sign { to: PeerId, signal: Signal, way: Way },
    /// Check that `signal` is `from`'s, signed with `key` for us.
    Verify { from: PeerId, signal: Signal, key: String, via: Option<ConnKey> },
}

impl Driver {
    /// Hands our signal for `to` to the signing task, which sends it `way`.
    pub(super) fn sign_and_send(&self, to: PeerId, signal: Signal, way: Way) {
        let _ = self.jobs.unbounded_send(Job::Sign { to, signal, way });
    }

    /// Hands a signal for us to the signing task, to check it against `key`.
    pub(super) fn check(&self, from: PeerId, signal: Signal, key: String, via: Option<ConnKey>) {
        let _ = self.jobs.unbounded_send(Job::Verify { from, signal, key, via });
    }

    /// Sends a signed signal its way. A failure means signaling is closed, which the
    /// transport reports itself.
    fn dispatch(&self, to: PeerId, signal: Signal, way: Way) {
        match way {
            Way::Direct => match &*self.same_origin.borrow() {
                Some(nearby) if nearby.carries(&to) => nearby.send(&to, &signal),
                _ => {
                    let _ = self.signaling.borrow().send(&ClientMessage::Signal { to, signal });
                }
            },
            Way::Mesh { hop, route } => {
                let relayed = Relayed { from: self.me.id.clone(), to, route, signal };
                self.send_mesh(&hop, MeshFrame::Relay(relayed));
            }
        }
    }
}

/// Signs and checks signals, one at a time, for as long as the driver lives.
pub(super) async fn sign_and_check(driver: Weak<Driver>, mut jobs: UnboundedReceiver<Job>) {
    while let Some(job) = jobs.next().await {
        let Some(this) = driver.upgrade() else { return };
        let (room, me, identity) = (this.room.clone(), this.me.id.clone(), this.signer.clone());
        drop(this);
        match job {
            Job::Sign { to, mut signal, way } => {
                signal.at = now_ms();
                let Some(sig) = identity.sign(&signal_text(&room, &me, &to, &signal)).await else {
                    log::warn(&format!("WebCrypto refused to sign a signal for {to}"));
                    continue;
                };
                signal.sig = sig;
                if let Some(driver) = driver.upgrade() {
                    driver.dispatch(to, signal, way);
                }
            }
            Job::Verify { from, signal, key, via } => {
                let verdict = if signal.at.abs_diff(now_ms()) > FRESH_MS {
                    Verdict::Stale
                } else if identity::verify(
                    &key,
                    &signal.sig,
                    &signal_text(&room, &from, &me, &signal),
                )
                .await
                {
                    Verdict::Good
                } else {
                    Verdict::Forged
                };
                if let Some(driver) = driver.upgrade() {
                    // Behind whatever the connections reported meanwhile.
                    let _ =
                        driver.inputs.unbounded_send(Input::Checked { from, signal, via, verdict });
                }
            }
        }
    }
}

/// Milliseconds since the epoch, by this machine's clock.
fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
