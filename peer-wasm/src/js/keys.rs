//! The JS surface of identities: making one to keep, and comparing keys with a peer.

use crate::identity::Identity;
use crate::js::peer_class::JsPeer;
use signaling_protocol::PeerId;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Peer)]
impl JsPeer {
    /// A new identity: an ECDSA P-256 `CryptoKeyPair` whose private key cannot be
    /// exported. Keep it (IndexedDB stores it as it is) and pass it as the `identity`
    /// option of `Peer.join` to come back with the same id. Rejects where the page has
    /// no WebCrypto (not a secure context).
    #[wasm_bindgen(js_name = createIdentity, unchecked_return_type = "CryptoKeyPair")]
    pub async fn create_identity() -> Result<JsValue, JsValue> {
        Ok(Identity::generate().await?.key_pair().clone())
    }

    /// Our identity's key pair (to keep, if the page did not give one).
    #[wasm_bindgen(getter, unchecked_return_type = "CryptoKeyPair")]
    pub fn identity(&self) -> JsValue {
        self.peer.identity().key_pair().clone()
    }

    /// A code of 20 digits in four groups, the same on both ends, for two people to
    /// compare out of band: if theirs match, no one stands between their peers.
    /// `undefined` for an unknown peer.
    #[wasm_bindgen(js_name = safetyNumber)]
    pub fn safety_number(&self, id: String) -> Option<String> {
        self.peer.safety_number(&PeerId::new(id))
    }

    /// How many signals from other peers were dropped: forged or altered on the way,
    /// replayed, too old, or from a peer whose key is not the key of its id.
    #[wasm_bindgen(getter, js_name = rejectedSignals)]
    pub fn rejected_signals(&self) -> u32 {
        self.peer.rejected_signals()
    }
}
