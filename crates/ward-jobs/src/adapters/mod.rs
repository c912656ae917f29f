//! The scanners a job can run, one file per scanner, listed once in [`ADAPTERS`].
//!
//! An external tool is data ([`External`]): its program, its arguments with placeholders,
//! the report file it writes and the `ward_formats` parser that reads it, the exit codes that
//! mean success, and the environment variables it may see. Placeholders in arguments:
//!
//! | placeholder | becomes |
//! |---|---|
//! | `{target}` | the directory, the image tarball or the URL to scan |
//! | `{report}` | the absolute path of the adapter's report file in the scratch directory |
//! | `{scratch}` | the scratch directory (the tool's working and home directory) |
//! | `{project}` | [`RunConfig::project`], the key a server-side tool files results under |
//!
//! ward's own scanners are [`Native`]: a function called in process.

mod bandit;
mod checkov;
mod external;
mod gitleaks;
mod horusec;
mod native;
mod semgrep;
mod sonar_scanner;
mod trivy;
mod zap;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use ward_core::Finding;

use crate::{FailureReason, FailureReport};

/// Every scanner a job can name, by id.
pub static ADAPTERS: &[&Adapter] = &[
    &native::SECRETS,
    &native::DEPS,
    &semgrep::SEMGREP,
    &trivy::TRIVY_FS,
    &trivy::TRIVY_IMAGE,
    &bandit::BANDIT,
    &checkov::CHECKOV,
    &horusec::HORUSEC,
    &zap::ZAP_BASELINE,
    &gitleaks::GITLEAKS,
    &sonar_scanner::SONAR_SCANNER,
];

/// The adapter with this id.
pub fn adapter(id: &str) -> Option<&'static Adapter> {
    ADAPTERS.iter().copied().find(|a| a.id == id)
}

/// A scanner a job can run.
#[derive(Debug)]
pub struct Adapter {
    /// The id a scan request names it by (kebab-case, stable).
    pub id: &'static str,
    /// The tool's name, for people.
    pub name: &'static str,
    /// What it scans.
    pub target: TargetKind,
    /// How it runs.
    pub runner: Runner,
}

/// How an adapter runs.
#[derive(Debug)]
pub enum Runner {
    /// An external program.
    External(External),
    /// One of ward's own scanners, in process.
    Native(Native),
}

/// An external tool, as data.
#[derive(Debug)]
pub struct External {
    /// The program, looked up on [`RunConfig::search_path`].
    pub program: &'static str,
    /// Its arguments, with placeholders (see the module documentation).
    pub args: &'static [&'static str],
    /// Where it writes its report, relative to the scratch directory (what `{report}` names).
    pub report: &'static str,
    /// The `ward_formats` parser id of that report.
    pub format: &'static str,
    /// Exit codes that mean the scan ran (many tools exit 1 when they found something).
    pub ok_exit_codes: &'static [i32],
    /// Environment variables passed through to it, besides `PATH`, `HOME` (the scratch
    /// directory), `TMPDIR` and `LANG`: exact names, or prefixes ending in `*`.
    pub pass_env: &'static [&'static str],
    /// How the results are collected once it exited.
    pub collect: Collect,
}

/// How an external tool's results are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collect {
    /// Read from [`External::report`].
    ReportFile,
    /// Fetched from the SonarQube server the analysis was sent to, then written to
    /// [`External::report`] (see `sonar_scanner.rs`).
    SonarQubeApi,
}

/// One of ward's own scanners.
#[derive(Debug)]
pub struct Native {
    /// Scans a directory; an error is a sentence for the failure report.
    pub scan: fn(&Path, &RunConfig) -> Result<NativeScan, String>,
}

/// What a native scanner found.
#[derive(Debug, Default)]
pub struct NativeScan {
    /// Findings, with fingerprints.
    pub findings: Vec<Finding>,
    /// Things worth telling (unreadable files, a stale database …).
    pub warnings: Vec<String>,
}

/// The kinds of target a scanner takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A directory: a checked-out repository or an unpacked archive.
    Directory,
    /// A container image saved as a tarball (`docker save`).
    Image,
    /// A running web application.
    Url,
}

/// What to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A directory (absolute path).
    Directory(PathBuf),
    /// An image tarball (absolute path).
    Image(PathBuf),
    /// An `http` or `https` URL.
    Url(String),
}

impl Target {
    /// Its kind.
    pub fn kind(&self) -> TargetKind {
        match self {
            Target::Directory(_) => TargetKind::Directory,
            Target::Image(_) => TargetKind::Image,
            Target::Url(_) => TargetKind::Url,
        }
    }

    /// What `{target}` becomes.
    fn as_arg(&self) -> String {
        match self {
            Target::Directory(path) | Target::Image(path) => path.display().to_string(),
            Target::Url(url) => url.clone(),
        }
    }

    /// Refuses targets a tool could read as an option or a relative path.
    fn check(&self) -> Result<(), String> {
        match self {
            Target::Directory(path) | Target::Image(path) if !path.is_absolute() => Err(format!(
                "the target {} is not an absolute path",
                path.display()
            )),
            Target::Url(u) => match url::Url::parse(u) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(()),
                _ => Err(format!("the target `{u}` is not an http(s) URL")),
            },
            _ => Ok(()),
        }
    }
}

