//! The dashboard in a real browser: `ward serve` with seeded data, driven by
//! `tests/e2e/run.mjs` in Debian's headless Chromium (playwright-core, axe-core).
//!
//! Needs `node`, `/usr/bin/chromium` and `npm ci` run in `tests/e2e`; without them the test is
//! skipped, unless `WARD_TEST_BROWSER=1` (set by scripts/test.sh), which makes it fail.
//! Screenshots of every page land in `$CARGO_TARGET_TMPDIR/dashboard-screenshots`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::server::{create_key, upload, Server};
use crate::{corpus, stderr};

const PASSWORD: &str = "e2e correct horse battery";

/// The e2e folder, when everything the browser test needs is installed.
fn e2e_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e");
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
    let server = Server::start(dir.path());
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
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
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
