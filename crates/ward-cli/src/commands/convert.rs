//! `ward convert`: reports in (any importable format or ward JSON), one export format out.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::builder::PossibleValuesParser;
use ward_core::{Report, Severity};
use ward_export::time::UtcTime;
use ward_export::{CycloneDxVersion, JunitGrouping, Options, SonarqubeFormat};
use ward_policy::ExportSettings;

use crate::commands::import::summary;
use crate::{load, output};

/// Warnings printed per input file before the rest are only counted.
const MAX_WARNINGS_SHOWN: usize = 10;

/// Arguments of `ward convert`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Report files to read (`-` for stdin): any format `ward import` reads, or ward JSON.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The output format; `gitlab` writes every GitLab report type that has findings into the
    /// directory given with -o.
    #[arg(long, value_name = "FORMAT", value_parser = to_values())]
    to: String,
    /// Write here instead of stdout (a directory with `--to gitlab`). Written only if every
    /// input was read.
    #[arg(long, short, value_name = "OUT")]
    output: Option<PathBuf>,
    /// With `--to gitlab`: write all five report files, also those without findings.
    #[arg(long)]
    all: bool,
    /// The input format (`auto` detects it; `ward` forces ward JSON; see `ward formats`).
    #[arg(long, short, default_value = "auto", value_name = "FORMAT")]
    format: String,
    /// Refuse inputs larger than this many bytes.
    #[arg(long, default_value_t = 1536 * 1024 * 1024, value_name = "BYTES")]
    max_size: u64,
    /// An earlier report (any input format); the Markdown comment then shows new, fixed and
    /// unchanged findings.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// The scan time to stamp (RFC 3339). Default: the earliest time the inputs carry, else
    /// $SOURCE_DATE_EPOCH, else now.
    #[arg(long, value_name = "TIME")]
    scan_time: Option<String>,
    /// GitLab security report schema version to declare.
    #[arg(long, value_name = "VERSION")]
    gitlab_schema_version: Option<String>,
    /// Security Hub product ARN [default: arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default].
    #[arg(long, value_name = "ARN")]
    asff_product_arn: Option<String>,
    /// AWS account (12 digits) the ASFF findings are imported into.
    #[arg(long, value_name = "ID")]
    aws_account_id: Option<String>,
    /// AWS region of the Security Hub the ASFF findings are imported into.
    #[arg(long, value_name = "REGION")]
    aws_region: Option<String>,
    /// CycloneDX specification version.
    #[arg(long, default_value = "1.6", value_parser = PossibleValuesParser::new(CycloneDxVersion::NAMES))]
    cyclonedx_version: String,
    /// SonarQube generic issue format: `10.3` (rules and issues) or `legacy` (before 10.3).
    #[arg(long, default_value = "10.3", value_parser = PossibleValuesParser::new(SonarqubeFormat::NAMES))]
    sonarqube_format: String,
    /// JUnit: one test case per finding or per rule.
    #[arg(long, default_value = "finding", value_parser = PossibleValuesParser::new(JunitGrouping::NAMES))]
    junit_per: String,
    /// JUnit: open findings at or above this severity are failures; the others pass.
    #[arg(long, default_value = "info", value_parser = PossibleValuesParser::new(["critical", "high", "medium", "low", "info"]))]
    junit_fail_on: String,
    /// Print no summary.
    #[arg(long, short)]
    quiet: bool,
    /// The config whose `[export]` table gives defaults for the options above (default:
    /// ./ward.toml if it exists). Flags win over it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