/// How adapters run: the same for every job of a worker, except [`RunConfig::project`].
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Where each run's scratch directory is made (and removed afterwards).
    pub scratch_root: PathBuf,
    /// The longest a scanner may run.
    pub timeout: Duration,
    /// The `PATH` tools are looked up on and run with.
    pub search_path: OsString,
    /// Variables given to every external tool (proxies, CA bundles …), set by the operator.
    pub env: Vec<(String, String)>,
    /// How much of each output stream a failure report keeps, in bytes.
    pub tail_bytes: usize,
    /// The largest report read, in bytes.
    pub max_report_bytes: u64,
    /// The project key server-side tools (sonar-scanner) file the analysis under.
    pub project: String,
    /// The offline advisory database for the `deps` scanner.
    pub osv_db: Option<PathBuf>,
}

impl RunConfig {
    /// Defaults: 30 minutes per scanner, this process's `PATH`, 8 KiB tails, reports up to
    /// 1.5 GiB (as `ward import`), project `ward`, no advisory database.
    pub fn new(scratch_root: &Path) -> RunConfig {
        RunConfig {
            scratch_root: scratch_root.to_path_buf(),
            timeout: Duration::from_secs(30 * 60),
            search_path: std::env::var_os("PATH").unwrap_or_default(),
            env: Vec::new(),
            tail_bytes: 8 * 1024,
            max_report_bytes: 1536 << 20,
            project: "ward".to_string(),
            osv_db: None,
        }
    }
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The scanner ran and its report was imported.
    Completed(Completed),
    /// It did not; the report says why.
    Failed(FailureReport),
}

/// A successful run.
#[derive(Debug)]
pub struct Completed {
    /// The adapter id.
    pub scanner: &'static str,
    /// The findings, with fingerprints.
    pub findings: Vec<Finding>,
    /// Warnings from the scanner or the import.
    pub warnings: Vec<String>,
    /// When it started.
    pub started: SystemTime,
    /// How long it ran.
    pub duration: Duration,
}

/// Runs `adapter` on `target`. Never panics and never returns early without an outcome: a
/// missing tool, a crash or a timeout is an [`Outcome::Failed`].
pub async fn run(adapter: &Adapter, target: &Target, config: &RunConfig) -> Outcome {
    let clock = Clock::start();
    if target.kind() != adapter.target {
        let message = format!(
            "{} scans a {:?} target, not a {:?}",
            adapter.name,
            adapter.target,
            target.kind()
        );
        return Outcome::Failed(clock.failure(adapter, FailureReason::WrongTarget, message));
    }
    if let Err(message) = target.check() {
        return Outcome::Failed(clock.failure(adapter, FailureReason::WrongTarget, message));
    }
    match &adapter.runner {
        Runner::External(external) => external::run(adapter, external, target, config, clock).await,
        Runner::Native(native) => native::run(adapter, native, target, config, clock).await,
    }
}

/// When a run started, for the outcome and the failure report.
#[derive(Debug, Clone, Copy)]
struct Clock {
    started: SystemTime,
    instant: Instant,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            started: SystemTime::now(),
            instant: Instant::now(),
        }
    }

    /// A failure report with no process details (filled in by the caller where there are).
    fn failure(&self, adapter: &Adapter, reason: FailureReason, message: String) -> FailureReport {
        let seconds = self
            .started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        FailureReport {
            scanner: adapter.id.to_string(),
            reason,
            message,
            command: Vec::new(),
            exit_code: None,
            signal: None,
            stdout_tail: String::new(),
            stderr_tail: String::new(),
            started_at: ward_export::time::UtcTime::from_unix(i64::try_from(seconds).unwrap_or(0))
                .rfc3339(),
            duration_ms: u64::try_from(self.instant.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    fn completed(
        &self,
        adapter: &Adapter,
        findings: Vec<Finding>,
        warnings: Vec<String>,
    ) -> Outcome {
        Outcome::Completed(Completed {
            scanner: adapter.id,
            findings,
            warnings,
            started: self.started,
            duration: self.instant.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = ADAPTERS.iter().map(|a| a.id).collect();
        for id in &ids {
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id}"
            );
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ADAPTERS.len());
    }

    #[test]
    fn external_tools_name_a_known_format_and_a_report_placeholder() {
        for adapter in ADAPTERS {
            let Runner::External(external) = &adapter.runner else {
                continue;
            };
            assert!(
                ward_formats::parser(external.format).is_some(),
                "{}: unknown format {}",
                adapter.id,
                external.format
            );
            assert!(!external.ok_exit_codes.is_empty(), "{}", adapter.id);
            let mentions_report = external.args.iter().any(|a| a.contains("{report}"))
                || external.collect != Collect::ReportFile
                || external.args.iter().any(|a| a.contains("{scratch}"))
                || external.args.contains(&external.report);
            assert!(mentions_report, "{}: where does the report go?", adapter.id);
            assert!(
                external.args.iter().any(|a| a.contains("{target}")),
                "{}: the target is not passed",
                adapter.id
            );
        }
    }

    #[test]
    fn every_adapter_is_found_by_id() {
        for a in ADAPTERS {
            assert!(std::ptr::eq(adapter(a.id).unwrap(), *a));
        }
        assert!(adapter("nope").is_none());
    }
}
