//! The worker loop: claim a scan job from the store, prepare its source, run its scanners,
//! import the findings, write the reports to object storage, and record the outcome, holding
//! the job's lease with heartbeats all along.
//!
//! A worker that dies simply stops heartbeating: its lease runs out and another worker claims
//! the job again (see `ward_store::jobs`). On shutdown the running job gets
//! [`WorkerConfig::shutdown_grace`] to finish, and is released back to the queue otherwise.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use ward_blob::{BlobKey, BlobStore, Kind};
use ward_core::Report;
use ward_core::Source as ReportSource;
use ward_store::{
    Error as StoreError, ImportRequest, ImportTarget, Job, JobFailure, JobState, Store,
};

use crate::request::{report_name, ScanRequest, Source, SCAN_JOB};
use crate::{adapters, FailureReason, FailureReport, JobObserver, Outcome, RunConfig};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// This worker's name in the queue (`host:pid`), unique among running workers.
    pub id: String,
    /// How long a claim holds a job without a heartbeat.
    pub lease: Duration,
    /// How long to wait before looking again when the queue is empty.
    pub poll_interval: Duration,
    /// The wait before a failed job's second attempt (doubling after each attempt).
    pub backoff: Duration,
    /// How long a running job may take to finish once shutdown is asked.
    pub shutdown_grace: Duration,
    /// How scanners run (scratch root, timeout per scanner, `PATH` …).
    pub run: RunConfig,
    /// Bounds on uploaded archives.
    pub archive_limits: ward_archive::Limits,
    /// Whether git sources may be local paths or `file://` URLs. Off by default: a scan
    /// request must not read repositories on the worker's own disk.
    pub allow_local_git: bool,
    /// The master keys that open a product's git token (git sources with `token_user`);
    /// without them such scans fail.
    pub keyring: Option<Arc<ward_vault::Keyring>>,
}

impl WorkerConfig {
    /// Defaults: a 60 s lease, a 1 s poll, a 30 s backoff, 30 s to finish on shutdown.
    pub fn new(id: impl Into<String>, run: RunConfig) -> WorkerConfig {
        WorkerConfig {
            id: id.into(),
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            backoff: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
            run,
            archive_limits: ward_archive::Limits::default(),
            allow_local_git: false,
            keyring: None,
        }
    }
}

/// A queue worker.
#[derive(Clone)]
pub struct Worker {
    /// Where jobs and findings are.
    pub store: Arc<dyn Store>,
    /// Where uploads are read and reports written.
    pub blobs: BlobStore,
    /// How it runs.
    pub config: WorkerConfig,
    /// Told of imports and final failures (the server raises notifications from them).
    pub observer: Option<Arc<dyn JobObserver>>,
}

/// The configuration only: the store and blob store have nothing useful to log.
impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Why the worker loop stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The store failed (the database went away).
    #[error("job queue: {0}")]
    Store(#[from] StoreError),
}

/// What processing one job came to.
enum Ending {
    Succeeded(Vec<String>),
    Failed(FailureReport, bool),
}

