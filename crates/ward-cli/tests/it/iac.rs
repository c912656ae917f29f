//! `ward scan --scanners iac`: the goat corpus end to end, bad and hostile files as
//! per-file warnings, inline suppressions in each file type's convention, and policy
//! suppressions through `ward gate`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{stderr, stdout_json, ward, ward_in};

fn iac_data() -> String {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("../../tests/data/iac")
        .display()
        .to_string()
}

fn findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn with_rule<'a>(report: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    report.iter().filter(|f| f["rule_id"] == rule).collect()
}

#[test]
fn the_goat_corpus_end_to_end() {
    let out = ward(&["scan", "--scanners", "iac", &iac_data()]);
    let report = stdout_json(&out);
    let all = findings(&report);
    assert!(all.len() > 400, "{} findings", all.len());
    let sources: Vec<&str> = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["format"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["iac"]);
    let mut fingerprints = std::collections::HashSet::new();
    for f in &all {
        assert_eq!(f["category"], "iac");
        assert_eq!(f["tool"], "ward");
        assert!(
            f["rule_id"].is_string() && f["remediation"].is_string(),
            "{f}"
        );
        assert!(f["references"][0].as_str().unwrap().starts_with("https://"));
        assert!(
            f["location"]["file"]["start_line"].as_u64().unwrap() > 0,
            "{f}"
        );
        assert!(
            fingerprints.insert(f["fingerprint"].as_str().unwrap().to_string()),
            "duplicate fingerprint: {f}"
        );
    }
    // A CloudFormation finding names the logical id and the type as written, and its line.
    let public = with_rule(&all, "aws-s3-public-read-acl");
    let cfn = public
        .iter()
        .find(|f| f["location"]["file"]["path"] == "cloudformation/cfngoat/cfngoat.yaml")
        .expect("cfngoat's DataBucket is public");
    assert_eq!(cfn["location"]["cloud"]["resource_id"], "DataBucket");
    assert_eq!(cfn["location"]["cloud"]["resource_type"], "AWS::S3::Bucket");
    assert_eq!(cfn["location"]["file"]["start_line"], 595);
    // A Terraform module resource is addressed through the module and found through its input.
    let ssh = with_rule(&all, "aws-sg-open-ssh");
    assert!(ssh
        .iter()
        .any(|f| f["location"]["cloud"]["resource_id"] == "module.sg.aws_security_group.sg"));
    // Secrets in Lambda environments are named, never printed.
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

    let sarif = ward(&["scan", "--scanners", "iac", &iac_data(), "--to", "sarif"]);
    assert!(sarif.status.success(), "{}", stderr(&sarif));
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn bad_files_are_warnings_naming_file_and_line_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "good/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
    );
    write(
        root,
        "broken/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  acl = \n}\n",
    );
    write(
        root,
        "template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !NotAnIntrinsic x\n",
    );
    write(
        root,
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n spec: [\n",
    );
    write(root, "notes/ci.yml", "stages: [build\n");
    let out = ward(&["scan", "--scanners", "iac", root.to_str().unwrap()]);
    let err = stderr(&out);
    let report = stdout_json(&out);
    assert!(err.contains("warning: broken/main.tf: line 2"), "{err}");
    assert!(err.contains("warning: template.yaml: line 6"), "{err}");
    assert!(err.contains("!NotAnIntrinsic"), "{err}");
    assert!(err.contains("warning: k8s/pod.yaml: line"), "{err}");
    assert!(
        !err.contains("ci.yml"),
        "YAML that is not IaC is skipped quietly: {err}"
    );
    let all = findings(&report);
    assert_eq!(
        with_rule(&all, "aws-s3-public-read-acl")[0]["location"]["file"]["path"],
        "good/main.tf"
    );
}

