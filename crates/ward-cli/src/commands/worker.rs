//! `ward worker`: takes scan jobs from the store's queue until ctrl-c or SIGTERM, then
//! finishes (or, past the grace time, releases) the job it holds. `ward serve` runs the same
//! worker in process unless `--no-worker`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use ward_jobs::{RunConfig, Worker, WorkerConfig};
use ward_server::notify::jobs::JobEvents;
use ward_server::notify::{Notifier, NotifyConfig};

use crate::commands::serve::{init_logging, shutdown_signal, url_signing_secret, DatabaseArgs};
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
    /// Where clients reach the server: the base of the signed result URLs of a local storage
    /// folder and of the links in notifications [`ward serve`: default http://LISTEN].
    #[arg(long, env = "WARD_PUBLIC_URL", value_name = "URL")]
    pub(crate) public_url: Option<String>,
    /// How long a scan's signed result URL is valid, in seconds (at most 7 days).
    #[arg(
        long,
        env = "WARD_RESULT_URL_VALIDITY",
        default_value_t = 86_400,
        value_name = "SECONDS"
    )]
    result_url_validity: u64,
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

    /// How long signed result URLs are valid.
    pub(crate) fn url_validity(&self) -> anyhow::Result<Duration> {
        let validity = Duration::from_secs(self.result_url_validity);
        if validity > ward_blob::MAX_URL_VALIDITY {
            bail!("--result-url-validity is at most 604800 seconds (7 days)");
        }
        Ok(validity)
    }

    /// The object store with its URL signer: for a local folder, ward URLs under
    /// `public_url` signed with [`url_signing_secret`]; S3 presigns its own URLs, so no key
    /// file is made for it (the signer then only refuses `/blobs/…` URLs).
    pub(crate) fn signed_blobs(
        &self,
        database: &DatabaseArgs,
        public_url: &str,
    ) -> anyhow::Result<(ward_blob::BlobStore, ward_blob::UrlSigner)> {
        let blobs = self.blobs(database)?;
        let secret = if blobs.location().starts_with("s3://") {
            let mut secret = vec![0u8; 32];
            getrandom::fill(&mut secret).context("making a URL signing key")?;
            secret
        } else {
            url_signing_secret(&database.data_dir)?
        };
        let signer = ward_blob::UrlSigner::new("ward", &secret)
            .context("reading WARD_URL_SIGNING_KEY (at least 32 bytes)")?;
        let blobs = blobs
            .with_ward_urls(public_url, signer.clone())
            .context("reading --public-url")?;
        Ok((blobs, signer))
    }

    /// A worker over `store`, named after this host and process, whose imports and final
    /// failures become notifications (`signed` signs the result URL in `scan.failed`);
    /// `keyring` opens the git tokens of private repositories.
    pub(crate) fn worker(
        &self,
        store: Arc<dyn ward_store::Store>,
        signed: ward_blob::BlobStore,
        notifier: Arc<Notifier>,
        keyring: Option<Arc<ward_vault::Keyring>>,
    ) -> anyhow::Result<Worker> {
        let observer = JobEvents {
            store: store.clone(),
            notifier,
            blobs: signed.clone(),
            url_validity: self.url_validity()?,
        };
        let scratch = self.scratch_dir.clone().unwrap_or_else(std::env::temp_dir);
        let mut run = RunConfig::new(&scratch);
        run.timeout = Duration::from_secs(self.scanner_timeout);
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "ward".to_string());
        let mut config = WorkerConfig::new(format!("{host}:{}", std::process::id()), run);
        config.lease = Duration::from_secs(self.lease.max(3));
        config.keyring = keyring;
        Ok(Worker {
            store,
            blobs: signed,
            config,
            observer: Some(Arc::new(observer)),
        })
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
        // Without --public-url a local storage folder cannot sign result URLs: `scan.failed`
        // then goes without one (S3 presigns its own either way).
        let signed = match &args.worker.public_url {
            Some(public_url) => args.worker.signed_blobs(&args.database, public_url)?.0,
            None => args.worker.blobs(&args.database)?,
        };
        let notifier = Notifier::new(NotifyConfig {
            public_url: args.worker.public_url.clone(),
            ..NotifyConfig::default()
        })
        .context("starting the notification HTTP client")?;
        let keyring = args.database.keyring()?.map(Arc::new);
        let worker = args
            .worker
            .worker(store, signed, Arc::new(notifier), keyring)?;
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
