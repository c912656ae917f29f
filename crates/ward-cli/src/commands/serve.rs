//! `ward serve`: the findings server. Opens the store (applying migrations), listens, and
//! shuts down gracefully on ctrl-c or SIGTERM, letting requests in flight finish. Unless
//! `--no-worker`, a scan worker (`ward worker`) runs in the same process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use ward_server::notify::{Notifier, NotifyConfig};
use ward_server::retention::{RetentionStatus, Sweeper};
use ward_server::{AppState, Limits};
use ward_store::{SlaPolicy, StoreOptions};

use crate::output;

/// Where the store is: shared by `ward serve` and `ward admin`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DatabaseArgs {
    /// The data directory; the default SQLite database is `ward.sqlite3` in it.
    #[arg(
        long,
        global = true,
        env = "WARD_DATA_DIR",
        default_value = "./ward-data",
        value_name = "DIR"
    )]
    pub(crate) data_dir: PathBuf,
    /// A database URL instead of the SQLite file in the data directory: `postgres://…`
    /// (PostgreSQL) or `sqlite:PATH`.
    #[arg(
        long,
        global = true,
        env = "WARD_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub(crate) database: Option<String>,
    /// Days to fix per severity, e.g. `critical=7,high=30,medium=90,low=180` (a severity
    /// left out has no SLA) [default: critical=7,high=30,medium=90,low=180].
    #[arg(long, global = true, env = "WARD_SLA", value_name = "DAYS")]
    pub(crate) sla: Option<String>,
    /// A file of master keys (one per line, newest first, 32 bytes in base64 or hex) sealing
    /// the notification channels' secrets; or set WARD_MASTER_KEY (comma-separated keys).
    #[arg(long, global = true, env = "WARD_MASTER_KEY_FILE", value_name = "FILE")]
    pub(crate) master_key_file: Option<PathBuf>,
}

impl DatabaseArgs {
    /// Opens the store on a runtime the caller owns.
    pub(crate) async fn open(&self) -> anyhow::Result<std::sync::Arc<dyn ward_store::Store>> {
        let options = StoreOptions {
            sla: match &self.sla {
                Some(text) => parse_sla(text).context("reading --sla")?,
                None => SlaPolicy::default(),
            },
        };
        ward_server::connect(&self.data_dir, self.database.as_deref(), options).await
    }

    /// The configured master keys, if any (`WARD_MASTER_KEY` or `--master-key-file`).
    pub(crate) fn keyring(&self) -> anyhow::Result<Option<ward_vault::Keyring>> {
        let env = std::env::var(ward_vault::MASTER_KEY_ENV).ok();
        let env = env.filter(|v| !v.trim().is_empty());
        if env.is_none() && self.master_key_file.is_none() {
            return Ok(None);
        }
        ward_vault::Keyring::load(env.as_deref(), self.master_key_file.as_deref())
            .map(Some)
            .context("reading the master key")
    }

    /// The database in words, without a password.
    pub(crate) fn describe(&self) -> String {
        ward_server::describe_database(&self.data_dir, self.database.as_deref())
    }
}

