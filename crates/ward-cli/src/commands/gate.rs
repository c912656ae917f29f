//! `ward gate`: apply the policy to reports and pass (0) or fail (1) the pipeline.
#![allow(clippy::print_stdout)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};
use ward_policy::{Date, Policy, Verdict};

use crate::{load, output};

/// Arguments of `ward gate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Reports to judge: ward JSON or any format `ward import` reads.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The policy file (default: ./ward.toml if it exists, else: fail on any high or critical).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// A baseline report: findings it already has are not new.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline_ref")]
    baseline: Option<PathBuf>,
    /// Read the baseline report from this git ref (the policy's `baseline_file`, by default
    /// ward-report.json, as committed there).
    #[arg(long, value_name = "REF")]
    baseline_ref: Option<String>,
    /// The input format (`auto` detects it).
    #[arg(long, short, default_value = "auto", value_name = "FORMAT")]
    format: String,
    /// Judge as if today were this date (YYYY-MM-DD), for suppression expiry.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, default_value_t = load::DEFAULT_MAX_SIZE, value_name = "BYTES")]
    max_size: u64,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{text:?} is not a date such as 2027-01-31"))
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let format = load::check_format(&args.format)?;
    let policy = read_policy(args.policy.as_deref())?;
    let mut findings = Vec::new();
    for path in &args.files {
        match load::load(path, format, args.max_size) {
            Ok(loaded) => findings.extend(loaded.report.findings),
            Err(error) if may_fail(&policy, path, format) => {
                output::warning(&format!(
                    "{} could not be read and is allowed to fail: {error:#}",
                    path.display()
                ));
            }
            Err(error) => return Err(error),
        }
    }
    let baseline = baseline(args, &policy)?;
    if policy.new_only && baseline.is_none() {
        output::warning("the policy counts only new findings, but no --baseline was given: every finding counts");
    }
    let today = args.today.unwrap_or_else(today);
    let verdict = ward_policy::evaluate(&policy, &findings, baseline.as_ref(), today);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&verdict.to_json())?);
    } else {
        print!("{}", describe(&verdict));
    }
    Ok(if verdict.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn read_policy(path: Option<&Path>) -> anyhow::Result<Policy> {
    let default = Path::new("ward.toml");
    let path = match path {
        Some(path) => path,
        None if default.is_file() => default,
        None => return Ok(Policy::default()),
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Policy::from_toml(&text).with_context(|| format!("{}", path.display()))
}

/// Whether a report that failed to load is allowed to: its path matches an `allow_failure`
/// glob, or its forced format is listed.
fn may_fail(policy: &Policy, path: &Path, format: Option<&str>) -> bool {
    let text = path.to_string_lossy();
    policy.allow_failure.iter().any(|pattern| {
        format == Some(pattern.as_str())
            || globset::Glob::new(pattern)
                .is_ok_and(|g| g.compile_matcher().is_match(text.as_ref()))
    })
}

fn baseline(args: &Args, policy: &Policy) -> anyhow::Result<Option<BTreeSet<String>>> {
    let loaded = if let Some(path) = &args.baseline {
        load::load(path, None, args.max_size)?
    } else if let Some(reference) = &args.baseline_ref {
        let spec = format!("{reference}:{}", policy.baseline_file);
        let out = Command::new("git")
            .args(["show", &spec])
            .output()
            .context("running git show for --baseline-ref")?;
        if !out.status.success() {
            bail!(
                "reading the baseline {spec} from git: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        load::parse(&spec, &out.stdout, None)?
    } else {
        return Ok(None);
    };
    Ok(Some(
        loaded
            .report
            .findings
            .into_iter()
            .map(|f| f.fingerprint)
            .collect(),
    ))
}

/// Today (UTC), for suppression expiry.
pub(crate) fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Date::from_unix_seconds(seconds)
}

pub(crate) fn describe(verdict: &Verdict) -> String {
    let mut text = String::new();
    text.push_str(if verdict.passed {
        "ward gate: passed\n"
    } else {
        "ward gate: FAILED\n"
    });
    for v in &verdict.violations {
        text.push_str(&format!(
            "  fail: {} {} (at most {} allowed)\n",
            v.count, v.rule, v.max
        ));
        for title in &v.examples {
            text.push_str(&format!("        - {title}\n"));
        }
        if v.count > v.examples.len() {
            text.push_str(&format!(
                "        … and {} more\n",
                v.count - v.examples.len()
            ));
        }
    }
    for s in &verdict.expired {
        text.push_str(&format!(
            "  expired: the suppression at line {} ({}) expired on {}; its {} finding(s) count again\n",
            s.line, s.what, s.expires, s.n_findings
        ));
    }
    for s in &verdict.suppressed {
        text.push_str(&format!(
            "  suppressed: {} finding(s) by line {} ({}) until {}: {}\n",
            s.n_findings, s.line, s.what, s.expires, s.reason
        ));
    }
    text.push_str(&format!(
        "  counted {} finding(s); {} closed in the report; {} already in the baseline; {} fixed since the baseline\n",
        verdict.n_counted, verdict.n_closed, verdict.n_in_baseline, verdict.n_fixed
    ));
    text
}
