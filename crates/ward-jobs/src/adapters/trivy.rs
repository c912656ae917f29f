//! Trivy, on a file system or on an image tarball, writing its JSON report.
//! <https://trivy.dev/latest/docs/references/configuration/cli/trivy/>
//!
//! Every Trivy flag can also be set by a `TRIVY_*` variable, and those are passed through:
//! `TRIVY_SCANNERS` (default `vuln,secret`), `TRIVY_CACHE_DIR` (so that workers share one
//! vulnerability database instead of downloading it into each scratch directory),
//! `TRIVY_DB_REPOSITORY`, `TRIVY_OFFLINE_SCAN`, `TRIVY_SKIP_DB_UPDATE`. Without
//! `--exit-code`, Trivy exits 0 whatever it finds and 1 on an error.

use super::{Adapter, Collect, External, Runner, TargetKind};

/// `trivy fs` on a directory: vulnerable dependencies, secrets, misconfigurations.
pub(super) static TRIVY_FS: Adapter = Adapter {
    id: "trivy-fs",
    name: "Trivy (file system)",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "trivy",
        args: &[
            "fs", "--format", "json", "--output", "{report}", "--quiet", "{target}",
        ],
        report: "trivy.json",
        format: "trivy",
        ok_exit_codes: &[0],
        pass_env: &["TRIVY_*", "SSL_CERT_FILE", "SSL_CERT_DIR"],
        collect: Collect::ReportFile,
    }),
};

/// `trivy image --input` on an image saved with `docker save`.
pub(super) static TRIVY_IMAGE: Adapter = Adapter {
    id: "trivy-image",
    name: "Trivy (image)",
    target: TargetKind::Image,
    runner: Runner::External(External {
        program: "trivy",
        args: &[
            "image", "--input", "{target}", "--format", "json", "--output", "{report}", "--quiet",
        ],
        report: "trivy.json",
        format: "trivy",
        ok_exit_codes: &[0],
        pass_env: &["TRIVY_*", "SSL_CERT_FILE", "SSL_CERT_DIR"],
        collect: Collect::ReportFile,
    }),
};
