//! Running an external tool adapter: find it, make its scratch directory and environment,
//! expand its command line, run it with the timeout, then import its report.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{sonar_scanner, Adapter, Clock, Collect, External, Outcome, RunConfig, Target};
use crate::process::{self, Exit, Spawn};
use crate::FailureReason;

pub(super) async fn run(
    adapter: &Adapter,
    external: &External,
    target: &Target,
    config: &RunConfig,
    clock: Clock,
) -> Outcome {
    let fail = |reason, message: String| Outcome::Failed(clock.failure(adapter, reason, message));
    let Some(program) = process::find_program(external.program, &config.search_path) else {
        return fail(
            FailureReason::ToolMissing,
            format!(
                "{} is not installed: `{}` was not found on PATH",
                adapter.name, external.program
            ),
        );
    };
    let scratch = match tempfile::Builder::new()
        .prefix(&format!("ward-{}-", adapter.id))
        .tempdir_in(&config.scratch_root)
    {
        Ok(dir) => dir,
        Err(e) => {
            return fail(
                FailureReason::StartFailed,
                format!(
                    "cannot make a scratch directory in {}: {e}",
                    config.scratch_root.display()
                ),
            )
        }
    };
    let report_path = scratch.path().join(external.report);
    let values = Placeholders {
        target: target.as_arg(),
        report: report_path.display().to_string(),
        scratch: scratch.path().display().to_string(),
        project: config.project.clone(),
    };
    let args: Vec<String> = external.args.iter().map(|a| values.expand(a)).collect();
    let mut command = vec![program.display().to_string()];
    command.extend(args.iter().cloned());
    let env = environment(external, scratch.path(), config);

    let spawn = Spawn {
        program: &program,
        args: &args,
        cwd: scratch.path(),
        env: &env,
        timeout: config.timeout,
        tail_bytes: config.tail_bytes,
    };
    let finished = match process::run(&spawn).await {
        Ok(finished) => finished,
        Err(e) => {
            let mut report = clock.failure(
                adapter,
                FailureReason::StartFailed,
                format!("cannot start {}: {e}", program.display()),
            );
            report.command = command;
            return Outcome::Failed(report);
        }
    };
    // From here on every failure carries what ran and what it printed.
    let failure = |reason, message: String| {
        let mut report = clock.failure(adapter, reason, message);
        report.command = command.clone();
        report.stdout_tail = finished.stdout_tail.clone();
        report.stderr_tail = finished.stderr_tail.clone();
        match finished.exit {
            Exit::Code(code) => report.exit_code = Some(code),
            Exit::Signal(signal) => report.signal = Some(signal),
            Exit::TimedOut => report.signal = Some(nix::sys::signal::Signal::SIGKILL as i32),
        }
        Outcome::Failed(report)
    };
    match finished.exit {
        Exit::Code(code) if external.ok_exit_codes.contains(&code) => {}
        Exit::Code(code) => {
            return failure(
                FailureReason::ExitCode,
                format!("{} exited with code {code}", adapter.name),
            )
        }
        Exit::Signal(signal) => {
            return failure(
                FailureReason::Killed,
                format!("{} was killed by signal {signal}", adapter.name),
            )
        }
        Exit::TimedOut => {
            return failure(
                FailureReason::Timeout,
                format!(
                    "{} ran longer than its timeout of {} s and was killed",
                    adapter.name,
                    config.timeout.as_secs_f64()
                ),
            )
        }
    }
    if external.collect == Collect::SonarQubeApi {
        if let Err(message) =
            sonar_scanner::fetch_results(scratch.path(), &report_path, config).await
        {
            return failure(FailureReason::ScannerError, message);
        }
    }
    match import(&report_path, external.format, config.max_report_bytes).await {
        Ok((findings, warnings)) => clock.completed(adapter, findings, warnings),
        Err((reason, message)) => failure(reason, message),
    }
}

/// Reads and imports the report, off the async threads (a report can be large).
async fn import(
    path: &Path,
    format: &'static str,
    max_bytes: u64,
) -> Result<(Vec<ward_core::Finding>, Vec<String>), (FailureReason, String)> {
    let path: PathBuf = path.to_path_buf();
    let shown = path.display().to_string();
    let read = tokio::task::spawn_blocking(move || {
        let size = match path.metadata() {
            Ok(m) => m.len(),
            Err(_) => {
                return Err((
                    FailureReason::ReportMissing,
                    format!("the tool wrote no report at {}", path.display()),
                ))
            }
        };
        if size > max_bytes {
            return Err((
                FailureReason::ReportUnreadable,
                format!(
                    "the report {} is larger than {max_bytes} bytes",
                    path.display()
                ),
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            (
                FailureReason::ReportUnreadable,
                format!("reading {}: {e}", path.display()),
            )
        })?;
        let imported = ward_formats::import(&bytes, Some(format)).map_err(|e| {
            (
                FailureReason::ReportUnreadable,
                format!("reading {} as {format}: {e}", path.display()),
            )
        })?;
        Ok((imported.parsed.findings, imported.parsed.warnings))
    })
    .await;
    read.unwrap_or_else(|e| {
        Err((
            FailureReason::ReportUnreadable,
            format!("importing {shown} failed: {e}"),
        ))
    })
}

/// The tool's whole environment: `PATH`, `HOME` and `TMPDIR` (the scratch directory), `LANG`,
/// the variables the adapter passes through, then the operator's.
fn environment(
    external: &External,
    scratch: &Path,
    config: &RunConfig,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = vec![
        ("PATH".into(), config.search_path.clone()),
        ("HOME".into(), scratch.into()),
        ("TMPDIR".into(), scratch.into()),
        (
            "LANG".into(),
            std::env::var_os("LANG").unwrap_or_else(|| "C.UTF-8".into()),
        ),
    ];
    let passes = |name: &str| {
        external
            .pass_env
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => name == *pattern,
            })
    };
    for (name, value) in std::env::vars_os() {
        if name.to_str().is_some_and(passes) {
            env.push((name, value));
        }
    }
    for (name, value) in &config.env {
        env.retain(|(n, _)| n != name.as_str());
        env.push((name.into(), value.into()));
    }
    env
}

/// The values of the argument placeholders.
struct Placeholders {
    target: String,
    report: String,
    scratch: String,
    project: String,
}

impl Placeholders {
    /// Replaces `{target}`, `{report}`, `{scratch}` and `{project}` in one pass, so that a
    /// value containing a placeholder's name is never expanded again.
    fn expand(&self, arg: &str) -> String {
        let mut out = String::with_capacity(arg.len());
        let mut rest = arg;
        while let Some(open) = rest.find('{') {
            let (before, from_brace) = rest.split_at(open);
            out.push_str(before);
            let value = [
                ("{target}", &self.target),
                ("{report}", &self.report),
                ("{scratch}", &self.scratch),
                ("{project}", &self.project),
            ]
            .into_iter()
            .find(|(name, _)| from_brace.starts_with(name));
            match value {
                Some((name, value)) => {
                    out.push_str(value);
                    rest = &from_brace[name.len()..];
                }
                None => {
                    out.push('{');
                    rest = &from_brace[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand_once() {
        let values = Placeholders {
            target: "/t/{report}".to_string(),
            report: "/s/out.json".to_string(),
            scratch: "/s".to_string(),
            project: "p".to_string(),
        };
        assert_eq!(values.expand("{target}"), "/t/{report}");
        assert_eq!(values.expand("-o={report}"), "-o=/s/out.json");
        assert_eq!(
            values.expand("{scratch}/x {project} {other} {"),
            "/s/x p {other} {"
        );
    }
}
