//! A whole lab for one test: the network (`topology.rs`), the routers' rules
//! (`router.rs`), coturn and the signaling server on the internet (`services.rs`), and
//! one headless Chromium with its chromedriver inside each LAN. Dropped (even in a
//! panicking test): browsers and coturn killed, server stopped, namespaces deleted.

use super::netns::{Namespace, sweep_stale};
use super::page::COUNT_ICE_RESTARTS;
use super::probe::{skip_line, unavailable};
use super::router::{self, Nat};
use super::services::{Coturn, IceServers, signaling};
use super::topology::Topology;
use crate::server::TestServer;
use crate::tab::Tab;
use browser_harness::{Browser, Engine, LaunchOptions, WindowSize};
use std::net::SocketAddr;

/// Small: no screenshots here, and four Chromiums may run at once.
const WINDOW: WindowSize = WindowSize { width: 800, height: 600 };

/// What the lab is made of.
#[derive(Clone, Copy, Debug)]
pub struct LabOptions {
    /// The NAT of side a's router and of side b's.
    pub nats: [Nat; 2],
    /// What the signaling server hands out.
    pub ice: IceServers,
}

/// A running lab. Fields drop in order: browsers, server and coturn go before the
/// namespaces they run in.
pub struct Lab {
    /// The signaling server's address (also where the page is served).
    pub addr: SocketAddr,
    browsers: [Browser; 2],
    _server: TestServer,
    _turn: Coturn,
    topology: Topology,
}

impl Lab {
    /// Builds the lab; `None` (after printing the skip line) where the machine cannot
    /// run it. Panics with what failed when the machine can but the setup fails.
    pub async fn start(options: LabOptions) -> Option<Self> {
        if let Some(reason) = unavailable() {
            println!("{}", skip_line(&reason));
            return None;
        }
        Some(Self::build(options).await.unwrap_or_else(|e| panic!("building the lab: {e}")))
    }

    async fn build(options: LabOptions) -> Result<Self, String> {
        sweep_stale();
        let topology = Topology::build()?;
        for (side, nat) in topology.sides.iter().zip(options.nats) {
            router::install(&side.router, nat)?;
        }
        let turn = Coturn::start(&topology.internet).await?;
        let server = signaling(&topology.internet, options.ice)?;
        let addr = server.addr();
        let [a, b] = &topology.sides;
        let (a, b) = tokio::join!(browser_in(&a.lan, addr), browser_in(&b.lan, addr));
        Ok(Self { addr, browsers: [a?, b?], _server: server, _turn: turn, topology })
    }

    /// The router of side `side` (0: a, 1: b), to change its rules mid-test.
    pub fn router(&self, side: usize) -> &Namespace {
        &self.topology.sides[side].router
    }

    /// The page freshly loaded in side `side`'s browser (a peer of an earlier call on
    /// that side leaves with its page), ICE restarts counted from here.
    pub async fn tab(&self, side: usize) -> Tab<'_> {
        let client = self.browsers[side].client();
        let handle = client.window().await.expect("the browser has a tab");
        let tab = Tab { browser: client, handle, ws_url: format!("ws://{}/ws", self.addr) };
        tab.focus().await;
        client.goto(&format!("http://{}/", self.addr)).await.expect("loads the page");
        tab.eval(COUNT_ICE_RESTARTS).await;
        tab
    }

    /// Ends the browser sessions cleanly, then tears everything down.
    pub async fn close(self) {
        let Self { browsers: [a, b], .. } = self;
        tokio::join!(a.close(), b.close());
    }
}

/// Chromium and its chromedriver inside `lan`, treating the server's origin as secure
/// (plain http from a non-loopback address is not, and the page needs WebCrypto).
async fn browser_in(lan: &Namespace, server: SocketAddr) -> Result<Browser, String> {
    let options = LaunchOptions {
        netns: Some(lan.name().to_owned()),
        extra_args: vec![format!("--unsafely-treat-insecure-origin-as-secure=http://{server}")],
    };
    Browser::launch_with(Engine::Chromium, WINDOW, &options)
        .await
        .map_err(|e| format!("Chromium in {}: {e}", lan.name()))
}
