//! `ward serve`, `ward admin` and `ward upload` end to end, on a real listener on 127.0.0.1;
//! and clients nobody here wrote: DefectDojo's generated Python client, and the curl call
//! GitLab CI jobs make to DefectDojo.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::{corpus, stderr, ward};

/// A running `ward serve` on a free port of 127.0.0.1, stopped with SIGTERM when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    /// The rest of its stderr, once it has exited.
    log: mpsc::Receiver<String>,
}

impl Server {
    pub(crate) fn start(data_dir: &Path) -> Server {
        Server::start_with(&["--data-dir", data_dir.to_str().unwrap()])
    }

    /// With `store` flags (`--data-dir D` or `--database URL`).
    pub(crate) fn start_with(store: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(store)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting ward serve");
        let stderr = child.stderr.take().expect("stderr");
        let (url_tx, url_rx) = mpsc::channel();
        let (log_tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            let mut rest = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line
                    .strip_prefix("ward: listening on ")
                    .and_then(|l| l.split_whitespace().next())
                {
                    let _ = url_tx.send(url.to_string());
                }
                rest.push_str(&line);
                rest.push('\n');
            }
            let _ = log_tx.send(rest);
        });
        let url = url_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("ward serve did not say where it listens");
        Server { child, url, log }
    }

    /// Sends SIGTERM and waits; returns whether it exited successfully, and its stderr.
    pub(crate) fn stop(mut self) -> (bool, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = self.child.wait().expect("wait");
        let log = self
            .log
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default();
        (exit.success(), log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ward admin key create` in `data_dir`: the key, alone on stdout.
/// `TREE/..` packed as `ARCHIVE` (a gzipped tar of the folder's contents), as a scan job's
/// upload.
pub(crate) fn tar_gz(tree: &Path, archive: &Path) {
    let status = Command::new("tar")
        .arg("czf")
        .arg(archive)
        .arg("-C")
        .arg(tree)
        .arg(".")
        .status()
        .expect("running tar");
    assert!(status.success());
}

pub(crate) fn create_key(data_dir: &Path, args: &[&str]) -> String {
    let mut all = vec![
        "admin",
        "key",
        "create",
        "--data-dir",
        data_dir.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let output = ward(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.strip_suffix('\n').expect("one line").to_string();
    assert!(
        key.starts_with("ward_") && !key.contains(char::is_whitespace),
        "{stdout:?}"
    );
    key
}

pub(crate) fn upload(server: &Server, key: &str, args: &[&str]) -> Output {
    let mut all = vec!["upload", "--server", &server.url, "--key", key];
    all.extend_from_slice(args);
    ward(&all)
}

#[test]
fn admin_commands() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let key = create_key(
        dir.path(),
        &["--scope", "import", "--product", "web", "--name", "ci"],
    );

    let output = ward(&["admin", "key", "list", "--data-dir", data_dir]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(listing.contains(&key[..13]), "{listing}");
    assert!(!listing.contains(&key), "a listing never shows the key");
    assert!(listing.contains("import") && listing.contains("web") && listing.contains("ci"));

    let output = ward(&["admin", "key", "list", "--json", "--data-dir", data_dir]);
    let keys: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let id = keys[0]["id"].as_i64().unwrap().to_string();
    let output = ward(&["admin", "key", "revoke", &id, "--data-dir", data_dir]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = ward(&["admin", "key", "list", "--json", "--data-dir", data_dir]);
    let keys: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(keys[0]["revoked_at"].is_string());

    let output = ward(&[
        "admin",
        "product",
        "create",
        "web",
        "--team",
        "frontend",
        "--tag",
        "pci",
        "--data-dir",
        data_dir,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = ward(&["admin", "product", "create", "web", "--data-dir", data_dir]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );
    let output = ward(&["admin", "product", "list", "--data-dir", data_dir]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("frontend"));
    let output = ward(&["admin", "product", "create", "old", "--data-dir", data_dir]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = ward(&["admin", "product", "delete", "old", "--data-dir", data_dir]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
    let delete = [
        "admin",
        "product",
        "delete",
        "old",
        "--yes",
        "--data-dir",
        data_dir,
    ];
    let output = ward(&delete);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("deleted product"),
        "{}",
        stderr(&output)
    );
    let output = ward(&delete);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not found"), "{}", stderr(&output));
    let output = ward(&["admin", "product", "list", "--json", "--data-dir", data_dir]);
    let products: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(products.as_array().unwrap().len(), 1, "{products}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args([
            "admin",
            "user",
            "create",
            "ana",
            "--scope",
            "triage",
            "--data-dir",
            data_dir,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("ana"));

    let output = ward(&[
        "admin",
        "key",
        "create",
        "--scope",
        "root",
        "--data-dir",
        data_dir,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let output = ward(&[
        "admin",
        "product",
        "list",
        "--database",
        "mysql://u:hunter2@h/db",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!stderr(&output).contains("hunter2"), "{}", stderr(&output));
}

#[test]
fn serve_upload_and_stop() {
    let dir = tempfile::tempdir().unwrap();
    let import_key = create_key(dir.path(), &["--scope", "import", "--product", "web"]);
    let read_key = create_key(dir.path(), &["--scope", "read"]);
    let server = Server::start(dir.path());

    let trivy = corpus("trivy/all_statuses.json");
    let gitleaks = corpus("gitleaks/gitleaks8_many.json");
    let output = upload(
        &server,
        &import_key,
        &[
            &trivy,
            &gitleaks,
            "--product",
            "web",
            "--engagement",
            "main",
            "--auto-create",
            "--branch",
            "main",
            "--tag",
            "ci",
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(log.contains("test 1 (trivy): 8 new"), "{log}");
    assert!(log.contains("test 2 (gitleaks): 3 new"), "{log}");
    let replies: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(replies[0]["test"]["branch_tag"], "main");

    // Again: the same tests, nothing new.
    let output = upload(
        &server,
        &import_key,
        &[&trivy, "--product", "web", "--engagement", "main"],
    );
    assert!(
        stderr(&output).contains("test 1 (trivy): 0 new, 8 unchanged"),
        "{}",
        stderr(&output)
    );

    // Refusals carry the server's message, exit 2.
    let output = upload(
        &server,
        &read_key,
        &[&trivy, "--product", "web", "--engagement", "main"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("403") && stderr(&output).contains("scope"),
        "{}",
        stderr(&output)
    );
    let output = upload(
        &server,
        &import_key,
        &[
            &trivy,
            "--product",
            "other",
            "--engagement",
            "main",
            "--auto-create",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no access to product `other`"),
        "{}",
        stderr(&output)
    );
    let not_a_report = dir.path().join("notes.txt");
    std::fs::write(&not_a_report, "hello").unwrap();
    let output = upload(
        &server,
        &import_key,
        &[
            not_a_report.to_str().unwrap(),
            "--product",
            "web",
            "--engagement",
            "main",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("(field `file`)"),
        "{}",
        stderr(&output)
    );
    let output = upload(
        &server,
        "ward_wrong",
        &[&trivy, "--product", "web", "--engagement", "main"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("401"), "{}", stderr(&output));

    let (stopped, log) = server.stop();
    assert!(stopped, "ward serve exits 0 on SIGTERM: {log}");
    assert!(log.contains("ward: stopped"), "{log}");

    // Nothing listens any more.
    let output = ward(&[
        "upload",
        &trivy,
        "--server",
        "http://127.0.0.1:9",
        "--key",
        &import_key,
        "--product",
        "web",
        "--engagement",
        "main",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("connecting to http://127.0.0.1:9"),
        "{}",
        stderr(&output)
    );
}

/// The curl call GitLab CI jobs make to DefectDojo, unchanged but for the URL.
#[test]
fn gitlab_ci_curl_import() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), &["--scope", "import"]);
    let server = Server::start(dir.path());
    let report = corpus("gitleaks/gitleaks8_many.json");
    let output = Command::new("curl")
        .args(["-sS", "-o", "-", "-w", "\n%{http_code}", "-X", "POST"])
        .args(["-H", &format!("Authorization: Token {key}")])
        .args(["-H", "accept: application/json"])
        .args(["-H", "Content-Type: multipart/form-data"])
        .args(["-F", "scan_type=Gitleaks Scan"])
        .args(["-F", &format!("file=@{report};type=application/json")])
        .args(["-F", "product_name=web"])
        .args(["-F", "engagement_name=ci-main"])
        .args(["-F", "auto_create_context=true"])
        .args(["-F", "minimum_severity=Info"])
        .args(["-F", "active=true"])
        .args(["-F", "verified=false"])
        .args(["-F", "close_old_findings=true"])
        .arg(format!("{}/api/v2/import-scan/", server.url))
        .output()
        .expect("curl");
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let (body, code) = stdout.rsplit_once('\n').unwrap();
    assert_eq!(code, "201", "{body}");
    let reply: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(reply["scan_type"], "Gitleaks Scan");
    assert_eq!(reply["statistics"]["after"]["high"]["total"], 3);
    assert!(
        reply["test_id"].is_i64()
            && reply["engagement_id"].is_i64()
            && reply["product_id"].is_i64()
    );
}

/// DefectDojo's generated Python client against `ward serve`. Needs the PyPI package
/// `defectdojo-api-generated` (scripts/test.sh installs it and sets
/// `WARD_TEST_DEFECTDOJO_CLIENT=1`, which makes its absence a failure).
#[test]
fn defectdojo_python_client() {
    let installed = Command::new(defectdojo_python())
        .args(["-c", "import defectdojo_api_generated"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var_os("WARD_TEST_DEFECTDOJO_CLIENT").is_none(),
            "WARD_TEST_DEFECTDOJO_CLIENT is set but python3 cannot import defectdojo_api_generated"
        );
        eprintln!("skipped: pip install defectdojo-api-generated to run this test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), &["--scope", "import"]);
    let server = Server::start(dir.path());
    let script = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("tests/clients/defectdojo_client.py");
    let output = Command::new(defectdojo_python())
        .arg(script)
        .arg(corpus("trivy/all_statuses.json"))
        .env("WARD_URL", &server.url)
        .env("WARD_KEY", &key)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(seen["after_total"], 8);
    assert_eq!(seen["reimport_test_id"], seen["test_id"]);
}

/// `ward admin` and `ward serve` on PostgreSQL (`--database postgres://…`), when
/// `WARD_TEST_POSTGRES_URL` names a server.
#[test]
fn serve_on_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(ward_test_support::postgres::TempDatabase::create()) else {
        eprintln!("skipped: set WARD_TEST_POSTGRES_URL to run this test");
        return;
    };
    let output = ward(&[
        "admin",
        "key",
        "create",
        "--scope",
        "import",
        "--database",
        db.url(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let key = String::from_utf8(output.stdout).unwrap().trim().to_string();
    // The data directory still holds local state (the URL signing key, the storage folder).
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(&[
        "--database",
        db.url(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    let trivy = corpus("trivy/all_statuses.json");
    let args = [
        trivy.as_str(),
        "--product",
        "web",
        "--engagement",
        "main",
        "--auto-create",
    ];
    let output = upload(&server, &key, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("8 new"), "{}", stderr(&output));
    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
    assert!(
        log.contains("postgres://127.0.0.1"),
        "the log names the database without its password: {log}"
    );
    assert!(!log.contains("ward:ward@"), "{log}");
    drop(runtime);
}

/// The Python that has DefectDojo's client: `$WARD_TEST_DEFECTDOJO_PYTHON` (scripts/test.sh
/// installs it in a virtualenv), else `python3` from PATH.
fn defectdojo_python() -> std::ffi::OsString {
    std::env::var_os("WARD_TEST_DEFECTDOJO_PYTHON").unwrap_or_else(|| "python3".into())
}

/// `ward admin channel add` seals the channel's secrets with the master key; `ward serve`
/// refuses to start without the key; `ward admin rotate-key` moves them to a new key.
#[test]
fn channels_and_master_keys() {
    const OLD: &str = "abababababababababababababababababababababababababababababababab";
    const NEW: &str = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let config = r#"{"type":"slack","url":"http://127.0.0.1:9/services/T/B/cli-slack-token"}"#;
    let admin = |key: Option<&str>, args: &[&str]| {
        let mut command = crate::ward_command();
        command
            .args(["admin"])
            .args(args)
            .args(["--data-dir", data_dir]);
        command.stdin(Stdio::null());
        match key {
            Some(key) => command.env("WARD_MASTER_KEY", key),
            None => command.env_remove("WARD_MASTER_KEY"),
        };
        command.output().unwrap()
    };

    let output = admin(None, &["channel", "add", "ops", config]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no master key"),
        "{}",
        stderr(&output)
    );

    let output = admin(Some(OLD), &["channel", "add", "ops", config]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = admin(Some(OLD), &["channel", "list"]);
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(
        listing.contains("ops") && listing.contains("***"),
        "{listing}"
    );
    assert!(!listing.contains("cli-slack-token"), "{listing}");

    let output = crate::ward_command()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir])
        .env_remove("WARD_MASTER_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr(&output).contains("no master"), "{}", stderr(&output));

    let output = admin(Some(&format!("{NEW},{OLD}")), &["rotate-key"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("re-encrypted 1 "),
        "{}",
        stderr(&output)
    );
    // The old key alone no longer opens it: the server with it refuses to deliver, but the
    // listing (which never decrypts) still works; the new key alone is enough to rotate again.
    let output = admin(Some(NEW), &["rotate-key"]);
    assert!(
        stderr(&output).contains("re-encrypted 0 "),
        "{}",
        stderr(&output)
    );
    let output = admin(Some(OLD), &["rotate-key"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    let database = std::fs::read(dir.path().join("ward.sqlite3")).unwrap();
    assert!(!database.windows(15).any(|w| w == b"cli-slack-token"));
}

/// A pipeline's asynchronous scan against `ward serve` and its in-process worker: upload a
/// tar.gz with curl, poll the signed result URL until the report is there, then stop.
#[test]
fn serve_runs_uploaded_scans() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), &["--scope", "import"]);
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    // A Stripe live-key look-alike made of random characters, not a real key.
    std::fs::write(
        tree.join("settings.py"),
        "STRIPE_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcQw2XbN8m\"\n",
    )
    .unwrap();
    let archive = dir.path().join("tree.tar.gz");
    tar_gz(&tree, &archive);
    let server = Server::start(dir.path());
    let output = Command::new("curl")
        .args(["-sS", "-X", "POST"])
        .args(["-H", &format!("Authorization: Bearer {key}")])
        .args([
            "-F",
            r#"request={"scanners":["secrets"],"product":"web","engagement":"ci"};type=application/json"#,
        ])
        .args(["-F", &format!("archive=@{}", archive.display())])
        .arg(format!("{}/api/v1/scans", server.url))
        .output()
        .expect("curl");
    assert!(output.status.success(), "{}", stderr(&output));
    let reply: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let url = reply["links"]["report"].as_str().expect("a report link");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let report = loop {
        let fetched = Command::new("curl")
            .args(["-sS", "-w", "\n%{http_code}", url])
            .output()
            .expect("curl");
        let text = String::from_utf8(fetched.stdout).unwrap();
        let (body, code) = text.rsplit_once('\n').unwrap();
        if code == "200" {
            break serde_json::from_str::<serde_json::Value>(body).unwrap();
        }
        assert_eq!(code, "404", "{body}");
        assert!(std::time::Instant::now() < deadline, "no report after 60 s");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{report}");
    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
}
