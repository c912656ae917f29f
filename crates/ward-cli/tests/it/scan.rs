//! `ward scan`: the planted corpus end to end, stdin, export formats, unknown scanners, custom
//! rules from ward.toml and gitleaks configs, staged changes and git history, the policy's
//! suppressions, and stable hashes and fingerprints.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::{stderr, stdout_json, ward, ward_command, ward_in};

fn secrets_dir(sub: &str) -> String {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
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
    let mut child = ward_command()
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
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
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

/// A look-alike npm token (random, never a real one).
const NPM_TOKEN: &str = "npm_Zx8Cv6Bn4Mq2We0Rt8Yu6Io4Pa2Sd0Fg8Hj6";

/// A tree with a token in a test fixture, one in the source, and an npm token.
fn tree_with_fixtures(dir: &Path) {
    for sub in ["tests", "src"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("tests/fixture.env"), format!("GH={TOKEN}\n")).unwrap();
    std::fs::write(dir.join("src/app.env"), format!("GH={TOKEN}\n")).unwrap();
    std::fs::write(dir.join("src/npm.env"), format!("NPM={NPM_TOKEN}\n")).unwrap();
}

const POLICY: &str = r#"[[suppress]]
path = "tests/**"
reason = "test fixtures, revoked"
expires = 2099-12-31

[[suppress]]
rule = "npm-access-token"
reason = "waiting for the rotation"
expires = 2020-01-01
"#;

fn finding_at<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["file"]["path"] == path)
        .unwrap_or_else(|| panic!("no finding in {path}: {report:#}"))
}

#[test]
fn suppressions_of_the_policy_mark_findings_and_keep_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tree_with_fixtures(d);
    std::fs::write(d.join("ward.toml"), POLICY).unwrap();
    let out = ward_in(
        d,
        &["scan", ".", "--scanners", "secrets", "-o", "report.json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        3,
        "{report:#}"
    );
    let fixture = finding_at(&report, "tests/fixture.env");
    assert_eq!(fixture["status"], "accepted");
    assert!(fixture["description"]
        .as_str()
        .unwrap()
        .ends_with("Suppressed by the policy (line 1, until 2099-12-31): test fixtures, revoked"));
    assert!(
        finding_at(&report, "src/app.env").get("status").is_none(),
        "open"
    );
    // The expired suppression applies to nothing and says so.
    assert!(finding_at(&report, "src/npm.env").get("status").is_none());
    assert!(
        stderr(&out).contains(
            "warning: ward.toml line 6: the suppression (rule npm-access-token) expired on 2020-01-01; its 1 finding(s) stay open"
        ),
        "{}",
        stderr(&out)
    );
    // The gate counts the suppressed finding as closed, the two others as open.
    let gate = ward_in(d, &["gate", "report.json"]);
    let text = String::from_utf8_lossy(&gate.stdout);
    assert!(
        text.contains("counted 2 finding(s); 1 closed in the report"),
        "{text}"
    );

    // --policy names a policy elsewhere; a suppression by fingerprint works across scans.
    let fingerprint = finding_at(&report, "src/app.env")["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(d.join("ward.toml")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let policy = elsewhere.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!("[[suppress]]\nfingerprint = \"{fingerprint}\"\nreason = \"rotated on 2026-01-05\"\nexpires = 2099-01-01\n"),
    )
    .unwrap();
    let again = stdout_json(&ward_in(
        d,
        &[
            "scan",
            ".",
            "--scanners",
            "secrets",
            "--policy",
            policy.to_str().unwrap(),
        ],
    ));
    assert_eq!(finding_at(&again, "src/app.env")["status"], "accepted");
    assert!(finding_at(&again, "tests/fixture.env")
        .get("status")
        .is_none());
}

#[test]
fn a_bad_policy_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    tree_with_fixtures(dir.path());
    std::fs::write(
        dir.path().join("ward.toml"),
        "[gate]\nnew_only = true\n\n[[suppress]]\nrule = \"github-pat\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    let out = ward_in(dir.path(), &["scan", ".", "--scanners", "secrets"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no partial report");
    let e = stderr(&out);
    assert!(
        e.contains("ward.toml: line 4: a suppression needs a reason"),
        "{e}"
    );
}

fn scan_with(dir: &Path, data_home: &Path, salt: Option<&str>) -> serde_json::Value {
    let mut command = ward_command();
    command
        .args(["scan", ".", "--scanners", "secrets"])
        .current_dir(dir)
        .env("XDG_DATA_HOME", data_home)
        .stdin(Stdio::null());
    if let Some(salt) = salt {
        command.env("WARD_SECRET_SALT", salt);
    }
    let out: Output = command.output().expect("running ward");
    stdout_json(&out)
}

