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
//! The queue and the workers that take jobs from the database build on this crate.
#![warn(missing_docs)]

pub mod adapters;
mod failure;
mod process;
mod redact;

pub use adapters::{run, Adapter, Completed, Outcome, RunConfig, Target, TargetKind, ADAPTERS};
pub use failure::{FailureReason, FailureReport};
