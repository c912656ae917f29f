//! `ward convert`: GitLab artifact directories, single formats, ward JSON input, and errors.

use std::path::Path;

use crate::{corpus, stderr, ward, ward_in};

const GITLEAKS: &str = "gitleaks/gitleaks8_many.json";
/// A clear secret in the gitleaks corpus file; it must never come out.
const CLEAR: &str = "secretAWSsecret";

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn gitlab_directory_holds_the_types_with_findings() {
    let dir = tempfile::tempdir().unwrap();
    let out = ward_in(
        dir.path(),
        &[
            "convert",
            &corpus(GITLEAKS),
            "--to",
            "gitlab",
            "-o",
            "reports",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reports = dir.path().join("reports");
    assert_eq!(files_in(&reports), ["gl-secret-detection-report.json"]);
    let report = read_json(&reports.join("gl-secret-detection-report.json"));
    assert_eq!(report["version"], "15.2.1");
    assert_eq!(report["scan"]["type"], "secret_detection");
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 3);
    let text = std::fs::read_to_string(reports.join("gl-secret-detection-report.json")).unwrap();
    assert!(!text.contains(CLEAR));
}

#[test]
fn gitlab_all_writes_five_files_with_the_chosen_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = ward_in(
        dir.path(),
        &[
            "convert",
            &corpus(GITLEAKS),
            "--to",
            "gitlab",
            "--all",
            "-o",
            ".",
            "--gitlab-schema-version",
            "15.0.7",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        files_in(dir.path()),
        [
            "gl-container-scanning-report.json",
            "gl-dast-report.json",
            "gl-dependency-scanning-report.json",
            "gl-sast-report.json",
            "gl-secret-detection-report.json",
        ]
    );
    let sast = read_json(&dir.path().join("gl-sast-report.json"));
    assert_eq!(sast["version"], "15.0.7");
    assert_eq!(sast["vulnerabilities"], serde_json::json!([]));
}

#[test]
fn every_format_converts_without_leaking_the_secret() {
    for exporter in ward_export::EXPORTERS {
        let out = ward(&[
            "convert",
            &corpus(GITLEAKS),
            "--to",
            exporter.id(),
            "--scan-time",
            "2024-05-01T12:00:00Z",
        ]);
        assert!(out.status.success(), "{}: {}", exporter.id(), stderr(&out));
        assert!(!out.stdout.is_empty(), "{}", exporter.id());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains(CLEAR), "{} leaked the secret", exporter.id());
    }
}

#[test]
fn ward_json_input_and_stable_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = ward_in(
        dir.path(),
        &["import", &corpus(GITLEAKS), "-o", "ward.json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let args = [
        "convert",
        "ward.json",
        "--to",
        "sarif",
        "--scan-time",
        "2024-05-01T12:00:00+02:00",
    ];
    let a = ward_in(dir.path(), &args);
    let b = ward_in(dir.path(), &args);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout, "the same input gives the same bytes");
    let sarif: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "Gitleaks");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["startTimeUtc"],
        "2024-05-01T10:00:00Z"
    );
    // Converting the original and its ward JSON gives the same CSV.
    let from_json = ward_in(dir.path(), &["convert", "ward.json", "--to", "csv"]);
    let from_original = ward(&["convert", &corpus(GITLEAKS), "--to", "csv"]);
    assert_eq!(from_json.stdout, from_original.stdout);
}

