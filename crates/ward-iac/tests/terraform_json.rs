//! Terraform's JSON syntax and variable files, scanned from real files on disk:
//!
//! - a `.tf.json` module fails the same rules on the same resources and lines as its HCL
//!   twin (written so that each value sits on the same line in both);
//! - `terraform.tfvars`, `*.auto.tfvars` and their JSON forms set the root module's
//!   variables in Terraform's order, so a rule fires or stops firing on their value;
//! - bad JSON is a warning naming the file, and the rest of the tree is still scanned.

use std::path::Path;

use ward_core::Finding;

const HCL: &str = r#"resource "aws_s3_bucket" "data" {
  bucket = "${var.prefix}-data"
  acl    = var.acl
}
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = local.open
  }
}
resource "aws_db_instance" "db" {
  engine            = "postgres"
  storage_encrypted = false
  # ward:skip=aws-rds-multi-az-disabled nightly dumps elsewhere
}
module "logs" {
  source = "./modules/logs"
  public = true
}
variable "acl" {
  default = "public-read"
}
variable "prefix" {
  default = "acme"
}
locals {
  open = ["0.0.0.0/0"]
}
"#;

/// The same module in JSON syntax, line for line.
const JSON: &str = r#"{"resource": {"aws_s3_bucket": {"data": {
  "bucket": "${var.prefix}-data",
  "acl": "${var.acl}"
}},
"aws_security_group": [{"ssh": {
  "ingress": [{
    "from_port": 22,
    "to_port": 22,
    "protocol": "tcp",
    "cidr_blocks": "${local.open}"
  }]
}}],
"aws_db_instance": {"db": {
  "engine": "postgres",
  "storage_encrypted": false,
  "//": "ward:skip=aws-rds-multi-az-disabled nightly dumps elsewhere"
}}},
"module": {"logs": {
  "source": "./modules/logs",
  "public": true
}},
"variable": {"acl": {
  "default": "public-read"
},
"prefix": {
  "default": "acme"
}},
"locals": {
  "open": ["0.0.0.0/0"]
},
"//": "a comment at the top"
}
"#;

const MODULE_HCL: &str = r#"variable "public" {}
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket            = "logs"
  block_public_acls = !var.public
}
"#;

const MODULE_JSON: &str = r#"{"variable": {"public": {}},
"resource": {"aws_s3_bucket_public_access_block": {"logs": {
  "bucket": "logs",
  "block_public_acls": "${!var.public}"
}}}}
"#;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
}

fn scan(files: &[(&str, &str)]) -> ward_iac::Scan {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), files);
    ward_iac::scan(dir.path(), &ward_iac::Config::default()).expect("scan")
}

/// (rule, resource, file, line, status) of every finding.
fn summary(findings: &[Finding]) -> Vec<(String, String, String, u32, String)> {
    findings
        .iter()
        .map(|f| {
            let file = f.location.file.as_ref();
            (
                f.rule_id.clone().unwrap_or_default(),
                f.location
                    .cloud
                    .as_ref()
                    .map(|c| c.resource_id.clone())
                    .unwrap_or_default(),
                file.map(|l| l.path.clone()).unwrap_or_default(),
                file.and_then(|l| l.start_line).unwrap_or(0),
                format!("{:?}", f.status),
            )
        })
        .collect()
}

fn rules_on(scan: &ward_iac::Scan, resource: &str) -> Vec<String> {
    scan.findings
        .iter()
        .filter(|f| {
            f.location
                .cloud
                .as_ref()
                .is_some_and(|c| c.resource_id == resource)
        })
        .filter_map(|f| f.rule_id.clone())
        .collect()
}

#[test]
fn a_json_module_fails_the_rules_its_hcl_twin_fails() {
    let hcl = scan(&[("main.tf", HCL), ("modules/logs/main.tf", MODULE_HCL)]);
    let json = scan(&[
        ("main.tf.json", JSON),
        ("modules/logs/main.tf.json", MODULE_JSON),
    ]);
    assert!(hcl.warnings.is_empty(), "{:?}", hcl.warnings);
    assert!(json.warnings.is_empty(), "{:?}", json.warnings);
    assert_eq!(json.n_files, 2);
    let rename = |mut rows: Vec<(String, String, String, u32, String)>| {
        for row in &mut rows {
            row.2 = row.2.replace(".tf.json", ".tf");
        }
        rows
    };
    let (hcl_rows, json_rows) = (summary(&hcl.findings), rename(summary(&json.findings)));
    assert_eq!(hcl_rows, json_rows);

    // What the twins find, so that "equal" is not "both empty".
    let rules = rules_on(&json, "aws_s3_bucket.data");
    assert!(
        rules.iter().any(|r| r == "aws-s3-public-read-acl"),
        "{rules:?}"
    );
    let rules = rules_on(&json, "aws_security_group.ssh");
    assert!(!rules.is_empty(), "a world-open SSH ingress is flagged");
    let rules = rules_on(&json, "module.logs.aws_s3_bucket_public_access_block.logs");
    assert!(
        !rules.is_empty(),
        "module inputs reach the module's resources"
    );
    let acl = json
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("aws-s3-public-read-acl"))
        .expect("acl finding");
    let location = acl.location.file.as_ref().expect("file");
    assert_eq!(location.path, "main.tf.json");
    assert_eq!(location.start_line, Some(3), "the line of the acl property");
}

