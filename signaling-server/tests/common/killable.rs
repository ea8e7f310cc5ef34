//! A server in a tokio runtime of its own, so that a test can kill it as `kill -9` would:
//! every task dropped at once, every socket closed with no goodbye, nothing cleaned up.

use signaling_server::Config;
use std::net::SocketAddr;
use tokio::runtime::Runtime;

pub struct Killable {
    pub addr: SocketAddr,
    runtime: Option<Runtime>,
}

impl Killable {
    pub fn start(config: Config) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let addr = listener.local_addr().expect("has an address");
        listener.set_nonblocking(true).expect("non-blocking");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the server");
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            signaling_server::run(listener, config, std::future::pending()).await
        });
        Self { addr, runtime: Some(runtime) }
    }

    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Killable {
    fn drop(&mut self) {
        self.kill();
    }
}
