//! `ward scan`: runs ward's own scanners (`secrets` on a directory, a file, stdin, the staged
//! changes or the git history; `deps` on the lockfiles of a directory against the offline OSV
//! database; `iac` on the CloudFormation, Terraform, Kubernetes, Dockerfile and compose files
//! of a directory; with `--sbom FILE`, the packages of an existing CycloneDX or SPDX SBOM
//! against that database), applies the policy's suppressions (findings they match stay in the
//! report, marked accepted) and writes one ward JSON report (or, with `--to`, any export format).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::builder::PossibleValuesParser;
use ward_core::{Finding, Report, Source};
use ward_export::Options;
use ward_policy::{Policy, Suppressed};
use ward_secrets::walk::{WalkConfig, DEFAULT_MAX_FILE_SIZE};
use ward_secrets::{salt, Rule, Scanner};

mod remote;

use crate::commands::convert::default_time;
use crate::commands::import::summary;
use crate::output;
use crate::report_writer::ReportWriter;

/// The scanners `--scanners` accepts. Each is one library crate; add a name here and a branch
/// in `run` to add one.
const SCANNERS: &[&str] = &["secrets", "deps", "iac"];

/// Arguments of `ward scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The directory or file to scan (`-` for stdin).
    #[arg(default_value = ".", value_name = "PATH")]
    path: PathBuf,
    /// Comma-separated scanners to run (default: secrets,deps,iac; deps is skipped with a
    /// warning when no advisory database exists, see `ward db`).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    scanners: Option<Vec<String>>,
    /// The advisory database for `deps` (default: $WARD_DB, else $XDG_DATA_HOME/ward/osv.db).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Warn when the advisory database is older than this (`7d`, `36h`; `0` never warns;
    /// default: $WARD_DB_MAX_AGE, else 7 days).
    #[arg(long, value_name = "AGE")]
    max_db_age: Option<String>,
    /// Scan this CycloneDX (JSON 1.2-1.6) or SPDX (JSON 2.2/2.3) SBOM's packages against the
    /// advisory database instead of a directory.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["scanners", "staged", "git_history"])]
    sbom: Option<PathBuf>,
    /// Write the report here instead of stdout. Written only if the scan completed.
    #[arg(long, short, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Write this export format instead of ward JSON (see `ward convert --to`).
    #[arg(long, value_name = "FORMAT", value_parser = to_values())]
    to: Option<String>,
    /// Scan only the lines added by the staged changes of the git repository at PATH.
    #[arg(long, conflicts_with = "git_history")]
    staged: bool,
    /// Scan the lines each commit of the git history added (from HEAD back).
    #[arg(long)]
    git_history: bool,
    /// With --git-history: stop at this commit (excluded), e.g. `origin/main`.
    #[arg(long, value_name = "REF", requires = "git_history")]
    since: Option<String>,
    /// Rules: a file of ward rules (added to the built-in rules) or a gitleaks config (its
    /// rules replace the built-in ones unless it says `[extend] useDefault = true`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The ward.toml whose `[[suppress]]` entries mark findings as accepted and whose
    /// `[scan.secrets]` gives custom rules and the hash salt (default: ward.toml in PATH, else
    /// in the current directory).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    max_file_size: u64,
    /// Print no summary and no progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Run the scan on a ward server (`http://host:port`) instead: PATH is sent as a tar.gz
    /// archive (.gitignore respected; or --git, --image), the command waits for the job,
    /// downloads the report, writes it as a local scan would and gates it with the policy
    /// (exit 1 when the gate fails, 3 when the scan job failed, 2 on any other error).
    #[arg(long, value_name = "URL", conflicts_with_all = ["sbom", "staged", "git_history", "config", "db"])]
    remote: Option<String>,
    /// The API key (scope `import`) for --remote.
    #[arg(long, env = "WARD_API_KEY", hide_env_values = true, value_name = "KEY")]
    api_key: Option<String>,
    /// With --remote: scan this git repository (cloned by the worker) instead of PATH.
    #[arg(
        long,
        value_name = "URL",
        requires = "remote",
        conflicts_with = "image"
    )]
    git: Option<String>,
    /// With --git: the branch, tag or commit to scan [default: the default branch].
    #[arg(long = "ref", value_name = "REF", requires = "git")]
    git_ref: Option<String>,
    /// With --remote: scan this image tarball (`docker save`) instead of PATH.
    #[arg(long, value_name = "TARBALL", requires = "remote")]
    image: Option<PathBuf>,
    /// With --remote: the product the findings are imported into (created when missing).
    #[arg(long, value_name = "NAME", requires = "remote")]
    product: Option<String>,
    /// With --remote: the engagement the findings are imported into (created when missing).
    #[arg(long, value_name = "NAME", requires = "remote")]
    engagement: Option<String>,
    /// With --remote: how long to wait for the job, in seconds.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    timeout: u64,
}

