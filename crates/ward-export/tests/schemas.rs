//! Every exporter × every input report (each importable corpus file and the synthetic
//! reports), validated against the official schemas in `tests/data/schemas/`: JSON Schema for
//! GitLab (draft-07), SARIF (draft-04) and CycloneDX 1.5/1.6 (draft-07); the XSD for JUnit
//! (with `xmllint`); the written rules of `asff.md` and `sonarqube-generic.md` as assertions.
#![allow(clippy::print_stderr)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use jsonschema::{Draft, Resource, Validator};
use serde_json::Value;
use ward_core::Report;
use ward_export::{
    exporter, CycloneDxVersion, GitlabKind, JunitGrouping, Options, SonarqubeFormat, EXPORTERS,
};

fn schema(path: &str) -> Value {
    let path = ward_test_support::schemas_dir().join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(path: &str, draft: Draft) -> Validator {
    let mut options = jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true);
    if path.starts_with("cyclonedx/") {
        // The BOM schemas refer to these two by relative name.
        for name in ["spdx.schema.json", "jsf-0.82.schema.json"] {
            let resource = Resource::from_contents(schema(&format!("cyclonedx/{name}")))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            options =
                options.with_resource(format!("http://cyclonedx.org/schema/{name}"), resource);
        }
    }
    options
        .build(&schema(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check(validator: &Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

fn export(id: &str, report: &Report, options: &Options) -> Vec<u8> {
    let exporter = exporter(id).unwrap_or_else(|| panic!("no exporter {id}"));
    let bytes = exporter
        .export(report, options)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let again = exporter.export(report, options).expect("second export");
    assert_eq!(bytes, again, "{id} output is not deterministic");
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains(common::CLEAR_SECRET),
        "{id} wrote a secret in clear"
    );
    bytes
}

fn json(id: &str, report: &Report, options: &Options, what: &str) -> Value {
    serde_json::from_slice(&export(id, report, options))
        .unwrap_or_else(|e| panic!("{what}: {id} output is not JSON: {e}"))
}

#[test]
fn gitlab_reports_match_the_15_2_1_schemas() {
    let inputs = common::all();
    let options = Options::default();
    let mut validated = 0;
    for kind in GitlabKind::ALL {
        let validator = validator(&format!("gitlab/{}", kind.schema_file()), Draft::Draft7);
        for input in &inputs {
            let n_expected = input
                .report
                .findings
                .iter()
                .filter(|f| GitlabKind::of(f.category) == kind)
                .count();
            let what = format!("{} as {}", input.name, kind.exporter().id());
            let document = json(kind.exporter().id(), &input.report, &options, &what);
            check(&validator, &document, &what);
            let vulnerabilities = document["vulnerabilities"].as_array().expect("array");
            assert_eq!(vulnerabilities.len(), n_expected, "{what}");
            let ids: BTreeSet<&str> = vulnerabilities
                .iter()
                .map(|v| v["id"].as_str().expect("id"))
                .collect();
            assert_eq!(ids.len(), vulnerabilities.len(), "{what}: duplicate ids");
            validated += usize::from(n_expected > 0);
        }
    }
    eprintln!("validated {validated} GitLab reports with findings");
}

#[test]
fn sarif_matches_the_2_1_0_schema() {
    let validator = validator("sarif-2.1.0.json", Draft::Draft4);
    for input in common::all() {
        let document = json("sarif", &input.report, &Options::default(), &input.name);
        check(&validator, &document, &input.name);
        let n_results: usize = document["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .map(|run| {
                let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
                let results = run["results"].as_array().expect("results");
                for result in results {
                    let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
                    assert_eq!(rules[index]["id"], result["ruleId"], "{}", input.name);
                    assert!(result["partialFingerprints"]["wardFingerprint/v1"].is_string());
                    let score: f64 = result["properties"]["security-severity"]
                        .as_str()
                        .expect("security-severity")
                        .parse()
                        .expect("a number");
                    assert!((0.0..=10.0).contains(&score));
                }
                let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
                assert_eq!(ids.len(), rules.len(), "{}: duplicate rules", input.name);
                results.len()
            })
            .sum();
        assert_eq!(n_results, input.report.findings.len(), "{}", input.name);
    }
}

#[test]
fn cyclonedx_matches_the_1_5_and_1_6_schemas() {
    for (version, path) in [
        (CycloneDxVersion::V1_5, "cyclonedx/bom-1.5.schema.json"),
        (CycloneDxVersion::V1_6, "cyclonedx/bom-1.6.schema.json"),
    ] {
        let validator = validator(path, Draft::Draft7);
        let options = Options {
            cyclonedx_version: version,
            ..Options::default()
        };
        for input in common::all() {
            let what = format!("{} as CycloneDX {version}", input.name);
            let document = json("cyclonedx", &input.report, &options, &what);
            check(&validator, &document, &what);
            // Every affects ref names a component of the BOM.
            let refs: BTreeSet<&str> = document["components"]
                .as_array()
                .expect("components")
                .iter()
                .map(|c| c["bom-ref"].as_str().expect("bom-ref"))
                .collect();
            for v in document["vulnerabilities"]
                .as_array()
                .expect("vulnerabilities")
            {
                for affected in v["affects"].as_array().into_iter().flatten() {
                    assert!(refs.contains(affected["ref"].as_str().unwrap()), "{what}");
                }
            }
        }
    }
}

/// `asff.md`, section by section.
#[test]
fn asff_follows_the_written_rules() {
    const LABELS: &[&str] = &["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
    const NAMESPACES: &[&str] = &[
        "Software and Configuration Checks",
        "TTPs",
        "Effects",
        "Unusual Behaviors",
        "Sensitive Data Identifications",
    ];
    let options = Options {
        aws_account_id: "111122223333".into(),
        aws_region: "eu-west-1".into(),
        ..Options::default()
    };
    for input in common::all() {
        let what = &input.name;
        let bytes = export("asff", &input.report, &options);
        let document: Value = serde_json::from_slice(&bytes).expect("JSON");
        let batches = document.as_array().expect("an array of request bodies");
        let mut ids = BTreeSet::new();
        let mut n_findings = 0;
        for batch in batches {
            let body = batch.as_object().expect("a request body");
            assert_eq!(body.keys().collect::<Vec<_>>(), ["Findings"], "{what}");
            let findings = body["Findings"].as_array().expect("Findings");
            assert!((1..=100).contains(&findings.len()), "{what}: batch size");
            assert!(
                serde_json::to_vec(batch).unwrap().len() <= 6_000_000,
                "{what}"
            );
            for finding in findings {
                n_findings += 1;
                assert!(
                    serde_json::to_vec(finding).unwrap().len() <= 240 * 1024,
                    "{what}"
                );
                check_asff_finding(finding, what, LABELS, NAMESPACES);
                assert!(
                    ids.insert(finding["Id"].as_str().unwrap().to_string()),
                    "{what}: duplicate Id"
                );
            }
        }
        assert_eq!(n_findings, input.report.findings.len(), "{what}");
    }
}

fn length(value: &Value, field: &str, range: std::ops::RangeInclusive<usize>, what: &str) {
    let text = value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {field} missing in {value}"));
    assert!(
        range.contains(&text.chars().count()),
        "{what}: {field} length {} outside {range:?}",
        text.chars().count()
    );
}

fn timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && &text[19..] == "Z"
}

fn all_strings_non_blank(value: &Value, path: &str, what: &str) {
    match value {
        Value::String(s) => assert!(!s.trim().is_empty(), "{what}: blank string at {path}"),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                all_strings_non_blank(item, &format!("{path}[{i}]"), what);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                all_strings_non_blank(item, &format!("{path}.{key}"), what);
            }
        }
        _ => {}
    }
}

