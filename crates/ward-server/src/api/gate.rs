//! The gate verdict of an engagement: `ward_policy::evaluate` over the findings its reports
//! saw, with the policy sent as the body (the `ward.toml` text) or, without a body, the
//! product's stored policy (`policies.rs`), or else the default policy (any high or critical
//! finding fails). The reply is the JSON `ward gate --json` prints plus `policy_source`
//! (`request`, `product` or `default`: which of the three it used). `baseline_engagement` names another engagement of the product (`main`)
//! whose findings are the baseline for a policy with `new_only`.
//!
//! A failing verdict under a policy with `[gate] require_approval = true` records a pending
//! approval and raises `approval.required` (in one transaction); the reply adds `approval`
//! (`id`, `state`, `url`), which the pipeline polls until a person approves or refuses it
//! (`approvals.rs`).

use std::collections::BTreeSet;

use axum::extract::{Request, State};
use axum::Json;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_core::Finding;
use ward_policy::{Date, Policy};
use ward_store::{
    EngagementId, FindingFilter, FindingQuery, Product, ProductId, Scope, Sort, SortKey,
};

use super::{body_bytes, engagement, product, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(gate))
}

/// Gate options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct GateParams {
    /// Another engagement of the product whose findings are the baseline (`new_only`).
    baseline_engagement: Option<String>,
}

/// The policy verdict for an engagement's findings.
#[utoipa::path(post, path = "/api/v1/products/{product}/engagements/{engagement}/gate",
    tag = "gate",
    params(("product" = String, Path, description = "Product name"),
        ("engagement" = String, Path, description = "Engagement name"), GateParams),
    request_body(content = String, description = "A ward.toml policy; empty for the product's stored policy, or the default one",
        content_type = "application/toml"),
    responses((status = 200, description = "The verdict, as `ward gate --json` prints it, plus `policy_source` (`request`, `product`, `default`) and `approval` when the policy requires one", body = Object),
        (status = 400, description = "The policy is invalid (the message names its line)", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn gate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((product_name, engagement_name)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<GateParams>,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    let product = product(&state, &caller, Scope::Read, &product_name).await?;
    let engagement = engagement(&state, &product, &engagement_name).await?;
    let body = body_bytes(request, &state).await?;
    let (policy, source) = gate_policy(&state, &product, &body).await?;
    let now = OffsetDateTime::now_utc();
    let findings = engagement_findings(&state, product.id, engagement.id, now).await?;
    let baseline: Option<BTreeSet<String>> = match &params.baseline_engagement {
        Some(name) => {
            let baseline = super::engagement(&state, &product, name).await?;
            let findings = engagement_findings(&state, product.id, baseline.id, now).await?;
            Some(findings.into_iter().map(|f| f.fingerprint).collect())
        }
        None => None,
    };
    let today = Date::from_unix_seconds(now.unix_timestamp());
    let verdict = ward_policy::evaluate(&policy, &findings, baseline.as_ref(), today);
    let event =
        crate::notify::events::for_gate(&product.name, &engagement.name, &verdict, &findings);
    state
        .notifier
        .emit_logged(state.store.as_ref(), std::slice::from_ref(&event))
        .await;
    let mut reply = verdict.to_json();
    reply["policy_source"] = source.into();
    if policy.require_approval && !verdict.passed {
        let approval = request_approval(&state, &caller, &engagement, &reply, &event).await?;
        let url = format!("/api/v1/approvals/{}", approval.id);
        reply["approval"] = serde_json::json!({
            "id": approval.id,
            "state": approval.state.as_str(),
            "url": url,
        });
    }
    Ok(Json(reply))
}

/// The policy a gate request is judged by, and where it came from: the request's body, else
/// the product's stored policy, else the default.
async fn gate_policy(
    state: &AppState,
    product: &Product,
    body: &[u8],
) -> Result<(Policy, &'static str), ApiError> {
    let (text, policy) = super::policies::parse(body)?;
    if !text.trim().is_empty() {
        return Ok((policy, "request"));
    }
    let stored = state
        .store
        .product_policy(product.id)
        .await
        .map_err(store_error)?;
    match stored {
        // Checked when stored; a parser that changed since is the server's problem, not
        // the request's.
        Some(stored) => Policy::from_toml(&stored.text)
            .map(|policy| (policy, "product"))
            .map_err(|e| {
                ApiError::internal(anyhow::anyhow!(
                    "the stored policy of product `{}` no longer reads: {e}",
                    product.name
                ))
            }),
        None => Ok((Policy::default(), "default")),
    }
}

/// Records a pending approval for a failed verdict and queues `approval.required` with it.
async fn request_approval(
    state: &AppState,
    caller: &Caller,
    engagement: &ward_store::Engagement,
    verdict: &serde_json::Value,
    gate_event: &ward_notify::Event,
) -> Result<ward_store::Approval, ApiError> {
    let routes = crate::notify::routes(state.store.as_ref())
        .await
        .map_err(ApiError::internal)?;
    let public_url = state.notifier.config.public_url.clone();
    let violations = verdict["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|v| v["rule"].as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    let reason = format!("the gate failed ({violations}) and its policy requires approval");
    let build = |approval: &ward_store::Approval| {
        let event = crate::notify::events::for_approval(
            gate_event,
            approval.id,
            &reason,
            public_url.as_deref(),
        );
        crate::notify::store_messages(&routes, std::slice::from_ref(&event))
    };
    let approval = state
        .store
        .create_approval(
            &ward_store::NewApproval {
                product: engagement.product_id,
                engagement: engagement.id,
                verdict: verdict.to_string(),
                requested_by: caller.actor(),
            },
            &build,
        )
        .await
        .map_err(store_error)?;
    state.notifier.wake();
    Ok(approval)
}

/// Every finding an engagement's reports saw, with its current status. Shared with the
/// dashboard's product page.
pub(crate) async fn engagement_findings(
    state: &AppState,
    product: ProductId,
    engagement: EngagementId,
    now: OffsetDateTime,
) -> Result<Vec<Finding>, ApiError> {
    let filter = FindingFilter {
        product: Some(product),
        engagement: Some(engagement),
        as_of: Some(now),
        ..FindingFilter::default()
    };
    let mut query = FindingQuery {
        filter,
        sort: Sort {
            key: SortKey::Id,
            descending: false,
        },
        limit: ward_store::query::MAX_PAGE_SIZE,
        cursor: None,
    };
    let mut findings = Vec::new();
    loop {
        let page = state
            .store
            .find_findings(&query)
            .await
            .map_err(store_error)?;
        findings.extend(page.findings.into_iter().map(|stored| {
            let status = stored.effective_status(now);
            Finding {
                status,
                ..stored.finding
            }
        }));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return Ok(findings),
        }
    }
}
