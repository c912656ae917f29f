//! End-to-end tests of the `ward` binary: one integration binary, one module per area.
#![allow(clippy::print_stderr)]

mod convert;
mod dashboard;
mod db;
mod gate;
mod hostile;
mod iac;
mod import;
mod remote;
mod sbom;
mod scan;
mod scan_sbom;
mod server;
mod workers;

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The `ward` binary, with a data directory of the tests' own (never the user's: no key
/// file or advisory database of theirs is read or created) and none of the user's `WARD_*`
/// settings.
pub(crate) fn ward_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ward"));
    command
        .env(
            "XDG_DATA_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("data-home"),
        )
        .env_remove("WARD_SECRET_SALT")
        .env_remove("WARD_DB");
    command
}

/// Runs `ward` with arguments, no stdin.
pub(crate) fn ward(args: &[&str]) -> Output {
    ward_command()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running ward")
}

/// Runs `ward` in a directory.
pub(crate) fn ward_in(dir: &Path, args: &[&str]) -> Output {
    ward_command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("running ward")
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn stdout_json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "ward failed: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// A corpus file's path as a string.
pub(crate) fn corpus(rel: &str) -> String {
    ward_test_support::corpus_dir()
        .join(rel)
        .display()
        .to_string()
}
