//! The worker against a real store (SQLite always, PostgreSQL when `WARD_TEST_POSTGRES_URL`
//! is set) and a real local blob store: uploaded archives and git repositories scanned,
//! findings imported, reports written at the result key; a crashing tool's failure report; a
//! dead worker's job finished by another after its lease ran out; many jobs through two
//! workers, each exactly once.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ward_blob::{BlobKey, BlobStore, Kind};
use ward_jobs::{
    FailureReason, FailureReport, RunConfig, ScanRequest, Source, Worker, WorkerConfig,
};
use ward_store::{JobFilter, JobRequest, JobState, Store, StoreOptions};

/// A Stripe live-key look-alike made of random characters, not a real key.
const PLANTED: &str = "STRIPE_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcQw2XbN8m\"\n";

struct Setup {
    dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    blobs: BlobStore,
    _guard: Option<ward_test_support::postgres::TempDatabase>,
}

impl Setup {
    async fn sqlite() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let store = ward_store_sqlite::SqliteStore::open_in_dir(
            &dir.path().join("db"),
            StoreOptions::default(),
        )
        .await
        .unwrap();
        Setup::with(dir, Arc::new(store), None)
    }

    async fn postgres() -> Option<Setup> {
        let database = ward_test_support::postgres::TempDatabase::create().await?;
        let store = ward_store_postgres::PgStore::connect(database.url(), StoreOptions::default())
            .await
            .unwrap();
        Some(Setup::with(
            tempfile::tempdir().unwrap(),
            Arc::new(store),
            Some(database),
        ))
    }

    fn with(
        dir: tempfile::TempDir,
        store: Arc<dyn Store>,
        guard: Option<ward_test_support::postgres::TempDatabase>,
    ) -> Setup {
        for sub in ["blobs", "scratch", "bin"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let blobs = BlobStore::local(&dir.path().join("blobs")).unwrap();
        Setup {
            dir,
            store,
            blobs,
            _guard: guard,
        }
    }

    fn worker(&self, id: &str) -> Worker {
        let mut run = RunConfig::new(&self.dir.path().join("scratch"));
        let mut path = vec![self.dir.path().join("bin")];
        path.extend(std::env::split_paths(&run.search_path));
        run.search_path = std::env::join_paths(path).unwrap();
        let mut config = WorkerConfig::new(id, run);
        config.poll_interval = Duration::from_millis(50);
        config.lease = Duration::from_secs(3);
        config.allow_local_git = true;
        Worker {
            store: Arc::clone(&self.store),
            blobs: self.blobs.clone(),
            config,
            observer: None,
        }
    }

    /// Writes an executable shell script into the bin directory the workers search first.
    fn tool(&self, name: &str, script: &str) {
        let path = self.dir.path().join("bin").join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Uploads a tar.gz of `files` and returns its key.
    async fn upload(&self, name: &str, files: &[(&str, &str)]) -> String {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (path, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, text.as_bytes())
                .unwrap();
        }
        let bytes = builder.into_inner().unwrap().finish().unwrap();
        let key = BlobKey::new(Kind::RawUpload, name).unwrap();
        self.blobs.put(&key, bytes).await.unwrap();
        key.to_string()
    }

    async fn enqueue(
        &self,
        n: usize,
        source: Source,
        scanners: &[&str],
        formats: &[&str],
    ) -> ward_store::Job {
        let request = ScanRequest {
            source,
            scanners: scanners.iter().map(|s| s.to_string()).collect(),
            product: "shop".to_string(),
            engagement: "ci".to_string(),
            formats: formats.iter().map(|s| s.to_string()).collect(),
        };
        self.store
            .enqueue_job(&JobRequest {
                kind: ward_jobs::SCAN_JOB.to_string(),
                product: Some("shop".to_string()),
                payload: serde_json::to_value(&request).unwrap(),
                result_key: format!("reports/scan-{n}/report.json"),
                max_attempts: 3,
            })
            .await
            .unwrap()
    }

    async fn read(&self, key: &str) -> Vec<u8> {
        self.blobs
            .get(&BlobKey::parse(key).unwrap())
            .await
            .unwrap()
            .bytes
            .to_vec()
    }
}

