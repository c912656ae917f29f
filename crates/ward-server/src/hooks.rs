//! Git-host webhooks: `POST /hooks/gitlab?product=NAME` and `POST /hooks/github?product=NAME`.
//! No API key: the request must carry the product's webhook secret (GitLab's
//! `X-Gitlab-Token`, GitHub's `X-Hub-Signature-256` HMAC), sealed at rest with the master
//! keyring. A request that fails the check is answered 401, logged, and starts nothing.
//!
//! A push or merge request on a branch matching the product's globs is recorded as a trigger
//! (the `triggers` table; scan jobs are started from it once the jobs queue exists); a
//! deleted branch closes the engagement of that name.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ward_notify::glob::Patterns;
use ward_notify::hooks::{github, gitlab, HookEvent, Provider, Trigger, TriggerKind};
use ward_store::NewTrigger;

use crate::error::ApiError;
use crate::{store_error, AppState};

/// The webhook routes (outside the OpenAPI document: they take no API key).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/hooks/gitlab", post(gitlab_hook))
        .route("/hooks/github", post(github_hook))
}

/// `?product=NAME`: which product's secret and branches apply.
#[derive(Debug, Deserialize)]
struct HookParams {
    product: String,
}

async fn gitlab_hook(
    State(state): State<AppState>,
    Query(params): Query<HookParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (product, secret, branches) = settings(&state, &params.product).await?;
    let token = header(&headers, gitlab::TOKEN_HEADER);
    if let Err(error) = gitlab::verify(&secret, token) {
        return Err(refuse("gitlab", &params.product, &error));
    }
    let event = gitlab::parse(&body).map_err(|e| ApiError::invalid(e.to_string()))?;
    act(&state, product, &branches, event).await
}

async fn github_hook(
    State(state): State<AppState>,
    Query(params): Query<HookParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (product, secret, branches) = settings(&state, &params.product).await?;
    let signature = header(&headers, github::SIGNATURE_HEADER);
    if let Err(error) = github::verify(secret.as_bytes(), signature, &body) {
        return Err(refuse("github", &params.product, &error));
    }
    let kind = header(&headers, github::EVENT_HEADER).unwrap_or_default();
    let event = github::parse(kind, &body).map_err(|e| ApiError::invalid(e.to_string()))?;
    act(&state, product, &branches, event).await
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A failed check: logged with the reason (never the secret), answered 401 without it.
fn refuse(host: &str, product: &str, error: &ward_notify::hooks::HookError) -> ApiError {
    tracing::warn!(host, product, error = %error, "webhook refused: bad or missing secret");
    ApiError::Unauthorized("the webhook secret or signature does not match".into())
}

/// The product, its clear webhook secret and its branch globs. A product without webhook
/// settings answers 404, as an unknown one does.
async fn settings(
    state: &AppState,
    name: &str,
) -> Result<(ward_store::Product, String, Patterns), ApiError> {
    let not_found = || ApiError::NotFound(format!("no webhook is configured for product `{name}`"));
    let product = state
        .store
        .product_by_name(name)
        .await
        .map_err(store_error)?
        .ok_or_else(not_found)?;
    let hook = state
        .store
        .product_hook(product.id)
        .await
        .map_err(store_error)?
        .ok_or_else(not_found)?;
    let keyring = state
        .notifier
        .keyring()
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let secret = keyring
        .decrypt(&hook.secret)
        .map_err(ApiError::internal)?
        .expose()
        .to_owned();
    let branches = Patterns::new(&hook.branches).map_err(ApiError::internal)?;
    Ok((product, secret, branches))
}

/// Records a trigger for a matching branch (or any deleted branch); everything else is
/// acknowledged as ignored, so the git host does not retry.
async fn act(
    state: &AppState,
    product: ward_store::Product,
    branches: &Patterns,
    event: HookEvent,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let trigger = match event {
        HookEvent::Ignored(reason) => return Ok(ignored(&reason)),
        HookEvent::Trigger(trigger) => trigger,
    };
    let deleting = trigger.kind == TriggerKind::DeleteBranch;
    if !deleting && !branches.matches(&trigger.branch) {
        return Ok(ignored(&format!(
            "branch `{}` matches none of the product's patterns",
            trigger.branch
        )));
    }
    let recorded = state
        .store
        .record_trigger(&new_trigger(product.id, &trigger)?)
        .await
        .map_err(store_error)?;
    tracing::info!(
        product = %product.name,
        branch = %trigger.branch,
        kind = %recorded.trigger.kind,
        id = recorded.trigger.id,
        "webhook trigger recorded"
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "trigger": recorded.trigger.id,
            "kind": recorded.trigger.kind,
            "branch": recorded.trigger.branch,
            "closed_engagement": recorded.closed_engagement,
        })),
    ))
}

fn ignored(reason: &str) -> (StatusCode, Json<Value>) {
    (StatusCode::ACCEPTED, Json(json!({ "ignored": reason })))
}

fn new_trigger(product: ward_store::ProductId, trigger: &Trigger) -> Result<NewTrigger, ApiError> {
    let kind = match trigger.kind {
        TriggerKind::Push => "push",
        TriggerKind::MergeRequest { .. } => "merge_request",
        TriggerKind::DeleteBranch => "delete_branch",
    };
    Ok(NewTrigger {
        product,
        provider: match trigger.provider {
            Provider::GitLab => "gitlab",
            Provider::GitHub => "github",
        }
        .to_owned(),
        kind: kind.to_owned(),
        branch: trigger.branch.clone(),
        commit_sha: trigger.commit_sha.clone(),
        clone_url: trigger.clone_url.clone(),
        data: serde_json::to_string(trigger).map_err(ApiError::internal)?,
    })
}
