//! Findings: filtered, cursor-paginated lists; one finding with its sources and audit trail;
//! triage (one finding or many at once), and counts for dashboards. A key limited to products
//! sees only their findings: lists are filtered, and another product's finding is "not found".

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_core::{Category, Status};
use ward_store::{
    FindingFilter, FindingId, FindingQuery, Scope, Sort, SortKey, TestId, Triage, TriageAction,
};

use super::views::{CountsView, FindingDetailView, FindingPage, FindingView};
use super::{engagement, list, product, severity, ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_findings))
        .routes(routes!(get_finding))
        .routes(routes!(triage_one))
        .routes(routes!(triage_many))
        .routes(routes!(counts))
}

/// Which findings. Lists are comma-separated; every parameter narrows the result.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct FindingParams {
    /// Product name.
    product: Option<String>,
    /// Engagement name (needs `product`): findings its reports saw.
    engagement: Option<String>,
    /// Test id: findings that report saw.
    test: Option<i64>,
    /// Severities (`critical,high`).
    severity: Option<String>,
    /// At least this severe.
    min_severity: Option<String>,
    /// Categories (`sast,dependency,secret,iac,container,dast,cloud,quality,performance,license`).
    category: Option<String>,
    /// Statuses (`open,false_positive,mitigated,accepted,out_of_scope`); an acceptance past
    /// its date counts as open.
    status: Option<String>,
    /// DefectDojo's active flag.
    active: Option<bool>,
    /// Verified.
    verified: Option<bool>,
    /// Reported by this tool (`Trivy`).
    tool: Option<String>,
    /// Carries this identifier (a CVE, CWE, GHSA … id), case-insensitive.
    identifier: Option<String>,
    /// Same as `identifier`, for a CVE.
    cve: Option<String>,
    /// Same as `identifier`, for a CWE (`CWE-79`).
    cwe: Option<String>,
    /// Text in the title, description, path, package or URL (case-insensitive).
    q: Option<String>,
    /// First seen at or after (RFC 3339 or `YYYY-MM-DD`).
    first_seen_after: Option<String>,
    /// First seen before (RFC 3339 or `YYYY-MM-DD`).
    first_seen_before: Option<String>,
    /// First seen at least this many days ago.
    min_age_days: Option<u32>,
    /// First seen at most this many days ago.
    max_age_days: Option<u32>,
    /// Open past the SLA date (true) or not (false).
    sla_breached: Option<bool>,
    /// Assigned to.
    assignee: Option<String>,
    /// `severity`, `first_seen`, `last_seen`, `sla_due` or `id`; `-` first for descending.
    /// Default `-severity`.
    sort: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<u32>,
    /// `next_cursor` of the previous page (same filter and sort).
    cursor: Option<String>,
    /// Include each whole finding (description, remediation, references, CVSS …), not only
    /// its summary.
    full: Option<bool>,
}

/// What to do with findings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TriageBody {
    /// `false_positive`, `accept_risk`, `mitigate`, `out_of_scope`, `reopen` or `assign`.
    action: String,
    /// Why (required for status changes; kept in the audit trail).
    #[serde(default)]
    reason: Option<String>,
    /// `accept_risk`: when the acceptance ends (RFC 3339 or `YYYY-MM-DD`); the finding
    /// reopens then. Absent: indefinitely.
    #[serde(default)]
    until: Option<String>,
    /// `assign`: who; absent or null clears it.
    #[serde(default)]
    assignee: Option<String>,
}

/// Triage of many findings: their ids, and the fields of [`TriageBody`].
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BulkTriageBody {
    /// The findings.
    ids: Vec<i64>,
    /// As in a single triage.
    action: String,
    /// As in a single triage.
    #[serde(default)]
    reason: Option<String>,
    /// As in a single triage.
    #[serde(default)]
    until: Option<String>,
    /// As in a single triage.
    #[serde(default)]
    assignee: Option<String>,
}

/// The findings whose state changed.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TriageView {
    /// Their ids.
    pub changed: Vec<i64>,
}

