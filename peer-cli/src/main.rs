//! A command-line peer: joins a room, prints what it receives and what happens on one
//! line each, and sends each line of its input to every connected peer (`/file PATH`
//! sends a file); files received are saved in the current folder.
//!
//! `args.rs` the options, `lines.rs` how events are printed, `key_file.rs` the identity
//! kept between runs, `files.rs` the files sent; this file runs the peer.

mod args;
mod files;
mod key_file;
mod lines;

use clap::Parser;
use peer_native::{Payload, Peer, PeerEvent};
use std::process::ExitCode;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main]
async fn main() -> ExitCode {
    let args = args::Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: args::Args) -> Result<(), String> {
    let connect_all = args.connect_all;
    let options = args.join_options()?;
    let (peer, mut events) = Peer::join(options).await.map_err(|error| error.to_string())?;
    eprintln!("* joined {} as {} ({})", peer.room(), peer.me().name, peer.id());
    if connect_all {
        for other in peer.peers().await.map_err(|error| error.to_string())? {
            connect_in_background(&peer, other.id);
        }
    }
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    let mut sending = files::Sending::default();
    loop {
        tokio::select! {
            event = events.next() => match event {
                Some(event) => {
                    if let (true, PeerEvent::PeerJoined(other)) = (connect_all, &event) {
                        connect_in_background(&peer, other.id.clone());
                    }
                    if let Some(line) = lines::event_line(&event) {
                        println!("{line}");
                    }
                }
                None => break,
            },
            line = input.next_line() => match line {
                Ok(Some(line)) => match line.strip_prefix("/file ") {
                    Some(path) => sending.send(&peer, path.trim()).await,
                    None => send_line(&peer, line).await,
                },
                // End of input: the files in flight and what is queued go out before
                // the peer closes.
                Ok(None) | Err(_) => break,
            },
        }
    }
    sending.finish().await;
    peer.close().await;
    Ok(())
}

/// Connects to `other` without holding up the loop; a failure is printed.
fn connect_in_background(peer: &Peer, other: peer_native::PeerId) {
    let peer = peer.clone();
    tokio::spawn(async move {
        if let Err(error) = peer.connect(&other).await {
            eprintln!("* {error}");
        }
    });
}

/// Sends one line of input to every connected peer.
async fn send_line(peer: &Peer, line: String) {
    if let Err(error) = peer.send_message(Payload::Text(line)).await {
        eprintln!("* not sent: {error}");
    }
}