fn check_asff_finding(f: &Value, what: &str, labels: &[&str], namespaces: &[&str]) {
    // §2 required top-level attributes.
    assert_eq!(f["SchemaVersion"], "2018-10-08", "{what}");
    length(f, "Id", 1..=512, what);
    length(f, "ProductArn", 12..=2048, what);
    let arn = f["ProductArn"].as_str().unwrap();
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    assert!(
        parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "securityhub"
            && parts[5].starts_with("product/"),
        "{what}: {arn}"
    );
    length(f, "GeneratorId", 1..=512, what);
    let account = f["AwsAccountId"].as_str().expect("AwsAccountId");
    assert!(
        account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
        "{what}"
    );
    for field in [
        "CreatedAt",
        "UpdatedAt",
        "FirstObservedAt",
        "LastObservedAt",
    ] {
        if let Some(time) = f.get(field) {
            assert!(timestamp(time.as_str().unwrap()), "{what}: {field} {time}");
        }
    }
    length(f, "Title", 1..=256, what);
    length(f, "Description", 1..=1024, what);
    let resources = f["Resources"].as_array().expect("Resources");
    assert!((1..=32).contains(&resources.len()), "{what}");
    for resource in resources {
        length(resource, "Type", 1..=256, what);
        length(resource, "Id", 1..=usize::MAX, what);
        if let Some(partition) = resource.get("Partition") {
            assert!(
                ["aws", "aws-cn", "aws-us-gov"].contains(&partition.as_str().unwrap()),
                "{what}"
            );
        }
        if resource.get("Region").is_some() {
            length(resource, "Region", 1..=16, what);
        }
    }
    // §3 severity and types, top level and provider fields.
    for holder in [f, &f["FindingProviderFields"]] {
        let severity = &holder["Severity"];
        assert!(
            labels.contains(&severity["Label"].as_str().expect("Label")),
            "{what}"
        );
        if severity.get("Original").is_some() {
            length(severity, "Original", 1..=64, what);
        }
        let types = holder["Types"].as_array().expect("Types");
        assert!((1..=50).contains(&types.len()), "{what}");
        for t in types {
            let t = t.as_str().unwrap();
            let namespace = t.split('/').next().unwrap();
            assert!(namespaces.contains(&namespace), "{what}: type {t}");
            assert!(t.split('/').count() <= 3, "{what}: type {t}");
        }
        if let Some(confidence) = holder.get("Confidence") {
            assert!((0..=100).contains(&confidence.as_i64().unwrap()), "{what}");
        }
    }
    let product_fields = f["ProductFields"].as_object().expect("ProductFields");
    assert!(product_fields.len() <= 50, "{what}");
    for (key, value) in product_fields {
        assert!(key.chars().count() <= 128, "{what}");
        assert!(value.as_str().unwrap().chars().count() <= 2048, "{what}");
    }
    if let Some(recommendation) = f.pointer("/Remediation/Recommendation") {
        if recommendation.get("Text").is_some() {
            length(recommendation, "Text", 1..=512, what);
        }
    }
    let one_of = |field: &str, allowed: &[&str]| {
        if let Some(value) = f.pointer(field) {
            assert!(
                allowed.contains(&value.as_str().unwrap()),
                "{what}: {field} {value}"
            );
        }
    };
    one_of(
        "/Workflow/Status",
        &["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"],
    );
    one_of("/RecordState", &["ACTIVE", "ARCHIVED"]);
    one_of(
        "/VerificationState",
        &[
            "UNKNOWN",
            "TRUE_POSITIVE",
            "FALSE_POSITIVE",
            "BENIGN_POSITIVE",
        ],
    );
    for vulnerability in f["Vulnerabilities"].as_array().into_iter().flatten() {
        length(vulnerability, "Id", 1..=usize::MAX, what);
        length(&vulnerability["Vendor"], "Name", 1..=usize::MAX, what);
        if let Some(fix) = vulnerability.get("FixAvailable") {
            assert!(
                ["YES", "NO", "PARTIAL"].contains(&fix.as_str().unwrap()),
                "{what}"
            );
        }
        for cvss in vulnerability["Cvss"].as_array().into_iter().flatten() {
            if let Some(score) = cvss.get("BaseScore") {
                assert!(score.is_f64() || score.is_u64(), "{what}");
            }
        }
    }
    // Every string member is a NonEmptyString (`.*\S.*`).
    all_strings_non_blank(f, "$", what);
}