/// Arguments of `ward serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The address to listen on.
    #[arg(
        long,
        env = "WARD_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// The largest report an import accepts, in bytes.
    #[arg(long, env = "WARD_MAX_REPORT_SIZE", default_value_t = Limits::default().report_bytes, value_name = "BYTES")]
    max_report_size: usize,
    /// The largest JSON or policy body of the other routes, in bytes.
    #[arg(long, env = "WARD_MAX_BODY_SIZE", default_value_t = Limits::default().json_bytes, value_name = "BYTES")]
    max_body_size: usize,
    #[command(flatten)]
    worker: crate::commands::worker::WorkerArgs,
    /// Run no scan worker in this process (run `ward worker` processes instead).
    #[arg(long, env = "WARD_NO_WORKER")]
    no_worker: bool,
    /// How long stored objects are kept, in days or `forever`, e.g.
    /// `reports=30,failure-reports=30,raw-uploads=7` (a kind left out keeps its default);
    /// expired ones are deleted at start and every hour [default: reports=30,failure-reports=30,raw-uploads=7].
    #[arg(long, env = "WARD_RETENTION", value_name = "DAYS")]
    retention: Option<String>,
    /// How often to look for findings newly past their SLA and send `sla.breached`, in
    /// seconds (at start, then at this interval).
    #[arg(
        long,
        env = "WARD_SLA_CHECK_INTERVAL",
        default_value_t = 86_400,
        value_parser = clap::value_parser!(u64).range(1..),
        value_name = "SECONDS"
    )]
    sla_check_interval: u64,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: &Args) -> anyhow::Result<()> {
    let store = args.database.open().await?;
    let notify = NotifyConfig {
        keyring: args.database.keyring()?.map(std::sync::Arc::new),
        public_url: args.worker.public_url.clone(),
        sla_check: std::time::Duration::from_secs(args.sla_check_interval),
        ..NotifyConfig::default()
    };
    let notifier = std::sync::Arc::new(
        Notifier::new(notify).context("starting the notification HTTP client")?,
    );
    ward_server::notify::check_startup(store.as_ref(), &notifier).await?;
    let limits = Limits {
        report_bytes: args.max_report_size,
        json_bytes: args.max_body_size,
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener
        .local_addr()
        .context("reading the listening address")?;
    output::note(&format!(
        "ward: listening on http://{address} ({})",
        args.database.describe()
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scans = scans(args, &address)?;
    let worker = if args.no_worker {
        None
    } else {
        let worker = args.worker.worker(
            store.clone(),
            scans.blobs.clone(),
            notifier.clone(),
            notifier.config.keyring.clone(),
        )?;
        Some(tokio::spawn(async move { worker.run(stopped).await }))
    };
    let sweeper_stopped = stop.subscribe();
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    let retention = std::sync::Arc::new(RetentionStatus::new(
        match &args.retention {
            Some(text) => parse_retention(text).context("reading --retention")?,
            None => ward_blob::Retention::default(),
        },
        RETENTION_INTERVAL,
    ));
    let sweeper = Sweeper {
        blobs: scans.blobs.clone(),
        status: retention.clone(),
    };
    let sweeper = tokio::spawn(sweeper.run(sweeper_stopped));
    ward_server::serve(
        listener,
        AppState::new(store, limits, notifier)
            .with_scans(scans)
            .with_retention(retention),
        shutdown,
    )
    .await
    .context("serving")?;
    if let Some(worker) = worker {
        worker.await.context("the worker task")?;
    }
    sweeper.await.context("the retention task")?;
    output::note("ward: stopped");
    Ok(())
}

/// The scan service: the storage, with ward URLs signed by [`url_signing_secret`].
fn scans(args: &Args, address: &SocketAddr) -> anyhow::Result<ward_server::scans::Scans> {
    let public_url = args
        .worker
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let (blobs, signer) = args.worker.signed_blobs(&args.database, &public_url)?;
    Ok(ward_server::scans::Scans {
        blobs,
        signer: Some(signer),
        url_validity: args.worker.url_validity()?,
        max_attempts: 3,
    })
}

/// How often expired objects are looked for.
const RETENTION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// `reports=30,failure-reports=forever,…`: the kinds named get those days, the others their
/// default.
fn parse_retention(text: &str) -> anyhow::Result<ward_blob::Retention> {
    let mut retention = ward_blob::Retention::default();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((kind, days)) = part.split_once('=') else {
            bail!("`{part}` is not KIND=DAYS");
        };
        let max_age = match days.trim() {
            "forever" => None,
            days => {
                let days: u64 = days.parse().with_context(|| {
                    format!("`{part}`: the days are a whole number or `forever`")
                })?;
                Some(std::time::Duration::from_secs(days * 86_400))
            }
        };
        let slot = match kind.trim() {
            "reports" => &mut retention.reports,
            "failure-reports" => &mut retention.failure_reports,
            "raw-uploads" => &mut retention.raw_uploads,
            other => bail!("`{other}` is not a kind (reports, failure-reports, raw-uploads)"),
        };
        *slot = max_age;
    }
    Ok(retention)
}

/// The file in the data directory holding the URL signing key made on first start.
pub(crate) const URL_SIGNING_KEY_FILE: &str = "url-signing.key";

/// The secret ward URLs are signed with: `WARD_URL_SIGNING_KEY` (at least 32 bytes; every
/// server of a deployment needs the same), else the key in the data directory, made on first
/// start (32 random bytes, mode 0600), so URLs handed out stay valid across restarts.
pub(crate) fn url_signing_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = std::env::var_os("WARD_URL_SIGNING_KEY").filter(|s| !s.is_empty()) {
        return Ok(secret.to_string_lossy().into_owned().into_bytes());
    }
    let path = data_dir.join(URL_SIGNING_KEY_FILE);
    let reading = || format!("reading the URL signing key {}", path.display());
    match std::fs::read(&path) {
        Ok(secret) if secret.len() == 32 => return Ok(secret),
        Ok(secret) => bail!(
            "{}: a URL signing key is 32 bytes, this file has {} (remove it to make a new \
             one; URLs signed with the old key then stop working)",
            path.display(),
            secret.len()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(reading),
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).context("making a URL signing key")?;
    // tempfile makes the file readable and writable by its owner only (0600 on Unix); it is
    // linked into place only if no other process (a worker starting at the same time) did.
    let mut file = tempfile::Builder::new()
        .prefix(".url-signing")
        .tempfile_in(data_dir)
        .with_context(|| format!("writing a key file in {}", data_dir.display()))?;
    std::io::Write::write_all(&mut file, &secret)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("writing a key file in {}", data_dir.display()))?;
    match file.persist_noclobber(&path) {
        Ok(_) => Ok(secret),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read(&path).with_context(reading)
        }
        Err(e) => Err(e.error).with_context(|| format!("writing {}", path.display())),
    }
}

