//! DefectDojo's import API (v2), so a pipeline written for DefectDojo switches to ward by
//! changing its URL: `POST /api/v2/import-scan/` and `POST /api/v2/reimport-scan/` take
//! DefectDojo's multipart form ([`form`]), its `Authorization: Token <key>` header and its scan
//! type names, and answer 201 with its JSON reply ([`reply`]). Errors come in Django REST
//! framework's shapes: `{"field": ["message"]}` for a bad field, `{"detail": "message"}`
//! otherwise.
//!
//! Both routes run [`crate::import::run`], as the native import does. DefectDojo's fields
//! ward has no use for (`lead`, `push_to_jira`, `group_by`, `api_scan_configuration`,
//! `endpoint_to_add`, `environment`, `service`, `deduplication_on_engagement`) are validated
//! and echoed, not applied.

pub mod form;
pub mod reply;
mod stats;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_store::{BuildInfo, ImportMode, Scope, TestId};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::import::{self, Job, Target};
use crate::metrics::ImportApi;
use crate::AppState;
use form::{Endpoint, Form};
use reply::{ImportScanReply, ImportStatistics, Landed};

/// The DefectDojo-compatible routes, with the report body limit.
pub(crate) fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_scan))
        .routes(routes!(reimport_scan))
        // DefectDojo's URLs end with a slash; clients that leave it out get the same routes.
        .route("/api/v2/import-scan", axum::routing::post(import_scan))
        .route("/api/v2/reimport-scan", axum::routing::post(reimport_scan))
        .layer(DefaultBodyLimit::max(state.limits.report_bytes))
        .layer(axum::middleware::from_fn_with_state(
            crate::body::ReadFirst {
                limit: state.limits.report_bytes,
                defectdojo: true,
            },
            crate::body::read_first,
        ))
}

/// An [`ApiError`] in Django REST framework's shape.
#[derive(Debug)]
pub struct DojoError(pub ApiError);

impl From<ApiError> for DojoError {
    fn from(error: ApiError) -> DojoError {
        DojoError(error)
    }
}

impl IntoResponse for DojoError {
    fn into_response(self) -> Response {
        let status = self.0.status_code();
        let message = self.0.public_message();
        let body = match self.0 {
            ApiError::Invalid {
                field: Some(field), ..
            } => serde_json::json!({ field: [message] }),
            ApiError::Invalid { field: None, .. } => {
                serde_json::json!({ "non_field_errors": [message] })
            }
            _ => serde_json::json!({ "detail": message }),
        };
        (status, Json(body)).into_response()
    }
}

/// The multipart fields of import-scan and reimport-scan, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportScanForm {
    /// A DefectDojo scan type (`Trivy Scan`, `SARIF`, `Gitleaks Scan`, …).
    scan_type: String,
    /// The report.
    #[schema(format = Binary)]
    file: String,
    /// The product; with `engagement_name`, where the report goes.
    product_name: Option<String>,
    /// The engagement within the product.
    engagement_name: Option<String>,
    /// An engagement id, instead of the names (import-scan).
    engagement: Option<i64>,
    /// A test id to reimport into (reimport-scan).
    test: Option<i64>,
    /// The owner team of a product created by `auto_create_context`.
    product_type_name: Option<String>,
    /// Create the product and engagement when missing.
    auto_create_context: Option<bool>,
    /// `Info`, `Low`, `Medium`, `High` or `Critical`: findings below are left out.
    minimum_severity: Option<String>,
    /// Force findings active (open) or inactive.
    active: Option<bool>,
    /// Force findings verified or not.
    verified: Option<bool>,
    /// Close findings of earlier reports that this one no longer has (default: false on
    /// import-scan, true on reimport-scan).
    close_old_findings: Option<bool>,
    /// Labels for the test (repeated, comma-separated or a JSON list).
    tags: Option<Vec<String>>,
    /// Also label every finding with `tags`.
    apply_tags_to_findings: Option<bool>,
    /// `YYYY-MM-DD`, not in the future.
    #[schema(format = Date)]
    scan_date: Option<String>,
    /// The test's title.
    test_title: Option<String>,
    /// Build metadata.
    version: Option<String>,
    /// Build metadata.
    branch_tag: Option<String>,
    /// Build metadata.
    commit_hash: Option<String>,
    /// Build metadata.
    build_id: Option<String>,
}

/// Imports a report into a new test (DefectDojo API v2).
#[utoipa::path(
    post,
    path = "/api/v2/import-scan/",
    tag = "defectdojo",
    request_body(content = ImportScanForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Imported", body = ImportScanReply),
        (status = 400, description = "A field is invalid: `{\"field\": [\"message\"]}`"),
        (status = 401, description = "No key, or an unknown or revoked one"),
        (status = 403, description = "The key's scope or products do not allow this"),
    ),
    security(("token" = []), ("bearer" = []), ("api_key" = []))
)]
async fn import_scan(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportScanReply>), DojoError> {
    handle(&state, caller?, multipart, Endpoint::Import).await
}

