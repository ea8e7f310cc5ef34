//! File transfers on a connection: the frames go to the connection's files machine
//! (`peer_core::files`), and what it asks for is carried out here. Native peers do not
//! take files yet, so the machine refuses every offer, as the protocol lets a receiver.

use super::Driver;
use crate::transport::types::Channel;
use crate::wire::files::encode;
use peer_core::ConnKey;
use peer_core::files::FileOutput;

impl Driver {
    /// Carries out what the files machine of `key` asks.
    pub(super) fn run_files(&mut self, key: &ConnKey) {
        let Some(live) = self.connections.get_mut(key) else { return };
        while let Some(output) = live.files.poll_output() {
            match output {
                FileOutput::Send(frame) => {
                    if let Some(frame) = encode(&frame) {
                        let _ = live.connection.send(Channel::Reliable, frame);
                    }
                }
                FileOutput::Warning(text) => tracing::warn!("{text}"),
                // Nothing is sent or accepted, so nothing is read, kept or verified.
                _ => {}
            }
        }
    }
}
