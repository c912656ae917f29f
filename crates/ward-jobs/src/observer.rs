//! What a worker tells the outside about the jobs it runs, so the server can raise
//! notifications (`scan.completed`, `finding.new`, `scan.failed`) without ward-jobs knowing
//! channels or routing rules.

use ward_store::{ImportMessages, ImportOutcome, Job};

use crate::FailureReport;

/// Receives a worker's job events. Calls happen after the store has recorded what they
/// describe; an observer that fails logs and carries on (the job's ending stands).
#[async_trait::async_trait]
pub trait JobObserver: Send + Sync {
    /// The messages an import of `job` queues in its own transaction (`scan.completed`,
    /// `finding.new`), asked for before each import; `None` queues none.
    async fn import_messages(&self, job: &Job) -> Option<ImportMessages>;
    /// One scanner's findings of `job` were imported (with their messages).
    async fn imported(&self, job: &Job, outcome: &ImportOutcome);
    /// `job` failed for good (no attempts left, or a failure that is not retried); its
    /// failure report is written at the job's result key.
    async fn failed(&self, job: &Job, report: &FailureReport);
}
