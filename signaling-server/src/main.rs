//! `cargo run -p signaling-server -- --help`: parses the options, sets up logging, binds,
//! serves until Ctrl-C.

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use signaling_server::{Config, TurnSecret};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The signaling server for peer-wasm: rooms, WebRTC signal relay, and the chat page.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Options {
    /// Address to listen on.
    #[arg(long, env = "SIGNALING_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory served at `/` (the chat page and its built `pkg/`).
    #[arg(long, env = "SIGNALING_STATIC_DIR", default_value = "www")]
    static_dir: PathBuf,
    /// Most peers in one room.
    #[arg(long, env = "SIGNALING_MAX_PEERS_PER_ROOM", default_value_t = Config::default().max_peers_per_room)]
    max_peers_per_room: usize,
    /// Largest WebSocket message accepted, in bytes.
    #[arg(long, env = "SIGNALING_MAX_MESSAGE_BYTES", default_value_t = Config::default().max_message_bytes)]
    max_message_bytes: usize,
    /// Messages queued for one peer before it is disconnected as too slow.
    #[arg(long, env = "SIGNALING_PEER_QUEUE_LEN", default_value_t = Config::default().peer_queue_len)]
    peer_queue_len: usize,
    /// Bytes queued for one peer before it is disconnected as too slow.
    #[arg(long, env = "SIGNALING_PEER_QUEUE_BYTES", default_value_t = Config::default().peer_queue_bytes)]
    peer_queue_bytes: usize,
    /// Most rooms at once.
    #[arg(long, env = "SIGNALING_MAX_ROOMS", default_value_t = Config::default().max_rooms)]
    max_rooms: usize,
    /// Most open WebSocket connections.
    #[arg(long, env = "SIGNALING_MAX_CONNECTIONS", default_value_t = Config::default().max_connections)]
    max_connections: usize,
    /// Most open WebSocket connections from one IP address.
    #[arg(long, env = "SIGNALING_MAX_CONNECTIONS_PER_IP", default_value_t = Config::default().max_connections_per_ip)]
    max_connections_per_ip: usize,
    /// Messages per second one connection may send, sustained.
    #[arg(long, env = "SIGNALING_MESSAGES_PER_SECOND", default_value_t = Config::default().messages_per_second)]
    messages_per_second: u32,
    /// Messages one connection may send at once, above the sustained rate.
    #[arg(long, env = "SIGNALING_MESSAGE_BURST", default_value_t = Config::default().message_burst)]
    message_burst: u32,
    /// Origins (e.g. `https://chat.example`) whose pages may connect, comma-separated;
    /// unset allows every origin.
    #[arg(long, env = "SIGNALING_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// Refuse to create rooms without a secret.
    #[arg(long, env = "SIGNALING_REQUIRE_ROOM_SECRETS")]
    require_room_secrets: bool,
    /// Do not serve `GET /metrics`.
    #[arg(long, env = "SIGNALING_DISABLE_METRICS")]
    disable_metrics: bool,
    /// Seconds between the server's pings to each socket.
    #[arg(long, env = "SIGNALING_HEARTBEAT_SECS", default_value_t = Config::default().heartbeat.as_secs())]
    heartbeat_secs: u64,
    /// Seconds without any frame (not even a pong) after which a socket is closed.
    #[arg(long, env = "SIGNALING_IDLE_TIMEOUT_SECS", default_value_t = Config::default().idle_timeout.as_secs())]
    idle_timeout_secs: u64,
    /// Seconds a socket may stay open without joining a room.
    #[arg(long, env = "SIGNALING_JOIN_TIMEOUT_SECS", default_value_t = Config::default().join_timeout.as_secs())]
    join_timeout_secs: u64,
    /// A STUN URL handed to every peer (e.g. `stun:stun.example.org:3478`); repeatable,
    /// comma-separated in the environment.
    #[arg(
        long = "stun-url",
        value_name = "URL",
        env = "SIGNALING_STUN_URLS",
        value_delimiter = ','
    )]
    stun_urls: Vec<String>,
    /// A TURN URL (`turn:` or `turns:`) handed to every peer with credentials minted for
    /// it; repeatable, comma-separated in the environment. Needs `--turn-secret`.
    #[arg(
        long = "turn-url",
        value_name = "URL",
        env = "SIGNALING_TURN_URLS",
        value_delimiter = ','
    )]
    turn_urls: Vec<String>,
    /// The secret shared with the TURN server (coturn: `use-auth-secret` and this as its
    /// `static-auth-secret`). Prefer the environment: a flag shows in the process list.
    #[arg(long, value_name = "SECRET", env = "SIGNALING_TURN_SECRET", hide_env_values = true)]
    turn_secret: Option<TurnSecret>,
    /// Seconds the minted TURN credentials stay valid (at least 60); peers get fresh
    /// ones at 80% of it.
    #[arg(long, value_name = "SECS", env = "SIGNALING_TURN_CREDENTIAL_TTL_SECS", default_value_t = Config::default().turn_credential_ttl.as_secs())]
    turn_credential_ttl_secs: u64,
    /// Share rooms with every instance started with the same Redis (e.g.
    /// `redis://127.0.0.1:6379`). Without it, rooms live in this process only.
    #[arg(long, value_name = "URL", env = "SIGNALING_REDIS_URL")]
    redis_url: Option<String>,
    /// Milliseconds between refreshes of this instance's liveness key in Redis (and
    /// sweeps of dead instances).
    #[arg(long, value_name = "MS", env = "SIGNALING_REDIS_HEARTBEAT_MS", default_value_t = 1000)]
    redis_heartbeat_ms: u64,
    /// Milliseconds this instance's liveness key outlives its last refresh: a killed
    /// instance's peers are reported left within this plus one heartbeat.
    #[arg(
        long,
        value_name = "MS",
        env = "SIGNALING_REDIS_LIVENESS_TTL_MS",
        default_value_t = 3000
    )]
    redis_liveness_ttl_ms: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let options = Options::parse();
    let config = Config {
        static_dir: options.static_dir,
        max_peers_per_room: options.max_peers_per_room,
        max_message_bytes: options.max_message_bytes,
        peer_queue_len: options.peer_queue_len,
        peer_queue_bytes: options.peer_queue_bytes,
        max_rooms: options.max_rooms,
        max_connections: options.max_connections,
        max_connections_per_ip: options.max_connections_per_ip,
        messages_per_second: options.messages_per_second,
        message_burst: options.message_burst,
        allowed_origins: options.allowed_origins,
        require_room_secrets: options.require_room_secrets,
        metrics: !options.disable_metrics,
        heartbeat: Duration::from_secs(options.heartbeat_secs.max(1)),
        idle_timeout: Duration::from_secs(options.idle_timeout_secs.max(1)),
        join_timeout: Duration::from_secs(options.join_timeout_secs.max(1)),
        stun_urls: options.stun_urls,
        turn_urls: options.turn_urls,
        turn_secret: options.turn_secret,
        turn_credential_ttl: Duration::from_secs(options.turn_credential_ttl_secs),
        redis_url: options.redis_url,
        redis_heartbeat: Duration::from_millis(options.redis_heartbeat_ms.max(10)),
        redis_liveness_ttl: Duration::from_millis(options.redis_liveness_ttl_ms),
    };
    if let Err(error) = config.validate() {
        // clap's own error format and exit code (2), as for a malformed flag.
        Options::command().error(ErrorKind::ValueValidation, error).exit();
    }
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let address = listener.local_addr()?;
    tracing::info!("listening on http://{address} (WebSocket at ws://{address}/ws)");
    println!("open http://{address} in several tabs");
    signaling_server::run(listener, config, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
