//! gitleaks, the secret scanner, writing its JSON report.
//! <https://github.com/gitleaks/gitleaks#usage>
//!
//! `gitleaks detect --no-git --source DIR`: the files as they are, not the history (a job
//! scans an uploaded tree). `--redact` keeps secrets out of its own output, `--exit-code 0`
//! makes a leak a completed scan, so a non-zero exit is an error. `GITLEAKS_CONFIG` is passed
//! through for custom rules.

use super::{Adapter, Collect, External, Runner, TargetKind};

/// gitleaks on a directory.
pub(super) static GITLEAKS: Adapter = Adapter {
    id: "gitleaks",
    name: "gitleaks",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "gitleaks",
        args: &[
            "detect",
            "--no-git",
            "--source",
            "{target}",
            "--report-format",
            "json",
            "--report-path",
            "{report}",
            "--exit-code",
            "0",
            "--redact",
            "--no-banner",
        ],
        report: "gitleaks.json",
        format: "gitleaks",
        ok_exit_codes: &[0],
        pass_env: &["GITLEAKS_CONFIG"],
        collect: Collect::ReportFile,
    }),
};
