//! The offer/answer exchange of one connection, as one task that applies the remote's
//! steps strictly in order (an answer is never applied before its offer, a candidate
//! never before the description it belongs to), and makes our ICE restart offers in the
//! same order. What it produces (an offer, an answer, a restart offer) goes back to the
//! machine, which stamps the session and sends it.

use crate::error::PeerError;
use crate::log;
use crate::transport::reporter::Reporter;
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use js_sys::{Promise, Reflect};
use peer_core::{Input, Role};
use signaling_protocol::Step;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    RtcIceCandidateInit, RtcOfferOptions, RtcPeerConnection, RtcSdpType, RtcSessionDescriptionInit,
};

/// What the negotiation task does next.
pub(crate) enum NegotiationJob {
    /// Apply the remote's offer (answering it), restart offer, answer or candidate.
    Apply(Step),
    /// Restart ICE: create a restart offer, reported as [`Step::Restart`].
    RestartIce,
}

/// Negotiates `pc`, then keeps applying the remote's trickled candidates until the
/// connection is dropped (which aborts this task: a promise of a closed
/// `RTCPeerConnection` may never settle).
pub(crate) async fn negotiate(
    pc: RtcPeerConnection,
    role: Role,
    mut inbox: UnboundedReceiver<NegotiationJob>,
    reporter: Reporter,
) {
    let outbound = |step: Step| reporter.report(|key| Input::Outbound { key, step });
    if role == Role::Offerer {
        // The offer goes out before any local candidate: candidates are dispatched as
        // browser tasks, and this continuation runs in the microtask that settles
        // setLocalDescription, before any of them.
        match describe(&pc, RtcSdpType::Offer, false).await {
            Ok(sdp) => outbound(Step::Offer { sdp }),
            Err(error) => return fail(&reporter, &error),
        }
    }
    while let Some(job) = inbox.next().await {
        let step = match job {
            NegotiationJob::Apply(step) => step,
            NegotiationJob::RestartIce => match describe(&pc, RtcSdpType::Offer, true).await {
                Ok(sdp) => {
                    outbound(Step::Restart { sdp });
                    continue;
                }
                Err(error) => return fail(&reporter, &error),
            },
        };
        let applied = match step {
            Step::Offer { sdp } | Step::Restart { sdp } => {
                match apply_remote(&pc, RtcSdpType::Offer, &sdp).await {
                    Ok(()) => describe(&pc, RtcSdpType::Answer, false).await.map(|sdp| {
                        outbound(Step::Answer { sdp });
                    }),
                    Err(error) => Err(error),
                }
            }
            Step::Answer { sdp } => apply_remote(&pc, RtcSdpType::Answer, &sdp).await,
            Step::Candidate { candidate, sdp_mid, sdp_m_line_index } => {
                let init = RtcIceCandidateInit::new(&candidate);
                init.set_sdp_mid(sdp_mid.as_deref());
                init.set_sdp_m_line_index(sdp_m_line_index);
                let added = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init));
                // A candidate the browser cannot use (another network, a malformed line)
                // costs that candidate only; ICE goes on with the others. Said in the
                // console: a path that never comes up is often one refused candidate.
                if let Err(error) = JsFuture::from(added).await {
                    let reason = crate::error::js_message(&error);
                    let peer = &reporter.key().peer;
                    let line: String = candidate.chars().take(200).collect();
                    log::warn(&format!("a candidate from {peer} was refused ({reason}): {line}"));
                }
                Ok(())
            }
            // Opened before the machine sees them; a bye ends the link, not the SDP.
            Step::Bye { .. } | Step::Sealed { .. } => Ok(()),
        };
        if let Err(error) = applied {
            return fail(&reporter, &error);
        }
    }
}

fn fail(reporter: &Reporter, error: &PeerError) {
    let reason = error.to_string();
    reporter.report(|key| Input::Failed { key, reason });
}

#[wasm_bindgen]
extern "C" {
    // `setLocalDescription()` with no description: the browser creates the offer or
    // answer the signaling state calls for and applies it in one step. Creating it first
    // (`createOffer`/`createAnswer`, then applying it) takes one more trip to the
    // browser's WebRTC thread: 3-6 ms of each connect here (docs/BENCHMARKS.md,
    // "Where a connect's time goes"). web-sys only has the form with a description.
    #[wasm_bindgen(js_name = RTCPeerConnection)]
    type ImplicitDescriber;
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    fn set_local_description(this: &ImplicitDescriber) -> Promise;
}

/// Creates the local offer (with new ICE credentials if `ice_restart`) or answer,
/// applies it, and returns its SDP.
async fn describe(
    pc: &RtcPeerConnection,
    kind: RtcSdpType,
    ice_restart: bool,
) -> Result<String, PeerError> {
    let sdp_of = |description: &JsValue| {
        Reflect::get(description, &JsValue::from_str("sdp"))
            .ok()
            .and_then(|sdp| sdp.as_string())
            .ok_or_else(|| PeerError::Browser("the description has no SDP".into()))
    };
    if kind == RtcSdpType::Offer && ice_restart {
        let options = RtcOfferOptions::new();
        options.set_ice_restart(true);
        let description = settle(pc.create_offer_with_rtc_offer_options(&options)).await?;
        let sdp = sdp_of(&description)?;
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(&sdp);
        settle(pc.set_local_description(&init)).await?;
        return Ok(sdp);
    }
    settle(pc.unchecked_ref::<ImplicitDescriber>().set_local_description()).await?;
    let applied = Reflect::get(pc, &JsValue::from_str("localDescription"))
        .map_err(|_| PeerError::Browser("no local description".into()))?;
    sdp_of(&applied)
}

/// Applies the remote's offer or answer.
async fn apply_remote(
    pc: &RtcPeerConnection,
    kind: RtcSdpType,
    sdp: &str,
) -> Result<(), PeerError> {
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(sdp);
    settle(pc.set_remote_description(&init)).await.map(drop)
}

/// Awaits a browser promise, turning a rejection into a [`PeerError`].
async fn settle(promise: Promise) -> Result<JsValue, PeerError> {
    JsFuture::from(promise).await.map_err(PeerError::browser)
}
