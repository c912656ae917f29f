//! Bandit, the Python SAST tool (PyCQA), writing its JSON report.
//! <https://bandit.readthedocs.io/en/latest/start.html>
//!
//! `bandit -r DIR -f json -o FILE`: exit 0 when nothing was found, 1 when issues were (both
//! are a completed scan), 2 on a usage or run error.

use super::{Adapter, Collect, External, Runner, TargetKind};

/// Bandit on a directory.
pub(super) static BANDIT: Adapter = Adapter {
    id: "bandit",
    name: "Bandit",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "bandit",
        args: &["-r", "{target}", "-f", "json", "-o", "{report}", "-q"],
        report: "bandit.json",
        format: "bandit",
        ok_exit_codes: &[0, 1],
        pass_env: &[],
        collect: Collect::ReportFile,
    }),
};