async fn run_one(worker: &Worker) -> bool {
    let (_tx, mut rx) = tokio::sync::watch::channel(false);
    worker.run_once(&mut rx).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_archive_is_scanned_imported_and_reported() {
    let setup = Setup::sqlite().await;
    let upload = setup
        .upload(
            "a.tar.gz",
            &[("app/settings.py", PLANTED), ("README.md", "hello\n")],
        )
        .await;
    let job = setup
        .enqueue(1, Source::Archive { key: upload }, &["secrets"], &["sarif"])
        .await;
    let worker = setup.worker("w1");
    assert!(run_one(&worker).await);
    assert!(!run_one(&worker).await, "the queue is empty");

    let done = setup.store.job(job.id).await.unwrap();
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    assert_eq!(
        done.result_keys,
        vec!["reports/scan-1/report.json", "reports/scan-1/report.sarif"]
    );
    let report: ward_core::Report =
        serde_json::from_slice(&setup.read("reports/scan-1/report.json").await).unwrap();
    assert_eq!(report.findings.len(), 1);
    let text = String::from_utf8(setup.read("reports/scan-1/report.json").await).unwrap();
    assert!(
        !text.contains("4eC39HqLyjWDarjtT1zdp7dc"),
        "secret in clear"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&setup.read("reports/scan-1/report.sarif").await).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    let product = setup.store.product_by_name("shop").await.unwrap().unwrap();
    let engagement = setup
        .store
        .engagement_by_name(product.id, "ci")
        .await
        .unwrap()
        .unwrap();
    let tests = setup.store.list_tests(engagement.id).await.unwrap();
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0].n_findings, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_repository_is_cloned_at_a_reference() {
    let setup = Setup::sqlite().await;
    let repo_dir = setup.dir.path().join("repo");
    let repo = git2::Repository::init(&repo_dir).unwrap();
    let commit = |message: &str, files: &[(&str, &str)]| {
        for (path, text) in files {
            std::fs::write(repo_dir.join(path), text).unwrap();
        }
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = git2::Signature::now("ward", "ward@example.com").unwrap();
        let parents: Vec<git2::Commit> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .unwrap()
    };
    let leaky = commit("leak", &[("settings.py", PLANTED)]);
    commit("fix", &[("settings.py", "STRIPE_KEY = env()\n")]);

    let url = repo_dir.display().to_string();
    let head = setup
        .enqueue(
            1,
            Source::Git {
                url: url.clone(),
                reference: None,
                token_user: None,
            },
            &["secrets"],
            &[],
        )
        .await;
    let old = setup
        .enqueue(
            2,
            Source::Git {
                url,
                reference: Some(leaky.to_string()),
                token_user: None,
            },
            &["secrets"],
            &[],
        )
        .await;
    let worker = setup.worker("w1");
    assert!(run_one(&worker).await);
    assert!(run_one(&worker).await);
    for (job, expected) in [(head, 0), (old, 1)] {
        let done = setup.store.job(job.id).await.unwrap();
        assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
        let report: ward_core::Report =
            serde_json::from_slice(&setup.read(&done.result_key).await).unwrap();
        assert_eq!(report.findings.len(), expected, "{}", done.result_key);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_git_paths_are_refused_by_default() {
    let setup = Setup::sqlite().await;
    let job = setup
        .enqueue(
            4,
            Source::Git {
                url: "/etc".to_string(),
                reference: None,
                token_user: None,
            },
            &["secrets"],
            &[],
        )
        .await;
    let mut worker = setup.worker("w1");
    worker.config.allow_local_git = false;
    assert!(run_one(&worker).await);
    let failed = setup.store.job(job.id).await.unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert!(failed.error.unwrap().contains("not https://"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashing_tool_leaves_a_failure_report_at_the_result_key() {
    let setup = Setup::sqlite().await;
    setup.tool("bandit", "echo 'Traceback: boom' >&2\nexit 3");
    let upload = setup.upload("b.tar.gz", &[("app.py", "print(1)\n")]).await;
    let job = setup
        .enqueue(7, Source::Archive { key: upload }, &["bandit"], &[])
        .await;
    assert!(run_one(&setup.worker("w1")).await);

    let failed = setup.store.job(job.id).await.unwrap();
    assert_eq!(failed.state, JobState::Failed, "a crash is not retried");
    let report: FailureReport =
        serde_json::from_slice(&setup.read("reports/scan-7/report.json").await).unwrap();
    assert_eq!(report.scanner, "bandit");
    assert_eq!(report.reason, FailureReason::ExitCode);
    assert_eq!(report.exit_code, Some(3));
    assert!(report.stderr_tail.contains("boom"), "{report:?}");
    let copy = setup.read("failure-reports/scan-7/report.json").await;
    assert_eq!(
        serde_json::from_slice::<FailureReport>(&copy).unwrap(),
        report
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_upload_fails_without_retry() {
    let setup = Setup::sqlite().await;
    let job = setup
        .enqueue(
            3,
            Source::Archive {
                key: "raw-uploads/none.tar.gz".to_string(),
            },
            &["secrets"],
            &[],
        )
        .await;
    assert!(run_one(&setup.worker("w1")).await);
    let failed = setup.store.job(job.id).await.unwrap();
    assert_eq!((failed.state, failed.attempts), (JobState::Failed, 1));
    let report: FailureReport =
        serde_json::from_slice(&setup.read("reports/scan-3/report.json").await).unwrap();
    assert_eq!(report.scanner, "source");
}

/// A worker claims with a short lease and dies (never heartbeats): the job stays running
/// until the lease is over, then the next worker runs it.
async fn dead_workers_job_is_finished_by_another(setup: Setup) {
    let upload = setup.upload("c.tar.gz", &[("settings.py", PLANTED)]).await;
    let job = setup
        .enqueue(9, Source::Archive { key: upload }, &["secrets"], &[])
        .await;
    let claimed = setup
        .store
        .claim_job(
            "dead",
            time::OffsetDateTime::now_utc(),
            time::Duration::seconds(1),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, job.id);
    let worker = setup.worker("alive");
    assert!(!run_one(&worker).await, "held by the dead worker's lease");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(run_one(&worker).await);
    let done = setup.store.job(job.id).await.unwrap();
    assert_eq!(done.state, JobState::Succeeded, "{:?}", done.error);
    assert_eq!((done.attempts, done.worker.as_deref()), (2, Some("alive")));
    let dead = setup
        .store
        .complete_job(job.id, "dead", &[], time::OffsetDateTime::now_utc())
        .await;
    assert!(matches!(dead, Err(ward_store::Error::Conflict { .. })));
}

/// The last attempt's worker dies: the next worker fails the job and writes the failure
/// report where the pipeline polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_whose_last_worker_died_gets_a_failure_report() {
    let setup = Setup::sqlite().await;
    let upload = setup.upload("e.tar.gz", &[("a.py", "print(1)\n")]).await;
    let mut job = setup
        .enqueue(11, Source::Archive { key: upload }, &["secrets"], &[])
        .await;
    // One attempt only: claimed by a worker that dies at once.
    let now = time::OffsetDateTime::now_utc();
    for _ in 0..job.max_attempts {
        job = setup
            .store
            .claim_job("dead", now, time::Duration::seconds(1))
            .await
            .unwrap()
            .unwrap();
        let failure = ward_store::JobFailure {
            error: "died".to_string(),
            retry: true,
            backoff: time::Duration::ZERO,
        };
        if job.attempts < job.max_attempts {
            setup
                .store
                .fail_job(job.id, "dead", &failure, now)
                .await
                .unwrap();
        }
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(run_one(&setup.worker("alive")).await);
    let failed = setup.store.job(job.id).await.unwrap();
    assert_eq!(failed.state, JobState::Failed);
    let report: FailureReport =
        serde_json::from_slice(&setup.read("reports/scan-11/report.json").await).unwrap();
    assert_eq!(report.reason, FailureReason::Killed);
    assert_eq!(report.message, ward_store::jobs::LEASE_EXPIRED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_worker_sqlite() {
    dead_workers_job_is_finished_by_another(Setup::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_worker_postgres() {
    if let Some(setup) = Setup::postgres().await {
        dead_workers_job_is_finished_by_another(setup).await;
    }
}

/// Two workers share a queue of `n_jobs` scans; each runs exactly once.
async fn two_workers_run_each_job_once(setup: Setup, n_jobs: usize) {
    let upload = setup.upload("d.tar.gz", &[("settings.py", PLANTED)]).await;
    for n in 0..n_jobs {
        setup
            .enqueue(
                n,
                Source::Archive {
                    key: upload.clone(),
                },
                &["secrets"],
                &[],
            )
            .await;
    }
    let (stop, rx) = tokio::sync::watch::channel(false);
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|id| {
            let worker = setup.worker(id);
            let rx = rx.clone();
            tokio::spawn(async move { worker.run(rx).await })
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let done = setup
            .store
            .list_jobs(&JobFilter {
                state: Some(JobState::Succeeded),
                limit: 10_000,
                ..JobFilter::default()
            })
            .await
            .unwrap();
        if done.len() == n_jobs {
            assert!(done.iter().all(|j| j.attempts == 1), "a job ran twice");
            let by_a = done
                .iter()
                .filter(|j| j.worker.as_deref() == Some("a"))
                .count();
            assert!(
                by_a > 0 && by_a < n_jobs,
                "both workers took jobs ({by_a} by a)"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {n_jobs} done",
            done.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    for worker in workers {
        worker.await.unwrap();
    }
    let product = setup.store.product_by_name("shop").await.unwrap().unwrap();
    let engagement = setup
        .store
        .engagement_by_name(product.id, "ci")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        setup.store.list_tests(engagement.id).await.unwrap().len(),
        n_jobs,
        "one import per job"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_sqlite() {
    two_workers_run_each_job_once(Setup::sqlite().await, 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_postgres() {
    if let Some(setup) = Setup::postgres().await {
        two_workers_run_each_job_once(setup, 200).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_an_idle_worker() {
    let setup = Setup::sqlite().await;
    let (stop, rx) = tokio::sync::watch::channel(false);
    let worker = setup.worker("w");
    let task = tokio::spawn(async move { worker.run(rx).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("stops promptly")
        .unwrap();
    assert!(Path::new(&setup.dir.path().join("scratch"))
        .read_dir()
        .unwrap()
        .next()
        .is_none());
}
