//! Import routes read the request body whole (up to their limit) before anything answers.
//!
//! A reply sent while a client is still uploading makes the server close the connection with
//! the rest unread, and many clients then see a broken pipe instead of the reply: a 403 or a
//! 400 naming the bad field would be lost. (DefectDojo sits behind a proxy that reads bodies
//! first, so its clients count on getting the reply.)

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::defectdojo::DojoError;
use crate::error::ApiError;

/// How [`read_first`] reads: the limit, and the error shape of the routes it guards.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadFirst {
    /// The largest body, in bytes.
    pub(crate) limit: usize,
    /// Answer errors in DefectDojo's shape.
    pub(crate) defectdojo: bool,
}

/// Middleware: buffers the body, then runs the handler on the buffered copy.
pub(crate) async fn read_first(
    State(how): State<ReadFirst>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, how.limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(error) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
            let error = if too_large {
                ApiError::TooLarge { limit: how.limit }
            } else {
                ApiError::invalid(format!("the request body could not be read: {error}"))
            };
            if how.defectdojo {
                DojoError(error).into_response()
            } else {
                error.into_response()
            }
        }
    }
}
