//! Headless Chromium and Firefox for the project's end-to-end tests and benchmark
//! driver: a WebDriver child process (chromedriver or geckodriver) that takes every
//! browser process down with it, the options this machine needs, and a throwaway
//! profile.
//!
//! ```ignore
//! let browser = Browser::start(WindowSize { width: 1000, height: 700 }).await?;
//! let firefox = Browser::launch(Engine::Firefox, WindowSize { width: 1000, height: 700 }).await?;
//! browser.client().goto("http://127.0.0.1:8080/").await?;
//! browser.close().await;
//! ```
//!
//! With [`LaunchOptions`] the driver and its browser run inside a network namespace
//! (`netns`: reached through a unix socket only, see `netns.rs`) and Chromium gets
//! extra arguments.

mod capabilities;
mod netns;

pub use capabilities::WindowSize;
use capabilities::{FIREFOX, chrome_capabilities, firefox_capabilities};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use netns::Bridge;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Any error of this crate, with a message saying what to do.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Which browser to drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Debian's `chromium`, through `chromedriver`.
    Chromium,
    /// Debian's `firefox-esr`, through `geckodriver` (`cargo install`ed by setup.sh).
    Firefox,
}

impl Engine {
    /// `"chromium"` or `"firefox"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Firefox => "firefox",
        }
    }
}

/// Where and how to start a browser: [`Browser::launch_with`].
#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    /// A network namespace (a name `ip netns` knows) to run the driver and the browser
    /// in; Chromium only. The test process still drives it, through a unix socket, so
    /// the namespace needs no address for it.
    pub netns: Option<String>,
    /// More Chromium command-line arguments (e.g.
    /// `--unsafely-treat-insecure-origin-as-secure=http://203.0.113.1:8080`).
    pub extra_args: Vec<String>,
}

/// One WebDriver session in a headless browser. Dropping it (even in a panicking test)
/// kills the driver and every browser process, then removes the profile.
pub struct Browser {
    client: Client,
    // Dropped in this order: the browser processes go before their profile.
    _driver: Driver,
    _profile: TempDir,
}

impl Browser {
    /// Headless Chromium: [`Browser::launch`] with [`Engine::Chromium`].
    pub async fn start(window: WindowSize) -> Result<Self, Error> {
        Self::launch(Engine::Chromium, window).await
    }

    /// Starts the engine's WebDriver on a free port and opens a session with a fresh
    /// profile. Tried up to three times: a port found free can be taken by another
    /// driver starting at the same moment (tests run in parallel), and the session then
    /// reaches the wrong driver or none.
    pub async fn launch(engine: Engine, window: WindowSize) -> Result<Self, Error> {
        Self::launch_with(engine, window, &LaunchOptions::default()).await
    }

    /// [`Browser::launch`], in a network namespace and with extra arguments as
    /// `options` say.
    pub async fn launch_with(
        engine: Engine,
        window: WindowSize,
        options: &LaunchOptions,
    ) -> Result<Self, Error> {
        if options.netns.is_some() && engine != Engine::Chromium {
            return Err(format!("{} cannot run in a network namespace yet", engine.name()).into());
        }
        let mut tries = 0;
        loop {
            tries += 1;
            match Self::launch_once(engine, window, options).await {
                Err(error) if tries < 3 => eprintln!("[browser] {error}; trying again"),
                outcome => return outcome,
            }
        }
    }

    async fn launch_once(
        engine: Engine,
        window: WindowSize,
        options: &LaunchOptions,
    ) -> Result<Self, Error> {
        let driver = match &options.netns {
            Some(netns) => Driver::start_in(netns).await?,
            None => Driver::start(engine).await?,
        };
        let profile = TempDir::new(engine)?;
        let capabilities = match engine {
            Engine::Chromium => chrome_capabilities(&profile.0, window, &options.extra_args),
            Engine::Firefox => firefox_capabilities(&profile.0, window),
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .map_err(|e| format!("opening a {} session: {e}", engine.name()))?;
        Ok(Self { client, _driver: driver, _profile: profile })
    }

    /// The WebDriver client, to drive tabs.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session cleanly (dropping alone kills it).
    pub async fn close(self) {
        let Self { client, _driver, _profile } = self;
        let _ = client.close().await;
    }
}

/// A port no one listens on right now.
pub fn free_port() -> Result<u16, Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits up to 20 s until something accepts connections on `port` of 127.0.0.1.
pub async fn wait_for_port(port: u16, what: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("{what} did not start on port {port}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// A running WebDriver (chromedriver or geckodriver), in a process group of its own.
/// The browser inherits that group, so dropping this kills the driver and every browser
/// process it started (a plain `kill_on_drop` would leave the browser running, orphaned).
struct Driver {
    child: Child,
    /// Where the WebDriver answers on 127.0.0.1 of the test's own namespace.
    port: u16,
    /// For a driver in a network namespace: the way in (dropped after the processes).
    _bridge: Option<Bridge>,
}

impl Driver {
    async fn start(engine: Engine) -> Result<Self, Error> {
        let port = free_port()?;
        let (program, command) = match engine {
            Engine::Chromium => {
                let mut command = Command::new("/usr/bin/chromedriver");
                command.arg(format!("--port={port}"));
                ("/usr/bin/chromedriver".into(), command)
            }
            Engine::Firefox => {
                let geckodriver = geckodriver();
                let mut command = Command::new(&geckodriver);
                command.args(["--port", &port.to_string(), "--binary", FIREFOX]);
                (geckodriver.display().to_string(), command)
            }
        };
        let child = spawn_in_own_group(command)
            .map_err(|e| format!("{program}: {e} (scripts/setup.sh installs it)"))?;
        let driver = Self { child, port, _bridge: None };
        wait_for_port(port, &program).await?;
        Ok(driver)
    }

    /// chromedriver inside the network namespace `netns`, reached through a [`Bridge`].
    async fn start_in(netns: &str) -> Result<Self, Error> {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", netns, "/usr/bin/chromedriver"]);
        command.arg(format!("--port={}", netns::DRIVER_PORT));
        let child = spawn_in_own_group(command)
            .map_err(|e| format!("ip netns exec {netns} chromedriver: {e}"))?;
        let group = child.id().ok_or("chromedriver exited at once")?;
        let mut driver = Self { child, port: 0, _bridge: None };
        let bridge = Bridge::start(netns, group).await?;
        driver.port = bridge.port;
        driver._bridge = Some(bridge);
        Ok(driver)
    }
}

/// Starts a driver quiet, in a process group of its own (see [`Driver`]), killed on drop.
fn spawn_in_own_group(mut command: Command) -> std::io::Result<Child> {
    command.stdout(Stdio::null()).stderr(Stdio::null()).process_group(0).kill_on_drop(true).spawn()
}

/// geckodriver: `$GECKODRIVER`, else where `cargo install` puts it, else from PATH.
pub fn geckodriver() -> PathBuf {
    if let Some(path) = std::env::var_os("GECKODRIVER") {
        return PathBuf::from(path);
    }
    let installed =
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo/bin/geckodriver"));
    installed.filter(|path| path.is_file()).unwrap_or_else(|| PathBuf::from("geckodriver"))
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (`process_group(0)`); `kill` the binary
        // because the workspace forbids the `unsafe` a libc call would need.
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A fresh directory, removed on drop (a browser profile no other run shares).
struct TempDir(PathBuf);

impl TempDir {
    fn new(engine: Engine) -> Result<Self, Error> {
        let (pid, port) = (std::process::id(), free_port()?);
        let unique = format!("peer-wasm-{}-{pid}-{port}", engine.name());
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