#[test]
fn comment_suppressions_in_json_accept_the_finding() {
    let json = scan(&[("main.tf.json", JSON)]);
    let suppressed = json
        .findings
        .iter()
        .find(|f| f.rule_id.as_deref() == Some("aws-rds-multi-az-disabled"))
        .expect("the suppressed finding is kept, accepted");
    assert_eq!(format!("{:?}", suppressed.status), "Accepted");
}

const ACL_MODULE: &str = r#"variable "acl" {
  default = "private"
}
resource "aws_s3_bucket" "site" {
  bucket = "site"
  acl    = var.acl
}
"#;

fn public_read(scan: &ward_iac::Scan) -> bool {
    scan.findings
        .iter()
        .any(|f| f.rule_id.as_deref() == Some("aws-s3-public-read-acl"))
}

#[test]
fn variable_files_override_defaults_in_terraforms_order() {
    let default = scan(&[("main.tf", ACL_MODULE)]);
    assert!(!public_read(&default), "the default is private");

    let tfvars = scan(&[
        ("main.tf", ACL_MODULE),
        ("terraform.tfvars", "acl = \"public-read\"\n"),
    ]);
    assert!(tfvars.warnings.is_empty(), "{:?}", tfvars.warnings);
    assert!(public_read(&tfvars), "terraform.tfvars sets public-read");
    assert_eq!(tfvars.n_files, 2);

    // terraform.tfvars < terraform.tfvars.json < *.auto.tfvars(.json) in lexical order.
    let layered = scan(&[
        ("main.tf", ACL_MODULE),
        ("terraform.tfvars", "acl = \"private\"\n"),
        ("terraform.tfvars.json", r#"{"acl": "authenticated-read"}"#),
        ("a.auto.tfvars", "acl = \"private\"\n"),
        (
            "b.auto.tfvars.json",
            r#"{"//": "set by CI", "acl": "public-read"}"#,
        ),
    ]);
    assert!(layered.warnings.is_empty(), "{:?}", layered.warnings);
    assert!(public_read(&layered), "the last auto file wins");

    let back_to_private = scan(&[
        ("main.tf", ACL_MODULE),
        ("terraform.tfvars", "acl = \"public-read\"\n"),
        ("z.auto.tfvars", "acl = \"private\"\n"),
    ]);
    assert!(
        !public_read(&back_to_private),
        "an auto file overrides terraform.tfvars"
    );

    // Only the files Terraform loads by itself count; -var-file files are not guessed.
    let var_file = scan(&[
        ("main.tf", ACL_MODULE),
        ("prod.tfvars", "acl = \"public-read\"\n"),
    ]);
    assert!(!public_read(&var_file));

    // A called module's directory is not a root: its tfvars do not apply to it.
    let child = scan(&[
        ("main.tf", "module \"site\" {\n  source = \"./site\"\n}\n"),
        ("site/main.tf", ACL_MODULE),
        ("site/terraform.tfvars", "acl = \"public-read\"\n"),
    ]);
    assert!(!public_read(&child));
}

#[test]
fn bad_json_is_a_warning_naming_the_file_and_the_scan_goes_on() {
    let result = scan(&[
        (
            "broken/main.tf.json",
            "{\"resource\": {\"aws_s3_bucket\": {\"b\": {\n  \"acl\": \"public-read\",\n}}}}\n",
        ),
        ("broken/terraform.tfvars.json", "[\"not\", \"an object\"]"),
        ("ok/main.tf", ACL_MODULE),
        ("ok/terraform.tfvars", "acl = \"public-read\"\n"),
    ]);
    assert_eq!(result.warnings.len(), 2, "{:?}", result.warnings);
    let first = result.warnings.first().expect("warning");
    assert!(first.starts_with("broken/main.tf.json: line 3"), "{first}");
    let second = result.warnings.get(1).expect("warning");
    assert!(
        second.starts_with("broken/terraform.tfvars.json: line 1"),
        "{second}"
    );
    assert!(public_read(&result), "the good module is still scanned");
}

#[test]
fn deeply_nested_json_is_a_warning() {
    let depth = 50_000;
    let text = format!(
        "{{\"locals\": {{\"x\": {}{}}}}}",
        "{\"a\": ".repeat(depth),
        "}".repeat(depth)
    );
    let result = ward_iac::scan_text("main.tf.json", &text);
    assert_eq!(result.warnings.len(), 1, "{:?}", result.warnings);
    assert!(result.findings.is_empty());
}

#[test]
fn a_real_cdktf_file_is_read() {
    // checkov's parser fixture: CDKTF output with two Secrets Manager secrets, provider
    // aliases and variables without defaults (`tests/data/iac/README.md`).
    // The running crate's directory, not the build-time one: a shared target directory may
    // hold this test built in another checkout.
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo test");
    let dir = Path::new(&crate_dir).join("../../tests/data/iac/terraform-json/checkov-json_807");
    let result = ward_iac::scan(&dir, &ward_iac::Config::default()).expect("scan");
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    assert_eq!(result.n_files, 1);
    let rows: Vec<(String, String, u32)> = summary(&result.findings)
        .into_iter()
        .map(|(rule, resource, _, line, _)| (rule, resource, line))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "aws-secretsmanager-no-cmk".to_string(),
                "aws_secretsmanager_secret.local-secret".to_string(),
                39
            ),
            (
                "aws-secretsmanager-no-cmk".to_string(),
                "aws_secretsmanager_secret.external-secret".to_string(),
                43
            ),
        ]
    );
}
