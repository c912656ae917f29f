//! Asynchronous scans: `POST /api/v1/scans` queues a scan job and answers at once with its
//! id and a signed URL where the report (or the failure report) will be; `GET
//! /api/v1/scans/{id}` tells where the job is. Workers (`ward worker`, or the one in `ward
//! serve`) run the jobs; see `ward_jobs::Worker`.

use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_blob::{BlobKey, Kind};
use ward_jobs::{ScanRequest, Source, SCAN_JOB};
use ward_store::{Job, JobId, JobRequest, Scope};

use super::{ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::scans::Scans;
use crate::{store_error, AppState};

pub(super) fn router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_scan))
        .layer(DefaultBodyLimit::max(state.limits.report_bytes))
        .routes(routes!(get_scan))
}

/// The fields of a multipart scan request (its `request` part): the source is the
/// uploaded `archive` or `image` part that follows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadScan {
    scanners: Vec<String>,
    product: String,
    engagement: String,
    #[serde(default)]
    formats: Vec<String>,
}

/// A scan job and where its results are.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct ScanView {
    /// The job id.
    id: i64,
    /// `queued`, `running`, `succeeded` or `failed`.
    state: String,
    /// The product the findings go to.
    product: Option<String>,
    /// Attempts so far, and the most allowed.
    attempts: u32,
    max_attempts: u32,
    /// Why the last attempt failed.
    error: Option<String>,
    /// RFC 3339 times.
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    /// Signed URLs: `report` (ward JSON, or the failure report when the scan failed) and one
    /// per export format asked for, valid for the server's configured time.
    links: std::collections::BTreeMap<String, String>,
}

/// Queues a scan (scope `import` on the product). A JSON body names the source (`git`,
/// `archive` or `image` by an uploaded object key, or `url`), the scanners, the product and
/// engagement, and the export formats. A multipart body has a `request` part (the same JSON
/// without `source`) followed by an `archive` (zip, tar, tar.gz) or `image` (`docker save`
/// tarball) part, kept under `raw-uploads/`.
#[utoipa::path(post, path = "/api/v1/scans", tag = "scans",
    request_body(content_type = "application/json", description = "A scan request: {source, scanners, product, engagement, formats}, or multipart `request` + `archive`/`image`"),
    responses((status = 202, body = ScanView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn create_scan(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<(StatusCode, Json<ScanView>), ApiError> {
    let scans = scans(&state)?;
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let request = if multipart {
        upload(&state, scans, &caller, request).await?
    } else {
        let ApiJson(request) = ApiJson::<ScanRequest>::from_request(request, &state).await?;
        caller.require_product(Scope::Import, &request.product)?;
        request
    };
    let job = enqueue(&state, scans, &request).await?;
    Ok((StatusCode::ACCEPTED, Json(view(scans, &job).await?)))
}

/// Checks `request` and queues it, with a result key no one can guess. The caller has
/// checked the key's access to the request's product. Shared by the API and the dashboard.
pub(crate) async fn enqueue(
    state: &AppState,
    scans: &Scans,
    request: &ScanRequest,
) -> Result<Job, ApiError> {
    request.validate().map_err(|message| {
        let field = message.split(':').next().unwrap_or_default().to_string();
        ApiError::field(field, message)
    })?;
    let job = state
        .store
        .enqueue_job(&scan_job(request, scans)?)
        .await
        .map_err(store_error)?;
    Ok(job)
}

/// Reads a multipart scan request, checks the key against its product, and stores the
/// upload; returns the request with the stored upload as its source.
async fn upload(
    state: &AppState,
    scans: &Scans,
    caller: &Caller,
    request: Request,
) -> Result<ScanRequest, ApiError> {
    let limit = state.limits.report_bytes;
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::invalid(rejection.body_text()))?;
    let mut fields: Option<UploadScan> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::multipart(&e, limit))?
    {
        match field.name() {
            Some("request") => {
                let text = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::multipart(&e, limit))?;
                let parsed = serde_json::from_slice::<UploadScan>(&text)
                    .map_err(|e| ApiError::field("request", e.to_string()))?;
                caller.require_product(Scope::Import, &parsed.product)?;
                fields = Some(parsed);
            }
            Some(part @ ("archive" | "image")) => {
                let image = part == "image";
                let Some(fields) = fields.take() else {
                    return Err(ApiError::field(
                        "request",
                        "send the `request` part before the upload",
                    ));
                };
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::multipart(&e, limit))?;
                let token = random_token().map_err(ApiError::internal)?;
                let key = BlobKey::new(Kind::RawUpload, &format!("upload-{token}"))
                    .map_err(ApiError::internal)?;
                scans
                    .blobs
                    .put(&key, bytes)
                    .await
                    .map_err(ApiError::internal)?;
                let key = key.to_string();
                return Ok(ScanRequest {
                    source: if image {
                        Source::Image { key }
                    } else {
                        Source::Archive { key }
                    },
                    scanners: fields.scanners,
                    product: fields.product,
                    engagement: fields.engagement,
                    formats: fields.formats,
                });
            }
            _ => {}
        }
    }
    Err(ApiError::field(
        "archive",
        "the multipart form has no `archive` or `image` part",
    ))
}

