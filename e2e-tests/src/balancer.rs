//! A load balancer for the tests, as a deployment would put in front of several signaling
//! instances: a TCP proxy on a free loopback port that sends each new connection to the
//! first instance, in its list, that accepts it. When an instance dies, the connections
//! through it end (as the browser would see with a real balancer), and the peers' rejoins
//! land on the next instance: peers are given one URL, the balancer's.

use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running balancer; stops on drop.
pub struct Balancer {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Balancer {
    /// Balances over `upstreams`, first alive first.
    pub async fn start(upstreams: Vec<SocketAddr>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstreams = upstreams.clone();
                tokio::spawn(async move {
                    for upstream in upstreams {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = server.set_nodelay(true);
                            let _ = client.set_nodelay(true);
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            return;
                        }
                    }
                });
            }
        });
        Self { addr, task }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
