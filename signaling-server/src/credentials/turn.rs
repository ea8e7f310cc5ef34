//! TURN credentials by the TURN REST scheme (what coturn checks with `use-auth-secret`):
//! the username is `<unix expiry>:<peer id>`, the credential is base64 of HMAC-SHA1 of the
//! username keyed with the secret the signaling server shares with the TURN server. The
//! TURN server recomputes it from the username alone and refuses it once the expiry is
//! past, so no per-peer state is kept anywhere and the secret never leaves the server.

use crate::config::TurnSecret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use signaling_protocol::PeerId;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A TURN username and the credential that goes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// `<unix expiry>:<peer id>`.
    pub username: String,
    /// base64 (standard, padded) of HMAC-SHA1(secret, username).
    pub credential: String,
}

/// Credentials for `peer`, valid for `ttl` from `now`.
pub fn mint(secret: &TurnSecret, peer: &PeerId, now: SystemTime, ttl: Duration) -> Credentials {
    // A clock before 1970 is a broken host; the credentials then expire at once, which
    // the TURN server reports, rather than the server panicking.
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let expiry = now.saturating_add(ttl).as_secs();
    let username = format!("{expiry}:{peer}");
    let credential = credential(secret, &username);
    Credentials { username, credential }
}

/// The credential for `username`: base64 of HMAC-SHA1 keyed with the secret.
pub fn credential(secret: &TurnSecret, username: &str) -> String {
    // HMAC takes a key of any length (longer ones are hashed first): this cannot fail.
    let mut mac = <Hmac<Sha1>>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(username.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned with `printf '%s' "$username" | openssl dgst -binary -sha1 -hmac "$secret"
    /// | base64`, independently of this code.
    #[test]
    fn the_credential_is_what_openssl_computes() {
        let secret = TurnSecret::new("coturn-shared-secret");
        assert_eq!(credential(&secret, "1764081000:a1"), "odIs60EMLpVPF10e/j5zA2vc0VA=");
        let other = TurnSecret::new("north-wind");
        let username = "1700000000:0123456789abcdef";
        assert_eq!(credential(&other, username), "/6lsfTkWkNvdDL/RFkqnVcdmStU=");
    }

    #[test]
    fn the_username_is_the_expiry_and_the_peer() {
        let secret = TurnSecret::new("north-wind");
        let now = UNIX_EPOCH + Duration::from_millis(1_699_996_400_250);
        let peer = PeerId::new("0123456789abcdef".to_owned());
        let minted = mint(&secret, &peer, now, Duration::from_secs(3600));
        assert_eq!(minted.username, "1700000000:0123456789abcdef");
        assert_eq!(minted.credential, "/6lsfTkWkNvdDL/RFkqnVcdmStU=");
    }
}