#[test]
fn options_reach_the_exporters() {
    let dir = tempfile::tempdir().unwrap();
    let out = ward_in(
        dir.path(),
        &[
            "convert",
            &corpus(GITLEAKS),
            "--to",
            "asff",
            "--aws-account-id",
            "111122223333",
            "--aws-region",
            "eu-west-1",
            "-o",
            "asff.json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let asff = read_json(&dir.path().join("asff.json"));
    let finding = &asff[0]["Findings"][0];
    assert_eq!(
        finding["ProductArn"],
        "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"
    );
    let junit = ward(&[
        "convert",
        &corpus(GITLEAKS),
        "--to",
        "junit",
        "--junit-per",
        "rule",
        "--junit-fail-on",
        "critical",
    ]);
    let xml = String::from_utf8(junit.stdout).unwrap();
    assert!(xml.contains("failures=\"0\""), "{xml}");
    let markdown = ward(&[
        "convert",
        &corpus(GITLEAKS),
        "--to",
        "markdown",
        "--baseline",
        &corpus("gitleaks/data_one.json"),
    ]);
    let text = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        text.contains("**3 new**, **1 fixed**, 0 unchanged"),
        "{text}"
    );
}

#[test]
fn ward_toml_export_settings_are_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ward.toml"),
        "[export.asff]\naccount_id = \"444455556666\"\nregion = \"ap-south-1\"\n",
    )
    .unwrap();
    let arn = |extra: &[&str]| {
        let mut args = vec!["convert", GITLEAKS_ARG, "--to", "asff", "-o", "asff.json"];
        args.extend_from_slice(extra);
        let file = corpus(GITLEAKS);
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == GITLEAKS_ARG { file.as_str() } else { a })
            .collect();
        let out = ward_in(dir.path(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        read_json(&dir.path().join("asff.json"))[0]["Findings"][0]["ProductArn"].clone()
    };
    assert_eq!(
        arn(&[]),
        "arn:aws:securityhub:ap-south-1:444455556666:product/444455556666/default"
    );
    assert_eq!(
        arn(&["--aws-region", "eu-west-1"]),
        "arn:aws:securityhub:eu-west-1:444455556666:product/444455556666/default"
    );
    std::fs::write(
        dir.path().join("ward.toml"),
        "[export.asff]\nregoin = \"x\"\n",
    )
    .unwrap();
    let out = ward_in(dir.path(), &["convert", &corpus(GITLEAKS), "--to", "asff"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ward.toml: line 2"),
        "{}",
        stderr(&out)
    );
}

const GITLEAKS_ARG: &str = "<gitleaks>";

/// Runs `ward convert` in `dir` expecting exit code 2, an `error:` line with `needle`, and no
/// output file.
fn fails(dir: &Path, args: &[&str], needle: &str) {
    let mut all = vec!["convert"];
    all.extend_from_slice(args);
    let out = ward_in(dir, &all);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(!dir.join("out").exists(), "no output on error");
}

#[test]
fn errors_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = corpus(GITLEAKS);
    fails(
        dir.path(),
        &[&file, "--to", "pdf", "-o", "out"],
        "invalid value 'pdf'",
    );
    fails(dir.path(), &[&file, "--to", "gitlab"], "-o DIR");
    fails(
        dir.path(),
        &[&file, "--to", "sarif", "--all", "-o", "out"],
        "--all goes with --to gitlab",
    );
    fails(
        dir.path(),
        &[&file, "--to", "asff", "--aws-account-id", "12", "-o", "out"],
        "aws account id `12`: 12 digits",
    );
    fails(
        dir.path(),
        &[
            &file,
            "--to",
            "gitlab-sast",
            "--gitlab-schema-version",
            "15",
            "-o",
            "out",
        ],
        "gitlab schema version",
    );
    fails(
        dir.path(),
        &[&file, "--to", "sarif", "--scan-time", "noon", "-o", "out"],
        "scan time `noon`",
    );
    fails(
        dir.path(),
        &["missing.json", "--to", "csv", "-o", "out"],
        "reading missing.json",
    );
    std::fs::write(
        dir.path().join("broken.json"),
        "{\"findings\": [], \"sources\": [1]}",
    )
    .unwrap();
    fails(
        dir.path(),
        &["broken.json", "--to", "csv", "-o", "out"],
        "as a ward JSON report",
    );
    std::fs::write(dir.path().join("file"), "x").unwrap();
    fails(
        dir.path(),
        &[&file, "--to", "gitlab", "-o", "file"],
        "not a directory",
    );
}