fn to_values() -> PossibleValuesParser {
    PossibleValuesParser::new(ward_export::EXPORTERS.iter().map(|e| e.id()))
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(server) = &args.remote {
        return remote::run(args, server);
    }
    let explicit = args.scanners.is_some();
    let scanners: Vec<&str> = match &args.scanners {
        Some(list) => list.iter().map(|s| s.trim()).collect(),
        None => SCANNERS.to_vec(),
    };
    for name in &scanners {
        if !SCANNERS.contains(name) {
            bail!("unknown scanner `{name}` (known: {})", SCANNERS.join(", "));
        }
    }
    let not_a_tree = args.path.as_os_str() == "-" || args.staged || args.git_history;
    if explicit && not_a_tree && scanners.contains(&"deps") {
        bail!("the deps scanner reads the lockfiles of a directory, not stdin, --staged or --git-history");
    }
    if explicit && not_a_tree && scanners.contains(&"iac") {
        bail!("the iac scanner reads files and directories, not stdin, --staged or --git-history");
    }
    let settings = Settings::read(args)?;
    let mut findings = Vec::new();
    let mut sources = Vec::new();
    if let Some(sbom) = &args.sbom {
        findings.extend(scan_sbom(args, sbom)?);
        sources.push("sbom");
    } else if scanners.contains(&"secrets") {
        findings.extend(scan_secrets(args, &settings)?);
        sources.push("secrets");
    }
    if scanners.contains(&"deps") && !not_a_tree && args.sbom.is_none() {
        if let Some(found) = scan_deps(args, explicit)? {
            findings.extend(found);
            sources.push("deps");
        }
    }
    if scanners.contains(&"iac") && !not_a_tree && args.sbom.is_none() {
        findings.extend(scan_iac(args)?);
        sources.push("iac");
    }
    let scan_time = default_time()?.rfc3339();
    for f in &mut findings {
        f.scan_time = Some(scan_time.clone());
    }
    let suppressed = ward_policy::suppress(
        &settings.policy,
        &mut findings,
        crate::commands::gate::today(),
    );
    let policy_name = settings.name();
    for s in &suppressed.expired {
        output::warning(&format!(
            "{policy_name} line {}: the suppression ({}) expired on {}; its {} finding(s) stay open",
            s.line, s.what, s.expires, s.n_findings
        ));
    }
    let report = Report {
        findings,
        sources: sources
            .into_iter()
            .map(|scanner| Source {
                tool: ward_secrets::TOOL.to_string(),
                // Which of ward's own scanners produced the findings.
                format: scanner.to_string(),
                file: args
                    .sbom
                    .as_ref()
                    .unwrap_or(&args.path)
                    .display()
                    .to_string(),
                scan_time: Some(scan_time.clone()),
            })
            .collect(),
    };
    write_report(args, &report, scan_time)?;
    if !args.quiet && output::stderr_is_terminal() {
        output::note(&describe(&report, &suppressed, &policy_name));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the report where the arguments say: ward JSON, or `--to` an export format, to
/// `--output` or stdout, all or nothing.
fn write_report(args: &Args, report: &Report, scan_time: String) -> anyhow::Result<()> {
    match &args.to {
        None => output::write_atomically(args.output.as_deref(), |out| {
            let mut writer = ReportWriter::start(out).context("writing the report")?;
            for f in &report.findings {
                writer.finding(f).context("writing the report")?;
            }
            writer.finish(&report.sources).context("writing the report")
        })?,
        Some(to) => {
            let exporter = ward_export::exporter(to).context("unknown output format")?;
            let options = Options {
                scan_time: Some(scan_time),
                ward_version: env!("CARGO_PKG_VERSION").to_string(),
                ..Options::default()
            };
            let mut outcome = None;
            output::write_atomically(args.output.as_deref(), |out| {
                outcome = Some(exporter.write(report, &options, out)?);
                Ok(())
            })
            .with_context(|| format!("writing {}", exporter.id()))?;
            for warning in outcome.map(|o| o.warnings).unwrap_or_default() {
                output::warning(&format!("{}: {warning}", exporter.id()));
            }
        }
    }
    Ok(())
}

/// The summary of the open findings, then what the policy suppressed.
fn describe(report: &Report, suppressed: &Suppressed, policy_name: &str) -> String {
    let open = Report {
        findings: report
            .findings
            .iter()
            .filter(|f| f.status.is_open())
            .cloned()
            .collect(),
        sources: report.sources.clone(),
    };
    let mut text = summary(&open);
    let n_suppressed: usize = suppressed.used.iter().map(|s| s.n_findings).sum();
    if n_suppressed > 0 {
        text.push_str(&format!(
            "\n{n_suppressed} more suppressed by {policy_name} (kept in the report, marked accepted):"
        ));
        for s in &suppressed.used {
            text.push_str(&format!(
                "\n  {} by line {} ({}) until {}: {}",
                s.n_findings, s.line, s.what, s.expires, s.reason
            ));
        }
    }
    text
}

/// What the policy file (ward.toml) says for a scan.
struct Settings {
    /// The file, if there is one.
    path: Option<PathBuf>,
    /// Its suppressions (and gate rules, unused here).
    policy: Policy,
    /// Its `[scan.secrets]` table: custom rules and the salt.
    secrets: ward_secrets::WardTomlSettings,
}

impl Settings {
    /// Reads `--policy`, else ward.toml in PATH, else in the current directory, as `ward gate`
    /// would read it: a bad file is an error naming its line.
    fn read(args: &Args) -> anyhow::Result<Settings> {
        let Some(path) = ward_toml(args) else {
            return Ok(Settings {
                path: None,
                policy: Policy::default(),
                secrets: ward_secrets::WardTomlSettings::default(),
            });
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let policy = Policy::from_toml(&text).with_context(|| format!("{}", path.display()))?;
        let secrets = ward_secrets::ward_toml_settings(&path.display().to_string(), &text)?;
        Ok(Settings {
            path: Some(path),
            policy,
            secrets,
        })
    }

    /// The file's name for messages.
    fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "the policy".to_string(), |p| p.display().to_string())
    }
}

/// Runs the secret scanner on what the arguments name.
fn scan_secrets(args: &Args, settings: &Settings) -> anyhow::Result<Vec<Finding>> {
    let scanner = Scanner::new(secret_rules(args, settings)?, secret_salt(args, settings)?);
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    Ok(if args.path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
        let mut found = scanner.scan_bytes("-", &bytes);
        ward_secrets::finish(&mut found);
        found
    } else if args.staged {
        ward_secrets::git::scan_staged(&scanner, &args.path, args.max_file_size)
            .context("scanning the staged changes")?
    } else if args.git_history {
        let bar = progress_bar(show_progress, None, "commits");
        let found = ward_secrets::git::scan_history(
            &scanner,
            &args.path,
            args.since.as_deref(),
            args.max_file_size,
            &|n| bar.inc(n),
        )
        .context("scanning the git history")?;
        bar.finish_and_clear();
        found
    } else {
        let bar = progress_bar(show_progress, None, "bytes");
        let config = WalkConfig {
            max_file_size: args.max_file_size,
            threads: 0,
        };
        let (found, stats) =
            ward_secrets::walk::scan_dir(&scanner, &args.path, &config, &|n| bar.inc(n))
                .with_context(|| format!("scanning {}", args.path.display()))?;
        bar.finish_and_clear();
        for error in stats.errors.iter().take(10) {
            output::warning(error);
        }
        found
    })
}