impl Worker {
    /// Takes jobs until `shutdown` turns true. Store errors while claiming are retried after
    /// the poll interval; the loop itself only ends on shutdown.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        while !stopping(&shutdown) {
            let claimed = match self.run_once(&mut shutdown).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(worker = %self.config.id, %error, "job queue error");
                    false
                }
            };
            if !claimed {
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll_interval) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    /// Claims and processes one job, if there is one; `Ok(false)` when the queue was empty.
    pub async fn run_once(
        &self,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<bool, WorkerError> {
        let now = time::OffsetDateTime::now_utc();
        let Some(job) = self
            .store
            .claim_job(&self.config.id, now, lease(self.config.lease))
            .await?
        else {
            return Ok(false);
        };
        tracing::info!(worker = %self.config.id, job = %job.id, attempt = job.attempts, "job claimed");
        let work = self.process(&job);
        tokio::pin!(work);
        let ending = tokio::select! {
            ending = &mut work => ending,
            lost = self.heartbeat(&job) => {
                tracing::warn!(job = %job.id, error = %lost, "job lease lost; abandoning it");
                return Ok(true);
            }
            // The guard `wait_for` returns is not `Send`: drop it before the branch runs.
            () = async { drop(shutdown.wait_for(|stop| *stop).await) } => {
                match tokio::time::timeout(self.config.shutdown_grace, &mut work).await {
                    Ok(ending) => ending,
                    Err(_) => {
                        self.store.release_job(job.id, &self.config.id).await?;
                        tracing::info!(job = %job.id, "job released on shutdown");
                        return Ok(true);
                    }
                }
            }
        };
        self.finish(&job, ending).await?;
        Ok(true)
    }

    /// Extends the lease every third of it; returns only when the lease is lost.
    async fn heartbeat(&self, job: &Job) -> StoreError {
        let every = self.config.lease / 3;
        loop {
            tokio::time::sleep(every).await;
            let until = time::OffsetDateTime::now_utc() + lease(self.config.lease);
            match self
                .store
                .extend_job_lease(job.id, &self.config.id, until)
                .await
            {
                Ok(_) => {}
                Err(error @ (StoreError::Conflict { .. } | StoreError::NotFound { .. })) => {
                    return error
                }
                // A passing database error: the lease has two more beats before it runs out.
                Err(error) => tracing::warn!(job = %job.id, %error, "heartbeat failed"),
            }
        }
    }

    /// Records the ending: the job succeeded, is retried, or failed with its failure report
    /// written at the result key.
    async fn finish(&self, job: &Job, ending: Ending) -> Result<(), WorkerError> {
        let now = time::OffsetDateTime::now_utc();
        match ending {
            Ending::Succeeded(keys) => {
                self.store
                    .complete_job(job.id, &self.config.id, &keys, now)
                    .await?;
                tracing::info!(job = %job.id, "job succeeded");
            }
            Ending::Failed(report, retry) => {
                let failure = JobFailure {
                    error: report.message.clone(),
                    retry,
                    backoff: lease(self.config.backoff),
                };
                let failed = self
                    .store
                    .fail_job(job.id, &self.config.id, &failure, now)
                    .await?;
                if failed.state == JobState::Failed {
                    if let Err(error) = self.write_failure(job, &report).await {
                        tracing::error!(job = %job.id, %error, "writing the failure report");
                    }
                    if let Some(observer) = &self.observer {
                        observer.failed(&failed, &report).await;
                    }
                }
                tracing::info!(job = %job.id, state = failed.state.name(), error = %report.message, "job failed");
            }
        }
        Ok(())
    }

    async fn write_failure(
        &self,
        job: &Job,
        report: &FailureReport,
    ) -> Result<(), ward_blob::Error> {
        let key = BlobKey::parse(&job.result_key)?;
        self.blobs.put(&key, report.to_json().into_bytes()).await?;
        // A copy under its own kind, kept as long as failure reports are.
        let copy = BlobKey::new(Kind::FailureReport, key.name())?;
        self.blobs.put(&copy, report.to_json().into_bytes()).await
    }

    /// Runs a job to its ending. Never fails: every problem becomes a failure report.
    /// The product's git token, opened, when a git source asks for it.
    async fn git_token(
        &self,
        request: &ScanRequest,
    ) -> Result<Option<crate::source::GitToken>, crate::source::SourceError> {
        use crate::source::SourceError;
        let Source::Git {
            token_user: Some(user),
            ..
        } = &request.source
        else {
            return Ok(None);
        };
        let missing = || {
            SourceError::final_(format!(
                "product {} has no git token in its webhook settings",
                request.product
            ))
        };
        let store_failed =
            |e: StoreError| SourceError::retry(format!("reading the git token: {e}"));
        let product = self
            .store
            .product_by_name(&request.product)
            .await
            .map_err(store_failed)?
            .ok_or_else(missing)?;
        let sealed = self
            .store
            .product_hook(product.id)
            .await
            .map_err(store_failed)?
            .and_then(|hook| hook.git_token)
            .ok_or_else(missing)?;
        let keyring = self.config.keyring.as_ref().ok_or_else(|| {
            SourceError::final_(
                "this worker has no master key (WARD_MASTER_KEY) to open the product's git token"
                    .to_string(),
            )
        })?;
        let token = keyring
            .decrypt(&sealed)
            .map_err(|e| SourceError::final_(format!("opening the product's git token: {e}")))?;
        Ok(Some(crate::source::GitToken {
            user: user.clone(),
            token,
        }))
    }

    async fn process(&self, job: &Job) -> Ending {
        let clock = std::time::SystemTime::now();
        let fail = |scanner: &str, reason, message: String, retry| {
            Ending::Failed(setup_failure(scanner, reason, message, clock), retry)
        };
        if job.is_exhausted() {
            let message = ward_store::jobs::LEASE_EXPIRED.to_string();
            return fail("worker", FailureReason::Killed, message, false);
        }
        if job.kind != SCAN_JOB {
            return fail(
                "worker",
                FailureReason::ScannerError,
                format!("unknown job kind `{}`", job.kind),
                false,
            );
        }
        let request: ScanRequest = match serde_json::from_value(job.payload.clone()) {
            Ok(request) => request,
            Err(e) => {
                return fail(
                    "worker",
                    FailureReason::ScannerError,
                    format!("the scan request cannot be read: {e}"),
                    false,
                )
            }
        };
        if let Err(message) = request.validate() {
            return fail("worker", FailureReason::ScannerError, message, false);
        }
        let scratch = match tempfile::Builder::new()
            .prefix(&format!("job-{}-", job.id))
            .tempdir_in(&self.config.run.scratch_root)
        {
            Ok(dir) => dir,
            Err(e) => {
                return fail(
                    "worker",
                    FailureReason::StartFailed,
                    format!("making a scratch directory: {e}"),
                    true,
                )
            }
        };
        let token = match self.git_token(&request).await {
            Ok(token) => token,
            Err(e) => return fail("source", FailureReason::StartFailed, e.message, e.retry),
        };
        let target = match crate::source::prepare(
            &request.source,
            scratch.path(),
            &self.blobs,
            &self.config.archive_limits,
            self.config.allow_local_git,
            token,
        )
        .await
        {
            Ok(target) => target,
            Err(e) => return fail("source", FailureReason::StartFailed, e.message, e.retry),
        };
        let mut run_config = self.config.run.clone();
        run_config.project = request.product.clone();
        let mut report = Report::default();
        for scanner in &request.scanners {
            let Some(adapter) = adapters::adapter(scanner) else {
                return fail(
                    scanner,
                    FailureReason::ScannerError,
                    format!("unknown scanner `{scanner}`"),
                    false,
                );
            };
            let completed = match adapters::run(adapter, &target, &run_config).await {
                Outcome::Completed(completed) => completed,
                // A tool that crashed or timed out will do so again: no retry.
                Outcome::Failed(failure) => return Ending::Failed(failure, false),
            };
            let mut import = ImportRequest::new(
                ImportTarget::Names {
                    product: request.product.clone(),
                    engagement: request.engagement.clone(),
                    auto_create: true,
                },
                adapter.id,
                completed.findings.clone(),
            );
            import.actor = format!("worker {}", self.config.id);
            if let Some(observer) = &self.observer {
                import.messages = observer.import_messages(job).await;
            }
            match self.store.import(import).await {
                Ok(outcome) => {
                    if let Some(observer) = &self.observer {
                        observer.imported(job, &outcome).await;
                    }
                }
                Err(e) => {
                    let retry = matches!(e, StoreError::Database(_));
                    return fail(
                        scanner,
                        FailureReason::ScannerError,
                        format!("importing the findings: {e}"),
                        retry,
                    );
                }
            }
            report.sources.push(ReportSource {
                tool: adapter.name.to_string(),
                format: adapter.id.to_string(),
                file: format!("job {}", job.id),
                scan_time: None,
            });
            report.findings.extend(completed.findings);
        }
        match self.write_reports(job, &request, &report).await {
            Ok(keys) => Ending::Succeeded(keys),
            Err(message) => fail("worker", FailureReason::ScannerError, message, true),
        }
    }

    /// Writes the exports first and the ward JSON report last: a client that sees the
    /// report at the result URL finds every export there too.
    async fn write_reports(
        &self,
        job: &Job,
        request: &ScanRequest,
        report: &Report,
    ) -> Result<Vec<String>, String> {
        let result = BlobKey::parse(&job.result_key).map_err(|e| e.to_string())?;
        let mut keys = Vec::new();
        for format in &request.formats {
            let exporter = ward_export::exporter(format)
                .ok_or_else(|| format!("unknown format `{format}`"))?;
            let bytes = exporter
                .export(report, &ward_export::Options::default())
                .map_err(|e| format!("exporting to {format}: {e}"))?;
            let key = BlobKey::new(Kind::Report, &report_name(result.name(), Some(format)))
                .map_err(|e| e.to_string())?;
            self.blobs
                .put(&key, bytes)
                .await
                .map_err(|e| e.to_string())?;
            keys.push(key.to_string());
        }
        let json = serde_json::to_vec_pretty(report).map_err(|e| e.to_string())?;
        self.blobs
            .put(&result, json)
            .await
            .map_err(|e| e.to_string())?;
        keys.insert(0, result.to_string());
        Ok(keys)
    }
}

fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow()
}

fn lease(duration: Duration) -> time::Duration {
    time::Duration::try_from(duration).unwrap_or(time::Duration::MAX)
}

/// A failure report for what went wrong around the scanners (reading the request,
/// preparing the source, storing results).
fn setup_failure(
    scanner: &str,
    reason: FailureReason,
    message: String,
    started: std::time::SystemTime,
) -> FailureReport {
    let seconds = started
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(0))
        .unwrap_or(0);
    FailureReport {
        scanner: scanner.to_string(),
        reason,
        message,
        command: Vec::new(),
        exit_code: None,
        signal: None,
        stdout_tail: String::new(),
        stderr_tail: String::new(),
        started_at: ward_export::time::UtcTime::from_unix(seconds).rfc3339(),
        duration_ms: started
            .elapsed()
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0),
    }
}