fn to_values() -> PossibleValuesParser {
    let mut values: Vec<&'static str> = vec!["gitlab"];
    values.extend(ward_export::EXPORTERS.iter().map(|e| e.id()));
    PossibleValuesParser::new(values)
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let format = load::check_format(&args.format)?;
    if args.all && args.to != "gitlab" {
        bail!("--all goes with --to gitlab");
    }
    let mut report = Report::default();
    for path in &args.files {
        let loaded = load::load(path, format, args.max_size)?;
        print_warnings(path, &loaded.warnings);
        report.findings.extend(loaded.report.findings);
        report.sources.extend(loaded.report.sources);
    }
    let baseline = match &args.baseline {
        Some(path) => {
            let loaded = load::load(path, None, args.max_size)
                .with_context(|| format!("reading the baseline {}", path.display()))?;
            print_warnings(path, &loaded.warnings);
            Some(loaded.report)
        }
        None => None,
    };
    let options = options(args, &report, baseline)?;
    if args.to == "gitlab" {
        return write_gitlab(args, &report, &options);
    }
    let exporter = ward_export::exporter(&args.to).context("unknown output format")?;
    let mut outcome = None;
    output::write_atomically(args.output.as_deref(), |out| {
        outcome = Some(exporter.write(&report, &options, out)?);
        Ok(())
    })
    .with_context(|| format!("converting to {}", exporter.id()))?;
    for warning in outcome.map(|o| o.warnings).unwrap_or_default() {
        output::warning(&format!("{}: {warning}", exporter.id()));
    }
    if !args.quiet && output::stderr_is_terminal() {
        output::note(&summary(&report));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_warnings(path: &Path, warnings: &[String]) {
    let name = path.display();
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

/// Used when neither a flag nor `[export]` in ward.toml sets them.
const DEFAULT_GITLAB_SCHEMA_VERSION: &str = "15.2.1";
const DEFAULT_AWS_ACCOUNT_ID: &str = "000000000000";
const DEFAULT_AWS_REGION: &str = "us-east-1";

/// The `[export]` table of the config file (`--config`, else ./ward.toml if it exists).
fn export_settings(args: &Args) -> anyhow::Result<ExportSettings> {
    let default = Path::new("ward.toml");
    let path = match args.config.as_deref() {
        Some(path) => path,
        None if default.is_file() => default,
        None => return Ok(ExportSettings::default()),
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    ExportSettings::from_toml(&text).with_context(|| format!("{}", path.display()))
}

fn options(args: &Args, report: &Report, baseline: Option<Report>) -> anyhow::Result<Options> {
    let settings = export_settings(args)?;
    let junit_fail_on = Severity::from_label(&args.junit_fail_on)
        .with_context(|| format!("unknown severity `{}`", args.junit_fail_on))?;
    let mut options = Options {
        scan_time: args.scan_time.clone(),
        ward_version: env!("CARGO_PKG_VERSION").to_string(),
        gitlab_schema_version: args
            .gitlab_schema_version
            .clone()
            .or(settings.gitlab_schema_version)
            .unwrap_or_else(|| DEFAULT_GITLAB_SCHEMA_VERSION.to_string()),
        asff_product_arn: args.asff_product_arn.clone().or(settings.asff_product_arn),
        aws_account_id: args
            .aws_account_id
            .clone()
            .or(settings.aws_account_id)
            .unwrap_or_else(|| DEFAULT_AWS_ACCOUNT_ID.to_string()),
        aws_region: args
            .aws_region
            .clone()
            .or(settings.aws_region)
            .unwrap_or_else(|| DEFAULT_AWS_REGION.to_string()),
        cyclonedx_version: args
            .cyclonedx_version
            .parse()
            .map_err(|e| parse_error("--cyclonedx-version", e))?,
        sonarqube_format: args
            .sonarqube_format
            .parse()
            .map_err(|e| parse_error("--sonarqube-format", e))?,
        junit_grouping: args
            .junit_per
            .parse()
            .map_err(|e| parse_error("--junit-per", e))?,
        junit_fail_on,
        baseline,
    };
    // Exporters never read the clock; when neither the flag nor the inputs say when the scan
    // ran, it is now (or $SOURCE_DATE_EPOCH, for reproducible pipelines).
    if options.scan_time.is_none() && options.time(report)? == UtcTime::EPOCH {
        options.scan_time = Some(default_time()?.rfc3339());
    }
    options.time(report)?;
    Ok(options)
}

fn parse_error(flag: &str, error: String) -> anyhow::Error {
    anyhow::anyhow!("{flag}: {error}")
}

pub(crate) fn default_time() -> anyhow::Result<UtcTime> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"))?;
        return Ok(UtcTime::from_unix(seconds));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    Ok(UtcTime::from_unix(
        i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
    ))
}

/// `--to gitlab -o DIR`: GitLab's standard artifact files.
fn write_gitlab(args: &Args, report: &Report, options: &Options) -> anyhow::Result<ExitCode> {
    let Some(dir) = args.output.as_deref().filter(|d| d.as_os_str() != "-") else {
        bail!("--to gitlab writes several files: name their directory with -o DIR");
    };
    if dir.exists() && !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let artifacts = ward_export::gitlab_artifacts(report, options, args.all)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for artifact in &artifacts {
        let path = dir.join(artifact.file_name);
        output::write_atomically(Some(&path), |out| {
            out.write_all(&artifact.bytes)
                .with_context(|| format!("writing {}", path.display()))
        })?;
    }
    if !args.quiet && output::stderr_is_terminal() {
        for artifact in &artifacts {
            output::note(&format!(
                "wrote {} ({} findings)",
                dir.join(artifact.file_name).display(),
                artifact.n_findings
            ));
        }
        if artifacts.is_empty() {
            output::note("no findings: no GitLab report written (--all writes empty ones)");
        }
    }
    Ok(ExitCode::SUCCESS)
}
