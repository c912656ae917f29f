//! The failure report: what a pipeline polling a job's result URL gets when the scan failed.

use serde::{Deserialize, Serialize};

/// Why a scanner run failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureReason {
    /// The tool is not installed (not found on `PATH`).
    ToolMissing,
    /// The adapter scans another kind of target (a URL scanner given a directory …).
    WrongTarget,
    /// The tool could not be started, or its scratch directory made.
    StartFailed,
    /// The tool exited with a code that means failure.
    ExitCode,
    /// The tool was killed by a signal it did not get from ward.
    Killed,
    /// The tool ran longer than its timeout and was killed.
    Timeout,
    /// The tool finished but wrote no report.
    ReportMissing,
    /// The report could not be read in the tool's format.
    ReportUnreadable,
    /// One of ward's own scanners failed, or a tool's results could not be fetched.
    ScannerError,
}

/// What ran, how it ended, and the end of what it printed. Serialized as JSON at the job's
/// result URL. Output tails are passed through ward's secret rules first, so a secret a tool
/// printed appears only masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureReport {
    /// The adapter id (`bandit`, `trivy-fs`, `secrets` …).
    pub scanner: String,
    /// Why it failed.
    pub reason: FailureReason,
    /// One sentence for people.
    pub message: String,
    /// The program and arguments that ran (empty for ward's own scanners).
    pub command: Vec<String>,
    /// The exit code, if the tool exited.
    pub exit_code: Option<i32>,
    /// The signal that ended it, if one did (SIGKILL after a timeout).
    pub signal: Option<i32>,
    /// The last bytes of its standard output.
    pub stdout_tail: String,
    /// The last bytes of its standard error.
    pub stderr_tail: String,
    /// When it started, RFC 3339 in UTC.
    pub started_at: String,
    /// How long it ran, in milliseconds.
    pub duration_ms: u64,
}

impl FailureReport {
    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a failure report serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_kebab_case_reasons_and_round_trips() {
        let report = FailureReport {
            scanner: "bandit".to_string(),
            reason: FailureReason::ToolMissing,
            message: "bandit is not installed".to_string(),
            command: vec!["bandit".to_string(), "-r".to_string()],
            exit_code: None,
            signal: None,
            stdout_tail: String::new(),
            stderr_tail: String::new(),
            started_at: "2026-01-01T00:00:00Z".to_string(),
            duration_ms: 3,
        };
        let json = report.to_json();
        assert!(json.contains("\"reason\": \"tool-missing\""), "{json}");
        let back: FailureReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }
}
