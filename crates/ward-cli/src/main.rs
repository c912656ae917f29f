//! The `ward` binary: parses the command line, runs a subcommand, prints, and picks the exit
//! code (0 ok, 1 policy failed, 2 error; 3 when a `ward scan --remote` job failed). The work
//! itself lives in the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod load;
mod output;
mod report_writer;

/// mimalloc: a server page allocates many small objects (rows, JSON values), where glibc's
/// allocator took a fifth of the CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// ward: a DevSecOps security hub. Scans, converts scanner reports, gates pipelines.
#[derive(Debug, Parser)]
#[command(name = "ward", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read scanner reports of any supported format and write one ward JSON report.
    ///
    /// The format of each file is detected from its content (not its name) unless --format
    /// names it. The report goes to stdout or -o FILE; a summary goes to stderr on a terminal.
    Import(commands::import::Args),
    /// Convert reports (any format `ward import` reads, or ward JSON) to a CI or dashboard
    /// format: GitLab security reports, SARIF, ASFF, JUnit, CycloneDX, SonarQube, HTML,
    /// Markdown, CSV or ward JSON.
    ///
    /// `--to gitlab -o DIR` writes GitLab's standard artifact files into DIR, one per report
    /// type that has findings (all five with --all).
    Convert(Box<commands::convert::Args>),
    /// List the supported input formats and the DefectDojo scan types they stand for.
    Formats(commands::formats::Args),
    /// Decide whether the pipeline passes: exit 0 (pass), 1 (the policy is violated), 2 (error).
    ///
    /// The policy (ward.toml) sets which findings fail the build per category and severity,
    /// whether only findings new against a baseline count, and suppressions with a reason and
    /// an expiry date.
    Gate(commands::gate::Args),
    /// Manage the offline OSV advisory database used by dependency scanning: `import` OSV
    /// folders or zips, `update` from OSV's exports, `info`.
    Db(commands::db::Args),
    /// Write a CycloneDX SBOM (1.5 or 1.6 JSON) of the packages in the lockfiles under PATH:
    /// purls, versions, hashes and licences where the lockfiles record them, and the
    /// dependency graph.
    Sbom(commands::sbom::Args),
    /// Scan a directory, a file, stdin (`-`), the staged changes or the git history with
    /// ward's own scanners (`--scanners secrets`) and write one ward JSON report (or `--to`
    /// any export format).
    ///
    /// Found secrets are reported masked and hashed with a salt ($WARD_SECRET_SALT, else
    /// `[scan.secrets] salt` in ward.toml, else random per report), never in clear. A line
    /// with `ward:allow` is never reported.
    ///
    /// With `--remote URL` the scan runs on a ward server's workers instead, and the report is
    /// gated as `ward gate` would: exit 0 pass, 1 policy violated, 2 error, 3 the job failed.
    Scan(Box<commands::scan::Args>),
    /// Run the findings server: the native JSON API, the DefectDojo-compatible import API
    /// (`/api/v2/import-scan/`), /healthz, /readyz, /metrics and /openapi.json.
    ///
    /// The store is a SQLite file in --data-dir unless --database names a PostgreSQL
    /// (`postgres://…`) database; migrations run at start. Ctrl-c or SIGTERM stops it after
    /// the requests in flight.
    Serve(commands::serve::Args),
    /// Administer the server's store: API keys, products, dashboard users.
    Admin(commands::admin::Args),
    /// Send reports to a ward server (`--server URL --product P --engagement E`), one
    /// import per file.
    Upload(Box<commands::upload::Args>),
    /// Run scan jobs from the server's queue (the same --data-dir/--database as `ward serve`,
    /// and --storage for uploads and reports). Many workers may share a PostgreSQL queue;
    /// ctrl-c or SIGTERM stops one after its current job (or releases the job).
    Worker(commands::worker::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Import(args) => commands::import::run(&args),
        Command::Convert(args) => commands::convert::run(&args),
        Command::Formats(args) => commands::formats::run(&args),
        Command::Gate(args) => commands::gate::run(&args),
        Command::Db(args) => commands::db::run(&args),
        Command::Sbom(args) => commands::sbom::run(&args),
        Command::Scan(args) => commands::scan::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Admin(args) => commands::admin::run(&args),
        Command::Upload(args) => commands::upload::run(&args),
        Command::Worker(args) => commands::worker::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            output::error(&error);
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks its definitions (no two flags of one name …) only when a subcommand is
    /// parsed; this checks them all at once.
    #[test]
    fn command_line_definitions_are_consistent() {
        super::Cli::command().debug_assert();
    }
}
