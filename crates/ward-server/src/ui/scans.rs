//! `GET /scans`: scan jobs (queued, running, succeeded, failed) with their timings, product and
//! engagement, and signed result links; `POST /scans` queues a scan of a git repository.
//! `GET /scans/{id}`: one job, with its failure report when it failed. A viewer limited to
//! some products sees only their jobs; another product's job is a 404, as in the API.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use time::OffsetDateTime;
use ward_blob::BlobKey;
use ward_jobs::{FailureReport, ScanRequest, Source, TargetKind, ADAPTERS};
use ward_store::{Job, JobFilter, JobId, JobState, Scope};

use super::layout::page;
use super::session::{Refusal, Viewer};
use super::{field, not_found, pairs, store_refusal};
use crate::api::scans as api;
use crate::scans::Scans;
use crate::{ApiError, AppState};

/// How many jobs the list shows.
const LIST_LIMIT: u32 = 100;

/// The states, in the order the filter offers them.
const STATES: [JobState; 4] = [
    JobState::Queued,
    JobState::Running,
    JobState::Succeeded,
    JobState::Failed,
];

/// `GET /scans?state=…`.
pub(crate) async fn list(
    viewer: Viewer,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Markup, Refusal> {
    viewer.require(Scope::Read)?;
    let query = pairs(raw.as_deref().unwrap_or("").as_bytes());
    let wanted = match field(&query, "state") {
        None => None,
        Some(name) => Some(JobState::from_name(name).map_err(|_| {
            Refusal::Status(
                StatusCode::BAD_REQUEST,
                format!("state: `{name}` is not one of queued, running, succeeded, failed"),
            )
        })?),
    };
    let jobs = visible_jobs(&state, &viewer, wanted).await?;
    let mut rows = Vec::with_capacity(jobs.len());
    for job in jobs {
        let links = match (&state.scans, job.state) {
            (Some(scans), JobState::Succeeded | JobState::Failed) => links(scans, &job).await?,
            _ => Vec::new(),
        };
        rows.push((job, links));
    }
    let now = OffsetDateTime::now_utc();
    Ok(page(
        &viewer,
        "Scans",
        html! {
            @if state.scans.is_none() {
                p.notice role="status" { "This server runs no scans: it was started without storage." }
            }
            nav aria-label="Scan states" {
                ul.inline {
                    li { @if wanted.is_none() { strong { "All" } } @else { a href="/scans" { "All" } } }
                    @for s in STATES {
                        li {
                            @if wanted == Some(s) { strong { (s.name()) } }
                            @else { a href={ "/scans?state=" (s.name()) } { (s.name()) } }
                        }
                    }
                }
            }
            @if rows.is_empty() { p { "No scans." } } @else {
                table id="scans" {
                    caption.visually-hidden { "Scan jobs, newest first" }
                    thead { tr {
                        th scope="col" { "Job" } th scope="col" { "State" } th scope="col" { "Product" }
                        th scope="col" { "Engagement" } th scope="col" { "Source" } th scope="col" { "Queued" }
                        th scope="col" { "Waited" } th scope="col" { "Ran" } th scope="col" { "Attempts" }
                        th scope="col" { "Results" }
                    } }
                    tbody {
                        @for (job, links) in &rows {
                            @let request = scan_request(job);
                            tr {
                                td { a href={ "/scans/" (job.id) } { "#" (job.id) } }
                                td { span class={ "job job-" (job.state.name()) } { (job.state.name()) } }
                                td { (job.product.as_deref().unwrap_or("")) }
                                td { (request.as_ref().map(|r| r.engagement.as_str()).unwrap_or("")) }
                                td.mono { (request.as_ref().map(source_text).unwrap_or_else(|| job.kind.clone())) }
                                td { (timestamp(job.created_at)) }
                                td { (waited(job, now)) }
                                td { (ran(job, now)) }
                                td { (job.attempts) " of " (job.max_attempts) }
                                td { (result_links(job, links)) }
                            }
                        }
                    }
                }
            }
            @if state.scans.is_some() && viewer.scope.allows(Scope::Import) {
                (queue_form(&viewer))
            }
        },
    ))
}

/// `GET /scans/{id}`; 404 for a job of a product the viewer may not see.
pub(crate) async fn show(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Markup, Refusal> {
    viewer.require(Scope::Read)?;
    let job = state.store.job(JobId(id)).await.map_err(|e| match e {
        ward_store::Error::NotFound { .. } => not_found(),
        other => store_refusal(other),
    })?;
    if !sees_job(&viewer, &job) {
        return Err(not_found());
    }
    let (links, failure) = match &state.scans {
        Some(scans) if matches!(job.state, JobState::Succeeded | JobState::Failed) => {
            let failure = if job.state == JobState::Failed {
                Some(failure_report(scans, &job).await)
            } else {
                None
            };
            (links(scans, &job).await?, failure)
        }
        _ => (Vec::new(), None),
    };
    let request = scan_request(&job);
    let now = OffsetDateTime::now_utc();
    Ok(page(
        &viewer,
        &format!("Scan #{}", job.id),
        html! {
            dl.facts id="job" {
                dt { "State" } dd { span class={ "job job-" (job.state.name()) } { (job.state.name()) } }
                dt { "Kind" } dd { (job.kind) }
                dt { "Product" } dd { (job.product.as_deref().unwrap_or("none")) }
                @if let Some(r) = &request {
                    dt { "Engagement" } dd { (r.engagement) }
                    dt { "Source" } dd.mono { (source_text(r)) }
                    dt { "Scanners" } dd { (r.scanners.join(", ")) }
                    @if !r.formats.is_empty() { dt { "Export formats" } dd { (r.formats.join(", ")) } }
                }
                dt { "Queued" } dd { (timestamp(job.created_at)) }
                dt { "Started" } dd { (job.started_at.map(timestamp).unwrap_or_else(|| "not yet".into())) }
                dt { "Finished" } dd { (job.finished_at.map(timestamp).unwrap_or_else(|| "not yet".into())) }
                dt { "Waited" } dd { (waited(&job, now)) }
                dt { "Ran" } dd { (ran(&job, now)) }
                dt { "Attempts" } dd { (job.attempts) " of " (job.max_attempts) }
                @if let Some(worker) = &job.worker { dt { "Worker" } dd.mono { (worker) } }
                @if let Some(error) = &job.error { dt { "Last error" } dd { (error) } }
                dt { "Results" } dd { (result_links(&job, &links)) }
            }
            @if let Some(failure) = &failure {
                h2 { "Failure report" }
                (failure)
            }
            p { a href="/scans" { "All scans" } }
        },
    ))
}

/// `POST /scans`: queues a scan of a git repository, then shows its job.
pub(crate) async fn queue(
    viewer: Viewer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = pairs(&body);
    viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    viewer.require(Scope::Import)?;
    let Some(scans) = &state.scans else {
        return Err(Refusal::Status(
            StatusCode::NOT_FOUND,
            "this server runs no scans (no storage)".into(),
        ));
    };
    let bad = |m: &str| Refusal::Status(StatusCode::BAD_REQUEST, m.to_string());
    let url = field(&form, "url").ok_or_else(|| bad("git URL: required"))?;
    let product = field(&form, "product").ok_or_else(|| bad("product: required"))?;
    let engagement = field(&form, "engagement").ok_or_else(|| bad("engagement: required"))?;
    if viewer
        .products
        .as_ref()
        .is_some_and(|names| !names.iter().any(|n| n == product))
    {
        return Err(Refusal::Status(
            StatusCode::FORBIDDEN,
            format!("product: you may not scan for `{product}`"),
        ));
    }
    let request = ScanRequest {
        source: Source::Git {
            url: url.to_string(),
            reference: field(&form, "ref").map(str::to_string),
            // A scan queued by hand clones anonymously; hooks set the token's user name.
            token_user: None,
        },
        scanners: form
            .iter()
            .filter(|(k, v)| k == "scanner" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect(),
        product: product.to_string(),
        engagement: engagement.to_string(),
        formats: Vec::new(),
    };
    let job = api::enqueue(&state, scans, &request)
        .await
        .map_err(api_refusal)?;
    Ok(Redirect::to(&format!("/scans/{}", job.id)).into_response())
}

fn queue_form(viewer: &Viewer) -> Markup {
    let directory_scanners = ADAPTERS
        .iter()
        .filter(|a| a.target == TargetKind::Directory);
    html! {
        h2 { "Queue a scan" }
        form.stack method="post" action="/scans" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            div.field { label for="s-url" { "Git URL (https, ssh or git)" } input id="s-url" name="url" required; }
            div.field { label for="s-ref" { "Branch, tag or commit (empty: the default branch)" } input id="s-ref" name="ref"; }
            div.field { label for="s-product" { "Product" } input id="s-product" name="product" required; }
            div.field { label for="s-engagement" { "Engagement" } input id="s-engagement" name="engagement" required value="main"; }
            fieldset {
                legend { "Scanners" }
                @for a in directory_scanners {
                    label.check {
                        input type="checkbox" name="scanner" value=(a.id) checked[a.id == "secrets" || a.id == "deps"];
                        " " (a.name) " (" code { (a.id) } ")"
                    }
                }
            }
            button type="submit" { "Queue" }
        }
    }
}

/// The jobs `viewer` may see, newest first: all of them, or those of its products.
async fn visible_jobs(
    state: &AppState,
    viewer: &Viewer,
    wanted: Option<JobState>,
) -> Result<Vec<Job>, Refusal> {
    let filter = |product: Option<String>| JobFilter {
        state: wanted,
        product,
        limit: LIST_LIMIT,
    };
    let Some(names) = &viewer.products else {
        return state
            .store
            .list_jobs(&filter(None))
            .await
            .map_err(store_refusal);
    };
    let mut jobs = Vec::new();
    for name in names {
        jobs.extend(
            state
                .store
                .list_jobs(&filter(Some(name.clone())))
                .await
                .map_err(store_refusal)?,
        );
    }
    jobs.sort_by_key(|job| std::cmp::Reverse(job.id));
    jobs.truncate(LIST_LIMIT as usize);
    Ok(jobs)
}

/// Whether `viewer` may see `job`: a limited viewer only its products' jobs.
fn sees_job(viewer: &Viewer, job: &Job) -> bool {
    match (&viewer.products, &job.product) {
        (None, _) => true,
        (Some(names), Some(product)) => names.contains(product),
        (Some(_), None) => false,
    }
}

/// The signed result links of a finished job, as the API gives them.
async fn links(scans: &Scans, job: &Job) -> Result<Vec<(String, String)>, Refusal> {
    Ok(api::links(scans, job)
        .await
        .map_err(api_refusal)?
        .into_iter()
        .collect())
}

fn result_links(job: &Job, links: &[(String, String)]) -> Markup {
    html! {
        @if links.is_empty() { "none yet" } @else {
            @for (i, (name, url)) in links.iter().enumerate() {
                @if i > 0 { ", " }
                @let label = if name == "report" && job.state == JobState::Failed { "failure report" } else { name.as_str() };
                a href=(url) aria-label={ (label) " of scan " (job.id) } { (label) }
            }
        }
    }
}

/// The failure report at the job's result key, shown escaped; its absence or unreadability
/// is said as such.
async fn failure_report(scans: &Scans, job: &Job) -> Markup {
    let key = match BlobKey::parse(&job.result_key) {
        Ok(key) => key,
        Err(error) => {
            tracing::error!(job = %job.id, %error, "a job's result key does not parse");
            return html! { p { "The job's result key is not valid; see the server log." } };
        }
    };
    let bytes = match scans.blobs.get(&key).await {
        Ok(blob) => blob.bytes,
        Err(ward_blob::Error::NotFound { .. }) => {
            return html! { p { "No failure report was stored for this job." } };
        }
        Err(error) => {
            tracing::error!(job = %job.id, %error, "reading a failure report");
            return html! { p { "The failure report could not be read; see the server log." } };
        }
    };
    let Ok(report) = serde_json::from_slice::<FailureReport>(&bytes) else {
        return html! { pre id="failure" { (String::from_utf8_lossy(&bytes)) } };
    };
    let reason = serde_json::to_value(report.reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    html! {
        dl.facts id="failure" {
            dt { "Scanner" } dd { (report.scanner) }
            dt { "Reason" } dd { (reason) }
            dt { "Message" } dd { (report.message) }
            @if !report.command.is_empty() { dt { "Command" } dd.mono { (report.command.join(" ")) } }
            @if let Some(code) = report.exit_code { dt { "Exit code" } dd { (code) } }
            @if let Some(signal) = report.signal { dt { "Signal" } dd { (signal) } }
            dt { "Started" } dd { (report.started_at) }
            dt { "Ran for" } dd { (report.duration_ms) " ms" }
        }
        @if !report.stdout_tail.is_empty() {
            h3 { "End of standard output" }
            pre { (report.stdout_tail) }
        }
        @if !report.stderr_tail.is_empty() {
            h3 { "End of standard error" }
            pre { (report.stderr_tail) }
        }
    }
}

fn scan_request(job: &Job) -> Option<ScanRequest> {
    serde_json::from_value(job.payload.clone()).ok()
}

/// What a scan ran on, in words; a git URL without any user or password it carries.
fn source_text(request: &ScanRequest) -> String {
    match &request.source {
        Source::Git { url, reference, .. } => match reference {
            Some(r) => format!("git {} @ {r}", without_credentials(url)),
            None => format!("git {}", without_credentials(url)),
        },
        Source::Archive { .. } => "uploaded archive".into(),
        Source::Image { .. } => "uploaded image".into(),
        Source::Url { url } => format!("url {}", without_credentials(url)),
    }
}

/// `url` with its `user:password@` part removed.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}/{path}"),
        None => url.to_string(),
    }
}

/// A time as `2024-03-01 12:00:00 UTC`.
fn timestamp(at: OffsetDateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        super::layout::date(at),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// How long the job waited for a worker (so far, if it still waits).
fn waited(job: &Job, now: OffsetDateTime) -> String {
    span(job.created_at, job.started_at.unwrap_or(now))
}

/// How long the job ran (so far, if it runs); blank if it never started.
fn ran(job: &Job, now: OffsetDateTime) -> String {
    match job.started_at {
        Some(started) => span(started, job.finished_at.unwrap_or(now)),
        None => String::new(),
    }
}

/// A duration as `45 s`, `3 min 5 s` or `2 h 10 min`.
fn span(from: OffsetDateTime, to: OffsetDateTime) -> String {
    let seconds = (to - from).whole_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// An API error as a dashboard refusal (internal details logged, not shown).
fn api_refusal(error: ApiError) -> Refusal {
    Refusal::Status(error.status_code(), error.public_message())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_not_shown() {
        assert_eq!(
            without_credentials("https://ci:s3cret@git.example.com/team/app.git"),
            "https://git.example.com/team/app.git"
        );
        assert_eq!(
            without_credentials("https://git.example.com/app.git"),
            "https://git.example.com/app.git"
        );
        assert_eq!(
            without_credentials("git@github.com:org/repo"),
            "git@github.com:org/repo"
        );
    }

    #[test]
    fn spans_read_well() {
        let t = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(span(t, t + time::Duration::seconds(45)), "45 s");
        assert_eq!(span(t, t + time::Duration::seconds(185)), "3 min 5 s");
        assert_eq!(span(t, t + time::Duration::seconds(7800)), "2 h 10 min");
        assert_eq!(span(t, t - time::Duration::seconds(5)), "0 s");
    }
}