#[test]
fn hostile_files_cost_little_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut laughs = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        laughs.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    write(root, "laughs.yaml", &laughs);
    write(
        root,
        "deep.json",
        &format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"x\", \"d\": {}{}}}",
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
    );
    let mut nested = String::from("resource \"aws_s3_bucket\" \"b\" {\n  tags = ");
    nested.push_str(&"{a = ".repeat(10_000));
    nested.push('1');
    nested.push_str(&"}".repeat(10_000));
    nested.push_str("\n}\n");
    write(root, "deep/main.tf", &nested);
    let big = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n{}",
        "  k: v\n".repeat(2_000_000)
    );
    write(root, "big.yaml", &big);
    write(root, "ok/Dockerfile", "FROM alpine\n");

    let started = Instant::now();
    let out = ward(&[
        "scan",
        "--scanners",
        "iac",
        root.to_str().unwrap(),
        "--max-file-size",
        "1000000",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    let err = stderr(&out);
    let report = stdout_json(&out);
    assert!(
        err.contains("laughs.yaml") && err.contains("billion"),
        "{err}"
    );
    assert!(err.contains("deep.json"), "{err}");
    assert!(err.contains("deep/main.tf"), "{err}");
    assert!(err.contains("big.yaml: skipped"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!with_rule(&findings(&report), "docker-base-image-latest").is_empty());
}

#[test]
fn inline_suppressions_in_each_convention() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "template.yaml",
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      ward:\n        skip:\n          - id: aws-s3-public-read-acl\n            reason: static website\n      checkov:\n        skip:\n          - id: CKV_AWS_18\n            comment: logs go elsewhere\n      cfn_nag:\n        rules_to_suppress:\n          - id: W41\n            reason: default encryption is enough\n    Properties:\n      AccessControl: PublicRead\n",
    );
    write(
        root,
        "tf/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  # ward:skip=aws-s3-public-read-acl static website\n  #checkov:skip=CKV_AWS_21:scratch bucket\n  acl = \"public-read\"\n}\n",
    );
    write(
        root,
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: app\n  annotations:\n    ward.dev/skip: k8s-host-network, k8s-default-namespace\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: a:1}]\n",
    );
    write(
        root,
        "img/Dockerfile",
        "# ward:skip=docker-user-missing the entrypoint drops privileges\nFROM alpine:3.20\n",
    );
    let report = stdout_json(&ward(&[
        "scan",
        "--scanners",
        "iac",
        root.to_str().unwrap(),
    ]));
    let all = findings(&report);
    let status = |file: &str, rule: &str| -> (String, String) {
        let f = all
            .iter()
            .find(|f| f["rule_id"] == rule && f["location"]["file"]["path"] == file)
            .unwrap_or_else(|| panic!("{rule} in {file}"));
        (
            f["status"].as_str().unwrap_or("open").to_string(),
            f["evidence"].as_str().unwrap_or("").to_string(),
        )
    };
    let accepted = |file: &str, rule: &str, reason: &str| {
        let (s, evidence) = status(file, rule);
        assert_eq!(s, "accepted", "{rule} in {file}");
        assert!(evidence.contains(reason), "{evidence}");
    };
    accepted("template.yaml", "aws-s3-public-read-acl", "static website");
    accepted(
        "template.yaml",
        "aws-s3-access-logging-disabled",
        "logs go elsewhere",
    );
    accepted(
        "template.yaml",
        "aws-s3-encryption-disabled",
        "default encryption is enough",
    );
    assert_eq!(
        status("template.yaml", "aws-s3-versioning-disabled").0,
        "open"
    );
    accepted("tf/main.tf", "aws-s3-public-read-acl", "static website");
    accepted("tf/main.tf", "aws-s3-versioning-disabled", "scratch bucket");
    accepted("k8s/pod.yaml", "k8s-host-network", "k8s-host-network");
    assert_eq!(status("k8s/pod.yaml", "k8s-run-as-root").0, "open");
    accepted("img/Dockerfile", "docker-user-missing", "drops privileges");
}

#[test]
fn policy_suppressions_and_inline_ones_satisfy_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "src/main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
    );
    let scan = ward_in(
        root,
        &["scan", "--scanners", "iac", "src", "-o", "report.json"],
    );
    assert!(scan.status.success(), "{}", stderr(&scan));
    // The public-read ACL is the only high finding: the default gate fails on it.
    let gate = ward_in(root, &["gate", "report.json"]);
    assert_eq!(gate.status.code(), Some(1), "{}", stderr(&gate));
    write(
        root,
        "ward.toml",
        "[[suppress]]\nrule = \"aws-s3-public-read-acl\"\npath = \"**/*.tf\"\nreason = \"a public website bucket\"\nexpires = 2099-01-01\n",
    );
    let gate = ward_in(root, &["gate", "report.json", "--policy", "ward.toml"]);
    assert_eq!(gate.status.code(), Some(0), "{}", stderr(&gate));

    write(root, "src/main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  # ward:skip=aws-s3-public-read-acl a public website bucket\n  acl = \"public-read\"\n}\n");
    std::fs::remove_file(root.join("ward.toml")).unwrap();
    let scan = ward_in(
        root,
        &["scan", "--scanners", "iac", "src", "-o", "report.json"],
    );
    assert!(scan.status.success(), "{}", stderr(&scan));
    let gate = ward_in(root, &["gate", "report.json"]);
    assert_eq!(gate.status.code(), Some(0), "{}", stderr(&gate));
}

#[test]
fn iac_does_not_read_stdin() {
    let out = ward(&["scan", "--scanners", "iac", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("iac scanner"), "{}", stderr(&out));
}
