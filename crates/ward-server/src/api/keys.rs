//! API keys, for admin keys that are not limited to products: list, create (the reply holds
//! the key, shown this once), revoke (it stops working at once).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_store::{ApiKeyId, NewApiKey, Scope};

use super::views::ApiKeyView;
use super::{ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
}

/// A key to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyBody {
    /// A label for people (`gitlab-ci web`).
    name: String,
    /// `read`, `import`, `triage` or `admin`.
    scope: String,
    /// Product names it is limited to; absent or null is every product.
    #[serde(default)]
    products: Option<Vec<String>>,
}

/// A created key.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CreatedKeyView {
    /// The stored row.
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The key itself: shown this once, stored only hashed.
    pub secret: String,
}

/// Every key, revoked ones included.
#[utoipa::path(get, path = "/api/v1/keys", tag = "keys",
    responses((status = 200, body = Vec<ApiKeyView>), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    caller.require_global(Scope::Admin)?;
    let keys = state.store.list_api_keys().await.map_err(store_error)?;
    Ok(Json(keys.into_iter().map(Into::into).collect()))
}

/// Creates a key.
#[utoipa::path(post, path = "/api/v1/keys", tag = "keys", request_body = KeyBody,
    responses((status = 201, body = CreatedKeyView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<KeyBody>,
) -> Result<(StatusCode, Json<CreatedKeyView>), ApiError> {
    caller.require_global(Scope::Admin)?;
    let scope = Scope::parse(&body.scope).ok_or_else(|| {
        ApiError::field(
            "scope",
            format!(
                "unknown scope `{}`: expected read, import, triage or admin",
                body.scope
            ),
        )
    })?;
    let created = state
        .store
        .create_api_key(&NewApiKey {
            name: body.name,
            scope,
            products: body.products,
        })
        .await
        .map_err(store_error)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedKeyView {
            key: created.key.into(),
            secret: created.secret,
        }),
    ))
}

/// Revokes a key.
#[utoipa::path(delete, path = "/api/v1/keys/{id}", tag = "keys",
    params(("id" = i64, Path, description = "Key id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_global(Scope::Admin)?;
    state
        .store
        .revoke_api_key(ApiKeyId(id))
        .await
        .map_err(store_error)?;
    Ok(StatusCode::NO_CONTENT)
}
