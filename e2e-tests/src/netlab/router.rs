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

/// The router reboots: nothing crosses it for `down`, it forgets every mapping
/// (conntrack flushed) and comes back mapping new flows to other ports, so that both
/// peers' packets to the old mappings go nowhere and only a new path works.
pub async fn forget_mappings(router: &Namespace, down: Duration) -> Result<(), String> {
    iptables(router, &["-I", "FORWARD", "1", "-j", "DROP"])?;
    router.exec("conntrack", &["-F"])?;
    iptables(router, &["-t", "nat", "-F", "POSTROUTING"])?;
    for protocol in ["udp", "tcp"] {
        let to_ports = ["-j", "MASQUERADE", "--to-ports", "30000-39999"];
        let rule = ["-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-p", protocol];
        iptables(router, &[&rule[..], &to_ports].concat())?;
    }
    tokio::time::sleep(down).await;
    // Flushed again: what the LAN sent while down must not keep a mapping from then.
    router.exec("conntrack", &["-F"])?;
    iptables(router, &["-D", "FORWARD", "1"])?;
    Ok(())
}

/// `iptables args` in the router's namespace.
fn iptables(router: &Namespace, args: &[&str]) -> Result<(), String> {
    router.exec("iptables", args).map(drop)
}
