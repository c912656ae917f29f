//! Semgrep, writing its JSON report. <https://semgrep.dev/docs/cli-reference>
//!
//! The rules come from `SEMGREP_RULES` (a registry name such as `p/default`, or a rules file
//! or directory the worker can read), which Semgrep reads as its `--config`; it is passed
//! through with the other `SEMGREP_*` variables (an app token, a registry proxy). Metrics and
//! the version check are off: a worker should not call home. Exit 0 is a completed scan
//! whatever it found (1 only with `--error`, which is not given).

use super::{Adapter, Collect, External, Runner, TargetKind};

/// Semgrep on a directory.
pub(super) static SEMGREP: Adapter = Adapter {
    id: "semgrep",
    name: "Semgrep",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "semgrep",
        args: &[
            "scan",
            "--json",
            "--output",
            "{report}",
            "--metrics",
            "off",
            "--disable-version-check",
            "--quiet",
            "{target}",
        ],
        report: "semgrep.json",
        format: "semgrep",
        ok_exit_codes: &[0],
        pass_env: &["SEMGREP_*"],
        collect: Collect::ReportFile,
    }),
};
