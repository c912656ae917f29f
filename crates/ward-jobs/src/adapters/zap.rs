//! The OWASP ZAP baseline scan (`zap-baseline.py`): spiders a URL for a minute and reports
//! the passive scan's alerts, written as ZAP's XML report.
//! <https://www.zaproxy.org/docs/docker/baseline-scan/>
//!
//! `-x FILE` names the XML report, which the script writes in its working directory (the
//! scratch directory) when it runs outside ZAP's Docker image. Exit codes: 0 no alerts, 1 at
//! least one FAIL, 2 at least one WARN (all completed scans), 3 any other failure; `-I` keeps
//! warnings from failing. `ZAP_*` settings are passed through.

use super::{Adapter, Collect, External, Runner, TargetKind};

/// The ZAP baseline scan of a URL.
pub(super) static ZAP_BASELINE: Adapter = Adapter {
    id: "zap-baseline",
    name: "OWASP ZAP baseline",
    target: TargetKind::Url,
    runner: Runner::External(External {
        program: "zap-baseline.py",
        args: &["-t", "{target}", "-x", "zap.xml", "-I"],
        report: "zap.xml",
        format: "zap",
        ok_exit_codes: &[0, 1, 2],
        pass_env: &["ZAP_*", "JAVA_HOME"],
        collect: Collect::ReportFile,
    }),
};
