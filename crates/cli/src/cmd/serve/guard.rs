//! Middleware: the write key, concurrency and time limits, and JSON bodies
//! for every error answer (also those made by axum and tower-http).

use axum::body::Body;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::State;
use super::error::ApiError;

/// Write endpoints: off without a key (403); with one, the request must
/// carry `Authorization: Bearer <key>` (401 otherwise). The key is compared
/// in constant time.
pub(crate) async fn require_write_key(
    Extract(state): Extract<State>,
    req: Request,
    next: Next,
) -> Response {
    let Some(key) = &state.write_key else {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "write endpoints are off: start wenku serve with --write-key (or WENKU_WRITE_KEY)",
        )
        .into_response();
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .map(<[u8]>::trim_ascii);
    match given {
        Some(token) if constant_time_eq(token, key) => next.run(req).await,
        _ => {
            let mut r = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this endpoint needs the write key: Authorization: Bearer <key>",
            )
            .into_response();
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            r
        }
    }
}

/// Whether `given` equals `key`, in a time that depends only on the length
/// of `key` (not on where the first difference is, nor on `given`'s length).
pub(crate) fn constant_time_eq(given: &[u8], key: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != key.len());
    for (i, k) in key.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(!k);
        diff |= std::hint::black_box(g ^ k);
    }
    std::hint::black_box(diff) == 0
}

/// At most `--max-concurrent` requests at once (the others wait in line),
/// and each answered within `--timeout` (reads) or `--write-timeout`
/// (writes), else 503.
pub(crate) async fn limit(Extract(state): Extract<State>, req: Request, next: Next) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD);
    let timeout = if write { state.limits.write_timeout } else { state.limits.timeout };
    let deadline = tokio::time::Instant::now() + timeout;
    let busy = state.busy.clone();
    let Ok(Ok(_permit)) = tokio::time::timeout_at(deadline, busy.acquire_owned()).await else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("server busy: no request slot within {timeout:?} (--max-concurrent)"),
        )
        .into_response();
    };
    match tokio::time::timeout_at(deadline, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "request took longer than {timeout:?} ({}){}",
                if write { "--write-timeout" } else { "--timeout" },
                if write { ": nothing was indexed" } else { "" }
            ),
        )
        .into_response(),
    }
}

/// Gives every error answer without a JSON body one (`{"error": ...}`):
/// axum's rejections (unknown method, malformed path), tower-http's 413.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let r = next.run(req).await;
    let status = r.status();
    let is_json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    // the rejection's own text says what was wrong; keep it (bounded)
    let detail = match body.collect().await {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()[..]).chars().take(500).collect::<String>(),
        Err(_) => String::new(),
    };
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let message = match detail.trim() {
        "" => reason,
        d => format!("{reason}: {d}"),
    };
    let json = ApiError::new(status, message).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let (_, body) = json.into_parts();
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_comparison() {
        assert!(constant_time_eq(b"s3cret-key", b"s3cret-key"));
        assert!(!constant_time_eq(b"s3cret-kez", b"s3cret-key"));
        assert!(!constant_time_eq(b"s3cret", b"s3cret-key"));
        assert!(!constant_time_eq(b"s3cret-key-and-more", b"s3cret-key"));
        assert!(!constant_time_eq(b"", b"k"));
        // a prefix padded with what the missing bytes are not
        assert!(!constant_time_eq(b"s3cret-ke\0", b"s3cret-key"));
    }
}