/// Lists findings, most severe first by default.
#[utoipa::path(get, path = "/api/v1/findings", tag = "findings", params(FindingParams),
    responses((status = 200, body = FindingPage), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_findings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<FindingParams>,
) -> Result<Json<FindingPage>, ApiError> {
    caller.require(Scope::Read)?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=ward_store::query::MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 1000"));
    }
    let sort = sort(params.sort.as_deref())?;
    let cursor = params.cursor.clone();
    let full = params.full.unwrap_or(false);
    let filter = filter(&state, &caller, params).await?;
    let now = filter.now();
    let query = FindingQuery {
        filter,
        sort,
        limit,
        cursor,
    };
    let page = if full {
        let page = state.store.find_findings(&query).await;
        let page = page.map_err(store_error)?;
        FindingPage {
            findings: page
                .findings
                .into_iter()
                .map(|f| {
                    let (brief, whole) = f.split();
                    FindingView::new(brief, now, Some(whole))
                })
                .collect(),
            next_cursor: page.next_cursor,
        }
    } else {
        let page = state.store.find_finding_briefs(&query).await;
        let page = page.map_err(store_error)?;
        FindingPage {
            findings: page
                .findings
                .into_iter()
                .map(|f| FindingView::new(f, now, None))
                .collect(),
            next_cursor: page.next_cursor,
        }
    };
    if page.findings.is_empty() {
        known_product(&state, &caller, &query.filter).await?;
    }
    Ok(Json(page))
}

/// Not found when the filter names a product by name that does not exist: asked when a
/// query matched nothing, so that a wrong name is told apart from an empty product.
async fn known_product(
    state: &AppState,
    caller: &Caller,
    filter: &FindingFilter,
) -> Result<(), ApiError> {
    if let Some(name) = &filter.product_name {
        product(state, caller, Scope::Read, name).await?;
    }
    Ok(())
}

