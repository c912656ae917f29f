//! `ward db`: the offline OSV advisory database (`import`, `update`, `info`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::{bail, Context};
use ward_osv::{Builder, Database};

use crate::output;

/// Arguments of `ward db`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: DbCommand,
    /// The database file (default: $WARD_DB, else $XDG_DATA_HOME/ward/osv.db).
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
enum DbCommand {
    /// Load OSV JSON records from folders (searched recursively) or OSV `all.zip` exports
    /// into the database, adding to what it holds unless --replace.
    Import {
        /// Folders of OSV JSON files, or zip archives of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Start from an empty database instead of adding to the existing one.
        #[arg(long)]
        replace: bool,
    },
    /// Download OSV's per-ecosystem exports ({BASE_URL}/{ECOSYSTEM}/all.zip) and rebuild
    /// the database from them.
    Update {
        /// Where the exports are.
        #[arg(long, value_name = "URL", default_value = ward_osv::update::DEFAULT_BASE_URL)]
        base_url: String,
        /// Ecosystems to download, comma-separated (default: those ward reads lockfiles of).
        #[arg(long, value_delimiter = ',')]
        ecosystems: Vec<String>,
    },
    /// Show where the database is, when it was built and what it holds; warn when it is
    /// older than the maximum age.
    Info {
        /// The maximum age before warning (7d, 36h, 90m, 3600s; 0 = never) [default:
        /// $WARD_DB_MAX_AGE, else 7d].
        #[arg(long, value_name = "AGE")]
        max_db_age: Option<String>,
    },
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let path = database_path(args.db.as_deref())?;
    match &args.command {
        DbCommand::Import { paths, replace } => {
            let mut builder = Builder::new();
            if !replace && path.exists() {
                let existing = Database::open(&path)?;
                builder.extend_from(&existing);
            }
            for source in paths {
                builder.add_path(source)?;
            }
            finish(&builder, &path)
        }
        DbCommand::Update {
            base_url,
            ecosystems,
        } => {
            let mut builder = Builder::new();
            let list: Vec<&str> = if ecosystems.is_empty() {
                ward_osv::update::DEFAULT_ECOSYSTEMS.to_vec()
            } else {
                ecosystems.iter().map(String::as_str).collect()
            };
            if let Err(e) = ward_osv::update::download(&mut builder, base_url, &list) {
                for warning in &builder.warnings {
                    output::warning(warning);
                }
                return Err(e.into());
            }
            finish(&builder, &path)
        }
        DbCommand::Info { max_db_age } => {
            let max_age = ward_osv::staleness::max_age(max_db_age.as_deref())
                .map_err(|e| anyhow::anyhow!("--max-db-age: {e}"))?;
            let db = Database::open(&path)?;
            let age = db.age(SystemTime::now()).as_secs();
            output::note(&format!(
                "{}: {} advisories, built {} days {} hours ago",
                path.display(),
                db.n_advisories(),
                age / 86_400,
                age % 86_400 / 3600
            ));
            for (ecosystem, count) in db.ecosystems() {
                output::note(&format!("  {ecosystem}: {count}"));
            }
            if let Some(warning) = db.staleness_warning(SystemTime::now(), max_age) {
                output::warning(&warning);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn finish(builder: &Builder, path: &Path) -> anyhow::Result<ExitCode> {
    for warning in &builder.warnings {
        output::warning(warning);
    }
    if builder.is_empty() {
        bail!("no advisories found; {} left unchanged", path.display());
    }
    builder
        .write(path, SystemTime::now())
        .with_context(|| format!("writing {}", path.display()))?;
    output::note(&format!(
        "{}: {} advisories ({} warnings)",
        path.display(),
        builder.len(),
        builder.warnings.len()
    ));
    Ok(ExitCode::SUCCESS)
}

/// The database file: the flag, else ward_osv's default location.
pub(crate) fn database_path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    match flag {
        Some(path) => Ok(path.to_path_buf()),
        None => {
            ward_osv::default_path().context("no data directory: set WARD_DB or pass --db FILE")
        }
    }
}
