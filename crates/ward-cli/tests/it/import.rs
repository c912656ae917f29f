//! `ward import` and `ward formats` on good input.

use crate::{corpus, stderr, stdout_json, ward, ward_in};

#[test]
fn import_detects_and_normalizes() {
    let out = ward(&["import", &corpus("gitleaks/gitleaks8_many.json")]);
    let report = stdout_json(&out);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0]["category"], "secret");
    assert_eq!(findings[0]["fingerprint"].as_str().unwrap().len(), 32);
    let source = &report["sources"][0];
    assert_eq!(source["format"], "gitleaks");
    assert_eq!(source["tool"], "Gitleaks");
    assert!(source["file"]
        .as_str()
        .unwrap()
        .ends_with("gitleaks8_many.json"));
    // A found secret never leaves ward in clear.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("secretAWSsecret"));
}

#[test]
fn several_files_make_one_report_in_argument_order() {
    let out = ward(&[
        "import",
        &corpus("gitleaks/data_one.json"),
        &corpus("gitleaks/gitleaks8_many.json"),
    ]);
    let report = stdout_json(&out);
    assert_eq!(report["findings"].as_array().unwrap().len(), 4);
    assert_eq!(report["sources"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["findings"][0]["title"],
        "Hard Coded Asymmetric Private Key"
    );
}

#[test]
fn output_file_and_stable_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = corpus("gitleaks/version_7.5.0.json");
    let a = ward_in(dir.path(), &["import", &file, "-o", "a.json"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let b = ward_in(dir.path(), &["import", &file, "-o", "b.json"]);
    assert!(b.status.success(), "{}", stderr(&b));
    let a = std::fs::read(dir.path().join("a.json")).unwrap();
    let b = std::fs::read(dir.path().join("b.json")).unwrap();
    assert_eq!(a, b, "the same input gives the same bytes");
    assert!(a.starts_with(b"{"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn forced_format_by_id_or_scan_type() {
    let file = corpus("gitleaks/no_findings.json");
    let by_id = stdout_json(&ward(&["import", "--format", "gitleaks", &file]));
    assert_eq!(by_id["findings"].as_array().unwrap().len(), 0);
    let by_scan_type = stdout_json(&ward(&["import", "--format", "Gitleaks Scan", &file]));
    assert_eq!(by_scan_type["sources"][0]["format"], "gitleaks");
}

#[test]
fn formats_lists_every_parser_with_its_scan_type() {
    let out = ward(&["formats"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for parser in ward_formats::PARSERS {
        assert!(text.contains(parser.id()), "{} missing", parser.id());
        for scan_type in parser.scan_types() {
            assert!(text.contains(scan_type), "{scan_type} missing");
        }
    }
    let json = stdout_json(&ward(&["formats", "--json"]));
    assert_eq!(json.as_array().unwrap().len(), ward_formats::PARSERS.len());
}

#[test]
fn output_to_a_device_writes_in_place() {
    let out = ward(&[
        "import",
        &corpus("gitleaks/data_one.json"),
        "-o",
        "/dev/null",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null is still a device");
}

#[test]
fn empty_inputs_read_as_no_findings_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty.jsonl", &b""[..]),
        ("null.json", b"null\n"),
        ("list.json", b"[ ]"),
    ] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = ward_in(dir.path(), &["import", name]);
        let report = stdout_json(&out);
        assert_eq!(report["findings"].as_array().unwrap().len(), 0);
        assert_eq!(report["sources"][0]["format"], "empty");
        assert!(stderr(&out).contains("holds no report"), "{}", stderr(&out));
    }
}
