//! A product's git-host webhook settings: the secret GitLab sends as its token and GitHub
//! signs with (sealed with the master keyring, shown as `***`), the branch globs whose
//! pushes and merge requests start scans, the scanners those scans run, and the git token
//! their clones present for a private repository (sealed, shown as `***`).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_notify::glob::Patterns;
use ward_store::{ProductHook, Scope};

use super::{product, ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::notify::secrets::REDACTED;
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_hook, set_hook))
}

/// Webhook settings to store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct HookBody {
    /// The secret token (GitLab) or signing secret (GitHub) configured on the git host.
    secret: String,
    /// Branch globs (`main`, `release/*`, `feature/**`).
    branches: Vec<String>,
    /// Scanners the started scans run (adapter ids that scan a directory); absent: ward's
    /// own `secrets` and `deps`.
    #[serde(default)]
    scanners: Option<Vec<String>>,
    /// A token with read access to the repository (GitLab personal/project access token,
    /// GitHub token), presented by the scans' clones; absent for a public repository.
    #[serde(default)]
    git_token: Option<String>,
}

/// Webhook settings as shown.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct HookView {
    /// Always `***`.
    secret: String,
    /// Branch globs.
    branches: Vec<String>,
    /// Scanners the started scans run.
    scanners: Vec<String>,
    /// `***` when a git token is set.
    git_token: Option<String>,
}

impl HookView {
    fn of(hook: &ProductHook) -> HookView {
        HookView {
            secret: REDACTED.to_owned(),
            branches: hook.branches.clone(),
            scanners: crate::hooks::scanners(hook),
            git_token: hook.git_token.as_ref().map(|_| REDACTED.to_owned()),
        }
    }
}

/// The product's webhook settings.
#[utoipa::path(get, path = "/api/v1/products/{product}/hook", tag = "hooks",
    params(("product" = String, Path, description = "Product name")),
    responses((status = 200, body = HookView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_hook(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<HookView>, ApiError> {
    let product = product(&state, &caller, Scope::Admin, &name).await?;
    let hook = state
        .store
        .product_hook(product.id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::NotFound(format!("product `{name}` has no webhook settings")))?;
    Ok(Json(HookView::of(&hook)))
}

/// Sets the product's webhook settings.
#[utoipa::path(put, path = "/api/v1/products/{product}/hook", tag = "hooks",
    params(("product" = String, Path, description = "Product name")), request_body = HookBody,
    responses((status = 200, body = HookView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn set_hook(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<HookBody>,
) -> Result<Json<HookView>, ApiError> {
    let product = product(&state, &caller, Scope::Admin, &name).await?;
    if body.secret.is_empty() {
        return Err(ApiError::field("secret", "must not be empty"));
    }
    Patterns::new(&body.branches).map_err(|e| ApiError::field("branches", e.to_string()))?;
    if let Some(scanners) = &body.scanners {
        check_scanners(scanners)?;
    }
    let keyring = state
        .notifier
        .keyring()
        .map_err(|e| ApiError::Conflict(e.to_string()))?;
    let secret = keyring.encrypt(&body.secret).map_err(ApiError::internal)?;
    let git_token = match body.git_token.as_deref() {
        Some("") => return Err(ApiError::field("git_token", "must not be empty")),
        Some(token) => Some(keyring.encrypt(token).map_err(ApiError::internal)?),
        None => None,
    };
    let hook = ProductHook {
        secret,
        branches: body.branches,
        scanners: body.scanners,
        git_token,
    };
    state
        .store
        .set_product_hook(product.id, &hook)
        .await
        .map_err(store_error)?;
    Ok(Json(HookView::of(&hook)))
}

/// Known scanners that scan a checked-out repository, at least one.
fn check_scanners(scanners: &[String]) -> Result<(), ApiError> {
    if scanners.is_empty() {
        return Err(ApiError::field("scanners", "name at least one scanner"));
    }
    for id in scanners {
        match ward_jobs::adapters::adapter(id) {
            Some(adapter) if adapter.target == ward_jobs::TargetKind::Directory => {}
            Some(_) => {
                return Err(ApiError::field(
                    "scanners",
                    format!("`{id}` does not scan a repository"),
                ))
            }
            None => {
                return Err(ApiError::field(
                    "scanners",
                    format!("unknown scanner `{id}`"),
                ))
            }
        }
    }
    Ok(())
}
