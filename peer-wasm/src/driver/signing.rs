//! Every signal we send is signed, and every signal we get is checked, here: all at once,
//! but delivered in order, so that signals leave and are applied in the order they were
//! made (an offer before its candidates) while WebCrypto's promises may settle in any
//! order. With a passphrase, what is signed is sealed too, and what comes is opened
//! before it is checked. The
//! machine decides what to check against which key (`peer-core`'s `trust.rs`); this is the
//! crypto and the clock.

use super::Driver;
use crate::identity::{self, Identity};
use crate::log;
use crate::signaling::sealing::SealKey;
use crate::wire::signaling_json;
use futures_channel::mpsc::UnboundedReceiver;
use futures_channel::oneshot;
use futures_util::StreamExt;
use peer_core::{
    ConnKey, Input, MeshFrame, Relayed, Verdict, Way, freshness_verdict, sealing_verdict, unsealed,
};
use signaling_protocol::{ClientMessage, PeerId, Signal, Step, signal_text};
use std::rc::Weak;
use wasm_bindgen_futures::spawn_local;

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

    /// Sends a signed signal the way the machine chose. A failure means signaling is
    /// closed, which the transport reports itself.
    fn dispatch(&self, to: PeerId, signal: Signal, way: Way) {
        match way {
            Way::Tab => match &*self.same_origin.borrow() {
                Some(nearby) if nearby.carries(&to) => nearby.send(&to, &signal),
                // Its tab closed while the signal was being signed (`Way::Tab`).
                _ => self.send_to_server(to, signal),
            },
            Way::Server => self.send_to_server(to, signal),
            Way::Mesh { hop, route } => {
                let relayed = Relayed { from: self.me.id.clone(), to, route, signal };
                self.send_mesh(&hop, MeshFrame::Relay(relayed));
            }
        }
    }

    fn send_to_server(&self, to: PeerId, signal: Signal) {
        let _ = self.signaling.borrow().send(&ClientMessage::Signal { to, signal });
    }
}

/// Signs and checks signals for as long as the driver lives; with `seal_key` (the join
/// gave a passphrase), seals and opens them too. Each job's crypto starts as soon as the
/// job arrives (WebCrypto works off the main thread, so the signals of a burst are signed
/// or checked at once, not one after another), and what each yields is delivered in the
/// order the jobs came.
pub(super) async fn sign_and_check(
    driver: Weak<Driver>,
    mut jobs: UnboundedReceiver<Job>,
    seal_key: Option<SealKey>,
) {
    let (queue, mut queued) = futures_channel::mpsc::unbounded::<oneshot::Receiver<Done>>();
    let delivering = driver.clone();
    spawn_local(async move {
        while let Some(next) = queued.next().await {
            let (Ok(done), Some(driver)) = (next.await, delivering.upgrade()) else { continue };
            match done {
                Done::Signed { to, signal, way } => driver.dispatch(to, signal, way),
                Done::Checked { from, signal, via, verdict } => {
                    // Behind whatever the connections reported meanwhile.
                    let input = Input::Checked { from, signal, via, verdict };
                    let _ = driver.inputs.unbounded_send(input);
                }
            }
        }
    });
    while let Some(job) = jobs.next().await {
        let Some(this) = driver.upgrade() else { return };
        let (room, me, identity) = (this.room.clone(), this.me.id.clone(), this.signer.clone());
        drop(this);
        let seal_key = seal_key.clone();
        let (finished, done) = oneshot::channel();
        spawn_local(async move {
            if let Some(outcome) = work(job, &room, &me, &identity, seal_key.as_ref()).await {
                let _ = finished.send(outcome);
            }
        });
        let _ = queue.unbounded_send(done);
    }
}

/// What a job yields, to deliver in order.
enum Done {
    Signed { to: PeerId, signal: Signal, way: Way },
    Checked { from: PeerId, signal: Signal, via: Option<ConnKey>, verdict: Verdict },
}

/// One job's crypto; `None` when there is nothing to deliver (WebCrypto refused to sign).
async fn work(
    job: Job,
    room: &str,
    me: &PeerId,
    identity: &Identity,
    seal_key: Option<&SealKey>,
) -> Option<Done> {
    match job {
        Job::Sign { to, signal, way } => {
            let ends = Ends { room, from: me, to: &to };
            let signal = signed(identity, ends, signal, seal_key).await?;
            Some(Done::Signed { to, signal, way })
        }
        Job::Verify { from, signal, key, via } => {
            let ends = Ends { room, from: &from, to: me };
            let (signal, verdict) = checked(ends, signal, &key, seal_key).await;
            Some(Done::Checked { from, signal, via, verdict })
        }
    }
}

/// Where a signal goes: what its signature binds besides the signal itself.
#[derive(Clone, Copy)]
struct Ends<'a> {
    room: &'a str,
    from: &'a PeerId,
    to: &'a PeerId,
}

/// Our `signal`, stamped and signed, then sealed unless it is a bye (which any peer
/// must be able to read); `None` (with a warning) if WebCrypto refused.
async fn signed(
    identity: &Identity,
    ends: Ends<'_>,
    mut signal: Signal,
    seal_key: Option<&SealKey>,
) -> Option<Signal> {
    let Ends { room, from, to } = ends;
    signal.at = now_ms();
    let Some(sig) = identity.sign(&signal_text(room, from, to, &signal)).await else {
        log::warn(&format!("WebCrypto refused to sign a signal for {to}"));
        return None;
    };
    signal.sig = sig;
    match seal_key {
        Some(seal_key) if !matches!(signal.step, Step::Bye { .. }) => {
            let Some(data) = seal_key.seal(&signaling_json::encode_signal(&signal)).await else {
                log::warn(&format!("WebCrypto refused to seal a signal for {to}"));
                return None;
            };
            Some(Signal::new(signal.session, Step::Sealed { data }))
        }
        _ => Some(signal),
    }
}

/// What a `signal` that came for us is (opened first, if sealed), and what its checks
/// found: sealed or not as this peer expects (`peer_core::sealing_verdict`), sealed with our
/// key, fresh, and signed with `key`.
async fn checked(
    ends: Ends<'_>,
    signal: Signal,
    key: &str,
    seal_key: Option<&SealKey>,
) -> (Signal, Verdict) {
    if let Some(verdict) = sealing_verdict(&signal.step, seal_key.is_some()) {
        return (signal, verdict);
    }
    let signal = match (&signal.step, seal_key) {
        (Step::Sealed { data }, Some(seal_key)) => {
            let Some(text) = seal_key.open(data).await else {
                return (signal, Verdict::OtherPassphrase);
            };
            match unsealed(signal.session, signaling_json::decode_signal(&text)) {
                Ok(inner) => inner,
                Err(verdict) => return (signal, verdict),
            }
        }
        _ => signal,
    };
    let Ends { room, from, to } = ends;
    let verdict = if let Some(stale) = freshness_verdict(signal.at, now_ms()) {
        stale
    } else if identity::verify(key, &signal.sig, &signal_text(room, from, to, &signal)).await {
        Verdict::Good
    } else {
        Verdict::Forged
    };
    (signal, verdict)
}

/// Milliseconds since the epoch, by this machine's clock.
fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
