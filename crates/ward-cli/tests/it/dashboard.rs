//! The dashboard in a real browser: `ward serve` with seeded data, driven by
//! `tests/e2e/run.mjs` in Debian's headless Chromium (playwright-core, axe-core).
//!
//! Needs `node`, `/usr/bin/chromium` and `npm ci` run in `tests/e2e`; without them the test is
//! skipped, unless `WARD_TEST_BROWSER=1` (set by scripts/test.sh), which makes it fail.
//! Screenshots of every page land in `$WARD_SCREENSHOTS_DIR`, by default
//! `$CARGO_TARGET_TMPDIR/dashboard-screenshots`.
//!
//! Seeded: three imported reports (products shop and bank), a scan of an uploaded archive for
//! shop (succeeds, in the server's own worker) and a scan of a git URL the worker refuses for
//! bank (fails, with a failure report).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::{create_key, upload, Server};
use crate::{corpus, stderr};

const PASSWORD: &str = "e2e correct horse battery";

/// The e2e folder, when everything the browser test needs is installed.
fn e2e_dir() -> Option<PathBuf> {
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("../../tests/e2e");
    let chromium = std::env::var("WARD_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = Path::new(&chromium).exists()
        && dir.join("node_modules/playwright-core").is_dir()
        && dir.join("node_modules/axe-core").is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    let required = std::env::var("WARD_TEST_BROWSER").is_ok_and(|v| v == "1");
    match (ready, required) {
        (true, _) => Some(dir),
        (false, true) => panic!(
            "WARD_TEST_BROWSER=1 but the browser test cannot run: needs node, {chromium} and `npm ci` in {}",
            dir.display()
        ),
        (false, false) => {
            eprintln!("skipping the dashboard browser test: no chromium, node or tests/e2e/node_modules");
            None
        }
    }
}

fn create_user(data_dir: &Path, name: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args([
            "admin",
            "user",
            "create",
            name,
            "--scope",
            "admin",
            "--data-dir",
        ])
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ward admin user create");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{PASSWORD}").expect("password");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn dashboard_in_a_browser() {
    let Some(e2e) = e2e_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let admin = create_key(dir.path(), &["--scope", "admin"]);
    let limited = create_key(dir.path(), &["--scope", "read", "--product", "bank"]);
    create_user(dir.path(), "e2e");
    // A master key, so that notification channels can be added from the admin page.
    let master_key = dir.path().join("master.key");
    std::fs::write(&master_key, format!("{}\n", "4b".repeat(32))).unwrap();
    let server = Server::start_with(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--master-key-file",
        master_key.to_str().unwrap(),
    ]);
    for (report, product, engagement) in [
        ("trivy/all_statuses.json", "shop", "main"),
        ("trivy/cvss_severity_source.json", "shop", "deps"),
        ("gitleaks/gitleaks8_many.json", "bank", "main"),
    ] {
        let report = corpus(report);
        let output = upload(
            &server,
            &admin,
            &[
                &report,
                "--product",
                product,
                "--engagement",
                engagement,
                "--auto-create",
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let shop_scan = scan_archive(&server, &admin, dir.path());
    let bank_scan = scan_json(
        &server,
        &admin,
        r#"{"source": {"git": {"url": "/srv/not-a-remote.git"}}, "scanners": ["secrets"], "product": "bank", "engagement": "main"}"#,
    );
    assert_eq!(wait_for_scan(&server, &admin, shop_scan), "succeeded");
    assert_eq!(wait_for_scan(&server, &admin, bank_scan), "failed");
    let screenshots = std::env::var_os("WARD_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots"));
    let output = Command::new("node")
        .arg(e2e.join("run.mjs"))
        .current_dir(&e2e)
        .env("WARD_URL", &server.url)
        .env("WARD_USER", "e2e")
        .env("WARD_PASSWORD", PASSWORD)
        .env("WARD_LIMITED_KEY", &limited)
        .env("WARD_VISIBLE_PRODUCT", "bank")
        .env("WARD_HIDDEN_PRODUCT", "shop")
        .env("WARD_SCREENSHOTS", &screenshots)
        .env("WARD_SHOP_SCAN", shop_scan.to_string())
        .env("WARD_BANK_SCAN", bank_scan.to_string())
        .output()
        .expect("running node");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{log}\nscreenshots in {}",
        screenshots.display()
    );
    assert!(log.contains("all checks passed"), "{log}");
}

/// `curl` against the server with `key`; the reply body, after checking the status.
fn curl(server: &Server, key: &str, args: &[&str], path: &str, expected: u16) -> serde_json::Value {
    let output = Command::new("curl")
        .args(["-sS", "-o", "-", "-w", "\n%{http_code}"])
        .args(["-H", &format!("Authorization: Bearer {key}")])
        .args(args)
        .arg(format!("{}{path}", server.url))
        .output()
        .expect("running curl");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("a status line");
    assert_eq!(status, expected.to_string(), "{path}: {body}");
    serde_json::from_str(body).expect("a JSON reply")
}

/// Queues a scan from a JSON request; its job id.
fn scan_json(server: &Server, key: &str, request: &str) -> i64 {
    let args = [
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        request,
    ];
    curl(server, key, &args, "/api/v1/scans", 202)["id"]
        .as_i64()
        .expect("a job id")
}

/// Queues a secrets scan of an uploaded tar.gz (one harmless file) for shop; its job id.
fn scan_archive(server: &Server, key: &str, dir: &Path) -> i64 {
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("README.md"), "# app\nNothing secret here.\n").unwrap();
    let archive = dir.join("tree.tar.gz");
    super::server::tar_gz(&tree, &archive);
    let request = r#"request={"scanners": ["secrets"], "product": "shop", "engagement": "main"};type=application/json"#;
    let archive = format!("archive=@{}", archive.display());
    let args = ["-X", "POST", "-F", request, "-F", archive.as_str()];
    curl(server, key, &args, "/api/v1/scans", 202)["id"]
        .as_i64()
        .expect("a job id")
}

/// Polls a scan job until it succeeded or failed (at most a minute); its state.
fn wait_for_scan(server: &Server, key: &str, id: i64) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = curl(server, key, &[], &format!("/api/v1/scans/{id}"), 200);
        let state = job["state"].as_str().unwrap_or_default().to_string();
        if state == "succeeded" || state == "failed" || Instant::now() > deadline {
            return state;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
