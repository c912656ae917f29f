//! Checkov, the IaC scanner (Terraform, CloudFormation, Kubernetes, Dockerfiles …), writing
//! its JSON report. <https://www.checkov.io/2.Basics/CLI%20Command%20Reference.html>
//!
//! `--output-file-path DIR` makes Checkov write `DIR/results_json.json`; `--soft-fail` makes
//! failed checks exit 0 (the gate decides, not the scanner), so a non-zero exit is an error.
//! `--skip-download` keeps it from fetching guidelines from the Prisma Cloud API.
//! `BC_API_KEY` and `CKV_*` settings are passed through.

use super::{Adapter, Collect, External, Runner, TargetKind};

/// Checkov on a directory.
pub(super) static CHECKOV: Adapter = Adapter {
    id: "checkov",
    name: "Checkov",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "checkov",
        args: &[
            "--directory",
            "{target}",
            "--output",
            "json",
            "--output-file-path",
            "{scratch}/checkov",
            "--soft-fail",
            "--skip-download",
            "--quiet",
        ],
        report: "checkov/results_json.json",
        format: "checkov",
        ok_exit_codes: &[0],
        pass_env: &["BC_API_KEY", "CKV_*", "LOG_LEVEL"],
        collect: Collect::ReportFile,
    }),
};
