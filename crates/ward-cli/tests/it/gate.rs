//! `ward gate`: each policy clause, expiry, baselines and exit codes.

use std::path::Path;
use std::process::Command;

use crate::{corpus, stderr, ward_in};

/// gitleaks8_many.json has three high-severity secret findings.
fn three_highs() -> String {
    corpus("gitleaks/gitleaks8_many.json")
}

fn gate(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["gate"];
    all.extend_from_slice(args);
    let out = ward_in(dir, &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr(&out),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn default_policy_fails_on_high() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = gate(dir.path(), &[&three_highs()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED") && out.contains("3 high or worse findings"),
        "{out}"
    );
    assert!(
        out.contains("Hard coded AWS found in /conf/aws.tf"),
        "{out}"
    );
}

#[test]
fn thresholds_and_categories() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ward.toml",
        "[[gate.fail]]\ncategory = \"secret\"\nseverity = \"high\"\nmax = 3\n",
    );
    let (code, out, _) = gate(dir.path(), &[&three_highs()]);
    assert_eq!(code, 0, "{out}");
    write(
        dir.path(),
        "ward.toml",
        "[[gate.fail]]\ncategory = \"secret\"\nmax = 2\n",
    );
    let (code, out, _) = gate(dir.path(), &[&three_highs()]);
    assert_eq!(code, 1, "{out}");
    write(
        dir.path(),
        "ward.toml",
        "[[gate.fail]]\ncategory = \"dependency\"\n",
    );
    assert_eq!(gate(dir.path(), &[&three_highs()]).0, 0);
}

#[test]
fn suppressions_expire() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policy.toml",
        "# accepted for now\n[[suppress]]\ntool = \"gitleaks\"\nreason = \"fake keys in fixtures\"\nexpires = 2030-01-31\n",
    );
    let (code, out, _) = gate(
        dir.path(),
        &[
            &three_highs(),
            "--policy",
            "policy.toml",
            "--today",
            "2030-01-31",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("suppressed: 3 finding(s) by line 2"), "{out}");
    let (code, out, _) = gate(
        dir.path(),
        &[
            &three_highs(),
            "--policy",
            "policy.toml",
            "--today",
            "2030-02-01",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("expired on 2030-01-31"), "{out}");
}

#[test]
fn bad_policies_are_errors_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (policy, needle) in [
        ("[gate]\nnew_only = true\nfail_if = 1\n", "line 3"),
        (
            "[[suppress]]\nrule = \"x\"\nreason = \"r\"\nexpires = 2027-02-31\n",
            "line 4",
        ),
        (
            "[[suppress]]\npath = \"a/[\"\nreason = \"r\"\nexpires = 2027-01-01\n",
            "line 2",
        ),
        (
            "[[suppress]]\nrule = \"x\"\nexpires = 2027-01-01\n",
            "needs a reason",
        ),
    ] {
        write(dir.path(), "ward.toml", policy);
        let (code, _, err) = gate(dir.path(), &[&three_highs()]);
        assert_eq!(code, 2, "{policy}: {err}");
        assert!(
            err.contains("ward.toml") && err.contains(needle),
            "{policy}: {err}"
        );
    }
}

#[test]
fn new_only_against_a_baseline_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ward.toml", "[gate]\nnew_only = true\n");
    let (code, out, _) = gate(dir.path(), &[&three_highs(), "--baseline", &three_highs()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 already in the baseline"), "{out}");
    let (code, out, _) = gate(
        dir.path(),
        &[
            &three_highs(),
            "--baseline",
            &corpus("gitleaks/data_one.json"),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 fixed since the baseline"), "{out}");
}

#[test]
fn new_only_against_a_git_ref() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    let imported = ward_in(
        dir.path(),
        &["import", &three_highs(), "-o", "ward-report.json"],
    );
    assert!(imported.status.success());
    git(&["add", "ward-report.json"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-q",
        "-m",
        "baseline",
    ]);
    write(dir.path(), "ward.toml", "[gate]\nnew_only = true\n");
    let (code, out, err) = gate(dir.path(), &[&three_highs(), "--baseline-ref", "main"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = gate(
        dir.path(),
        &[
            &three_highs(),
            &corpus("gitleaks/data_one.json"),
            "--baseline-ref",
            "main",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let (code, _, err) = gate(
        dir.path(),
        &[&three_highs(), "--baseline-ref", "no-such-branch"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no-such-branch:ward-report.json"), "{err}");
}

#[test]
fn reports_allowed_to_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "zap-report.xml", "<OWASPZAPReport><site>");
    let (code, _, err) = gate(
        dir.path(),
        &[&corpus("gitleaks/no_findings.json"), "zap-report.xml"],
    );
    assert_eq!(code, 2, "{err}");
    write(
        dir.path(),
        "ward.toml",
        "[gate]\nallow_failure = [\"zap-*.xml\"]\n",
    );
    let (code, out, err) = gate(
        dir.path(),
        &[
            &corpus("gitleaks/no_findings.json"),
            "zap-report.xml",
            "--format",
            "gitleaks",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("allowed to fail"), "{err}");
}

#[test]
fn json_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = gate(dir.path(), &[&three_highs(), "--json"]);
    assert_eq!(code, 1);
    let verdict: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(verdict["passed"], false);
    assert_eq!(verdict["violations"][0]["count"], 3);
}
