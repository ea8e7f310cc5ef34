//! The offer/answer exchange of one connection, as one task that handles the remote's
//! signals strictly in order (an answer is never applied before its offer, a candidate
//! never before the description it belongs to).

use crate::PeerError;
use crate::connection::Reporter;
use crate::driver::ConnEvent;
use crate::signaling::SignalingTransport;
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use js_sys::{Promise, Reflect};
use signaling_protocol::{ClientMessage, Signal};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RtcIceCandidateInit, RtcPeerConnection, RtcSdpType, RtcSessionDescriptionInit};

/// Which side of the offer/answer exchange a connection plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Creates and sends the offer.
    Offerer,
    /// Waits for an offer and answers it.
    Answerer,
}

/// Negotiates `pc` with the remote peer of `reporter`, then keeps applying its trickled
/// candidates until the connection is dropped (which aborts this task).
pub(crate) async fn negotiate(
    pc: RtcPeerConnection,
    role: Role,
    mut inbox: UnboundedReceiver<Signal>,
    signaling: Rc<dyn SignalingTransport>,
    reporter: Reporter,
) {
    let peer = reporter.peer().clone();
    let send = |signal: Signal| signaling.send(&ClientMessage::Signal { to: peer.clone(), signal });
    if role == Role::Offerer {
        // The offer goes out before any local candidate: candidates are dispatched as
        // browser tasks, and this continuation runs in the microtask that settles
        // setLocalDescription, before any of them.
        let sent = async { send(Signal::Offer { sdp: describe(&pc, RtcSdpType::Offer).await? }) };
        if let Err(error) = sent.await {
            return reporter.report(ConnEvent::Failed(error.to_string()));
        }
    }
    while let Some(signal) = inbox.next().await {
        let step = match signal {
            Signal::Offer { sdp } => {
                async {
                    apply_remote(&pc, RtcSdpType::Offer, &sdp).await?;
                    send(Signal::Answer { sdp: describe(&pc, RtcSdpType::Answer).await? })
                }
                .await
            }
            Signal::Answer { sdp } => apply_remote(&pc, RtcSdpType::Answer, &sdp).await,
            Signal::Candidate { candidate, sdp_mid, sdp_m_line_index } => {
                let init = RtcIceCandidateInit::new(&candidate);
                init.set_sdp_mid(sdp_mid.as_deref());
                init.set_sdp_m_line_index(sdp_m_line_index);
                let added = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init));
                // A candidate of a connection the remote has since replaced (after an
                // offer collision) is refused; that is expected and harmless.
                let _ = JsFuture::from(added).await;
                Ok(())
            }
            Signal::Bye => Ok(()),
        };
        if let Err(error) = step {
            return reporter.report(ConnEvent::Failed(error.to_string()));
        }
    }
}

/// Creates the local offer or answer, applies it, and returns its SDP.
async fn describe(pc: &RtcPeerConnection, kind: RtcSdpType) -> Result<String, PeerError> {
    let created = match kind {
        RtcSdpType::Offer => pc.create_offer(),
        _ => pc.create_answer(),
    };
    let description = settle(created).await?;
    let sdp = Reflect::get(&description, &JsValue::from_str("sdp"))
        .ok()
        .and_then(|sdp| sdp.as_string())
        .ok_or_else(|| PeerError::Browser("the description has no SDP".into()))?;
    let init = RtcSessionDescriptionInit::new(kind);
    init.set_sdp(&sdp);
    settle(pc.set_local_description(&init)).await?;
    Ok(sdp)
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
