//! Is the remote still there? While a channel is open, each side sends a heartbeat on it
//! every [`HEARTBEAT_MS`] (the driver skips it when data is going out anyway), and
//! anything arriving counts as a sign of life. A remote silent for [`SILENT_PERIODS`]
//! periods is dead when nobody vouches for it: the server says it left (its tab
//! crashed, its socket dropped), or the server cannot be asked (signaling is down). That
//! finds a crashed tab within about 4 s, with or without the server. While the server
//! still has the remote in the room, a silence is the path's problem, which ICE restart
//! handles (`restart.rs`), not a death.

use super::lifecycle::Ending;
use crate::error::connect_failed;
use crate::ids::ConnKey;
use crate::io::Output;
use crate::state::{Core, Signaling};
use crate::timings::{HEARTBEAT_MS, SILENT_PERIODS};
use signaling_protocol::PeerId;

impl<M: Clone> Core<M> {
    /// Sets the next heartbeat if none is due.
    pub(super) fn keep_ticking(&mut self) {
        if self.heartbeat_at.is_none() && !self.closed {
            self.heartbeat_at = Some(self.deadline_in(HEARTBEAT_MS));
        }
    }

    /// One heartbeat period went by.
    pub(super) fn heartbeat_due(&mut self) {
        self.heartbeat_at = None;
        let vouched = self.signaling == Signaling::Connected;
        let mut dead: Vec<PeerId> = Vec::new();
        let mut open = false;
        for link in self.links.iter_mut().filter(|link| link.phase.is_usable()) {
            link.silent_periods = link.silent_periods.saturating_add(1);
            link.mesh_frames = 0;
            link.broadcasts = 0;
            if link.silent_periods > SILENT_PERIODS && (link.left || !vouched) {
                dead.push(link.key.peer.clone());
            } else {
                open = true;
                self.out.push_back(Output::Heartbeat { key: link.key.clone() });
            }
        }
        for peer in dead {
            let silent = HEARTBEAT_MS / 1000 * u32::from(SILENT_PERIODS);
            let reason = format!("the peer stopped answering (nothing heard for {silent} s)");
            self.finish(&peer, connect_failed(&peer, &reason), Ending::Quietly);
        }
        if open {
            self.keep_ticking();
        }
    }

    /// Something (a heartbeat, a part of a message) arrived on `key`'s channel.
    pub(super) fn heard(&mut self, key: &ConnKey) {
        if let Some(link) = self.link_mut(&key.peer).filter(|link| link.key == *key) {
            link.silent_periods = 0;
        }
    }
}
