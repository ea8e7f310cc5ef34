//! One client's WebSocket, from its upgrade to its close frame: the task that serves the
//! socket (`task.rs`), what the client's frames do, with no socket (`connection.rs`), the
//! task's deadlines on one timer (`clock.rs`), and how the connection ends (`goodbye.rs`).

pub mod clock;
pub mod connection;
pub mod goodbye;
pub mod task;
