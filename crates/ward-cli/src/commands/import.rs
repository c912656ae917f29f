//! `ward import`: any supported reports in, one ward JSON report out.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ward_core::{Report, Severity};

use crate::{load, output};

/// Warnings printed per input file before the rest are only counted.
const MAX_WARNINGS_SHOWN: usize = 10;

/// Arguments of `ward import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Report files to read (`-` for stdin).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The input format (`auto` detects it from the content; see `ward formats`).
    #[arg(long, short, default_value = "auto", value_name = "FORMAT")]
    format: String,
    /// Write the report here instead of stdout. Written only if every input was read.
    #[arg(long, short, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, default_value_t = load::DEFAULT_MAX_SIZE, value_name = "BYTES")]
    max_size: u64,
    /// Print no summary.
    #[arg(long, short)]
    quiet: bool,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let format = load::check_format(&args.format)?;
    let mut report = Report::default();
    for path in &args.files {
        let loaded = load::load(path, format, args.max_size)?;
        let name = path.display().to_string();
        for warning in loaded.warnings.iter().take(MAX_WARNINGS_SHOWN) {
            output::warning(&format!("{name}: {warning}"));
        }
        if loaded.warnings.len() > MAX_WARNINGS_SHOWN {
            output::warning(&format!(
                "{name}: {} more warnings",
                loaded.warnings.len() - MAX_WARNINGS_SHOWN
            ));
        }
        report.sources.extend(loaded.report.sources);
        report.findings.extend(loaded.report.findings);
    }
    output::write_atomically(args.output.as_deref(), |out| {
        serde_json::to_writer_pretty(&mut *out, &report).context("writing the report")?;
        out.write_all(b"\n").context("writing the report")?;
        Ok(())
    })?;
    if !args.quiet && output::stderr_is_terminal() {
        output::note(&summary(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// `12 findings: 1 critical, 3 high … | Trivy 10, Semgrep 2`.
pub(crate) fn summary(report: &Report) -> String {
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut by_tool: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &report.findings {
        *by_severity.entry(finding.severity).or_default() += 1;
        *by_tool.entry(finding.tool.as_str()).or_default() += 1;
    }
    let severities: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| by_severity.get(s).map(|n| format!("{n} {s}")))
        .collect();
    let tools: Vec<String> = by_tool.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let mut line = format!(
        "{} findings from {} report(s)",
        report.findings.len(),
        report.sources.len()
    );
    if !severities.is_empty() {
        line.push_str(&format!(": {}", severities.join(", ")));
        line.push_str(&format!(" | {}", tools.join(", ")));
    }
    line
}