/// Reimports a report into an existing test, or a new one with `auto_create_context`
/// (DefectDojo API v2).
#[utoipa::path(
    post,
    path = "/api/v2/reimport-scan/",
    tag = "defectdojo",
    request_body(content = ImportScanForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Reimported", body = ImportScanReply),
        (status = 400, description = "A field is invalid: `{\"field\": [\"message\"]}`"),
        (status = 401, description = "No key, or an unknown or revoked one"),
        (status = 403, description = "The key's scope or products do not allow this"),
        (status = 404, description = "No such test, product or engagement"),
    ),
    security(("token" = []), ("bearer" = []), ("api_key" = []))
)]
async fn reimport_scan(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ImportScanReply>), DojoError> {
    handle(&state, caller?, multipart, Endpoint::Reimport).await
}

async fn handle(
    state: &AppState,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
    endpoint: Endpoint,
) -> Result<(StatusCode, Json<ImportScanReply>), DojoError> {
    caller.require(Scope::Import)?;
    let multipart = multipart.map_err(|rejection| {
        ApiError::UnsupportedMediaType(format!(
            "Unsupported media type in request: {}",
            rejection.body_text()
        ))
    })?;
    let form = form::read(endpoint, multipart, state.limits.report_bytes).await?;
    let target = target(&form)?;
    let reimport = endpoint == Endpoint::Reimport;
    let before = if reimport {
        match stats::reimported_test(state, &form).await? {
            Some(test) => Some(stats::of_test(state, test).await?),
            None => None,
        }
    } else {
        None
    };
    let job = Job {
        target,
        mode: if reimport {
            ImportMode::Reimport
        } else {
            ImportMode::Import
        },
        parser: Some(form.parser),
        scan_type: Some(form.scan_type.clone()),
        report: form.file.bytes.clone(),
        file_name: form.file.name.clone(),
        title: form.test_title.clone(),
        scan_date: form.scan_date.map(|d| d.midnight().assume_utc()),
        minimum_severity: Some(form.minimum_severity),
        active: form.active,
        verified: form.verified,
        close_old_findings: form.close_old_findings,
        close_old_product_scope: form.close_old_findings_product_scope,
        reactivate: !form.do_not_reactivate,
        tags: form.tags.clone(),
        tags_on_findings: form.apply_tags_to_findings,
        build: BuildInfo {
            version: form.version.clone(),
            build_id: form.build_id.clone(),
            commit_hash: form.commit_hash.clone(),
            branch_tag: form.branch_tag.clone(),
        },
        api: ImportApi::DefectDojo,
    };
    let imported = import::run(state, &caller, job).await?;
    let outcome = &imported.outcome;
    let after = stats::of_test(state, outcome.test.id).await?;
    let statistics = ImportStatistics {
        // A reimport that created its test has nothing before it, as in DefectDojo.
        before: before.filter(|_| !outcome.test_created),
        // DefectDojo reports what a reimport changed; an import's test is all new.
        delta: (reimport && !outcome.test_created).then(|| stats::delta(outcome)),
        after,
    };
    let landed = Landed {
        test: outcome.test.id.0,
        engagement: outcome.engagement.id.0,
        product: outcome.product.id.0,
        product_type: None,
    };
    let reply = ImportScanReply::new(&form, landed, statistics, reimport);
    Ok((StatusCode::CREATED, Json(reply)))
}

/// Where a form sends its report: a test id (reimport), an engagement id (import), or the
/// product and engagement names.
fn target(form: &Form) -> Result<Target, ApiError> {
    if let Some(test) = form.test {
        return Ok(Target::Test(TestId(test)));
    }
    if let Some(engagement) = form.engagement {
        return Ok(Target::Engagement(ward_store::EngagementId(engagement)));
    }
    match (&form.product_name, &form.engagement_name) {
        (Some(product), Some(engagement)) => Ok(Target::Names {
            product: product.clone(),
            engagement: engagement.clone(),
            auto_create: form.auto_create_context,
            team: form.product_type_name.clone(),
        }),
        (None, _) => Err(ApiError::field(
            "product_name",
            "Need product_name and engagement_name (or an engagement or test id) to know where the report goes.",
        )),
        (Some(_), None) => Err(ApiError::field(
            "engagement_name",
            "Need engagement_name (or an engagement or test id) to know where the report goes.",
        )),
    }
}
