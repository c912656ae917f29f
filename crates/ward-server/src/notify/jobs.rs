//! Events from scan jobs: a worker (in `ward serve` or `ward worker`) reports each import
//! and each final failure through [`JobEvents`], which raises the same events an upload does
//! (`scan.completed`, `finding.new`) and `scan.failed` with the job's signed result URL.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use ward_blob::{BlobKey, BlobStore};
use ward_jobs::{FailureReport, JobObserver};
use ward_notify::{Event, EventDetail, SeverityCounts};
use ward_store::{ImportMessages, ImportOutcome, Job, Store};

use super::Notifier;

/// Queues notifications for a worker's jobs into the store's outbox.
pub struct JobEvents {
    /// Where jobs, rules and the outbox are.
    pub store: Arc<dyn Store>,
    /// Routing and the delivery loop's bell.
    pub notifier: Arc<Notifier>,
    /// Signs result URLs for `scan.failed` (a local store needs its ward URL signer).
    pub blobs: BlobStore,
    /// How long those URLs are valid.
    pub url_validity: Duration,
}

#[async_trait::async_trait]
impl JobObserver for JobEvents {
    async fn import_messages(&self, _job: &Job) -> Option<ImportMessages> {
        crate::import::messages_for(self.store.as_ref(), &self.notifier).await
    }

    async fn imported(&self, _job: &Job, _outcome: &ImportOutcome) {
        // The messages were queued with the import: ring the delivery loop's bell.
        self.notifier.wake();
    }

    async fn failed(&self, job: &Job, report: &FailureReport) {
        let url = match BlobKey::parse(&job.result_key) {
            Ok(key) => match self.blobs.signed_url(&key, self.url_validity).await {
                Ok(url) => Some(url.to_string()),
                Err(error) => {
                    tracing::warn!(job = %job.id, %error, "no signed URL for the failure event");
                    None
                }
            },
            Err(_) => None,
        };
        let event = for_failure(job, report, url);
        self.notifier
            .emit_logged(self.store.as_ref(), std::slice::from_ref(&event))
            .await;
    }
}

/// The `scan.failed` event of a job: its product and engagement, the job id, one line
/// saying which scanner failed and why, and the result URL where the failure report is.
pub fn for_failure(job: &Job, report: &FailureReport, url: Option<String>) -> Event {
    let engagement = job
        .payload
        .get("engagement")
        .and_then(|e| e.as_str())
        .map(str::to_owned);
    Event {
        id: super::events::event_id(),
        occurred_at: OffsetDateTime::now_utc(),
        product: job.product.clone().unwrap_or_default(),
        engagement,
        url,
        counts: SeverityCounts::default(),
        top_findings: Vec::new(),
        detail: EventDetail::ScanFailed {
            error: format!("{}: {}", report.scanner, report.message),
            job_id: Some(job.id.0),
        },
    }
}
