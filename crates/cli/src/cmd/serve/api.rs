//! The handlers: search, listings, stats, health, the page.

use std::io::Read;
use std::time::Instant;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State as Extract};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};
use wenku::{IndexOptions, IndexReport, ParseOptions, SearchResults, WriterOptions};

use super::State;
use super::error::ApiError;
use super::params::{POST_PARAMS, Params, search_request};
use crate::cmd::index::Summary;
use crate::cmd::stats;
use crate::json::{FacetsJson, HitJson};

/// The search page (HTML, CSS and script in one file, no build step).
const PAGE: &str = include_str!("page.html");

/// Runs blocking index work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(ApiError::internal("request task failed", &e)))
}

/// `GET /`.
pub(crate) async fn page() -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Html(PAGE),
    )
        .into_response()
}

/// `GET /search` answer: the hits as `wenku search --json` prints them,
/// with the page and totals around them.
#[derive(Serialize)]
struct SearchJson<'a> {
    query: &'a str,
    total: usize,
    took_ms: f64,
    offset: usize,
    limit: usize,
    hits: Vec<HitJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<FacetsJson<'a>>,
    /// Every other result-level field of the facade's `SearchResults` (how
    /// the query was understood, relaxed words, …), passed through as the
    /// facade serialises it.
    #[serde(flatten)]
    more: Map<String, Value>,
}

/// The result-level fields of `results` other than those `SearchJson`
/// writes itself (call it with the hits taken out: they are not needed).
fn result_metadata(results: &SearchResults) -> Map<String, Value> {
    let Ok(Value::Object(mut map)) = serde_json::to_value(results) else { return Map::new() };
    for own in ["total", "hits", "facets"] {
        map.remove(own);
    }
    map
}

/// `GET /search?q=&limit=&offset=&sort=&facets=&explain=&now=`.
pub(crate) async fn search(Extract(state): Extract<State>, uri: Uri) -> Result<Response, ApiError> {
    let req = search_request(uri.query(), &state.limits)?;
    let wenku = state.wenku.clone();
    let body = blocking(move || {
        let started = Instant::now();
        let mut results = wenku.search(&req)?;
        let hits = std::mem::take(&mut results.hits);
        let more = result_metadata(&results);
        results.hits = hits;
        let took_ms = (started.elapsed().as_secs_f64() * 1e5).round() / 100.0;
        let json = SearchJson {
            query: req.query.text(),
            total: results.total,
            took_ms,
            offset: req.offset,
            limit: req.limit,
            hits: HitJson::all(&results, req.offset),
            facets: results.facets.as_ref().map(FacetsJson::new),
            more,
        };
        serde_json::to_vec(&json).map_err(|e| ApiError::internal("cannot write the answer", &e))
    })
    .await?;
    Ok(json_bytes(StatusCode::OK, body))
}

fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `GET /listings/{id}`: the stored record (as `wenku parse` writes it,
/// plus `dup_count`).
pub(crate) async fn get_listing(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let wenku = state.wenku.clone();
    let listing = blocking(move || Ok(wenku.get(&id).map(|l| (id, l))?)).await?;
    match listing {
        (_, Some(l)) => Ok(Json(l).into_response()),
        (id, None) => Err(no_listing(&id)),
    }
}

fn no_listing(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no listing with id '{}'", id.escape_debug()))
}

/// `GET /stats`: what `wenku stats --json` prints.
pub(crate) async fn stats(Extract(state): Extract<State>, uri: Uri) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let wenku = state.wenku.clone();
    let dir = state.dir.clone();
    let body = blocking(move || {
        let s = stats::collect(&dir, &wenku).map_err(|e| {
            ApiError::internal(
                "cannot collect statistics",
                AsRef::<dyn std::error::Error>::as_ref(&e),
            )
        })?;
        serde_json::to_vec(&s.json(&dir))
            .map_err(|e| ApiError::internal("cannot write the answer", &e))
    })
    .await?;
    Ok(json_bytes(StatusCode::OK, body))
}

#[derive(Serialize)]
struct HealthJson {
    status: &'static str,
    documents: u64,
    version: &'static str,
    writes: bool,
}

/// `GET /health`.
pub(crate) async fn health(Extract(state): Extract<State>) -> Json<impl Serialize> {
    Json(HealthJson {
        status: "ok",
        documents: state.wenku.num_docs(),
        version: env!("CARGO_PKG_VERSION"),
        writes: state.write_key.is_some(),
    })
}

/// Unknown paths.
pub(crate) async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such endpoint: {} (endpoints: /, /search, /listings/{{id}}, /stats, /health)",
            uri.path().escape_debug()
        ),
    )
}

