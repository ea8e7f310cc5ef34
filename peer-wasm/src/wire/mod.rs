//! Every format this crate writes and reads: the signaling messages as JSON text, and on
//! the data channels the payloads, their framing, the mesh frames and the file frames,
//! with the registry of the tags that tell text frames apart (`tags.rs`).

pub(crate) mod file_frames;
pub(crate) mod framing;
pub(crate) mod mesh_frames;
pub(crate) mod payload;
pub(crate) mod signaling_json;
pub(crate) mod tags;