/// Completes on ctrl-c or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Request logs on stderr, `RUST_LOG` deciding what (default: info).
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `critical=7,high=30,…`: the severities named get those days, the others none.
fn parse_sla(text: &str) -> anyhow::Result<SlaPolicy> {
    let mut policy = SlaPolicy {
        critical: None,
        high: None,
        medium: None,
        low: None,
        info: None,
    };
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((severity, days)) = part.split_once('=') else {
            bail!("`{part}` is not SEVERITY=DAYS");
        };
        let days: u32 = days
            .trim()
            .parse()
            .with_context(|| format!("`{part}`: the days are not a whole number"))?;
        let slot = match severity.trim() {
            "critical" => &mut policy.critical,
            "high" => &mut policy.high,
            "medium" => &mut policy.medium,
            "low" => &mut policy.low,
            "info" => &mut policy.info,
            other => bail!("`{other}` is not a severity (critical, high, medium, low, info)"),
        };
        *slot = Some(days);
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sla_reads() {
        let policy = parse_sla("critical=1, high=10").unwrap();
        assert_eq!(
            (policy.critical, policy.high, policy.low),
            (Some(1), Some(10), None)
        );
        assert!(parse_sla("urgent=1").is_err());
        assert!(parse_sla("high=soon").is_err());
    }

    #[test]
    fn retention_reads() {
        let retention = parse_retention("reports=10, raw-uploads=forever").unwrap();
        assert_eq!(
            retention.reports,
            Some(std::time::Duration::from_secs(10 * 86_400))
        );
        assert_eq!(retention.raw_uploads, None);
        assert_eq!(
            retention.failure_reports,
            ward_blob::Retention::default().failure_reports
        );
        assert!(parse_retention("logs=1").is_err());
        assert!(parse_retention("reports=soon").is_err());
    }
}
