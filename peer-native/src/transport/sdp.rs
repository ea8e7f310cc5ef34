//! What a connection reads out of the remote's signals and the machine's interfaces:
//! the remote's message size limit, usable remote candidates, local host addresses.

use std::net::IpAddr;
use str0m::Candidate;

/// The largest frame sent when the remote says nothing usable about its limit.
pub const DEFAULT_MAX_FRAME: usize = 65536;
/// The largest frame ever sent, whatever the remote allows (browsers advertise this).
pub const CAP_MAX_FRAME: usize = 262144;

/// *max frame* (`docs/PROTOCOL.md`, "When a sender chunks") for a remote description:
/// min(its `a=max-message-size`, 262144), or 65536 when absent, 0 or below 1024.
pub fn max_frame_of(remote_sdp: &str) -> usize {
    let advertised = remote_sdp
        .lines()
        .filter_map(|line| line.trim().strip_prefix("a=max-message-size:"))
        .find_map(|value| value.trim().parse::<u64>().ok());
    match advertised {
        Some(size) if size >= 1024 => {
            usize::try_from(size).map_or(CAP_MAX_FRAME, |size| size.min(CAP_MAX_FRAME))
        }
        _ => DEFAULT_MAX_FRAME,
    }
}

/// The candidate of a trickled `candidate` step, or `None` when it cannot be used.
///
/// Browsers hide their host addresses behind mDNS names (`<uuid>.local`), which this
/// side does not resolve: such a candidate is skipped, and the browser still reaches us
/// when it checks our host candidate (we learn its address as a peer-reflexive one).
pub fn remote_candidate(line: &str) -> Option<Candidate> {
    // Some senders keep the SDP attribute form.
    let line = line.trim().trim_start_matches("a=");
    if line.is_empty() {
        return None;
    }
    let mut fields = line.split_whitespace();
    let protocol = fields.nth(2)?;
    let address = fields.nth(1)?;
    // Only UDP sockets here: a browser's TCP candidates could never pair.
    if !protocol.eq_ignore_ascii_case("udp") || address.ends_with(".local") {
        return None;
    }
    match Candidate::from_sdp_string(line) {
        Ok(candidate) => Some(candidate),
        Err(error) => {
            tracing::debug!(%error, "skipping a remote candidate");
            None
        }
    }
}

/// The addresses to offer when the configuration names none: every IPv4 address of an
/// interface that is up, and loopback (so that peers on one machine connect), without
/// link-local ones (str0m refuses them as host candidates).
pub fn default_host_addresses() -> Vec<IpAddr> {
    let mut addresses = vec![IpAddr::from([127, 0, 0, 1])];
    let interfaces = match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces,
        Err(error) => {
            tracing::warn!(%error, "cannot list the network interfaces: offering loopback only");
            return addresses;
        }
    };
    for interface in interfaces {
        let ip = interface.ip();
        let usable = ip.is_ipv4() && interface.is_oper_up() && !interface.is_link_local();
        if usable && !addresses.contains(&ip) {
            addresses.push(ip);
        }
    }
    addresses
}
