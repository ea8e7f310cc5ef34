//! What a home router does to the traffic between its LAN and the internet, as iptables
//! rules in its namespace: the kind of NAT, and impairments added while a test runs
//! (UDP dropped, random loss, mappings forgotten). `tc netem` is not used: the kernels
//! these tests run on may lack it, and iptables `statistic` gives random loss anyway.

use super::netns::Namespace;
use std::time::Duration;

/// How the router maps its LAN's flows to its WAN address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    /// MASQUERADE keeping the source port where it can: one mapping per LAN socket,
    /// whatever the destination, so a STUN-learned address works for every peer.
    Cone,
    /// `MASQUERADE --random-fully`: a new port for every destination (carrier-grade
    /// NATs, many office firewalls), so a STUN-learned address is useless to peers.
    Symmetric,
}

/// Sets `router` up as a NAT of `kind` that lets in only replies to what its LAN sent
/// (inbound packets of flows it saw go out; nothing else, to the LAN or to the router).
pub fn install(router: &Namespace, kind: Nat) -> Result<(), String> {
    let masquerade: &[&str] = match kind {
        Nat::Cone => &["-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"],
        Nat::Symmetric => {
            &["-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE", "--random-fully"]
        }
    };
    let established = ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"];
    iptables(router, masquerade)?;
    iptables(router, &["-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT"])?;
    iptables(router, &[&["-A", "FORWARD", "-i", "wan", "-o", "lan"][..], &established].concat())?;
    iptables(router, &["-P", "FORWARD", "DROP"])?;
    iptables(router, &[&["-A", "INPUT", "-i", "wan"][..], &established].concat())?;
    iptables(router, &["-A", "INPUT", "-i", "wan", "-j", "DROP"])?;
    Ok(())
}

/// Drops every UDP packet crossing the router, both ways (a firewall that lets only TCP
/// out, as offices, hotels and schools have).
pub fn block_udp(router: &Namespace) -> Result<(), String> {
    iptables(router, &["-I", "FORWARD", "1", "-p", "udp", "-j", "DROP"])
}

/// Drops each packet crossing the router, either way, with `probability`.
pub fn lose(router: &Namespace, probability: f64) -> Result<(), String> {
    let p = format!("{probability}");
    let rule = ["-I", "FORWARD", "1", "-m", "statistic", "--mode", "random", "--probability"];
    iptables(router, &[&rule[..], &[p.as_str(), "-j", "DROP"]].concat())
}

/// Where mappings go once the router forgot the old ones: below the LAN hosts'
/// ephemeral ports (32768-60999, which MASQUERADE keeps where it can), so that no new
/// mapping can happen to equal an old one.
const NEW_PORTS: &str = "10000-19999";

/// The router forgets its UDP mappings and maps new UDP flows to other ports (UDP
/// mappings are the short-lived ones; a NAT whose rules change does the same): every
/// peer's packets to the old mappings go nowhere, and only a new path works. TCP
/// connections (the signaling socket) keep theirs.
pub fn forget_udp_mappings(router: &Namespace) -> Result<(), String> {
    // The new rule first, so that no flow gets an old-style mapping in between.
    let rule = ["-t", "nat", "-I", "POSTROUTING", "1", "-o", "wan", "-p", "udp"];
    iptables(router, &[&rule[..], &["-j", "MASQUERADE", "--to-ports", NEW_PORTS]].concat())?;
    router.exec("conntrack", &["-D", "-p", "udp"]).map(drop).or_else(none_to_delete)
}

/// The router reboots: nothing crosses it for `down`, then it comes back with no
/// mapping at all (conntrack flushed) and maps new flows to other ports. Unlike
/// [`forget_udp_mappings`] this also cuts TCP connections: a socket that only waits for
/// data through it (the signaling socket) hears nothing until it sends.
pub async fn reboot(router: &Namespace, down: Duration) -> Result<(), String> {
    iptables(router, &["-I", "FORWARD", "1", "-j", "DROP"])?;
    router.exec("conntrack", &["-F"])?;
    iptables(router, &["-t", "nat", "-F", "POSTROUTING"])?;
    for protocol in ["udp", "tcp"] {
        let to_ports = ["-j", "MASQUERADE", "--to-ports", NEW_PORTS];
        let rule = ["-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-p", protocol];
        iptables(router, &[&rule[..], &to_ports].concat())?;
    }
    tokio::time::sleep(down).await;
    // Flushed again: what the LAN sent while down must not keep a mapping from then.
    router.exec("conntrack", &["-F"])?;
    iptables(router, &["-D", "FORWARD", "1"])?;
    Ok(())
}

/// `conntrack -D` fails when nothing matched: that is not an error here.
fn none_to_delete(error: String) -> Result<(), String> {
    if error.contains("0 flow entries") { Ok(()) } else { Err(error) }
}

/// `iptables args` in the router's namespace.
fn iptables(router: &Namespace, args: &[&str]) -> Result<(), String> {
    router.exec("iptables", args).map(drop)
}
