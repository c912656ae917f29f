//! `ward import`: any supported reports in, one ward JSON report out.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use ward_core::{Finding, Report, Severity};

use crate::report_writer::ReportWriter;
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
    let mut summary = Summary::default();
    // Findings are written as each importer makes them, never all held at once; the output
    // is still all or nothing (see `write_atomically`).
    output::write_atomically(args.output.as_deref(), |out| {
        let mut writer = ReportWriter::start(out).context("writing the report")?;
        let mut sources = Vec::new();
        for path in &args.files {
            let name = path.display().to_string();
            let bytes = load::read_limited(path, args.max_size)
                .with_context(|| format!("reading {name}"))?;
            if format == Some("ward") || (format.is_none() && load::is_ward_json(&bytes)) {
                let loaded = load::parse(&name, &bytes, format)?;
                for finding in &loaded.report.findings {
                    writer.finding(finding).context("writing the report")?;
                    summary.add(finding);
                }
                sources.extend(loaded.report.sources);
                continue;
            }
            let mut written = Ok(());
            let imported = ward_formats::import_each(&bytes, format, &mut |batch| {
                for finding in &batch {
                    if written.is_ok() {
                        written = writer.finding(finding);
                    }
                    summary.add(finding);
                }
            })
            .with_context(|| format!("reading {name}"))?;
            written.context("writing the report")?;
            drop(bytes);
            print_warnings(&name, &imported.parsed.warnings);
            sources.extend(load::loaded(&name, imported).report.sources);
        }
        summary.n_sources = sources.len();
        writer.finish(&sources).context("writing the report")?;
        Ok(())
    })?;
    if !args.quiet && output::stderr_is_terminal() {
        output::note(&summary.line());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_warnings(name: &str, warnings: &[String]) {
    for warning in warnings.iter().take(MAX_WARNINGS_SHOWN) {
        output::warning(&format!("{name}: {warning}"));
    }
    if warnings.len() > MAX_WARNINGS_SHOWN {
        output::warning(&format!(
            "{name}: {} more warnings",
            warnings.len() - MAX_WARNINGS_SHOWN
        ));
    }
}

/// Counts by severity and tool, gathered while the findings stream past.
#[derive(Default)]
struct Summary {
    by_severity: BTreeMap<Severity, usize>,
    by_tool: BTreeMap<String, usize>,
    n_findings: usize,
    n_sources: usize,
}

impl Summary {
    fn add(&mut self, finding: &Finding) {
        self.n_findings += 1;
        *self.by_severity.entry(finding.severity).or_default() += 1;
        match self.by_tool.get_mut(finding.tool.as_str()) {
            Some(n) => *n += 1,
            None => {
                self.by_tool.insert(finding.tool.clone(), 1);
            }
        }
    }

    /// `12 findings from 2 report(s): 1 critical, 3 high … | Trivy 10, Semgrep 2`.
    fn line(&self) -> String {
        let severities: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|s| self.by_severity.get(s).map(|n| format!("{n} {s}")))
            .collect();
        let tools: Vec<String> = self
            .by_tool
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        let mut line = format!(
            "{} findings from {} report(s)",
            self.n_findings, self.n_sources
        );
        if !severities.is_empty() {
            line.push_str(&format!(
                ": {} | {}",
                severities.join(", "),
                tools.join(", ")
            ));
        }
        line
    }
}

/// The summary line of a whole report (for `ward convert`).
pub(crate) fn summary(report: &Report) -> String {
    let mut summary = Summary {
        n_sources: report.sources.len(),
        ..Summary::default()
    };
    for finding in &report.findings {
        summary.add(finding);
    }
    summary.line()
}
