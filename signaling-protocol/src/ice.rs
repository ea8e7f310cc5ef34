//! The ICE servers a peer's connections use: STUN to learn its public address, TURN to
//! relay when no direct path exists. The same shape as the browser's `RTCIceServer`.

use serde::{Deserialize, Serialize};

/// One STUN or TURN server, as `RTCIceServer` takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    /// `stun:`, `turn:` or `turns:` URLs of the server.
    pub urls: Vec<String>,
    /// The TURN username (for the TURN REST scheme: `<unix expiry>:<peer id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The TURN credential (for the TURN REST scheme: base64 of HMAC-SHA1 of the
    /// username, keyed with the secret the signaling server shares with the TURN server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}
