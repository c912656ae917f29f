//! ward's scan jobs: the scanners a job can run, and what a failed run leaves behind.
//!
//! [`adapters`] holds one file per scanner: ward's own (secrets, dependencies), called in
//! process, and the external tools teams use (semgrep, trivy, bandit, checkov, horusec, OWASP
//! ZAP baseline, gitleaks, sonar-scanner), each stated as data: its program, its command line,
//! where it writes its report and in which format. [`adapters::run`] finds the tool on `PATH`,
//! runs it in a fresh scratch directory with a clean environment and a timeout (killing its
//! whole process group when time is up), and imports the report through `ward_formats`.
//! Whatever goes wrong (tool missing, non-zero exit, killed, timed out, no report, unreadable
//! report) becomes a [`FailureReport`], which the server writes at the job's result URL.
//!
//! [`Worker`] takes scan jobs ([`ScanRequest`]) from the store's queue: it prepares the
//! source (git clone, uploaded archive, image tarball, URL), runs the adapters, imports the
//! findings into the engagement, and writes the ward JSON report and the asked exports to
//! object storage at the job's result key, or the failure report there when the scan failed.
//! A [`JobObserver`] hears of imports and final failures (the server turns them into events).
#![warn(missing_docs)]

pub mod adapters;
mod failure;
mod observer;
mod process;
mod redact;
pub mod request;
mod source;
mod worker;

pub use adapters::{run, Adapter, Completed, Outcome, RunConfig, Target, TargetKind, ADAPTERS};
pub use failure::{FailureReason, FailureReport};
pub use observer::JobObserver;
pub use request::{ScanRequest, Source, SCAN_JOB};
pub use worker::{Worker, WorkerConfig, WorkerError};
