//! A product's stored gate policy: the `ward.toml` text (`[gate]`, `[[suppress]]`) the gate
//! endpoint applies when a request brings no policy of its own. Setting or removing it takes
//! an admin key with access to the product; reading it, a read key. The text is checked with
//! the same parser as `ward gate` before it is stored, so a bad policy is refused with the
//! line at fault instead of failing every later gate.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_policy::Policy;
use ward_store::{ProductPolicy, Scope};

use super::views::rfc3339;
use super::{body_bytes, product, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

/// The largest policy text stored, in bytes: a policy is a few rules and suppressions.
pub(crate) const MAX_POLICY_BYTES: usize = 64 * 1024;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_policy, set_policy, delete_policy))
}

/// A stored policy.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PolicyView {
    /// The product.
    product: String,
    /// The `ward.toml` text, as it was sent.
    policy: String,
    /// When it was set, RFC 3339.
    updated_at: String,
}

impl PolicyView {
    fn of(product: &str, stored: ProductPolicy) -> PolicyView {
        PolicyView {
            product: product.to_string(),
            policy: stored.text,
            updated_at: rfc3339(stored.updated_at),
        }
    }
}

/// Reads a policy text: UTF-8, a valid `ward.toml`; errors name the field `policy` and the
/// line. Shared with the gate, which reads a policy sent with the request the same way.
pub(crate) fn parse(body: &[u8]) -> Result<(String, Policy), ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::field("policy", "the policy is not UTF-8 text"))?;
    let policy = Policy::from_toml(text).map_err(|e| ApiError::field("policy", e.to_string()))?;
    Ok((text.to_string(), policy))
}

/// The product's stored gate policy.
#[utoipa::path(get, path = "/api/v1/products/{product}/policy", tag = "gate",
    params(("product" = String, Path, description = "Product name")),
    responses((status = 200, body = PolicyView),
        (status = 404, description = "No such product, or it has no stored policy", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<PolicyView>, ApiError> {
    let product = product(&state, &caller, Scope::Read, &name).await?;
    let stored = state
        .store
        .product_policy(product.id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| no_policy(&product.name))?;
    Ok(Json(PolicyView::of(&product.name, stored)))
}

/// Stores (or replaces) the product's gate policy: the body is the `ward.toml` text.
#[utoipa::path(put, path = "/api/v1/products/{product}/policy", tag = "gate",
    params(("product" = String, Path, description = "Product name")),
    request_body(content = String, description = "A ward.toml policy", content_type = "application/toml"),
    responses((status = 200, body = PolicyView),
        (status = 400, description = "The policy is empty or invalid (the message names its line)", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    request: Request,
) -> Result<Json<PolicyView>, ApiError> {
    let product = product(&state, &caller, Scope::Admin, &name).await?;
    let body = body_bytes(request, &state).await?;
    if body.len() > MAX_POLICY_BYTES {
        return Err(ApiError::TooLarge {
            limit: MAX_POLICY_BYTES,
        });
    }
    let (text, _) = parse(&body)?;
    if text.trim().is_empty() {
        return Err(ApiError::field(
            "policy",
            "the policy is empty: DELETE it to gate with the default policy",
        ));
    }
    let stored = state
        .store
        .set_product_policy(product.id, &text)
        .await
        .map_err(store_error)?;
    Ok(Json(PolicyView::of(&product.name, stored)))
}

/// Removes the product's stored gate policy: the gate goes back to the default policy.
#[utoipa::path(delete, path = "/api/v1/products/{product}/policy", tag = "gate",
    params(("product" = String, Path, description = "Product name")),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody),
        (status = 404, description = "No such product, or it has no stored policy", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn delete_policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let product = product(&state, &caller, Scope::Admin, &name).await?;
    let deleted = state
        .store
        .delete_product_policy(product.id)
        .await
        .map_err(store_error)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_policy(&product.name))
    }
}

fn no_policy(product: &str) -> ApiError {
    ApiError::NotFound(format!("product `{product}` has no stored policy"))
}
