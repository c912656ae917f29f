//! Object retention on a schedule: [`Sweeper::run`] deletes the expired reports, failure
//! reports and raw uploads (`ward_blob::BlobStore::apply_retention`) once at start and then
//! every interval, and remembers the last run for the dashboard's retention page.
//!
//! The policy is fixed when the server starts (`ward serve --retention`); the page shows it
//! read-only.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use tokio::sync::watch;
use ward_blob::{BlobStore, Retention};

/// How a sweep ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepRun {
    /// When it ran.
    pub at: OffsetDateTime,
    /// How many objects it deleted.
    pub deleted: usize,
    /// Why it stopped early, if it did.
    pub error: Option<String>,
}

/// The retention policy in force and the last sweep; shared by the sweeper and the pages.
#[derive(Debug)]
pub struct RetentionStatus {
    /// Maximum age per kind.
    pub policy: Retention,
    /// Time between sweeps.
    pub interval: Duration,
    last: Mutex<Option<SweepRun>>,
}

impl RetentionStatus {
    /// A status with no sweep yet.
    pub fn new(policy: Retention, interval: Duration) -> RetentionStatus {
        RetentionStatus {
            policy,
            interval,
            last: Mutex::new(None),
        }
    }

    /// The last sweep, if one ran.
    pub fn last_run(&self) -> Option<SweepRun> {
        self.last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record(&self, run: SweepRun) {
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(run);
    }
}

/// Deletes expired objects from `blobs` under `status.policy`.
#[derive(Debug, Clone)]
pub struct Sweeper {
    /// Where the objects are.
    pub blobs: BlobStore,
    /// The policy, and where the last run is recorded.
    pub status: Arc<RetentionStatus>,
}

impl Sweeper {
    /// One sweep now; the outcome is recorded and returned.
    pub async fn sweep(&self) -> SweepRun {
        let run = match self
            .blobs
            .apply_retention(&self.status.policy, SystemTime::now())
            .await
        {
            Ok(deleted) => SweepRun {
                at: OffsetDateTime::now_utc(),
                deleted: deleted.len(),
                error: None,
            },
            Err(error) => {
                tracing::error!(%error, "retention sweep failed");
                SweepRun {
                    at: OffsetDateTime::now_utc(),
                    deleted: 0,
                    error: Some(error.to_string()),
                }
            }
        };
        if run.deleted > 0 {
            tracing::info!(
                deleted = run.deleted,
                "retention sweep deleted expired objects"
            );
        }
        self.status.record(run.clone());
        run
    }

    /// Sweeps at once and then every `status.interval` until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            self.sweep().await;
            tokio::select! {
                () = tokio::time::sleep(self.status.interval) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ward_blob::{BlobKey, Kind};

    use super::*;

    #[tokio::test]
    async fn a_sweep_deletes_the_expired_and_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = BlobStore::open(&dir.path().display().to_string()).unwrap();
        let report = BlobKey::new(Kind::Report, "r.json").unwrap();
        let upload = BlobKey::new(Kind::RawUpload, "u.tar").unwrap();
        blobs.put(&report, b"{}".to_vec()).await.unwrap();
        blobs.put(&upload, b"tar".to_vec()).await.unwrap();
        let policy = Retention {
            raw_uploads: Some(Duration::ZERO),
            ..Retention::default()
        };
        let status = Arc::new(RetentionStatus::new(policy, Duration::from_secs(3600)));
        assert_eq!(status.last_run(), None);
        let sweeper = Sweeper {
            blobs: blobs.clone(),
            status: status.clone(),
        };
        let run = sweeper.sweep().await;
        assert_eq!((run.deleted, run.error), (1, None));
        assert_eq!(status.last_run().map(|r| r.deleted), Some(1));
        assert!(blobs.get(&report).await.is_ok());
        assert!(blobs.get(&upload).await.is_err());
    }
}
