//! The disk side of file transfers, off the driver's task: slices of a file being sent
//! read on tokio's blocking threads, and one writer task per incoming file that appends
//! what arrives in order, hashes it (plain SHA-256 of the bytes), and at the end gives
//! the temporary file its free name. What they did comes back to the driver as a
//! [`FileReport`], like a connection's reports.

use super::file_names::{create_part, move_to_free_name};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Most received bytes waiting for the disk; past it, the transfer stops (the disk is
/// slower than the network, and memory must stay bounded).
pub(super) const MAX_UNWRITTEN_BYTES: usize = 16 * 1024 * 1024;

/// What the disk did for a transfer of one connection.
#[derive(Debug)]
pub(crate) enum FileReport {
    /// A slice of an outgoing file, or why it could not be read.
    Read { id: u32, read: Result<Vec<u8>, String> },
    /// An incoming file could not be written; the writer removed its temporary file.
    WriteFailed { id: u32, reason: String },
    /// An incoming file is complete on disk under its name, or why it is not.
    Saved { id: u32, saved: Result<Saved, String> },
}

/// A received file where it was saved.
#[derive(Clone, Debug)]
pub(crate) struct Saved {
    /// The name it got (the sender's, made safe, maybe numbered).
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    /// The plain SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// Reads `len` bytes at `offset` of `file` on a blocking thread, then `report`s them.
pub(super) fn read_slice(
    file: Arc<Mutex<std::fs::File>>,
    id: u32,
    offset: u64,
    len: u64,
    report: impl FnOnce(FileReport) + Send + 'static,
) {
    tokio::task::spawn_blocking(move || {
        let read = (|| -> std::io::Result<Vec<u8>> {
            let mut file = file.lock().map_err(|_| std::io::Error::other("a reader panicked"))?;
            file.seek(SeekFrom::Start(offset))?;
            let mut bytes = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
            file.read_exact(&mut bytes)?;
            Ok(bytes)
        })();
        report(FileReport::Read { id, read: read.map_err(|error| error.to_string()) });
    });
}

/// What the writer of an incoming file is asked, in order.
#[derive(Debug)]
pub(super) enum WriteJob {
    Append(Vec<u8>),
    /// Everything arrived and the machine checked it: name the file.
    Finish,
}

/// The driver's end of an incoming file's writer. Dropping it before `Finish` makes
/// the writer remove what it wrote.
#[derive(Debug)]
pub(super) struct Writer {
    jobs: mpsc::UnboundedSender<WriteJob>,
    /// Bytes handed over and not yet written.
    unwritten: Arc<AtomicUsize>,
}

impl Writer {
    /// Starts the writer of `name` (already made safe) in `dir`.
    pub fn start(
        id: u32,
        dir: PathBuf,
        name: String,
        report: impl Fn(FileReport) + Send + 'static,
    ) -> Writer {
        let (jobs, jobs_in) = mpsc::unbounded_channel();
        let unwritten = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&unwritten);
        tokio::spawn(async move {
            if let Some(report_now) = write_file(id, &dir, name, jobs_in, counter).await {
                report(report_now);
            }
        });
        Writer { jobs, unwritten }
    }

    /// Hands over a data frame: `Err` when too much waits for the disk already.
    pub fn append(&self, bytes: Vec<u8>) -> Result<(), String> {
        let len = bytes.len();
        if self.unwritten.load(Ordering::Relaxed).saturating_add(len) > MAX_UNWRITTEN_BYTES {
            return Err("the disk is slower than the network".to_owned());
        }
        self.unwritten.fetch_add(len, Ordering::Relaxed);
        // A writer that stopped reports why itself.
        let _ = self.jobs.send(WriteJob::Append(bytes));
        Ok(())
    }

    /// Asks for the file to be named, once what was handed over is written.
    pub fn finish(&self) {
        let _ = self.jobs.send(WriteJob::Finish);
    }
}

/// The open temporary file and the hash of what went into it. Removed when dropped
/// unless it was named: on a failure, when the driver lets go, and when the runtime
/// shuts down with the writer still waiting (a program that exits).
struct Part {
    file: std::fs::File,
    path: PathBuf,
    hash: Sha256,
    size: u64,
    named: bool,
}

impl Drop for Part {
    fn drop(&mut self) {
        if !self.named {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes the jobs in order: the report to send (`None` when the driver let go first:
/// the temporary file is removed and nobody waits).
async fn write_file(
    id: u32,
    dir: &Path,
    name: String,
    mut jobs: mpsc::UnboundedReceiver<WriteJob>,
    unwritten: Arc<AtomicUsize>,
) -> Option<FileReport> {
    let failed = |reason: String| Some(FileReport::WriteFailed { id, reason });
    let (dir_owned, name_owned) = (dir.to_owned(), name.clone());
    let created = blocking(move || create_part(&dir_owned, &name_owned)).await;
    let (file, path) = match created {
        Ok(made) => made,
        Err(error) => return failed(format!("the file could not be created: {error}")),
    };
    let mut part = Part { file, path, hash: Sha256::new(), size: 0, named: false };
    while let Some(job) = jobs.recv().await {
        match job {
            WriteJob::Append(bytes) => {
                let len = bytes.len();
                let written = blocking(move || append(part, &bytes)).await;
                unwritten.fetch_sub(len, Ordering::Relaxed);
                part = match written {
                    Ok(part) => part,
                    // The part was dropped with the error: removed.
                    Err(error) => return failed(format!("the file could not be written: {error}")),
                };
            }
            WriteJob::Finish => {
                let dir = dir.to_owned();
                let saved = tokio::task::spawn_blocking(move || finish(part, &dir, name)).await;
                let saved = saved.unwrap_or_else(|error| Err(error.to_string()));
                return Some(FileReport::Saved { id, saved });
            }
        }
    }
    // The driver let go first: `part` is removed as it drops.
    None
}

/// Runs `work` on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|error| Err(std::io::Error::other(error)))
}

/// Appends `bytes` to `part` and its hash.
fn append(mut part: Part, bytes: &[u8]) -> std::io::Result<Part> {
    part.file.write_all(bytes)?;
    part.hash.update(bytes);
    part.size += bytes.len() as u64;
    Ok(part)
}

/// Flushes the temporary file and gives it its free name (removed if that fails).
fn finish(mut part: Part, dir: &Path, name: String) -> Result<Saved, String> {
    let named = part.file.flush().and_then(|()| move_to_free_name(&part.path, dir, &name));
    let path = named.map_err(|error| format!("the file could not be saved: {error}"))?;
    part.named = true;
    let saved_name = path.file_name().map_or(name, |n| n.to_string_lossy().into_owned());
    let sha256 = hex(&std::mem::take(&mut part.hash).finalize());
    Ok(Saved { name: saved_name, path, size: part.size, sha256 })
}

/// Bytes as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
