//! `/file PATH`: the file sent to every connected peer, each transfer followed in the
//! background (a failure is printed), and at end of input, waited for (bounded).

use peer_native::Peer;
use std::time::Duration;
use tokio::task::JoinSet;

/// Longest wait at end of input for the files still going out.
const FILES_WAIT: Duration = Duration::from_secs(120);

/// The files being sent, until each arrived or failed.
#[derive(Default)]
pub struct Sending {
    transfers: JoinSet<()>,
}

impl Sending {
    /// Starts sending the file at `path` to every connected peer; what cannot start is
    /// printed.
    pub async fn send(&mut self, peer: &Peer, path: &str) {
        let connected = match peer.connected().await {
            Ok(connected) => connected,
            Err(error) => return eprintln!("* not sent: {error}"),
        };
        if connected.is_empty() {
            return eprintln!("* not sent: no peer is connected");
        }
        for other in connected {
            match peer.send_file(&other.id, path).await {
                Ok(file) => {
                    eprintln!("* sending {} to {}", file.name(), other.name);
                    self.transfers.spawn(async move {
                        if let Err(error) = file.done().await {
                            eprintln!("* {error}");
                        }
                    });
                }
                Err(error) => eprintln!("* not sent to {}: {error}", other.name),
            }
        }
    }

    /// Waits for every file still going out, at most [`FILES_WAIT`].
    pub async fn finish(mut self) {
        let all = async { while self.transfers.join_next().await.is_some() {} };
        if tokio::time::timeout(FILES_WAIT, all).await.is_err() {
            eprintln!("* gave up waiting for files still being sent");
        }
    }
}
