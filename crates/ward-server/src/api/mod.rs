//! The native JSON API, `/api/v1/…`: one module per resource, each with its own router, and
//! the extractors they share ([`ApiJson`], [`ApiQuery`]) whose errors name the key or
//! parameter at fault.
//!
//! Products and engagements are named in paths by their names (unique within their parent),
//! the way `ward upload --product P --engagement E` names them; tests, findings and keys by id.

mod approvals;
mod channels;
mod findings;
pub(crate) mod gate;
mod imports;
mod keys;
mod outbox;
mod policies;
mod product_hooks;
mod products;
pub(crate) mod scans;
pub mod views;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;
use ward_core::Severity;
use ward_store::{Engagement, Product, Scope};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::{store_error, AppState};

/// Every `/api/v1` route.
pub(crate) fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(products::router())
        .merge(imports::router(state))
        .merge(findings::router())
        .merge(gate::router())
        .merge(policies::router())
        .merge(approvals::router())
        .merge(keys::router())
        .merge(channels::router())
        .merge(outbox::router())
        .merge(product_hooks::router())
        .merge(scans::router(state))
}

/// A JSON body; a bad one is a 400 naming the key at fault (`findings[0].severity`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as JSON (`Content-Type: application/json`)".into(),
            ));
        }
        let bytes = body_bytes(request, state).await?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut deserializer)
            .map(ApiJson)
            .map_err(|error| invalid(error.path().to_string(), &error.into_inner().to_string()))
    }
}

/// The body, within the route's limit.
pub(crate) async fn body_bytes(request: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
                limit: state.limits.json_bytes,
            },
            _ => ApiError::invalid(rejection.body_text()),
        })
}

/// Query parameters; a bad one is a 400 naming it.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| invalid(error.path().to_string(), &error.into_inner().to_string()))
    }
}

/// A deserialization error at `path` (`.` for the root, where serde names a missing field in
/// the message instead).
fn invalid(path: String, message: &str) -> ApiError {
    let field = if path == "." {
        message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    } else {
        Some(path)
    };
    ApiError::Invalid {
        field,
        message: message.to_string(),
    }
}

/// Path parameters; a bad one (`/tests/abc`) is a 400 saying which.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection| ApiError::invalid(rejection.body_text()))
    }
}

/// The product named `name`, if the caller has `scope` and access to it.
pub(crate) async fn product(
    state: &AppState,
    caller: &Caller,
    scope: Scope,
    name: &str,
) -> Result<Product, ApiError> {
    caller.require_product(scope, name)?;
    state
        .store
        .product_by_name(name)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::NotFound(format!("product `{name}` not found")))
}

/// The engagement named `name` in `product`.
pub(crate) async fn engagement(
    state: &AppState,
    product: &Product,
    name: &str,
) -> Result<Engagement, ApiError> {
    state
        .store
        .engagement_by_name(product.id, name)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "engagement `{name}` not found in product `{}`",
                product.name
            ))
        })
}

/// A comma-separated list parameter, each item read by `parse`.
pub(crate) fn list<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Vec<T>, ApiError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            parse(item).ok_or_else(|| {
                ApiError::field(
                    field,
                    format!("unknown value `{item}`: expected {expected}"),
                )
            })
        })
        .collect()
}

/// A severity name (`critical`, `high`, `medium`, `low`, `info`).
pub(crate) fn severity(field: &str, value: &str) -> Result<Severity, ApiError> {
    parse_severity(value).ok_or_else(|| {
        ApiError::field(
            field,
            format!("unknown severity `{value}`: expected one of {SEVERITIES}"),
        )
    })
}

fn parse_severity(value: &str) -> Option<Severity> {
    Severity::ALL.into_iter().find(|s| s.as_str() == value)
}

const SEVERITIES: &str = "critical, high, medium, low, info";
