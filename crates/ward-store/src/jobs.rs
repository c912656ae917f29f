//! The durable job queue: scan requests waiting for a worker, the lease a worker holds while
//! it runs one, and the outcome.
//!
//! A job is `queued` until a worker claims it; claiming sets a lease (`lease_expires_at`) that
//! the worker extends with heartbeats. A lease that runs out makes the job claimable again
//! (the worker died), so no job is lost; a job whose lease runs out on its last attempt is
//! claimed once more only to record its failure ([`Job::is_exhausted`]).
//! A failed run is retried while attempts remain, no earlier than `not_before`, which grows
//! exponentially with the attempts. What a job does is opaque here: `payload` is the caller's
//! JSON.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};

/// The database id of a [`Job`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker (new, retried, or released).
    Queued,
    /// Claimed by a worker holding a lease.
    Running,
    /// Finished; its results are at `result_keys`.
    Succeeded,
    /// Gave up: the last attempt failed or its lease ran out.
    Failed,
}

impl JobState {
    /// The stored (and JSON) name.
    pub fn name(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    /// The state of a stored name.
    pub fn from_name(name: &str) -> Result<JobState> {
        Ok(match name {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "failed" => JobState::Failed,
            _ => return Err(Error::corrupt("jobs.state", name)),
        })
    }
}

/// What a caller queues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    /// What kind of work (`scan`), so workers can refuse kinds they do not know.
    pub kind: String,
    /// The product the job belongs to, for listing and access checks.
    pub product: Option<String>,
    /// The work itself, as the caller's JSON.
    pub payload: serde_json::Value,
    /// The object key the result (or the failure report) is written to.
    pub result_key: String,
    /// How many times the job may be claimed before it fails for good (at least 1).
    pub max_attempts: u32,
}

/// A job row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Database id.
    pub id: JobId,
    /// See [`JobRequest::kind`].
    pub kind: String,
    /// See [`JobRequest::product`].
    pub product: Option<String>,
    /// See [`JobRequest::payload`].
    pub payload: serde_json::Value,
    /// See [`JobRequest::result_key`].
    pub result_key: String,
    /// Where it is.
    pub state: JobState,
    /// Claims so far (the running attempt included).
    pub attempts: u32,
    /// See [`JobRequest::max_attempts`].
    pub max_attempts: u32,
    /// The worker holding (or last holding) the job.
    pub worker: Option<String>,
    /// When the current lease ends, while running.
    #[serde(with = "time::serde::rfc3339::option")]
    pub lease_expires_at: Option<OffsetDateTime>,
    /// Not claimable before this time (backoff after a failure).
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The objects the job wrote, once succeeded.
    pub result_keys: Vec<String>,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the current or last attempt started.
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// When it succeeded or failed for good.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

impl Job {
    /// Whether the job was claimed after its last attempt's lease ran out: it must not run
    /// again, only be failed.
    pub fn is_exhausted(&self) -> bool {
        self.attempts > self.max_attempts
    }
}

/// How a worker reports a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    /// What went wrong, one line.
    pub error: String,
    /// Whether another attempt may help (a crashing tool will crash again; a lost database
    /// connection may not).
    pub retry: bool,
    /// The wait before the second attempt; each later one doubles it.
    pub backoff: Duration,
}

/// Which jobs [`Store::list_jobs`](crate::Store::list_jobs) returns, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// Only jobs of this product.
    pub product: Option<String>,
    /// At most this many (0 means 100).
    pub limit: u32,
}

/// The longest backoff, whatever the attempt count.
const MAX_BACKOFF: Duration = Duration::hours(1);

impl JobFilter {
    /// The row limit to apply.
    pub fn effective_limit(&self) -> i64 {
        if self.limit == 0 {
            100
        } else {
            i64::from(self.limit)
        }
    }
}

/// Checks a request before it is stored.
pub fn validate(request: &JobRequest) -> Result<()> {
    if request.kind.trim().is_empty() {
        return Err(Error::invalid("kind", "must not be empty"));
    }
    if request.result_key.trim().is_empty() {
        return Err(Error::invalid("result_key", "must not be empty"));
    }
    if request.max_attempts == 0 {
        return Err(Error::invalid("max_attempts", "must be at least 1"));
    }
    Ok(())
}

/// When a job that failed its `attempts`-th attempt may run again: `backoff` doubled for each
/// attempt after the first, capped at an hour.
pub fn retry_at(now: OffsetDateTime, attempts: u32, backoff: Duration) -> OffsetDateTime {
    let doublings = attempts.saturating_sub(1).min(20);
    let wait = backoff
        .checked_mul(1_i32 << doublings)
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF);
    now + wait
}

/// Whether a failed attempt is followed by another.
pub fn will_retry(failure: &JobFailure, attempts: u32, max_attempts: u32) -> bool {
    failure.retry && attempts < max_attempts
}

/// The error a worker records for a job whose last lease ran out.
pub const LEASE_EXPIRED: &str = "the worker's lease expired on the last attempt";

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let now = datetime!(2024-01-01 0:00 UTC);
        let base = Duration::seconds(10);
        assert_eq!(retry_at(now, 1, base), now + Duration::seconds(10));
        assert_eq!(retry_at(now, 3, base), now + Duration::seconds(40));
        assert_eq!(retry_at(now, 40, base), now + MAX_BACKOFF);
    }

    #[test]
    fn states_round_trip() {
        for state in [
            JobState::Queued,
            JobState::Running,
            JobState::Succeeded,
            JobState::Failed,
        ] {
            assert_eq!(JobState::from_name(state.name()).unwrap(), state);
        }
        assert!(JobState::from_name("lost").is_err());
    }
}
