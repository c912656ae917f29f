//! `ward scan`: the planted corpus end to end, stdin, export formats, unknown scanners, custom
//! rules from ward.toml and gitleaks configs, staged changes and git history.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::{stderr, stdout_json, ward, ward_in};

fn secrets_dir(sub: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/secrets")
        .join(sub)
        .display()
        .to_string()
}

/// A look-alike GitHub token (random, never a real one).
const TOKEN: &str = "ghp_Qw7Er9Ty1Ui3Op5As7Df9Gh1Jk3Lz5Xc7Vb9";

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn planted_tree_end_to_end() {
    let out = ward(&["scan", &secrets_dir("planted"), "--scanners", "secrets"]);
    let report = stdout_json(&out);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 25, "{report:#}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"));
    for f in findings {
        assert_eq!(f["category"], "secret");
        assert!(f["secret"]["sha256"].as_str().unwrap().len() == 64);
        assert!(f["location"]["file"]["start_line"].as_u64().is_some());
    }
}

#[test]
fn stdin_and_no_clear_value() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["scan", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("export GH={TOKEN}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = stdout_json(&out);
    assert_eq!(rules_of(&report), ["github-pat"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(TOKEN));
}

#[test]
fn unknown_scanner_is_an_error() {
    let out = ward(&["scan", ".", "--scanners", "secrets,nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown scanner `nope`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn to_an_export_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = ward_in(
        dir.path(),
        &[
            "scan",
            &secrets_dir("planted"),
            "--to",
            "sarif",
            "-o",
            "out.sarif",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 25);
}

#[test]
fn custom_rules_from_ward_toml_and_gitleaks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ward.toml"),
        r#"
[scan.secrets]
salt = "team-salt"

[[scan.secrets.rules]]
id = "acme-internal-token"
title = "ACME internal token"
severity = "critical"
keywords = ["acme_"]
regex = '''(acme_[a-z0-9]{24})'''
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("gitleaks.toml"),
        r#"
[[rules]]
id = "corp-key"
description = "Corp key"
regex = '''corp-([A-Z0-9]{20})'''
secretGroup = 1
keywords = ["corp-"]
[rules.allowlist]
stopwords = ["AAAAAAAAAAAAAAAAAAAA"]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.cfg"),
        "a = acme_k3j4h5g6f7d8s9a0q1w2e3r4\nb = corp-Q1W2E3R4T5Y6U7I8O9P0\nc = corp-AAAAAAAAAAAAAAAAAAAA\n",
    )
    .unwrap();
    let out = ward_in(dir.path(), &["scan", ".", "--config", "gitleaks.toml"]);
    let report = stdout_json(&out);
    let mut rules = rules_of(&report);
    rules.sort();
    assert_eq!(rules, ["acme-internal-token", "corp-key"], "{report:#}");
    // The configured salt makes the hash stable across runs.
    let again = stdout_json(&ward_in(
        dir.path(),
        &["scan", ".", "--config", "gitleaks.toml"],
    ));
    assert_eq!(
        report["findings"][0]["secret"]["sha256"],
        again["findings"][0]["secret"]["sha256"]
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@acme.io")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@acme.io")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn staged_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("a.txt"), format!("old = {TOKEN}\n")).unwrap();
    git(d, &["add", "a.txt"]);
    git(d, &["commit", "-qm", "first"]);
    std::fs::write(d.join("a.txt"), "clean\n").unwrap();
    git(d, &["commit", "-qam", "remove it"]);
    let staged_token = "npm_Zx8Cv6Bn4Mq2We0Rt8Yu6Io4Pa2Sd0Fg8Hj6";
    std::fs::write(d.join("b.txt"), format!("one\nnpm = {staged_token}\n")).unwrap();
    git(d, &["add", "b.txt"]);

    let staged = stdout_json(&ward_in(d, &["scan", ".", "--staged"]));
    assert_eq!(rules_of(&staged), ["npm-access-token"]);
    assert_eq!(staged["findings"][0]["location"]["file"]["start_line"], 2);

    let history = stdout_json(&ward_in(d, &["scan", ".", "--git-history"]));
    assert_eq!(rules_of(&history), ["github-pat"], "{history:#}");
    let f = &history["findings"][0];
    assert_eq!(f["location"]["file"]["path"], "a.txt");
    assert!(f["evidence"]
        .as_str()
        .unwrap()
        .contains("Dev <dev@acme.io>"));
    assert_eq!(f["external_id"].as_str().unwrap().len(), 40);

    // --since HEAD~1 leaves out the commit that added the token.
    let since = stdout_json(&ward_in(
        d,
        &["scan", ".", "--git-history", "--since", "HEAD~1"],
    ));
    assert!(rules_of(&since).is_empty());
}

fn data_dir(sub: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(sub)
        .display()
        .to_string()
}

#[test]
fn deps_and_secrets_together_against_the_offline_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    let db = db.to_str().unwrap();
    let imported = ward(&["db", "import", &data_dir("advisories"), "--db", db]);
    assert!(imported.status.success(), "{}", stderr(&imported));

    let out = ward(&[
        "scan",
        &data_dir("lockfiles"),
        "--db",
        db,
        "--max-db-age",
        "0",
    ]);
    let report = stdout_json(&out);
    let sources: Vec<&str> = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["format"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["secrets", "deps", "iac"]);
    let deps: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "dependency")
        .collect();
    assert!(
        !deps.is_empty(),
        "the real lockfiles pin vulnerable versions"
    );
    for f in &deps {
        assert!(
            f["location"]["package"]["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:")),
            "{f}"
        );
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    }

    // Asked for by name, a missing database is an error; by default only a warning.
    let missing = dir.path().join("none.db");
    let missing = missing.to_str().unwrap();
    let out = ward(&[
        "scan",
        &data_dir("lockfiles"),
        "--scanners",
        "deps",
        "--db",
        missing,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no advisory database"),
        "{}",
        stderr(&out)
    );
    let out = ward(&["scan", &data_dir("lockfiles"), "--db", missing]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("dependency scan skipped"),
        "{}",
        stderr(&out)
    );
    let out = ward(&["scan", "-", "--scanners", "deps", "--db", db]);
    assert_eq!(out.status.code(), Some(2));
}
