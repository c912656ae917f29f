//! The native import: `POST /api/v1/products/{product}/engagements/{engagement}/imports` with
//! the report as the raw body or as the `file` field of a multipart form, options in the
//! query. The format is detected from the content unless `format` names it. By default a
//! report reimports: it updates the engagement's test of the same scan type (the same rules
//! as DefectDojo's reimport-scan, through the same function), so a pipeline that uploads on
//! every run keeps one test per tool.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_store::{BuildInfo, ImportMode};

use super::views::{EngagementView, ProductView, TestView};
use super::{severity, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::import::{self, Job, Target};
use crate::metrics::ImportApi;
use crate::AppState;

pub(super) fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_report))
        .layer(DefaultBodyLimit::max(state.limits.report_bytes))
        .layer(axum::middleware::from_fn_with_state(
            crate::body::ReadFirst {
                limit: state.limits.report_bytes,
                defectdojo: false,
            },
            crate::body::read_first,
        ))
}

/// Import options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ImportParams {
    /// A ward format id (`trivy`, `sarif`, …) or DefectDojo scan type; default: detected.
    format: Option<String>,
    /// `reimport` (default: update the engagement's test of the same scan type, or create
    /// it) or `import` (always a new test).
    mode: Option<String>,
    /// Create the product and engagement when missing.
    auto_create: Option<bool>,
    /// The owner team of a product created by `auto_create`.
    team: Option<String>,
    /// Close open findings of the test that the report no longer has.
    close_old: Option<bool>,
    /// With `close_old`: `engagement` (default) or `product`, to close them in every
    /// engagement of the product (tests of the same scan type).
    close_old_scope: Option<String>,
    /// `false` keeps mitigated findings closed when the report has them again.
    reactivate: Option<bool>,
    /// Leave out findings less severe (`critical`, `high`, `medium`, `low`, `info`).
    min_severity: Option<String>,
    /// Test title (default: the scan type).
    title: Option<String>,
    /// Test labels, comma-separated.
    tags: Option<String>,
    /// Build metadata: the version scanned.
    version: Option<String>,
    /// Build metadata: the branch or tag scanned.
    branch: Option<String>,
    /// Build metadata: the commit scanned.
    commit: Option<String>,
    /// Build metadata: the CI build id.
    build_id: Option<String>,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ImportView {
    /// The product (created if it was missing).
    pub product: ProductView,
    /// The engagement (created if it was missing).
    pub engagement: EngagementView,
    /// The test written.
    pub test: TestView,
    /// Whether this import created the test.
    pub test_created: bool,
    /// The ward format the report was read as.
    pub format: String,
    /// Findings new to the product.
    pub new: usize,
    /// Known findings seen again, status unchanged.
    pub unchanged: usize,
    /// Mitigated findings seen again, now open.
    pub reopened: usize,
    /// Open findings no longer reported, now mitigated (`close_old`).
    pub closed: usize,
    /// Findings left out by `min_severity`.
    pub below_minimum: u64,
    /// Findings merged into another of the report with the same fingerprint.
    pub repeated: u64,
    /// Report entries the parser skipped, each saying why.
    pub warnings: Vec<String>,
}

/// Imports or reimports one report.
#[utoipa::path(post, path = "/api/v1/products/{product}/engagements/{engagement}/imports",
    tag = "imports",
    params(("product" = String, Path, description = "Product name"),
        ("engagement" = String, Path, description = "Engagement name"), ImportParams),
    request_body(content = Vec<u8>, description = "The report, raw or as the `file` field of a multipart form",
        content_type = "application/octet-stream"),
    responses((status = 201, body = ImportView),
        (status = 400, description = "A bad parameter, or a report that cannot be read", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn import_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((product, engagement)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<ImportParams>,
    request: Request,
) -> Result<(StatusCode, Json<ImportView>), ApiError> {
    caller.require_product(ward_store::Scope::Import, &product)?;
    let parser = match params.format.as_deref() {
        None | Some("auto") => None,
        Some(name) => Some(ward_formats::parser(name).ok_or_else(|| {
            ApiError::field(
                "format",
                format!("unknown format `{name}` (see `ward formats`)"),
            )
        })?),
    };
    let mode = match params.mode.as_deref() {
        None | Some("reimport") => ImportMode::Reimport,
        Some("import") => ImportMode::Import,
        Some(other) => {
            return Err(ApiError::field(
                "mode",
                format!("unknown mode `{other}`: expected `import` or `reimport`"),
            ))
        }
    };
    let minimum_severity = params
        .min_severity
        .as_deref()
        .map(|value| severity("min_severity", value))
        .transpose()?;
    let (report, file_name) = read_report(&state, request).await?;
    let job = Job {
        target: Target::Names {
            product,
            engagement,
            auto_create: params.auto_create.unwrap_or(false),
            team: params.team,
        },
        mode,
        parser,
        scan_type: None,
        report,
        file_name,
        title: params.title,
        scan_date: None,
        minimum_severity,
        active: None,
        verified: None,
        close_old_findings: params.close_old.unwrap_or(false),
        close_old_product_scope: match params.close_old_scope.as_deref().map(str::trim) {
            None | Some("engagement") => false,
            Some("product") => true,
            Some(_) => {
                return Err(ApiError::field(
                    "close_old_scope",
                    "must be `engagement` or `product`",
                ))
            }
        },
        reactivate: params.reactivate.unwrap_or(true),
        tags: params
            .tags
            .as_deref()
            .map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        tags_on_findings: false,
        build: BuildInfo {
            version: params.version,
            build_id: params.build_id,
            commit_hash: params.commit,
            branch_tag: params.branch,
        },
        api: ImportApi::Native,
    };
    let imported = import::run(&state, &caller, job).await?;
    let outcome = imported.outcome;
    Ok((
        StatusCode::CREATED,
        Json(ImportView {
            product: outcome.product.into(),
            engagement: outcome.engagement.into(),
            test: outcome.test.into(),
            test_created: outcome.test_created,
            format: imported.parser.id().to_string(),
            new: outcome.new.len(),
            unchanged: outcome.unchanged.len(),
            reopened: outcome.reopened.len(),
            closed: outcome.closed.len(),
            below_minimum: outcome.n_below_minimum,
            repeated: outcome.n_repeated,
            warnings: imported.warnings,
        }),
    ))
}

/// The report: the `file` field of a multipart body, or the whole body.
async fn read_report(
    state: &AppState,
    request: Request,
) -> Result<(axum::body::Bytes, Option<String>), ApiError> {
    let limit = state.limits.report_bytes;
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge { limit },
                _ => ApiError::invalid(rejection.body_text()),
            })?;
        return Ok((bytes, None));
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::invalid(rejection.body_text()))?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::multipart(&e, limit))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::multipart(&e, limit))?;
        return Ok((bytes, name));
    }
    Err(ApiError::field(
        "file",
        "the multipart form has no `file` field with the report",
    ))
}
