//! `ward worker`: takes scan jobs from the store's queue until ctrl-c or SIGTERM, then
//! finishes (or, past the grace time, releases) the job it holds. `ward serve` runs the same
//! worker in process unless `--no-worker`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ward_jobs::{RunConfig, Worker, WorkerConfig};

use crate::commands::serve::{init_logging, shutdown_signal, DatabaseArgs};
use crate::output;

/// How a worker runs: shared by `ward worker` and `ward serve`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct WorkerArgs {
    /// Where uploads, reports and failure reports are kept: a folder, `file:///path` or
    /// `s3://bucket/prefix` (endpoint and credentials from the AWS_* variables)
    /// [default: `blobs` in --data-dir].
    #[arg(long, env = "WARD_STORAGE", value_name = "LOCATION")]
    pub(crate) storage: Option<String>,
    /// Where jobs check out and unpack what they scan [default: the system's temp dir].
    #[arg(long, env = "WARD_SCRATCH_DIR", value_name = "DIR")]
    scratch_dir: Option<PathBuf>,
    /// The longest one scanner of a job may run, in seconds.
    #[arg(
        long,
        env = "WARD_SCANNER_TIMEOUT",
        default_value_t = 1800,
        value_name = "SECONDS"
    )]
    scanner_timeout: u64,
    /// How long a job stays claimed without a heartbeat, in seconds.
    #[arg(
        long,
        env = "WARD_JOB_LEASE",
        default_value_t = 60,
        value_name = "SECONDS"
    )]
    lease: u64,
}

impl WorkerArgs {
    /// The object store these flags name.
    pub(crate) fn blobs(&self, database: &DatabaseArgs) -> anyhow::Result<ward_blob::BlobStore> {
        let location = self
            .storage
            .clone()
            .unwrap_or_else(|| database.data_dir.join("blobs").display().to_string());
        ward_blob::BlobStore::open(&location).with_context(|| format!("opening storage {location}"))
    }

    /// A worker over `store`, named after this host and process; `keyring` opens the git
    /// tokens of private repositories.
    pub(crate) fn worker(
        &self,
        store: Arc<dyn ward_store::Store>,
        blobs: ward_blob::BlobStore,
        keyring: Option<Arc<ward_vault::Keyring>>,
    ) -> Worker {
        let scratch = self.scratch_dir.clone().unwrap_or_else(std::env::temp_dir);
        let mut run = RunConfig::new(&scratch);
        run.timeout = Duration::from_secs(self.scanner_timeout);
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "ward".to_string());
        let mut config = WorkerConfig::new(format!("{host}:{}", std::process::id()), run);
        config.lease = Duration::from_secs(self.lease.max(3));
        config.keyring = keyring;
        Worker {
            store,
            blobs,
            config,
        }
    }
}

/// Arguments of `ward worker`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(flatten)]
    worker: WorkerArgs,
}

pub(crate) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = args.database.open().await?;
        let blobs = args.worker.blobs(&args.database)?;
        let keyring = args.database.keyring()?.map(Arc::new);
        let worker = args.worker.worker(store, blobs, keyring);
        output::note(&format!(
            "ward: worker {} taking jobs ({})",
            worker.config.id,
            args.database.describe()
        ));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move { worker.run(stopped).await });
        shutdown_signal().await;
        output::note("ward: stopping the worker");
        let _ = stop.send(true);
        task.await.context("the worker task")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
