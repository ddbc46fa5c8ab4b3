//! The error answer every handler and guard returns.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::cmd::index::error_chain;

/// An error answer: `{"error": "...", "position": N}` (position only for a
/// malformed query: the 1-based character where it goes wrong).
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) position: Option<usize>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into(), position: None }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// A failure of the server itself, logged with its causes.
    pub(crate) fn internal(what: &str, e: &dyn std::error::Error) -> Self {
        let chain = error_chain(e);
        tracing::error!("{what}: {chain}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{what}: {chain}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorJson { error: &self.message, position: self.position };
        (self.status, Json(body)).into_response()
    }
}

impl From<wenku::Error> for ApiError {
    fn from(e: wenku::Error) -> Self {
        match e {
            wenku::Error::Query(wenku::query::Error::Parse(p)) => ApiError {
                status: StatusCode::BAD_REQUEST,
                message: p.to_string(),
                position: Some(p.position),
            },
            e => ApiError::internal("index error", &e),
        }
    }
}
