//! ward's own scanners, run in process by the same library calls `ward scan` makes: the
//! secret scanner (built-in rules, plus the `[scan.secrets]` rules and salt of a ward.toml at
//! the root of the scanned tree) and the dependency scanner (lockfiles against the offline OSV
//! database in [`RunConfig::osv_db`]).
//!
//! They run on a blocking thread. A timeout ends the wait and fails the run; the scan thread
//! cannot be interrupted and finishes in the background.

use std::path::Path;

use ward_secrets::walk::{WalkConfig, DEFAULT_MAX_FILE_SIZE};
use ward_secrets::Scanner;

use super::{Adapter, Clock, Native, NativeScan, Outcome, RunConfig, Runner, Target, TargetKind};
use crate::FailureReason;

/// `ward scan --scanners secrets`.
pub(super) static SECRETS: Adapter = Adapter {
    id: "secrets",
    name: "ward secrets",
    target: TargetKind::Directory,
    runner: Runner::Native(Native { scan: scan_secrets }),
};

/// `ward scan --scanners deps`.
pub(super) static DEPS: Adapter = Adapter {
    id: "deps",
    name: "ward dependencies",
    target: TargetKind::Directory,
    runner: Runner::Native(Native { scan: scan_deps }),
};

pub(super) async fn run(
    adapter: &Adapter,
    native: &Native,
    target: &Target,
    config: &RunConfig,
    clock: Clock,
) -> Outcome {
    let Target::Directory(dir) = target else {
        let message = format!("{} scans directories", adapter.name);
        return Outcome::Failed(clock.failure(adapter, FailureReason::WrongTarget, message));
    };
    let scan = native.scan;
    let (dir, task_config) = (dir.clone(), config.clone());
    let task = tokio::task::spawn_blocking(move || scan(&dir, &task_config));
    match tokio::time::timeout(config.timeout, task).await {
        Ok(Ok(Ok(found))) => clock.completed(adapter, found.findings, found.warnings),
        Ok(Ok(Err(message))) => {
            Outcome::Failed(clock.failure(adapter, FailureReason::ScannerError, message))
        }
        Ok(Err(join_error)) => Outcome::Failed(clock.failure(
            adapter,
            FailureReason::ScannerError,
            format!("{} stopped: {join_error}", adapter.name),
        )),
        Err(_elapsed) => Outcome::Failed(clock.failure(
            adapter,
            FailureReason::Timeout,
            format!(
                "{} ran longer than its timeout of {} s",
                adapter.name,
                config.timeout.as_secs_f64()
            ),
        )),
    }
}

fn scan_secrets(dir: &Path, _config: &RunConfig) -> Result<NativeScan, String> {
    let mut rules = ward_secrets::builtin_rules();
    let mut salt = None;
    let ward_toml = dir.join("ward.toml");
    if ward_toml.is_file() {
        let shown = "ward.toml";
        let text = std::fs::read_to_string(&ward_toml).map_err(|e| format!("{shown}: {e}"))?;
        let settings = ward_secrets::ward_toml_settings(shown, &text).map_err(|e| e.to_string())?;
        rules.extend(settings.rules);
        salt = settings.salt;
    }
    let salt = match salt {
        Some(salt) => salt,
        None => ward_secrets::salt::random_salt().map_err(|e| e.to_string())?,
    };
    let scanner = Scanner::new(rules, salt);
    let config = WalkConfig {
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        threads: 0,
    };
    let (findings, stats) =
        ward_secrets::walk::scan_dir(&scanner, dir, &config, &|_| {}).map_err(|e| e.to_string())?;
    Ok(NativeScan {
        findings,
        warnings: stats.errors,
    })
}

fn scan_deps(dir: &Path, config: &RunConfig) -> Result<NativeScan, String> {
    let Some(db_path) = &config.osv_db else {
        return Err("no advisory database is configured for the deps scanner".to_string());
    };
    let db = ward_osv::Database::open(db_path)
        .map_err(|e| format!("opening the advisory database {}: {e}", db_path.display()))?;
    let mut warnings = Vec::new();
    let max_age =
        ward_osv::staleness::max_age(None).unwrap_or(ward_osv::staleness::DEFAULT_MAX_AGE);
    warnings.extend(db.staleness_warning(std::time::SystemTime::now(), max_age));
    let scan = ward_deps::scan(dir, &db);
    warnings.extend(scan.warnings);
    let mut findings = scan.findings;
    ward_core::fingerprint::assign(&mut findings);
    Ok(NativeScan { findings, warnings })
}
