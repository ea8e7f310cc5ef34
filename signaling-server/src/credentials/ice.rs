//! The ICE servers each peer is handed, in its welcome and then in each renewal: one
//! entry with every STUN URL, one with every TURN URL and credentials minted for that
//! peer (`turn.rs`). Nothing is kept per peer: both are made from the config on demand.

use crate::config::{Config, TurnSecret};
use crate::credentials::turn::{self, Credentials};
use signaling_protocol::{IceServer, PeerId};
use std::time::{Duration, SystemTime};

/// Renewals never come closer together than this, whatever the TTL (a TTL of zero, which
/// only a hand-built `Config` can have, would otherwise renew without pause).
const MIN_RENEWAL: Duration = Duration::from_secs(1);

/// The ICE servers for `peer`, its TURN credentials valid for the configured TTL from
/// `now`; empty when the server has none.
pub fn servers_for(config: &Config, peer: &PeerId, now: SystemTime) -> Vec<IceServer> {
    let mut servers = Vec::new();
    if !config.stun_urls.is_empty() {
        let urls = config.stun_urls.clone();
        servers.push(IceServer { urls, username: None, credential: None });
    }
    if let Some(secret) = turn_secret(config) {
        let Credentials { username, credential } =
            turn::mint(secret, peer, now, config.turn_credential_ttl);
        servers.push(IceServer {
            urls: config.turn_urls.clone(),
            username: Some(username),
            credential: Some(credential),
        });
    }
    servers
}

/// How often a peer is sent fresh TURN credentials: at 80% of their lifetime, so the new
/// ones are there well before the old expire, even for a peer whose socket is slow.
/// `None` without TURN: STUN needs no renewing.
pub fn renewal(config: &Config) -> Option<Duration> {
    turn_secret(config)?;
    // Divided first: no TTL, however large, overflows.
    Some((config.turn_credential_ttl / 5 * 4).max(MIN_RENEWAL))
}

/// The secret, if TURN is configured (URLs and a secret).
fn turn_secret(config: &Config) -> Option<&TurnSecret> {
    config.turn_secret.as_ref().filter(|_| !config.turn_urls.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn no_ice_config_hands_out_nothing_and_renews_nothing() {
        let config = Config::default();
        assert_eq!(servers_for(&config, &PeerId::new("a1"), SystemTime::now()), vec![]);
        assert_eq!(renewal(&config), None);
    }

    #[test]
    fn stun_alone_needs_no_renewal() {
        let config =
            Config { stun_urls: vec!["stun:stun.example.org".into()], ..Config::default() };
        let servers = servers_for(&config, &PeerId::new("a1"), SystemTime::now());
        let stun = IceServer {
            urls: vec!["stun:stun.example.org".into()],
            username: None,
            credential: None,
        };
        assert_eq!(servers, vec![stun]);
        assert_eq!(renewal(&config), None);
    }

    #[test]
    fn turn_gets_credentials_for_the_peer_and_renews_at_four_fifths() {
        let config = Config {
            turn_urls: vec!["turn:turn.example.org".into(), "turns:turn.example.org".into()],
            turn_secret: Some(TurnSecret::new("north-wind")),
            ..Config::default()
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_699_996_400);
        let servers = servers_for(&config, &PeerId::new("0123456789abcdef"), now);
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].urls, config.turn_urls);
        assert_eq!(servers[0].username.as_deref(), Some("1700000000:0123456789abcdef"));
        assert_eq!(servers[0].credential.as_deref(), Some("/6lsfTkWkNvdDL/RFkqnVcdmStU="));
        assert_eq!(renewal(&config), Some(Duration::from_secs(2880)));
    }
}
