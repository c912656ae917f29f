//! What the scan routes need besides the store: the object store where uploads, reports and
//! failure reports live, how long the signed result URLs are valid, and (for a local folder)
//! the signer that checks the ward URLs `/blobs/…` serves.

use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ward_blob::{BlobKey, BlobStore, SignatureError, UrlSigner};

use crate::error::ApiError;
use crate::AppState;

/// How long a client polling a result URL should wait before asking again.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// The scan service's configuration.
#[derive(Debug, Clone)]
pub struct Scans {
    /// Where uploads, reports and failure reports are kept. A local store must be set up
    /// with [`BlobStore::with_ward_urls`] and the same signer as [`Scans::signer`].
    pub blobs: BlobStore,
    /// Checks the signed ward URLs of a local store; `None` for S3 (presigned URLs).
    pub signer: Option<UrlSigner>,
    /// How long a result URL is valid.
    pub url_validity: Duration,
    /// How many times a job is tried.
    pub max_attempts: u32,
}

/// `GET /blobs/{kind}/{name…}?expires&key_id&signature`: a stored object, when the URL's
/// signature checks out. Outside `/api` and without API key: the signature is the
/// authorization.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/blobs/{*key}", get(get_blob))
}

async fn get_blob(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let Some(scans) = &state.scans else {
        return Err(ApiError::NotFound("this server keeps no objects".into()));
    };
    let Some(signer) = &scans.signer else {
        return Err(ApiError::NotFound(
            "objects are served by the object store".into(),
        ));
    };
    let uri = request.uri();
    let key = signer
        .verify(
            uri.path(),
            uri.query().unwrap_or_default(),
            SystemTime::now(),
        )
        .map_err(|e| match e {
            SignatureError::Malformed(_) => ApiError::NotFound(e.to_string()),
            SignatureError::UnknownKey | SignatureError::BadSignature | SignatureError::Expired => {
                ApiError::Forbidden(e.to_string())
            }
        })?;
    match scans.blobs.get(&key).await {
        Ok(blob) => Ok(([(header::CONTENT_TYPE, content_type(&key))], blob.bytes).into_response()),
        Err(ward_blob::Error::NotFound { .. }) => Ok(not_yet()),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// 404 with `Retry-After`: the report is not written yet.
fn not_yet() -> Response {
    let mut response = ApiError::NotFound("not ready yet; retry later".into()).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    debug_assert_eq!(response.status(), StatusCode::NOT_FOUND);
    response
}

fn content_type(key: &BlobKey) -> &'static str {
    let name = key.name();
    if name.ends_with(".json") || name.ends_with(".sarif") {
        "application/json"
    } else if name.ends_with(".xml") {
        "application/xml"
    } else {
        "application/octet-stream"
    }
}
