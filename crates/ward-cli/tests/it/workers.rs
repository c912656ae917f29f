//! `ward worker` processes sharing `ward serve --no-worker`'s queue (PostgreSQL when
//! `WARD_TEST_POSTGRES_URL` is set, else the SQLite file in the data directory): a worker
//! killed with SIGKILL in the middle of a job loses its lease, and a second worker finishes
//! the job once, leaving the report at the signed URL.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::Server;
use crate::{stderr, ward};

/// A `ward worker` process with a 3-second lease, its stderr in a file.
struct WorkerProcess {
    child: Child,
    log: PathBuf,
}

impl WorkerProcess {
    fn start(store: &[&str], bin: &Path, log: PathBuf) -> WorkerProcess {
        let path = std::env::join_paths(
            std::iter::once(bin.to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        let child = crate::ward_command()
            .args(["worker", "--lease", "3"])
            .args(store)
            .env("PATH", path)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("starting ward worker");
        WorkerProcess { child, log }
    }

    /// Its log so far, without the terminal colours tracing adds.
    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut plain = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find('\x1b') {
            plain.push_str(&rest[..start]);
            rest = &rest[start..];
            let end = rest.find('m').map_or(rest.len(), |m| m + 1);
            rest = &rest[end..];
        }
        plain.push_str(rest);
        plain
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A stand-in for bandit that takes its time: it notes each start in `started`, sleeps three
/// seconds, then writes an empty bandit report where `-o` says.
fn slow_bandit(bin: &Path, started: &Path) {
    std::fs::create_dir_all(bin).unwrap();
    let script = format!(
        "#!/bin/sh\necho start >> '{}'\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = -o ]; then out=\"$2\"; fi\n  shift\ndone\nsleep 3\nprintf '{{\"errors\": [], \"metrics\": {{}}, \"results\": []}}' > \"$out\"\n",
        started.display()
    );
    std::fs::write(bin.join("bandit"), script).unwrap();
    std::fs::set_permissions(bin.join("bandit"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn curl_json(args: &[&str]) -> serde_json::Value {
    let output = Command::new("curl")
        .args(["-sS", "--fail-with-body"])
        .args(args)
        .output()
        .expect("curl");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn killed_worker_job_is_finished_once_by_another() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let postgres = runtime.block_on(ward_test_support::postgres::TempDatabase::create());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut store = vec!["--data-dir".to_string(), data.display().to_string()];
    match &postgres {
        Some(db) => store.extend(["--database".to_string(), db.url().to_string()]),
        None => eprintln!("on SQLite: set WARD_TEST_POSTGRES_URL to run this test on PostgreSQL"),
    }
    let store: Vec<&str> = store.iter().map(String::as_str).collect();

    let mut create = vec!["admin", "key", "create", "--scope", "import"];
    create.extend_from_slice(&store);
    let output = ward(&create);
    assert!(output.status.success(), "{}", stderr(&output));
    let key = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let mut serve = store.clone();
    serve.push("--no-worker");
    let server = Server::start_with(&serve);

    let bin = dir.path().join("bin");
    let started = dir.path().join("bandit-starts");
    slow_bandit(&bin, &started);
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("app.py"), "print('hello')\n").unwrap();
    let archive = dir.path().join("tree.tar.gz");
    super::server::tar_gz(&tree, &archive);
    let auth = format!("Authorization: Bearer {key}");
    let job = curl_json(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-F",
        r#"request={"scanners":["bandit"],"product":"web","engagement":"ci"};type=application/json"#,
        "-F",
        &format!("archive=@{}", archive.display()),
        &format!("{}/api/v1/scans", server.url),
    ]);
    let id = job["id"].as_i64().unwrap();
    let job_url = format!("{}/api/v1/scans/{id}", server.url);
    let report_url = job["links"]["report"].as_str().unwrap().to_string();
    let starts = || {
        std::fs::read_to_string(&started)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    };

    // The first worker claims the job and is killed while bandit runs.
    let first = WorkerProcess::start(&store, &bin, dir.path().join("first.log"));
    wait_for(
        "the first worker to start bandit",
        Duration::from_secs(60),
        || starts() == 1,
    );
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL on Unix: no shutdown, no release.
    first.child.wait().unwrap();
    let after_kill = curl_json(&["-H", &auth, &job_url]);
    assert_eq!(after_kill["state"], "running", "{after_kill}");
    assert_eq!(after_kill["attempts"], 1, "{after_kill}");

    // The second worker may claim it only once the lease has run out, then finishes it.
    let second = WorkerProcess::start(&store, &bin, dir.path().join("second.log"));
    let mut finished = serde_json::Value::Null;
    wait_for(
        "the second worker to finish the job",
        Duration::from_secs(60),
        || {
            finished = curl_json(&["-H", &auth, &job_url]);
            finished["state"] == "succeeded" || finished["state"] == "failed"
        },
    );
    assert_eq!(
        finished["state"],
        "succeeded",
        "{finished}\n{}",
        second.log()
    );
    assert_eq!(finished["attempts"], 2, "{finished}");
    assert_eq!(starts(), 2, "bandit ran once per claim");
    let log = second.log();
    assert!(
        log.contains(&format!("job={id} attempt=2")) && log.contains("job claimed"),
        "{log}"
    );
    assert_eq!(log.matches("job succeeded").count(), 1, "{log}");
    assert!(!first.log().contains("job succeeded"), "{}", first.log());
    let report = curl_json(&[&report_url]);
    assert_eq!(report["findings"], serde_json::json!([]), "{report}");
    assert_eq!(report["sources"][0]["format"], "bandit", "{report}");

    drop(second);
    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
    drop(postgres);
    drop(runtime);
}
