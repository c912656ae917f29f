//! The one error type of every handler, and how it becomes an HTTP reply.
//!
//! Clients get a status and a JSON body `{"code": …, "message": …, "field": …}` naming what was
//! wrong; internal failures (a database error, a bug) are logged with their details and answered
//! with a bare 500, so nothing about the server's insides leaks into a reply.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A field or the body is invalid; `field` names it when there is one.
    #[error("{message}")]
    Invalid {
        /// The request field (form field, JSON key, query parameter) at fault.
        field: Option<String>,
        /// What is wrong with it, and what was expected.
        message: String,
    },
    /// No API key, or one that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// The key is valid but its scope or product list does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (or the key may not know that it does).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored (a duplicate name).
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the limit for this route.
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body's content type is not one this route reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A dependency (the database) cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: logged in full, answered without details.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A 400 naming the field at fault.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A 400 about the request as a whole.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: None,
            message: message.into(),
        }
    }

    /// A 500 whose details go to the log only.
    pub fn internal(error: impl Into<anyhow::Error>) -> ApiError {
        ApiError::Internal(error.into())
    }

    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable name for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Invalid { .. } => "invalid",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge { .. } => "too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// Logs internal errors with their whole chain; returns the message a client may see.
    pub(crate) fn public_message(&self) -> String {
        if let ApiError::Internal(error) = self {
            tracing::error!(error = format!("{error:#}"), "internal error");
        }
        self.to_string()
    }
}

/// The JSON body of an error reply.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The kind of error (`invalid`, `unauthorized`, `forbidden`, `not_found`, …).
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code(),
            message: self.public_message(),
            field: match &self {
                ApiError::Invalid { field, .. } => field.clone(),
                _ => None,
            },
        };
        (self.status_code(), Json(body)).into_response()
    }
}

impl ApiError {
    /// A multipart body that cannot be read: larger than `limit` bytes, or not valid multipart.
    pub fn multipart(error: &axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::TooLarge { limit };
        }
        ApiError::invalid(format!(
            "the multipart body cannot be read: {}",
            error.body_text()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn check(error: ApiError, status: u16, body: serde_json::Value) {
        let response = error.into_response();
        assert_eq!(response.status().as_u16(), status);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        let got: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(got, body);
    }

    #[tokio::test]
    async fn invalid_names_the_field() {
        check(
            ApiError::field("severity", "expected one of critical, high"),
            400,
            serde_json::json!({"code": "invalid", "message": "expected one of critical, high", "field": "severity"}),
        )
        .await;
    }

    #[tokio::test]
    async fn internal_details_stay_in_the_log() {
        check(
            ApiError::internal(anyhow::anyhow!("password=hunter2 at db.example")),
            500,
            serde_json::json!({"code": "internal", "message": "internal error"}),
        )
        .await;
    }
}
