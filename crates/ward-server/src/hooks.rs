//! Git-host webhooks: `POST /hooks/gitlab?product=NAME` and `POST /hooks/github?product=NAME`.
//! No API key: the request must carry the product's webhook secret (GitLab's
//! `X-Gitlab-Token`, GitHub's `X-Hub-Signature-256` HMAC), sealed at rest with the master
//! keyring. A request that fails the check is answered 401, logged, and starts nothing.
//!
//! A push or merge request on a branch matching the product's globs queues a scan job (the
//! pushed commit, cloned from the payload's clone URL, with the hook's scanners or
//! [`DEFAULT_SCANNERS`], into the engagement named after the branch) and records the trigger
//! beside it, in one transaction; the reply names the job. A deleted branch closes the
//! engagement of that name. A server without scan storage records the trigger only.
//!
//! Private repositories: with a git token in the hook's settings, the job asks the worker to
//! clone with it (the request names only the user name the host expects; the worker reads the
//! sealed token from the store and opens it with its master key).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use ward_jobs::{ScanRequest, Source};
use ward_notify::glob::Patterns;
use ward_notify::hooks::{github, gitlab, HookEvent, Provider, Trigger, TriggerKind};
use ward_store::{NewTrigger, ProductHook};

use crate::error::ApiError;
use crate::{store_error, AppState};

/// The scanners a hook's scans run when its settings name none: ward's own, which need no
/// external tool.
pub(crate) const DEFAULT_SCANNERS: &[&str] = &["secrets", "deps"];

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
    let settings = settings(&state, &params.product).await?;
    let token = header(&headers, gitlab::TOKEN_HEADER);
    if let Err(error) = gitlab::verify(&settings.secret, token) {
        return Err(refuse("gitlab", &params.product, &error));
    }
    let event = gitlab::parse(&body).map_err(|e| ApiError::invalid(e.to_string()))?;
    act(&state, &settings, event).await
}

async fn github_hook(
    State(state): State<AppState>,
    Query(params): Query<HookParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let settings = settings(&state, &params.product).await?;
    let signature = header(&headers, github::SIGNATURE_HEADER);
    if let Err(error) = github::verify(settings.secret.as_bytes(), signature, &body) {
        return Err(refuse("github", &params.product, &error));
    }
    let kind = header(&headers, github::EVENT_HEADER).unwrap_or_default();
    let event = github::parse(kind, &body).map_err(|e| ApiError::invalid(e.to_string()))?;
    act(&state, &settings, event).await
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A failed check: logged with the reason (never the secret), answered 401 without it.
fn refuse(host: &str, product: &str, error: &ward_notify::hooks::HookError) -> ApiError {
    tracing::warn!(host, product, error = %error, "webhook refused: bad or missing secret");
    ApiError::Unauthorized("the webhook secret or signature does not match".into())
}

/// A product's webhook settings, its secret in clear.
struct Settings {
    product: ward_store::Product,
    secret: String,
    branches: Patterns,
    scanners: Vec<String>,
    has_git_token: bool,
}

/// The product's webhook settings. A product without them answers 404, as an unknown one
/// does.
async fn settings(state: &AppState, name: &str) -> Result<Settings, ApiError> {
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
    Ok(Settings {
        product,
        secret,
        branches,
        scanners: scanners(&hook),
        has_git_token: hook.git_token.is_some(),
    })
}

/// The scanners a hook's scans run.
pub(crate) fn scanners(hook: &ProductHook) -> Vec<String> {
    match &hook.scanners {
        Some(scanners) => scanners.clone(),
        None => DEFAULT_SCANNERS.iter().map(|s| s.to_string()).collect(),
    }
}

/// Queues a scan and records the trigger for a matching branch (records any deleted branch);
/// everything else is acknowledged as ignored, so the git host does not retry.
async fn act(
    state: &AppState,
    settings: &Settings,
    event: HookEvent,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let product = &settings.product;
    let trigger = match event {
        HookEvent::Ignored(reason) => return Ok(ignored(&reason)),
        HookEvent::Trigger(trigger) => trigger,
    };
    let deleting = trigger.kind == TriggerKind::DeleteBranch;
    if !deleting && !settings.branches.matches(&trigger.branch) {
        return Ok(ignored(&format!(
            "branch `{}` matches none of the product's patterns",
            trigger.branch
        )));
    }
    let job = if deleting {
        None
    } else {
        scan_job(state, settings, &trigger)?
    };
    let recorded = state
        .store
        .record_trigger(&new_trigger(product.id, &trigger, job)?)
        .await
        .map_err(store_error)?;
    tracing::info!(
        product = %product.name,
        branch = %trigger.branch,
        kind = %recorded.trigger.kind,
        id = recorded.trigger.id,
        job = ?recorded.trigger.job,
        "webhook trigger recorded"
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "trigger": recorded.trigger.id,
            "kind": recorded.trigger.kind,
            "branch": recorded.trigger.branch,
            "closed_engagement": recorded.closed_engagement,
            "jobs": recorded.trigger.job.into_iter().collect::<Vec<_>>(),
        })),
    ))
}

fn ignored(reason: &str) -> (StatusCode, Json<Value>) {
    (StatusCode::ACCEPTED, Json(json!({ "ignored": reason })))
}

/// The scan job of a push or merge request: the commit, from the payload's clone URL, into
/// the engagement named after the branch. `None` when the server runs no scans.
fn scan_job(
    state: &AppState,
    settings: &Settings,
    trigger: &Trigger,
) -> Result<Option<ward_store::JobRequest>, ApiError> {
    let Some(scans) = &state.scans else {
        tracing::warn!(
            product = %settings.product.name,
            "webhook trigger recorded without a scan: this server runs no scans (no storage)"
        );
        return Ok(None);
    };
    let request = ScanRequest {
        source: Source::Git {
            url: trigger.clone_url.clone(),
            reference: Some(
                trigger
                    .commit_sha
                    .clone()
                    .unwrap_or_else(|| trigger.branch.clone()),
            ),
            token_user: settings
                .has_git_token
                .then(|| token_user(trigger.provider).to_owned()),
        },
        scanners: settings.scanners.clone(),
        product: settings.product.name.clone(),
        engagement: trigger.branch.clone(),
        formats: Vec::new(),
    };
    request.validate().map_err(|message| {
        ApiError::Conflict(format!(
            "the product's webhook settings cannot start a scan: {message}"
        ))
    })?;
    crate::api::scans::scan_job(&request, scans).map(Some)
}

/// The user name a git host expects with an access token over HTTPS.
fn token_user(provider: Provider) -> &'static str {
    match provider {
        Provider::GitLab => "oauth2",
        Provider::GitHub => "x-access-token",
    }
}

fn new_trigger(
    product: ward_store::ProductId,
    trigger: &Trigger,
    job: Option<ward_store::JobRequest>,
) -> Result<NewTrigger, ApiError> {
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
        job,
    })
}