/// `sonarqube-generic.md`, both forms.
#[test]
fn sonarqube_follows_the_written_rules() {
    const ATTRIBUTES: &[&str] = &[
        "CLEAR",
        "COMPLETE",
        "CONVENTIONAL",
        "DISTINCT",
        "EFFICIENT",
        "FOCUSED",
        "FORMATTED",
        "IDENTIFIABLE",
        "LAWFUL",
        "LOGICAL",
        "MODULAR",
        "RESPECTFUL",
        "TESTED",
        "TRUSTWORTHY",
    ];
    let non_empty = |v: &Value, field: &str, what: &str| {
        let text = v[field]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: {field} missing"));
        assert!(!text.trim().is_empty(), "{what}: {field} empty");
    };
    let check_location = |location: &Value, what: &str| {
        non_empty(location, "message", what);
        non_empty(location, "filePath", what);
        if let Some(range) = location.get("textRange") {
            let start = range["startLine"].as_u64().expect("startLine");
            assert!(start >= 1, "{what}");
            if let Some(end) = range.get("endLine") {
                assert!(end.as_u64().unwrap() >= start, "{what}");
            }
            for column in ["startColumn", "endColumn"] {
                if let Some(c) = range.get(column) {
                    assert!(c.is_u64(), "{what}");
                }
            }
        }
    };
    for input in common::all() {
        // A path that names only the project root (`./`) is no file SonarQube could index.
        let n_with_file = input
            .report
            .findings
            .iter()
            .filter(|f| {
                f.location.file.as_ref().is_some_and(|file| {
                    let path = file.path.trim().replace('\\', "/");
                    !path.trim_start_matches("./").is_empty()
                })
            })
            .count();
        let what = format!("{} as SonarQube 10.3", input.name);
        let options = Options::default();
        let document = json("sonarqube", &input.report, &options, &what);
        let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["issues", "rules"], "{what}");
        let mut rule_ids = BTreeSet::new();
        for rule in document["rules"].as_array().unwrap() {
            for field in ["id", "name", "engineId"] {
                non_empty(rule, field, &what);
            }
            assert!(
                rule_ids.insert(rule["id"].as_str().unwrap()),
                "{what}: duplicate rule"
            );
            assert!(
                ATTRIBUTES.contains(&rule["cleanCodeAttribute"].as_str().unwrap()),
                "{what}"
            );
            let impacts = rule["impacts"].as_array().expect("impacts");
            assert!(!impacts.is_empty(), "{what}");
            for impact in impacts {
                assert!(["MAINTAINABILITY", "RELIABILITY", "SECURITY"]
                    .contains(&impact["softwareQuality"].as_str().unwrap()));
                assert!(["LOW", "MEDIUM", "HIGH"].contains(&impact["severity"].as_str().unwrap()));
            }
            assert!(
                rule.get("type").is_none() && rule.get("severity").is_none(),
                "{what}"
            );
        }
        let issues = document["issues"].as_array().unwrap();
        assert_eq!(issues.len(), n_with_file, "{what}");
        for issue in issues {
            assert!(
                rule_ids.contains(issue["ruleId"].as_str().unwrap()),
                "{what}: unknown rule"
            );
            for forbidden in ["severity", "type", "engineId"] {
                assert!(
                    issue.get(forbidden).is_none(),
                    "{what}: {forbidden} on an issue"
                );
            }
            check_location(&issue["primaryLocation"], &what);
        }

        let what = format!("{} as SonarQube legacy", input.name);
        let options = Options {
            sonarqube_format: SonarqubeFormat::Legacy,
            ..Options::default()
        };
        let document = json("sonarqube", &input.report, &options, &what);
        let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["issues"], "{what}");
        let issues = document["issues"].as_array().unwrap();
        assert_eq!(issues.len(), n_with_file, "{what}");
        for issue in issues {
            non_empty(issue, "engineId", &what);
            non_empty(issue, "ruleId", &what);
            assert!(
                ["BUG", "VULNERABILITY", "CODE_SMELL"].contains(&issue["type"].as_str().unwrap())
            );
            assert!(["BLOCKER", "CRITICAL", "MAJOR", "MINOR", "INFO"]
                .contains(&issue["severity"].as_str().unwrap()));
            check_location(&issue["primaryLocation"], &what);
        }
    }
}

