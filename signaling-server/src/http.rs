//! The server's HTTP face: the routes (`routes.rs`), the page at `/` (`static_files.rs`),
//! and serving them until shutdown (`serve.rs`).

pub mod routes;
pub mod serve;
pub mod static_files;