/// A scan job: state, timings, attempts and signed links (scope `read` on its product).
#[utoipa::path(get, path = "/api/v1/scans/{id}", tag = "scans",
    params(("id" = i64, Path, description = "Scan job id")),
    responses((status = 200, body = ScanView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_scan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScanView>, ApiError> {
    caller.require(Scope::Read)?;
    let scans = scans(&state)?;
    let job = state.store.job(JobId(id)).await.map_err(store_error)?;
    let product = job.product.clone().unwrap_or_default();
    caller.require_product(Scope::Read, &product)?;
    Ok(Json(view(scans, &job).await?))
}

/// The queued job of a validated scan request, its report under a new random name.
pub(crate) fn scan_job(request: &ScanRequest, scans: &Scans) -> Result<JobRequest, ApiError> {
    let token = random_token().map_err(ApiError::internal)?;
    let result = BlobKey::new(Kind::Report, &format!("scan-{token}/report.json"))
        .map_err(ApiError::internal)?;
    Ok(JobRequest {
        kind: SCAN_JOB.to_string(),
        product: Some(request.product.clone()),
        payload: serde_json::to_value(request).map_err(ApiError::internal)?,
        result_key: result.to_string(),
        max_attempts: scans.max_attempts,
    })
}

fn scans(state: &AppState) -> Result<&Scans, ApiError> {
    state
        .scans
        .as_ref()
        .ok_or_else(|| ApiError::NotFound("this server runs no scans (no storage)".into()))
}

/// The signed URLs of a job's results, by name: `report` (the ward JSON report, or the
/// failure report when the scan failed) and one per export format the job was asked for.
/// Shared by the API and the dashboard.
pub(crate) async fn links(
    scans: &Scans,
    job: &Job,
) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
    let result = BlobKey::parse(&job.result_key).map_err(ApiError::internal)?;
    let mut links = std::collections::BTreeMap::new();
    let sign = |key: BlobKey| async move {
        scans
            .blobs
            .signed_url(&key, scans.url_validity)
            .await
            .map(|url| url.to_string())
            .map_err(ApiError::internal)
    };
    links.insert("report".to_string(), sign(result.clone()).await?);
    let formats = job
        .payload
        .get("formats")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str());
    for format in formats {
        let name = ward_jobs::request::report_name(result.name(), Some(format));
        let key = BlobKey::new(Kind::Report, &name).map_err(ApiError::internal)?;
        links.insert(format.to_string(), sign(key).await?);
    }
    Ok(links)
}

async fn view(scans: &Scans, job: &Job) -> Result<ScanView, ApiError> {
    let links = links(scans, job).await?;
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Ok(ScanView {
        id: job.id.0,
        state: job.state.name().to_string(),
        product: job.product.clone(),
        attempts: job.attempts,
        max_attempts: job.max_attempts,
        error: job.error.clone(),
        created_at: rfc3339(job.created_at),
        started_at: job.started_at.map(rfc3339),
        finished_at: job.finished_at.map(rfc3339),
        links,
    })
}

/// 128 random bits as hex: result keys cannot be guessed from job ids.
fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}