/// Counts findings by severity, category and status.
#[utoipa::path(get, path = "/api/v1/counts", tag = "findings", params(FindingParams),
    responses((status = 200, body = CountsView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn counts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<FindingParams>,
) -> Result<Json<CountsView>, ApiError> {
    caller.require(Scope::Read)?;
    if params.sort.is_some()
        || params.limit.is_some()
        || params.cursor.is_some()
        || params.full.is_some()
    {
        return Err(ApiError::invalid(
            "counts take no `sort`, `limit`, `cursor` or `full`",
        ));
    }
    let filter = filter(&state, &caller, params).await?;
    let counts = state
        .store
        .count_findings(&filter)
        .await
        .map_err(store_error)?;
    if counts.total == 0 {
        known_product(&state, &caller, &filter).await?;
    }
    Ok(Json(counts.into()))
}

/// One finding, with every report that saw it and its audit trail.
#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "findings",
    params(("id" = i64, Path, description = "Finding id")),
    responses((status = 200, body = FindingDetailView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_finding(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FindingDetailView>, ApiError> {
    caller.require(Scope::Read)?;
    let not_found = || ApiError::NotFound(format!("finding {id} not found"));
    let detail = match state.store.finding(FindingId(id)).await {
        Ok(detail) => detail,
        Err(ward_store::Error::NotFound { .. }) => return Err(not_found()),
        Err(error) => return Err(store_error(error)),
    };
    let product = state
        .store
        .product(detail.finding.product_id)
        .await
        .map_err(store_error)?;
    if !caller.sees(&product) {
        return Err(not_found());
    }
    Ok(Json(FindingDetailView::new(
        detail,
        OffsetDateTime::now_utc(),
    )))
}

/// Changes one finding's status (or assignee), with a reason for the audit trail.
#[utoipa::path(post, path = "/api/v1/findings/{id}/triage", tag = "findings",
    params(("id" = i64, Path, description = "Finding id")), request_body = TriageBody,
    responses((status = 200, body = TriageView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn triage_one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TriageBody>,
) -> Result<Json<TriageView>, ApiError> {
    triage(&state, &caller, &[FindingId(id)], body).await
}

/// Changes many findings at once; any unknown id (or one the key may not touch) fails the
/// whole request and changes nothing.
#[utoipa::path(post, path = "/api/v1/findings/triage", tag = "findings",
    request_body = BulkTriageBody,
    responses((status = 200, body = TriageView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn triage_many(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<BulkTriageBody>,
) -> Result<Json<TriageView>, ApiError> {
    if body.ids.is_empty() {
        return Err(ApiError::field("ids", "name at least one finding"));
    }
    let ids: Vec<FindingId> = body.ids.iter().copied().map(FindingId).collect();
    let change = TriageBody {
        action: body.action,
        reason: body.reason,
        until: body.until,
        assignee: body.assignee,
    };
    triage(&state, &caller, &ids, change).await
}

async fn triage(
    state: &AppState,
    caller: &Caller,
    ids: &[FindingId],
    body: TriageBody,
) -> Result<Json<TriageView>, ApiError> {
    caller.require(Scope::Triage)?;
    let action = triage_action(&body)?;
    let reason = body
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason.is_none() && !matches!(action, TriageAction::Assign { .. }) {
        return Err(ApiError::field(
            "reason",
            "say why the status changes (it is kept in the audit trail)",
        ));
    }
    let triage = Triage {
        action,
        actor: caller.actor(),
        reason,
        allowed_products: caller.allowed_products(state).await?,
        at: None,
    };
    let changed = state
        .store
        .triage(ids, &triage)
        .await
        .map_err(store_error)?;
    Ok(Json(TriageView {
        changed: changed.into_iter().map(|id| id.0).collect(),
    }))
}

fn triage_action(body: &TriageBody) -> Result<TriageAction, ApiError> {
    if body.until.is_some() && body.action != "accept_risk" {
        return Err(ApiError::field("until", "only `accept_risk` takes `until`"));
    }
    if body.assignee.is_some() && body.action != "assign" {
        return Err(ApiError::field(
            "assignee",
            "only `assign` takes `assignee`",
        ));
    }
    Ok(match body.action.as_str() {
        "false_positive" => TriageAction::FalsePositive,
        "accept_risk" => TriageAction::AcceptRisk {
            until: body
                .until
                .as_deref()
                .map(|u| time_param("until", u))
                .transpose()?,
        },
        "mitigate" => TriageAction::Mitigate,
        "out_of_scope" => TriageAction::OutOfScope,
        "reopen" => TriageAction::Reopen,
        "assign" => TriageAction::Assign {
            assignee: body.assignee.clone(),
        },
        other => {
            return Err(ApiError::field(
                "action",
                format!("unknown action `{other}`: expected one of false_positive, accept_risk, mitigate, out_of_scope, reopen, assign"),
            ))
        }
    })
}

/// The store filter for query parameters, limited to what the caller may see.
async fn filter(
    state: &AppState,
    caller: &Caller,
    params: FindingParams,
) -> Result<FindingFilter, ApiError> {
    let now = OffsetDateTime::now_utc();
    let mut filter = FindingFilter {
        allowed_products: caller.allowed_products(state).await?,
        as_of: Some(now),
        ..FindingFilter::default()
    };
    match (&params.product, &params.engagement) {
        (Some(name), None) => {
            // Resolved within the query: one round trip less per page. An empty answer
            // checks that the product exists (`known_product`).
            caller.require_product(Scope::Read, name)?;
            filter.product_name = Some(name.clone());
        }
        (Some(name), Some(engagement_name)) => {
            let product = product(state, caller, Scope::Read, name).await?;
            filter.product = Some(product.id);
            filter.engagement = Some(engagement(state, &product, engagement_name).await?.id);
        }
        (None, Some(_)) => {
            return Err(ApiError::field(
                "engagement",
                "engagements are named within a product: give `product` too",
            ))
        }
        (None, None) => {}
    }
    filter.test = params.test.map(TestId);
    filter.severities = list(
        "severity",
        params.severity.as_deref(),
        |s| {
            ward_core::Severity::ALL
                .into_iter()
                .find(|v| v.as_str() == s)
        },
        "critical, high, medium, low or info",
    )?;
    filter.min_severity = params
        .min_severity
        .as_deref()
        .map(|s| severity("min_severity", s))
        .transpose()?;
    filter.categories = list(
        "category",
        params.category.as_deref(),
        |c| Category::ALL.into_iter().find(|v| v.as_str() == c),
        "sast, dependency, secret, iac, container, dast, cloud, quality, performance or license",
    )?;
    filter.statuses = list(
        "status",
        params.status.as_deref(),
        status,
        "open, false_positive, mitigated, accepted or out_of_scope",
    )?;
    filter.active = params.active;
    filter.verified = params.verified;
    filter.tool = params.tool;
    let identifiers: Vec<(&str, String)> = [
        ("identifier", params.identifier),
        ("cve", params.cve),
        ("cwe", params.cwe),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect();
    if identifiers.len() > 1 {
        return Err(ApiError::field(
            identifiers[1].0,
            "give only one of `identifier`, `cve` and `cwe`",
        ));
    }
    filter.identifier = identifiers.into_iter().next().map(|(_, v)| v);
    filter.text = params.q.filter(|q| !q.trim().is_empty());
    filter.first_seen_after = params
        .first_seen_after
        .as_deref()
        .map(|t| time_param("first_seen_after", t))
        .transpose()?;
    filter.first_seen_before = params
        .first_seen_before
        .as_deref()
        .map(|t| time_param("first_seen_before", t))
        .transpose()?;
    if let Some(days) = params.min_age_days {
        let before = now - Duration::days(i64::from(days));
        filter.first_seen_before = Some(filter.first_seen_before.map_or(before, |b| b.min(before)));
    }
    if let Some(days) = params.max_age_days {
        let after = now - Duration::days(i64::from(days));
        filter.first_seen_after = Some(filter.first_seen_after.map_or(after, |a| a.max(after)));
    }
    filter.sla_breached = params.sla_breached;
    filter.assignee = params.assignee;
    Ok(filter)
}

fn status(name: &str) -> Option<Status> {
    Some(match name {
        "open" => Status::Open,
        "false_positive" => Status::FalsePositive,
        "mitigated" => Status::Mitigated,
        "accepted" => Status::Accepted,
        "out_of_scope" => Status::OutOfScope,
        _ => return None,
    })
}

fn sort(value: Option<&str>) -> Result<Sort, ApiError> {
    let Some(value) = value else {
        return Ok(Sort::default());
    };
    let (descending, key) = match value.strip_prefix('-') {
        Some(key) => (true, key),
        None => (false, value),
    };
    let key = match key {
        "severity" => SortKey::Severity,
        "first_seen" => SortKey::FirstSeen,
        "last_seen" => SortKey::LastSeen,
        "sla_due" => SortKey::SlaDue,
        "id" => SortKey::Id,
        _ => {
            return Err(ApiError::field(
                "sort",
                format!("unknown sort `{value}`: expected severity, first_seen, last_seen, sla_due or id, with `-` first for descending"),
            ))
        }
    };
    Ok(Sort { key, descending })
}

/// An RFC 3339 time or a `YYYY-MM-DD` date (midnight UTC).
pub(crate) fn time_param(field: &str, value: &str) -> Result<OffsetDateTime, ApiError> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(time) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(time);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &date_format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            ApiError::field(
                field,
                format!("`{value}` is neither an RFC 3339 time nor a YYYY-MM-DD date"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_and_times_read() {
        assert_eq!(
            sort(Some("-first_seen")).unwrap(),
            Sort {
                key: SortKey::FirstSeen,
                descending: true
            }
        );
        assert!(sort(Some("title")).is_err());
        assert_eq!(
            time_param("t", "2024-02-03").unwrap().to_string(),
            "2024-02-03 0:00:00.0 +00:00:00"
        );
        assert!(time_param("t", "03/02/2024").is_err());
    }

    #[test]
    fn triage_actions_read() {
        let body = |action: &str, until: Option<&str>| TriageBody {
            action: action.into(),
            reason: Some("r".into()),
            until: until.map(str::to_string),
            assignee: None,
        };
        assert!(matches!(
            triage_action(&body("accept_risk", Some("2030-01-01"))).unwrap(),
            TriageAction::AcceptRisk { until: Some(_) }
        ));
        assert!(triage_action(&body("mitigate", Some("2030-01-01"))).is_err());
        assert!(triage_action(&body("delete", None)).is_err());
    }
}