/// The strict Ant XSD, with `xmllint` (Debian package libxml2-utils, installed by
/// `scripts/test.sh`), one run over every output.
#[test]
fn junit_matches_the_xsd() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (i, input) in common::all().iter().enumerate() {
        for grouping in [JunitGrouping::PerFinding, JunitGrouping::PerRule] {
            let options = Options {
                junit_grouping: grouping,
                ..Options::default()
            };
            let bytes = export("junit", &input.report, &options);
            let path = dir.path().join(format!("{i}-{grouping}.xml"));
            std::fs::write(&path, bytes).expect("writing");
            files.push(path);
        }
    }
    let xsd = ward_test_support::schemas_dir().join("junit/JUnit.xsd");
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .args(&files)
        .output()
        .unwrap_or_else(|e| {
            panic!("running xmllint ({e}); install it with `apt-get install libxml2-utils`")
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.ends_with(" validates"))
        .collect();
    assert!(
        output.status.success() && failures.is_empty(),
        "{}",
        failures.join("\n")
    );
}

/// CSV read back with an RFC 4180 reader: one row per finding, every row as wide as the
/// header, no cell that a spreadsheet would run as a formula.
#[test]
fn csv_reads_back_and_is_defused() {
    for input in common::all() {
        let bytes = export("csv", &input.report, &Options::default());
        let rows = read_csv(std::str::from_utf8(&bytes).expect("UTF-8"));
        assert_eq!(
            rows.len(),
            input.report.findings.len() + 1,
            "{}",
            input.name
        );
        for row in &rows {
            assert_eq!(row.len(), rows[0].len(), "{}", input.name);
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{}: {cell:?}",
                    input.name
                );
            }
        }
    }
}

fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => {
                assert!(c != '\n' && c != '\r', "bare line break outside quotes");
                cell.push(c);
            }
        }
    }
    assert!(
        cell.is_empty() && row.is_empty() && !quoted,
        "unterminated last row"
    );
    rows
}

#[test]
fn json_html_and_markdown_hold_every_finding() {
    for input in common::all() {
        let back: Report =
            serde_json::from_slice(&export("json", &input.report, &Options::default())).unwrap();
        assert_eq!(back, input.report, "{}", input.name);
        let html = String::from_utf8(export("html", &input.report, &Options::default())).unwrap();
        assert_eq!(
            html.matches("<tr data-index=").count(),
            input.report.findings.len(),
            "{}",
            input.name
        );
        assert_eq!(html.matches("<script").count(), 1, "{}", input.name);
        let options = Options {
            baseline: Some(input.report.clone()),
            ..Options::default()
        };
        let markdown = String::from_utf8(export("markdown", &input.report, &options)).unwrap();
        assert!(
            markdown.contains("**0 new**, **0 fixed**"),
            "{}",
            input.name
        );
    }
}

#[test]
fn every_exporter_is_validated_here() {
    // A new exporter must be added to one of the tests above.
    let covered = [
        "gitlab-sast",
        "gitlab-dependency-scanning",
        "gitlab-container-scanning",
        "gitlab-secret-detection",
        "gitlab-dast",
        "sarif",
        "asff",
        "junit",
        "cyclonedx",
        "sonarqube",
        "html",
        "markdown",
        "csv",
        "json",
    ];
    let ids: Vec<&str> = EXPORTERS.iter().map(|e| e.id()).collect();
    assert_eq!(ids, covered);
    assert!(Path::new(&ward_test_support::schemas_dir())
        .join("README.md")
        .exists());
}

/// The validators above are only worth something if they reject broken documents.
#[test]
fn validators_reject_broken_documents() {
    let everything = common::synthetic()
        .into_iter()
        .find(|i| i.name == "synthetic/everything")
        .expect("synthetic/everything");
    let report = &everything.report;
    let mut gitlab = json("gitlab-sast", report, &Options::default(), "sast");
    gitlab["scan"]["type"] = "dast".into();
    gitlab["vulnerabilities"][0]["severity"] = "Severe".into();
    let validator_gitlab = validator("gitlab/sast-report-format.json", Draft::Draft7);
    assert_eq!(validator_gitlab.iter_errors(&gitlab).count(), 2);

    let mut sarif = json("sarif", report, &Options::default(), "sarif");
    sarif["runs"][0]["results"][0]["guid"] = "not-a-guid".into();
    sarif["runs"][0]["invocations"][0]["startTimeUtc"] = "yesterday".into();
    let validator_sarif = validator("sarif-2.1.0.json", Draft::Draft4);
    assert_eq!(validator_sarif.iter_errors(&sarif).count(), 2);

    let mut bom = json("cyclonedx", report, &Options::default(), "cyclonedx");
    bom["vulnerabilities"][0]["analysis"]["state"] = "fine".into();
    bom["components"][0]["licenses"] = serde_json::json!([{"license": {"id": "NOT-A-LICENSE"}}]);
    let validator_bom = validator("cyclonedx/bom-1.6.schema.json", Draft::Draft7);
    assert!(validator_bom.iter_errors(&bom).count() >= 2);
}