/// Runs the dependency scanner on the lockfiles under the path. Without a database it is an
/// error when asked for by name, else a warning and `None`.
fn scan_deps(args: &Args, explicit: bool) -> anyhow::Result<Option<Vec<Finding>>> {
    let Some(db) = open_database(args, explicit)? else {
        return Ok(None);
    };
    let scan = ward_deps::scan(&args.path, &db);
    for warning in &scan.warnings {
        output::warning(warning);
    }
    let mut findings = scan.findings;
    ward_core::fingerprint::assign(&mut findings);
    Ok(Some(findings))
}

/// Scans the packages an SBOM lists (an SBOM ward cannot read is an error naming the file
/// and the field).
fn scan_sbom(args: &Args, sbom: &Path) -> anyhow::Result<Vec<Finding>> {
    let Some(db) = open_database(args, true)? else {
        return Ok(Vec::new());
    };
    let scan = ward_deps::scan_sbom(sbom, &db)?;
    for warning in &scan.warnings {
        output::warning(warning);
    }
    let mut findings = scan.findings;
    ward_core::fingerprint::assign(&mut findings);
    Ok(findings)
}

/// Opens the advisory database and prints its staleness warning. A missing database is an
/// error when `required`, else a warning and `None`.
fn open_database(args: &Args, required: bool) -> anyhow::Result<Option<ward_osv::Database>> {
    let path = crate::commands::db::database_path(args.db.as_deref())?;
    if !path.exists() {
        let message = format!(
            "no advisory database at {} (load one with `ward db import DIR` or `ward db update`)",
            path.display()
        );
        if required {
            bail!("{message}");
        }
        output::warning(&format!("{message}; dependency scan skipped"));
        return Ok(None);
    }
    let db =
        ward_osv::Database::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let max_age =
        ward_osv::staleness::max_age(args.max_db_age.as_deref()).map_err(anyhow::Error::msg)?;
    if let Some(warning) = db.staleness_warning(std::time::SystemTime::now(), max_age) {
        output::warning(&warning);
    }
    Ok(Some(db))
}

