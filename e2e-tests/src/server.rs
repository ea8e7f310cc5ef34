//! The signaling server under test, in a tokio runtime of its own, so that a test can
//! kill it the way `kill -9` would (every task dropped at once, every socket closed with
//! no close frame) and start it again on the same port with the same configuration.

use std::net::SocketAddr;
use tokio::runtime::Runtime;

/// A server on a fixed address, killed and restarted at will; killed on drop.
pub(crate) struct TestServer {
    addr: SocketAddr,
    config: signaling_server::Config,
    runtime: Option<Runtime>,
}

impl TestServer {
    /// Starts the server on a free loopback port.
    pub fn start(config: signaling_server::Config) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        Self::start_on(listener, config)
    }

    /// Starts the server on `listener` (bound by the caller, e.g. inside a network
    /// namespace; [`TestServer::restart`] binds the same address in the caller's own).
    pub fn start_on(listener: std::net::TcpListener, config: signaling_server::Config) -> Self {
        let addr = listener.local_addr().expect("a bound listener has an address");
        let runtime = serve(listener, config.clone());
        Self { addr, config, runtime: Some(runtime) }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its configuration.
    pub fn config(&self) -> signaling_server::Config {
        self.config.clone()
    }

    /// Kills it: no goodbye to anyone.
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// Starts it again on the same port (killing it first if it runs).
    pub fn restart(&mut self) {
        self.kill();
        // The killed runtime drops its listener on its own threads, a moment later (std
        // sets SO_REUSEADDR, so the port is free as soon as it is closed).
        let mut tries = 0;
        let listener = loop {
            match std::net::TcpListener::bind(self.addr) {
                Ok(listener) => break listener,
                Err(_) if tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(error) => panic!("binding {} again: {error}", self.addr),
            }
        };
        self.runtime = Some(serve(listener, self.config.clone()));
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs the server on `listener` in a new runtime (two workers, as on a small host).
fn serve(listener: std::net::TcpListener, config: signaling_server::Config) -> Runtime {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the server");
    listener.set_nonblocking(true).expect("non-blocking");
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
        signaling_server::run(listener, config, std::future::pending()).await
    });
    runtime
}
