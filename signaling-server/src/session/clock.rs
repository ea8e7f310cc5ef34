//! A session's deadlines (heartbeat, idle timeout, join deadline, TURN credential
//! renewal), kept by its one timer: what is due when it fires, and when it is next to
//! fire. No I/O here, so the tests drive it with made-up times.

use crate::config::Config;
use crate::credentials::ice;
use crate::session::goodbye::Goodbye;
use signaling_protocol::PeerId;
use tokio::time::Instant;

/// The session's deadlines, all kept by its one timer.
pub struct Clock {
    /// When the last frame arrived: the idle timeout counts from it.
    pub heard: Instant,
    next_ping: Instant,
    /// The join deadline (once the peer joined, it no longer counts).
    join_by: Instant,
    /// When the peer is next sent fresh TURN credentials (only with TURN configured).
    /// Counted from the socket's opening, not the join: the first renewal then comes at
    /// most 80% into the welcome's credentials' life, and no join needs noticing here.
    renew_at: Option<Instant>,
}

/// What the timer found to do, if the session goes on.
pub enum Due {
    /// Nothing: the timer woke for a deadline that moved.
    Nothing,
    /// Ping the peer.
    Ping,
    /// Queue the peer fresh ICE servers.
    IceRenewal,
}

impl Clock {
    pub fn start(config: &Config, now: Instant) -> Self {
        Self {
            heard: now,
            next_ping: now + config.heartbeat,
            join_by: now + config.join_timeout,
            // (A renewal past the end of the clock's range, from an absurd TTL, is never.)
            renew_at: ice::renewal(config).and_then(|every| now.checked_add(every)),
        }
    }

    /// When the timer is next due: the next ping, the idle deadline, the next renewal,
    /// and the join deadline while the peer (`peer`, once joined) has not joined.
    pub fn wake(&self, config: &Config, peer: Option<&PeerId>) -> Instant {
        let mut wake = self.next_ping.min(self.heard + config.idle_timeout);
        if let Some(renew_at) = self.renew_at {
            wake = wake.min(renew_at);
        }
        if peer.is_none() { wake.min(self.join_by) } else { wake }
    }

    /// The timer fired at `now`: what is due (one thing at a time: the timer, reset to
    /// the next deadline, fires again at once for another), or why the session ends.
    pub fn fired(
        &mut self,
        config: &Config,
        peer: Option<&PeerId>,
        now: Instant,
    ) -> Result<Due, Goodbye> {
        if now >= self.heard + config.idle_timeout {
            tracing::info!(?peer, "idle: no frame, not even a pong");
            return Err(Goodbye::Idle);
        }
        if peer.is_none() && now >= self.join_by {
            tracing::info!("join timeout: open for {:?} without joining", config.join_timeout);
            return Err(Goodbye::JoinTimeout);
        }
        if let (Some(renew_at), Some(every)) = (self.renew_at, ice::renewal(config))
            && now >= renew_at
        {
            self.renew_at = now.checked_add(every);
            // Before the join there is nothing to renew (the welcome mints afresh).
            return Ok(if peer.is_some() { Due::IceRenewal } else { Due::Nothing });
        }
        if now < self.next_ping {
            return Ok(Due::Nothing);
        }
        self.next_ping = now + config.heartbeat;
        Ok(Due::Ping)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TurnSecret;
    use std::time::Duration;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// Pings every 5 s, idle after 15 s, TURN credentials for 100 s (renewed every 80 s).
    fn turn_config() -> Config {
        Config {
            heartbeat: secs(5),
            idle_timeout: secs(15),
            join_timeout: secs(10),
            turn_urls: vec!["turn:127.0.0.1".into()],
            turn_secret: Some(TurnSecret::new("s")),
            turn_credential_ttl: secs(100),
            ..Config::default()
        }
    }

    #[test]
    fn a_joined_peer_is_renewed_every_four_fifths_of_the_ttl_among_its_pings() {
        let config = turn_config();
        let peer = PeerId::new("a1");
        let start = Instant::now();
        let mut clock = Clock::start(&config, start);
        let mut renewals = Vec::new();
        // Run the timer as the session does, for 200 s of a peer that answers each ping.
        let mut now = clock.wake(&config, Some(&peer));
        while now < start + secs(200) {
            match clock.fired(&config, Some(&peer), now) {
                Ok(Due::IceRenewal) => renewals.push(now - start),
                Ok(Due::Ping) => clock.heard = now,
                Ok(Due::Nothing) => {}
                Err(_) => panic!("the session ended at {:?}", now - start),
            }
            let next = clock.wake(&config, Some(&peer));
            assert!(next >= now, "the timer never goes back");
            now = next;
        }
        assert_eq!(renewals, [secs(80), secs(160)]);
    }

    #[test]
    fn before_the_join_a_renewal_is_skipped_and_without_turn_there_is_none() {
        let config = Config { join_timeout: secs(1000), ..turn_config() };
        let peer = PeerId::new("a1");
        let start = Instant::now();
        let mut clock = Clock::start(&config, start);
        clock.next_ping = start + secs(1000); // pings aside
        clock.heard = start + secs(80);
        let skipped = clock.fired(&config, None, start + secs(80));
        assert!(matches!(skipped, Ok(Due::Nothing)), "nothing to renew yet");
        clock.heard = start + secs(159);
        assert_eq!(clock.wake(&config, Some(&peer)), start + secs(160), "rearmed");
        let renewed = clock.fired(&config, Some(&peer), start + secs(160));
        assert!(matches!(renewed, Ok(Due::IceRenewal)), "joined since");
        let stun_only = Config { stun_urls: vec!["stun:127.0.0.1".into()], ..Config::default() };
        let clock = Clock::start(&stun_only, start);
        assert_eq!(clock.wake(&stun_only, Some(&peer)), start + secs(5), "the first ping");
    }

    #[test]
    fn an_absurd_ttl_is_never_renewed_rather_than_overflowing() {
        let config = Config { turn_credential_ttl: Duration::MAX, ..turn_config() };
        let start = Instant::now();
        let clock = Clock::start(&config, start);
        assert_eq!(clock.wake(&config, Some(&PeerId::new("a1"))), start + secs(5));
    }
}