/// Runs the infrastructure-as-code scanner on the path; files it cannot parse are warnings.
fn scan_iac(args: &Args) -> anyhow::Result<Vec<Finding>> {
    let config = ward_iac::Config {
        max_file_size: args.max_file_size,
        threads: 0,
    };
    let scan = ward_iac::scan(&args.path, &config)?;
    for warning in &scan.warnings {
        output::warning(warning);
    }
    Ok(scan.findings)
}

/// The built-in rules, or with `--config` a gitleaks config's (built on the built-in rules
/// only if it extends the default) or the built-in ones plus a file of ward rules; then the
/// `[[scan.secrets.rules]]` of ward.toml.
fn secret_rules(args: &Args, settings: &Settings) -> anyhow::Result<Vec<Rule>> {
    let mut rules = match &args.config {
        None => ward_secrets::builtin_rules(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let name = path.display().to_string();
            // ward's own rule format has `title`; anything else is read as gitleaks' format.
            match ward_secrets::parse_ward_rules(&name, &text) {
                Ok(custom) => {
                    let mut rules = ward_secrets::builtin_rules();
                    rules.extend(custom);
                    rules
                }
                Err(_) => {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    let config = ward_secrets::parse_gitleaks_config(&name, &text, dir)?;
                    for w in &config.warnings {
                        output::warning(w);
                    }
                    config.rules
                }
            }
        }
    };
    rules.extend(settings.secrets.rules.iter().cloned());
    Ok(rules)
}

/// The salt of the secret hashes: `$WARD_SECRET_SALT`, else `[scan.secrets] salt`, else derived
/// from the user's key file and the project's root (created on first use), so that re-scans
/// give the same hashes; a random salt, with a warning, only if the key file cannot be used.
fn secret_salt(args: &Args, settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(salt) = std::env::var_os("WARD_SECRET_SALT").filter(|s| !s.is_empty()) {
        return Ok(salt.to_string_lossy().into_owned().into_bytes());
    }
    if let Some(salt) = &settings.secrets.salt {
        return Ok(salt.clone());
    }
    let key = salt::default_key_path()
        .context("no data directory (set XDG_DATA_HOME or HOME)")
        .and_then(|path| salt::load_or_create_key(&path).map_err(anyhow::Error::from));
    match key {
        Ok(key) => {
            let project = if args.path.as_os_str() == "-" {
                Path::new(".")
            } else {
                args.path.as_path()
            };
            Ok(salt::project_salt(&key, &salt::project_root(project)))
        }
        Err(e) => {
            output::warning(&format!(
                "{e:#}; secret hashes use a random salt and will differ from run to run \
                 (set WARD_SECRET_SALT to keep them stable)"
            ));
            Ok(salt::random_salt()?)
        }
    }
}

/// `--policy`, else ward.toml in the scanned directory, else in the current one.
fn ward_toml(args: &Args) -> Option<PathBuf> {
    if let Some(p) = &args.policy {
        return Some(p.clone());
    }
    let here = PathBuf::from("ward.toml");
    let in_path = if args.path == Path::new(".") {
        here.clone()
    } else {
        args.path.join("ward.toml")
    };
    [in_path, here].into_iter().find(|p| p.is_file())
}

fn progress_bar(show: bool, len: Option<u64>, unit: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if unit == "bytes" {
        "{spinner} scanning {bytes} ({bytes_per_sec}) {elapsed}"
    } else {
        "{spinner} scanning {pos} commits {elapsed}"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
