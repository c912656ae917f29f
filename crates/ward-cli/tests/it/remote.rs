//! `ward scan --remote` end to end against a real `ward serve` on 127.0.0.1 and its
//! in-process worker: a clean tree passes, a leaked key fails the gate, a scanner that is
//! not installed fails the job, and a wrong server or key is an error.

use std::path::Path;
use std::process::Output;

use crate::server::{create_key, Server};
use crate::{stderr, ward_in};

/// A Stripe live-key look-alike made of random characters, not a real key.
const LEAK: &str = "STRIPE_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcQw2XbN8m\"\n";

fn remote_scan(dir: &Path, server: &str, key: &str, args: &[&str]) -> Output {
    let mut all = vec![
        "scan",
        "--remote",
        server,
        "--api-key",
        key,
        "--product",
        "web",
        "--engagement",
        "ci",
        "--timeout",
        "120",
    ];
    all.extend_from_slice(args);
    ward_in(dir, &all)
}

#[test]
fn remote_scans_pass_fail_and_report_failures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = create_key(&data, &["--scope", "import"]);
    let server = Server::start(&data);

    // A clean tree; the leaked key sits in a file .gitignore excludes, so it is not sent.
    let clean = dir.path().join("clean");
    std::fs::create_dir(&clean).unwrap();
    std::fs::write(clean.join("app.py"), "print('hello')\n").unwrap();
    std::fs::write(clean.join(".gitignore"), "local.env\n").unwrap();
    std::fs::write(clean.join("local.env"), LEAK).unwrap();
    let output = remote_scan(&clean, &server.url, &key, &["-o", "report.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("ward gate: passed"),
        "{}",
        stderr(&output)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(clean.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");

    // The leak committed: the report (SARIF here, on stdout) has it and the gate fails.
    let leaky = dir.path().join("leaky");
    std::fs::create_dir(&leaky).unwrap();
    std::fs::write(leaky.join("settings.py"), LEAK).unwrap();
    let output = remote_scan(&leaky, &server.url, &key, &["--to", "sarif"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("ward gate: FAILED"),
        "{}",
        stderr(&output)
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{sarif}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("4eC39HqLyjWDarjtT1zdp7dcQw2XbN8m"), "{text}");

    // The same leak under a ward.toml suppression: accepted in the report, the gate passes.
    std::fs::write(
        leaky.join("ward.toml"),
        "[[suppress]]\npath = \"settings.py\"\nreason = \"test key\"\nexpires = 2099-12-31\n",
    )
    .unwrap();
    let output = remote_scan(&leaky, &server.url, &key, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["status"], "accepted", "{report}");

    // A scanner the worker does not have: the job fails, its failure report is printed.
    let output = remote_scan(&clean, &server.url, &key, &["--scanners", "horusec"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("failed") && text.contains("horusec"),
        "{text}"
    );
    assert!(text.contains("tool-missing"), "{text}");
    assert!(output.stdout.is_empty());

    // Bad input: an unknown scanner, a missing key, a wrong key, a server that is not there.
    let output = remote_scan(&clean, &server.url, &key, &["--scanners", "nope"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("unknown scanner `nope`"));
    let output = remote_scan(&clean, &server.url, "ward_not-a-key", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("401"), "{}", stderr(&output));
    let output = remote_scan(&clean, "http://127.0.0.1:9", &key, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("connecting to http://127.0.0.1:9"),
        "{}",
        stderr(&output)
    );
    let output = remote_scan(&clean, "ftp://127.0.0.1", &key, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("not an http(s) URL"));
    let output = ward_in(
        &clean,
        &[
            "scan",
            "--remote",
            &server.url,
            "--api-key",
            &key,
            "--product",
            "web",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--engagement"),
        "{}",
        stderr(&output)
    );

    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
}

/// Without WARD_URL_SIGNING_KEY the server keeps its signing key in the data directory
/// (mode 0600), so a result URL handed out before a restart still works after it.
#[test]
fn result_urls_survive_a_restart() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = create_key(&data, &["--scope", "import"]);
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("app.py"), "print('hello')\n").unwrap();

    let server = Server::start(&data);
    let output = remote_scan(&tree, &server.url, &key, &["-o", "report.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let reply = std::process::Command::new("curl")
        .args(["-sS", "-H", &format!("Authorization: Bearer {key}")])
        .arg(format!("{}/api/v1/scans/1", server.url))
        .output()
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.stdout).unwrap();
    let link = reply["links"]["report"].as_str().unwrap().to_string();
    let old_base = server.url.clone();
    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
    let key_file = data.join("url-signing.key");
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");

    // The new server listens on another port: the path and signature are what count.
    let server = Server::start(&data);
    let moved = link.replacen(&old_base, &server.url, 1);
    let fetch = |url: &str| {
        let output = std::process::Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", url])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(fetch(&moved), "200", "{moved}");
    let tampered = moved.replacen("report.json", "report.sarif", 1);
    assert_eq!(fetch(&tampered), "403", "{tampered}");
    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
}

/// `ward serve --storage s3://…` against the S3-compatible server scripts/test.sh starts
/// (`WARD_TEST_S3_ENDPOINT` and the `AWS_*` variables): the result link is an S3 presigned
/// URL that answers once the worker has written the report, `ward scan --remote` downloads
/// from it, and a tampered presigned URL is refused by S3.
#[test]
fn scans_on_s3_storage() {
    let Ok(endpoint) = std::env::var("WARD_TEST_S3_ENDPOINT") else {
        eprintln!("skipped: set WARD_TEST_S3_ENDPOINT (and AWS_*) to run this test");
        return;
    };
    let endpoint = endpoint.trim_end_matches('/').to_string();
    let bucket = format!("ward-remote-{}", std::process::id());
    let credentials = format!(
        "{}:{}",
        std::env::var("AWS_ACCESS_KEY_ID").expect("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY").expect("AWS_SECRET_ACCESS_KEY")
    );
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".to_string());
    let created = std::process::Command::new("curl")
        .args(["-sS", "--fail-with-body", "-X", "PUT"])
        // The SHA-256 of the empty body, which S3 wants named in a signed header.
        .args([
            "-H",
            "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ])
        .args([
            "--aws-sigv4",
            &format!("aws:amz:{region}:s3"),
            "--user",
            &credentials,
        ])
        .arg(format!("{endpoint}/{bucket}"))
        .output()
        .expect("curl");
    assert!(
        created.status.success(),
        "creating the bucket: {}",
        stderr(&created)
    );

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = create_key(&data, &["--scope", "import"]);
    let storage = format!("s3://{bucket}/ward");
    let server = Server::start_with(&["--data-dir", data.to_str().unwrap(), "--storage", &storage]);
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("settings.py"), LEAK).unwrap();
    let archive = dir.path().join("tree.tar.gz");
    super::server::tar_gz(&tree, &archive);
    let posted = std::process::Command::new("curl")
        .args(["-sS", "--fail-with-body", "-X", "POST"])
        .args(["-H", &format!("Authorization: Bearer {key}")])
        .args([
            "-F",
            r#"request={"scanners":["secrets"],"product":"web","engagement":"s3"};type=application/json"#,
        ])
        .args(["-F", &format!("archive=@{}", archive.display())])
        .arg(format!("{}/api/v1/scans", server.url))
        .output()
        .unwrap();
    assert!(posted.status.success(), "{}", stderr(&posted));
    let reply: serde_json::Value = serde_json::from_slice(&posted.stdout).unwrap();
    let url = reply["links"]["report"].as_str().unwrap().to_string();
    assert!(url.starts_with(&endpoint), "a presigned S3 URL: {url}");
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let get = |url: &str| {
        let output = std::process::Command::new("curl")
            .args(["-sS", "-w", "\n%{http_code}", url])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        let (body, code) = text.rsplit_once('\n').unwrap();
        (code.to_string(), body.to_string())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let report = loop {
        let (code, body) = get(&url);
        if code == "200" {
            break serde_json::from_str::<serde_json::Value>(&body).unwrap();
        }
        assert_eq!(code, "404", "{body}");
        assert!(std::time::Instant::now() < deadline, "no report after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{report}");

    // A signature changed by one character, or another object under the same signature.
    let (prefix, signature) = url.split_once("X-Amz-Signature=").unwrap();
    let flipped = if signature.starts_with('0') { '1' } else { '0' };
    let tampered = format!("{prefix}X-Amz-Signature={flipped}{}", &signature[1..]);
    assert_eq!(get(&tampered).0, "403", "{tampered}");
    let moved = url.replacen("report.json", "report.sarif", 1);
    assert_eq!(get(&moved).0, "403", "{moved}");

    // The CLI client against the same server downloads from S3 too.
    let output = ward_in(
        &tree,
        &[
            "scan",
            "--remote",
            &server.url,
            "--api-key",
            &key,
            "--product",
            "web",
            "--engagement",
            "s3",
            "--timeout",
            "60",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let (stopped, log) = server.stop();
    assert!(stopped, "{log}");
}
