//! The lab's networks. An "internet" namespace holds a bridge with the servers' address
//! and one port per router; each side has a router namespace (WAN on the bridge, LAN
//! below) and a LAN namespace with one host, the browser. The internet has no route to
//! any LAN and no way out of the lab (its default route is a dummy interface that
//! discards): every packet stays in namespaces the lab made.
//!
//! ```text
//!  LAN a (10.1.0.2) ─ router a (203.0.113.10) ─┐
//!                                               ├─ bridge (203.0.113.1: signaling, coturn)
//!  LAN b (10.2.0.2) ─ router b (203.0.113.11) ─┘
//! ```

use super::netns::Namespace;
use std::net::Ipv4Addr;

/// The servers' address on the internet bridge (TEST-NET-3: never routed anywhere real).
pub const INTERNET_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);

/// One side: a home router and the LAN behind it.
pub struct Side {
    /// The router: `wan` on the internet bridge, `lan` towards the host.
    pub router: Namespace,
    /// The LAN, with one host (`eth0`, `10.<side + 1>.0.2`) whose default route is the
    /// router.
    pub lan: Namespace,
}

/// The whole lab network; every namespace is deleted on drop.
pub struct Topology {
    /// Where the servers run.
    pub internet: Namespace,
    /// Side a (index 0) and side b (index 1).
    pub sides: [Side; 2],
}

impl Topology {
    /// Builds the namespaces, links and addresses (no NAT or firewall yet: see
    /// `router.rs`).
    pub fn build() -> Result<Self, String> {
        let internet = Namespace::create("net")?;
        internet.ip(&["link", "add", "name", "inet0", "type", "bridge"])?;
        internet.ip(&["addr", "add", &format!("{INTERNET_IP}/24"), "dev", "inet0"])?;
        internet.ip(&["link", "set", "inet0", "up"])?;
        discard_the_rest(&internet)?;
        let a = side(&internet, 0)?;
        let b = side(&internet, 1)?;
        Ok(Self { internet, sides: [a, b] })
    }
}

/// Like the real internet, the lab's swallows packets to addresses it has no route
/// for (a LAN's private address in a candidate) instead of refusing them: a send that
/// fails at once makes coturn drop the whole allocation. Its default route leads into
/// a veth pair of its own, to a neighbour that does not exist (a fixed made-up MAC,
/// so no ARP either): what goes there is discarded, and nothing leaves the lab.
fn discard_the_rest(internet: &Namespace) -> Result<(), String> {
    internet.ip(&["link", "add", "name", "void", "type", "veth", "peer", "name", "voidend"])?;
    internet.ip(&["link", "set", "void", "up"])?;
    internet.ip(&["link", "set", "voidend", "up"])?;
    let (nowhere, mac) = ("198.51.100.1", "02:00:00:00:00:01");
    internet.ip(&["neigh", "add", nowhere, "lladdr", mac, "dev", "void", "nud", "permanent"])?;
    internet.ip(&["route", "add", "default", "via", nowhere, "dev", "void", "onlink"])?;
    Ok(())
}

/// Side `index`: router and LAN namespaces, linked to the bridge and to each other.
fn side(internet: &Namespace, index: u8) -> Result<Side, String> {
    let letter = ["a", "b"][usize::from(index)];
    let router = Namespace::create(&format!("r{letter}"))?;
    let lan = Namespace::create(&format!("l{letter}"))?;
    let wan_ip = Ipv4Addr::new(203, 0, 113, 10 + index);
    let (gateway, host_ip) =
        (Ipv4Addr::new(10, index + 1, 0, 1), Ipv4Addr::new(10, index + 1, 0, 2));
    let port = format!("port{letter}");
    // Each end is made in its namespace directly: no name ever exists in the test's own.
    link(router.name(), "wan", internet.name(), &port)?;
    internet.ip(&["link", "set", &port, "master", "inet0", "up"])?;
    router.ip(&["addr", "add", &format!("{wan_ip}/24"), "dev", "wan"])?;
    router.ip(&["link", "set", "wan", "up"])?;
    // The default route is the internet, as at home (there the packets to another
    // LAN's private address are dropped, not answered with an error).
    router.ip(&["route", "add", "default", "via", &INTERNET_IP.to_string()])?;
    link(router.name(), "lan", lan.name(), "eth0")?;
    router.ip(&["addr", "add", &format!("{gateway}/24"), "dev", "lan"])?;
    router.ip(&["link", "set", "lan", "up"])?;
    router.exec("sysctl", &["-qw", "net.ipv4.ip_forward=1"])?;
    lan.ip(&["addr", "add", &format!("{host_ip}/24"), "dev", "eth0"])?;
    lan.ip(&["link", "set", "eth0", "up"])?;
    lan.ip(&["route", "add", "default", "via", &gateway.to_string()])?;
    Ok(Side { router, lan })
}

/// A veth pair: `name` in namespace `one`, `peer` in namespace `other`.
fn link(one: &str, name: &str, other: &str, peer: &str) -> Result<String, String> {
    let args = ["link", "add", "name", name, "netns", one, "type", "veth", "peer", "name", peer];
    super::netns::run("ip", &[&args[..], &["netns", other]].concat())
}
