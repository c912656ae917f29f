//! Gate approvals: a gate whose policy has `require_approval = true` and fails records a
//! pending approval (see `gate.rs`) and raises `approval.required`. The waiting pipeline polls
//! `GET /api/v1/approvals/{id}` (scope read); a person with the triage scope on the product
//! approves or refuses it with `POST /api/v1/approvals/{id}`, saying why. Another product's
//! approval answers 404, as a missing one does.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_store::{Approval, ApprovalState, Decision, Scope};

use super::{ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_approval, decide))
}

/// An approval as shown.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApprovalView {
    /// Its id.
    id: i64,
    /// `pending`, `approved` or `refused`.
    state: String,
    /// The product and engagement gated.
    product: String,
    engagement: String,
    /// The gate's verdict, as `ward gate --json` prints it.
    #[schema(value_type = Object)]
    verdict: serde_json::Value,
    /// Who ran the gate.
    requested_by: String,
    /// Who decided, why and when (RFC 3339).
    decided_by: Option<String>,
    reason: Option<String>,
    created_at: String,
    decided_at: Option<String>,
}

/// A decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DecisionBody {
    /// `approve` or `refuse`.
    decision: DecisionKind,
    /// Why (kept with the approval).
    reason: String,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum DecisionKind {
    Approve,
    Refuse,
}

/// An approval's state, for the pipeline waiting on it.
#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals",
    params(("id" = i64, Path, description = "Approval id")),
    responses((status = 200, body = ApprovalView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_approval(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApprovalView>, ApiError> {
    caller.require(Scope::Read)?;
    let approval = visible(&state, &caller, id).await?;
    Ok(Json(view(&state, &approval).await?))
}

/// Approves or refuses a pending approval (scope triage on its product); 409 when it was
/// already decided.
#[utoipa::path(post, path = "/api/v1/approvals/{id}", tag = "approvals",
    params(("id" = i64, Path, description = "Approval id")), request_body = DecisionBody,
    responses((status = 200, body = ApprovalView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ApprovalView>, ApiError> {
    caller.require(Scope::Triage)?;
    if body.reason.trim().is_empty() {
        return Err(ApiError::field("reason", "say why"));
    }
    let approval = visible(&state, &caller, id).await?;
    let decision = Decision {
        state: match body.decision {
            DecisionKind::Approve => ApprovalState::Approved,
            DecisionKind::Refuse => ApprovalState::Refused,
        },
        actor: caller.actor(),
        reason: body.reason,
        now: OffsetDateTime::now_utc(),
    };
    let decided = state
        .store
        .decide_approval(approval.id, &decision)
        .await
        .map_err(store_error)?;
    tracing::info!(
        approval = decided.id,
        state = decided.state.as_str(),
        by = %decision.actor,
        "gate approval decided"
    );
    Ok(Json(view(&state, &decided).await?))
}

/// The approval, if the caller may see its product (404 otherwise, as for a missing one).
async fn visible(state: &AppState, caller: &Caller, id: i64) -> Result<Approval, ApiError> {
    let not_found = || ApiError::NotFound(format!("approval {id} not found"));
    let approval = match state.store.approval(id).await {
        Ok(approval) => approval,
        Err(ward_store::Error::NotFound { .. }) => return Err(not_found()),
        Err(error) => return Err(store_error(error)),
    };
    let product = state
        .store
        .product(approval.product)
        .await
        .map_err(store_error)?;
    if !caller.sees(&product) {
        return Err(not_found());
    }
    Ok(approval)
}

pub(crate) async fn view(state: &AppState, approval: &Approval) -> Result<ApprovalView, ApiError> {
    let product = state
        .store
        .product(approval.product)
        .await
        .map_err(store_error)?;
    let engagement = state
        .store
        .engagement(approval.engagement)
        .await
        .map_err(store_error)?;
    let time = |t: OffsetDateTime| t.format(&Rfc3339).map_err(ApiError::internal);
    Ok(ApprovalView {
        id: approval.id,
        state: approval.state.as_str().to_owned(),
        product: product.name,
        engagement: engagement.name,
        verdict: serde_json::from_str(&approval.verdict).map_err(ApiError::internal)?,
        requested_by: approval.requested_by.clone(),
        decided_by: approval.decided_by.clone(),
        reason: approval.reason.clone(),
        created_at: time(approval.created_at)?,
        decided_at: approval.decided_at.map(time).transpose()?,
    })
}