fn ids(report: &serde_json::Value, field: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| match field {
            "sha256" => f["secret"]["sha256"].as_str().unwrap().to_string(),
            _ => f[field].as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
fn rescans_give_the_same_hashes_and_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    tree_with_fixtures(dir.path());
    let first = scan_with(dir.path(), data.path(), None);
    let second = scan_with(dir.path(), data.path(), None);
    assert_eq!(ids(&first, "fingerprint"), ids(&second, "fingerprint"));
    assert_eq!(
        ids(&first, "sha256"),
        ids(&second, "sha256"),
        "the key file keeps the salt"
    );
    // The key was created once, private to the user.
    let key = data.path().join("ward/secret-salt");
    assert_eq!(std::fs::read(&key).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Salted: no hash is the plain SHA-256 of the token.
    let hashes = ids(&first, "sha256");
    let plain = "e294a9a7eb84b915084297703473e7a2226927a0523dab2a27bb3df815fa3cfb";
    assert!(!hashes.iter().any(|h| h == plain), "{hashes:?}");

    // Another salt changes every hash and no fingerprint.
    let a = scan_with(dir.path(), data.path(), Some("salt-a"));
    let b = scan_with(dir.path(), data.path(), Some("salt-b"));
    assert_eq!(ids(&a, "fingerprint"), ids(&first, "fingerprint"));
    assert_eq!(ids(&b, "fingerprint"), ids(&first, "fingerprint"));
    let (ha, hb) = (ids(&a, "sha256"), ids(&b, "sha256"));
    assert!(ha.iter().zip(&hb).all(|(x, y)| x != y), "{ha:?} {hb:?}");

    // Another project (a copy of the tree elsewhere) gets another salt, the same fingerprints.
    let copy = tempfile::tempdir().unwrap();
    tree_with_fixtures(copy.path());
    let other = scan_with(copy.path(), data.path(), None);
    assert_eq!(ids(&other, "fingerprint"), ids(&first, "fingerprint"));
    assert!(ids(&other, "sha256")
        .iter()
        .zip(&hashes)
        .all(|(x, y)| x != y));
}

#[test]
fn gitleaks_config_extending_the_default_and_allowing_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::write(d.join("a.txt"), format!("old = {TOKEN}\n")).unwrap();
    git(d, &["add", "a.txt"]);
    git(d, &["commit", "-qm", "fixture"]);
    std::fs::write(d.join("b.txt"), format!("new = {NPM_TOKEN}\n")).unwrap();
    git(d, &["add", "b.txt"]);
    git(d, &["commit", "-qm", "second"]);
    let first = Command::new("git")
        .args(["rev-parse", "HEAD~1"])
        .current_dir(d)
        .output()
        .unwrap();
    let first = String::from_utf8(first.stdout).unwrap().trim().to_string();
    let config_dir = tempfile::tempdir().unwrap();
    let config = config_dir.path().join("gitleaks.toml");
    std::fs::write(
        &config,
        format!("[extend]\nuseDefault = true\n\n[[allowlists]]\ndescription = \"revoked fixture\"\ncommits = [\"{first}\"]\n"),
    )
    .unwrap();
    let all = stdout_json(&ward_in(d, &["scan", ".", "--git-history"]));
    let mut rules = rules_of(&all);
    rules.sort();
    assert_eq!(rules, ["github-pat", "npm-access-token"]);
    let allowed = stdout_json(&ward_in(
        d,
        &[
            "scan",
            ".",
            "--git-history",
            "--config",
            config.to_str().unwrap(),
        ],
    ));
    assert_eq!(rules_of(&allowed), ["npm-access-token"], "{allowed:#}");
    // Outside history the commit allowlist does not apply.
    let tree = stdout_json(&ward_in(
        d,
        &[
            "scan",
            ".",
            "--scanners",
            "secrets",
            "--config",
            config.to_str().unwrap(),
        ],
    ));
    let mut rules = rules_of(&tree);
    rules.sort();
    assert_eq!(rules, ["github-pat", "npm-access-token"]);
}

#[test]
fn ward_scan_and_an_imported_gitleaks_report_agree_on_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    tree_with_fixtures(dir.path());
    let scanned = stdout_json(&ward_in(
        dir.path(),
        &["scan", ".", "--scanners", "secrets"],
    ));
    // gitleaks v8's JSON report of the same token in the same file, under its own rule name.
    let report = format!(
        r#"[{{"Description": "GitHub Personal Access Token", "StartLine": 1, "EndLine": 1,
  "StartColumn": 4, "EndColumn": 43, "Match": "{TOKEN}", "Secret": "{TOKEN}",
  "File": "src/app.env", "SymlinkFile": "", "Commit": "", "Entropy": 4.9, "Author": "",
  "Email": "", "Date": "", "Message": "", "Tags": [], "RuleID": "github-pat",
  "Fingerprint": "src/app.env:github-pat:1"}}]"#
    );
    std::fs::write(dir.path().join("gitleaks.json"), report).unwrap();
    let imported = stdout_json(&ward_in(dir.path(), &["import", "gitleaks.json"]));
    assert_eq!(imported["findings"][0]["tool"], "Gitleaks");
    assert_eq!(
        imported["findings"][0]["fingerprint"],
        finding_at(&scanned, "src/app.env")["fingerprint"]
    );
}
