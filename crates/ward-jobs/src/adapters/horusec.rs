//! Horusec, writing its JSON report. <https://docs.horusec.io/docs/cli/commands-and-flags/>
//!
//! `horusec start -p DIR -o json -O FILE -D`: `-D` (`--disable-docker`) runs only the tools
//! Horusec embeds, since a worker has no Docker daemon to start the others in. Without
//! `--return-error` it exits 0 whatever it finds. `HORUSEC_CLI_*` settings are passed through.

use super::{Adapter, Collect, External, Runner, TargetKind};

/// Horusec on a directory.
pub(super) static HORUSEC: Adapter = Adapter {
    id: "horusec",
    name: "Horusec",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "horusec",
        args: &[
            "start",
            "--project-path",
            "{target}",
            "--output-format",
            "json",
            "--json-output-file",
            "{report}",
            "--disable-docker",
        ],
        report: "horusec.json",
        format: "horusec",
        ok_exit_codes: &[0],
        pass_env: &["HORUSEC_CLI_*"],
        collect: Collect::ReportFile,
    }),
};
