//! `wenku serve`: the index over HTTP, a JSON API and a search page.
//!
//! tokio + axum. Searches run on tokio's blocking pool (tantivy is
//! synchronous) and see each commit as soon as it is made; writes (`POST
//! /listings`, `DELETE /listings/{id}`) are off unless a write key is set,
//! run one at a time and commit atomically or not at all. The API is
//! described in `docs/http-api.md`.

mod api;
mod error;
mod guard;
mod params;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::Router;
use axum::routing::{delete, get, post};
use tokio::sync::{Mutex, Semaphore};
use wenku::Wenku;

use crate::app;
use crate::flags::{Global, parse_duration, parse_heap};

/// Flags of `wenku serve`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = "\
Endpoints (see docs/http-api.md): GET / (the search page), GET /search,
GET /listings/{id}, GET /stats, GET /health; with --write-key also
POST /listings and DELETE /listings/{id}, which then require the header
`Authorization: Bearer <key>`.

The first line on standard output is `listening on http://ADDR`; with
--addr 127.0.0.1:0 the system picks a free port. SIGTERM or Ctrl-C stops
accepting connections and lets running requests finish (an indexing
request commits or, past --shutdown-grace, is rolled back).")]
pub(crate) struct Args {
    /// Address to listen on. The default only accepts connections from this
    /// machine; any other address makes the index reachable from the network.
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "HOST:PORT")]
    pub(crate) addr: SocketAddr,

    /// Enables the write endpoints, which then require this key as a bearer
    /// token. Prefer the environment variable: arguments are visible to other
    /// users of the machine.
    #[arg(long, env = "WENKU_WRITE_KEY", hide_env_values = true, value_name = "KEY")]
    pub(crate) write_key: Option<String>,

    /// Largest request body (POST /listings), e.g. 64MB.
    #[arg(long, default_value = "64MB", value_parser = parse_heap, value_name = "SIZE")]
    pub(crate) max_body: usize,

    /// Longest query (`q`), in characters.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub(crate) max_query_chars: usize,

    /// Most hits per request (`limit`).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub(crate) max_limit: usize,

    /// Deepest hit reachable by paging (`offset + limit`).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(crate) max_window: usize,

    /// Time allowed for a read request (search, listing, stats) before the
    /// answer is 503.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) timeout: Duration,

    /// Time allowed for a write request (indexing a body, deleting); an
    /// indexing request cut short is rolled back.
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) write_timeout: Duration,

    /// Requests handled at once; more wait in line (up to their timeout).
    #[arg(long, default_value_t = 64, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub(crate) max_concurrent: u32,

    /// After SIGTERM or Ctrl-C, how long running requests may take to finish
    /// before the server exits anyway (an unfinished indexing request is then
    /// rolled back).
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) shutdown_grace: Duration,
}

/// Limits on what one request may ask for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_query_chars: usize,
    pub(crate) max_limit: usize,
    pub(crate) max_window: usize,
    pub(crate) max_body: usize,
    pub(crate) timeout: Duration,
    pub(crate) write_timeout: Duration,
}

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) wenku: Arc<Wenku>,
    pub(crate) dir: PathBuf,
    pub(crate) limits: Limits,
    /// The write key; `None`: write endpoints are off.
    pub(crate) write_key: Option<Vec<u8>>,
    /// One write at a time (tantivy has one writer per index).
    pub(crate) write_lock: Arc<Mutex<()>>,
    /// Requests in progress.
    pub(crate) busy: Arc<Semaphore>,
}

pub(crate) type State = Arc<AppState>;