/// The request body, handed to the blocking indexer as a reader.
struct BodyReader {
    rx: mpsc::Receiver<Bytes>,
    chunk: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(b) => self.chunk = b,
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len());
        out[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

/// Why a write did not happen.
enum WriteFailure {
    /// The body did not arrive whole: nothing was committed.
    Incomplete,
    Index(wenku::Error),
}

/// `POST /listings?name=&as_of=&encoding=`: raw pages or JSON Lines in the
/// body, read as it arrives; one commit at the end, or none if the body
/// does not arrive whole. Answers what `wenku index --json` prints.
pub(crate) async fn post_listings(
    Extract(state): Extract<State>,
    uri: Uri,
    body: Body,
) -> Result<Response, ApiError> {
    let p = Params::parse(uri.query(), &POST_PARAMS)?;
    let name = p.get("name").filter(|n| !n.is_empty()).unwrap_or("POST /listings").to_string();
    let parse = ParseOptions {
        as_of: Some(p.time("as_of")?.unwrap_or_else(jiff::Timestamp::now)),
        encoding: p.encoding("encoding")?,
        ..ParseOptions::default()
    };
    let options = IndexOptions { writer: WriterOptions::default(), parse, keep_errors: Some(20) };
    // held until the blocking work ends, even if this request is dropped
    let lock = state.write_lock.clone().lock_owned().await;
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    let (body_done, body_verdict) = oneshot::channel::<bool>();
    let wenku = state.wenku.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _lock = lock;
        let mut indexer = wenku.indexer(&options).map_err(WriteFailure::Index)?;
        let reader =
            std::io::BufReader::with_capacity(64 << 10, BodyReader { rx, chunk: Bytes::new() });
        indexer.add_reader(&name, reader).map_err(WriteFailure::Index)?;
        // commit only a body that arrived whole; dropping the indexer rolls back
        if body_verdict.blocking_recv() != Ok(true) {
            return Err(WriteFailure::Incomplete);
        }
        let report = indexer.commit().map_err(WriteFailure::Index)?;
        wenku.reload().map_err(WriteFailure::Index)?;
        Ok(report)
    });
    let mut body = body;
    let mut bytes_read = 0u64;
    let mut body_error = None;
    loop {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    bytes_read += data.len() as u64;
                    if tx.send(data).await.is_err() {
                        break; // the indexer stopped: its error is the answer
                    }
                }
            }
            Some(Err(e)) => {
                body_error = Some(e);
                break;
            }
        }
    }
    drop(tx);
    let _ = body_done.send(body_error.is_none());
    let outcome = work.await.map_err(|e| ApiError::internal("indexing task failed", &e))?;
    if let Some(e) = body_error {
        let too_large = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.is::<http_body_util::LengthLimitError>());
        return Err(if too_large {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body larger than {} bytes (--max-body): nothing was indexed",
                    state.limits.max_body
                ),
            )
        } else {
            ApiError::bad_request(format!(
                "request body could not be read ({e}): nothing was indexed"
            ))
        });
    }
    let mut report: IndexReport = match outcome {
        Ok(r) => r,
        Err(WriteFailure::Incomplete) => {
            return Err(ApiError::bad_request("request body incomplete: nothing was indexed"));
        }
        Err(WriteFailure::Index(e)) => return Err(write_error(e)),
    };
    report.bytes_read = bytes_read;
    let summary = Summary { dir: &state.dir, report: &report, documents: state.wenku.num_docs() };
    Ok(Json(summary.json()).into_response())
}

/// Index errors of a write: another process holding the writer lock is a
/// conflict, not a server failure.
fn write_error(e: wenku::Error) -> ApiError {
    let locked = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
        .any(|e| e.to_string().contains("LockBusy"));
    if locked {
        ApiError::new(
            StatusCode::CONFLICT,
            "the index is being written by another process (wenku index?): try again when it is done",
        )
    } else {
        ApiError::internal("indexing failed", &e)
    }
}

#[derive(Serialize)]
struct DeletedJson {
    deleted: String,
    documents: u64,
}

/// `DELETE /listings/{id}`.
pub(crate) async fn delete_listing(
    Extract(state): Extract<State>,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let lock = state.write_lock.clone().lock_owned().await;
    let wenku = state.wenku.clone();
    let deleted = blocking(move || {
        let _lock = lock;
        if wenku.get(&id)?.is_none() {
            return Err(no_listing(&id));
        }
        let options = IndexOptions {
            writer: WriterOptions { threads: 1, heap_bytes: 16 << 20, ..Default::default() },
            ..IndexOptions::default()
        };
        let mut indexer = wenku.indexer(&options).map_err(write_error)?;
        indexer.delete(&id);
        indexer.commit().map_err(write_error)?;
        wenku.reload()?;
        Ok(DeletedJson { deleted: id, documents: wenku.num_docs() })
    })
    .await?;
    Ok(Json(deleted).into_response())
}