pub(crate) fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    if args.write_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
        bail!("--write-key (WENKU_WRITE_KEY) is empty: give a key or leave it unset");
    }
    let dir = app::index_dir(global)?;
    // a server that can write may start on an empty directory; a read-only
    // one needs an index
    let wenku = if args.write_key.is_some() {
        Wenku::open_or_create(&dir)
            .with_context(|| format!("cannot open or create index {}", dir.display()))?
    } else {
        app::open_index(global)?.1
    };
    let state = Arc::new(AppState {
        wenku: Arc::new(wenku),
        dir,
        limits: Limits {
            max_query_chars: args.max_query_chars,
            max_limit: args.max_limit,
            max_window: args.max_window.max(1),
            max_body: args.max_body,
            timeout: args.timeout,
            write_timeout: args.write_timeout,
        },
        write_key: args.write_key.as_ref().map(|k| k.trim().as_bytes().to_vec()),
        write_lock: Arc::new(Mutex::new(())),
        busy: Arc::new(Semaphore::new(args.max_concurrent as usize)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wenku-serve")
        // the query parser recurses: room for what the limits let through
        .thread_stack_size(8 << 20)
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(serve(state, args.addr, args.shutdown_grace));
    // requests cut short at shutdown may leave blocking work behind (an
    // uncommitted indexer): do not wait for it, it is rolled back
    runtime.shutdown_timeout(Duration::from_secs(1));
    result.map(|()| ExitCode::SUCCESS)
}

/// The routes and their layers.
pub(crate) fn router(state: State) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
    use tracing::Level;

    let writes = Router::new()
        .route("/listings", post(api::post_listings))
        .route("/listings/{id}", delete(api::delete_listing))
        .route_layer(from_fn_with_state(state.clone(), guard::require_write_key));
    let reads = Router::new()
        .route("/", get(api::page))
        .route("/search", get(api::search))
        .route("/listings/{id}", get(api::get_listing))
        .route("/stats", get(api::stats));
    let limited = reads
        .merge(writes)
        .layer(RequestBodyLimitLayer::new(state.limits.max_body))
        .layer(from_fn_with_state(state.clone(), guard::limit));
    Router::new()
        // outside the concurrency limit: answers while the server is busy
        .route("/health", get(api::health))
        .merge(limited)
        .fallback(api::not_found)
        .with_state(state)
        .layer(from_fn(guard::json_errors))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
}

async fn serve(state: State, addr: SocketAddr, grace: Duration) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr().context("no local address")?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{local}")?;
        out.flush()?;
    }
    if !local.ip().is_loopback() {
        tracing::warn!("listening on {local}: the index is reachable from other machines");
    }
    tracing::info!(
        "serving {} ({} listings), writes {}",
        state.dir.display(),
        state.wenku.num_docs(),
        if state.write_key.is_some() { "on" } else { "off" }
    );
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let app = router(state);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing running requests");
        let _ = stop_tx.send(true);
    });
    tokio::select! {
        r = server => r.context("server failed")?,
        () = async {
            // the grace period starts at the signal
            let _ = stop_rx.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => tracing::warn!("requests still running after {grace:?}: exiting (an unfinished indexing request is rolled back)"),
    }
    Ok(())
}

/// Resolves at SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::flags::tests::parse;

    fn args(argv: &[&str]) -> Args {
        match parse(&[&["serve"], argv].concat()).unwrap().command {
            Command::Serve(a) => a,
            c => panic!("{c:?}"),
        }
    }

    #[test]
    fn defaults_are_loopback_and_read_only() {
        // clap reads WENKU_WRITE_KEY: the defaults only hold without it
        if std::env::var_os("WENKU_WRITE_KEY").is_some() {
            return;
        }
        let a = args(&[]);
        assert_eq!(a.addr, "127.0.0.1:7700".parse().unwrap());
        assert!(a.addr.ip().is_loopback());
        assert_eq!(a.write_key, None);
        assert_eq!(a.max_body, 64 << 20);
        assert_eq!(a.timeout, Duration::from_secs(30));
        assert_eq!(a.max_concurrent, 64);
    }

    #[test]
    fn flags() {
        let a = args(&[
            "--addr",
            "127.0.0.1:0",
            "--write-key",
            "k",
            "--max-body",
            "1MB",
            "--timeout",
            "500ms",
            "--max-concurrent",
            "2",
        ]);
        assert_eq!(a.addr.port(), 0);
        assert_eq!(a.write_key.as_deref(), Some("k"));
        assert_eq!(a.max_body, 1 << 20);
        assert_eq!(a.timeout, Duration::from_millis(500));
        assert_eq!(a.max_concurrent, 2);
        assert!(parse(&["serve", "--addr", "localhost"]).is_err());
        assert!(parse(&["serve", "--max-concurrent", "0"]).is_err());
        assert!(parse(&["serve", "--timeout", "never"]).is_err());
    }
}
