//! `ward sbom` end to end: output, spec versions, determinism, timestamps, bad input.

use crate::{stderr, stdout_json, ward};

fn lockfiles() -> String {
    ward_test_support::data_dir()
        .join("lockfiles")
        .display()
        .to_string()
}

#[test]
fn writes_a_deterministic_cyclonedx_document() {
    let first = ward(&["sbom", &lockfiles()]);
    let json = stdout_json(&first);
    assert_eq!(json["bomFormat"], "CycloneDX");
    assert_eq!(json["specVersion"], "1.5");
    assert!(json["metadata"].get("timestamp").is_none());
    let components = json["components"].as_array().unwrap();
    assert!(components.iter().any(|c| c["purl"]
        .as_str()
        .is_some_and(|p| p.starts_with("pkg:cargo/"))));
    assert!(!json["dependencies"].as_array().unwrap().is_empty());
    // The projects themselves are components too (here the package.json beside a lockfile).
    assert!(components
        .iter()
        .any(|c| c["type"] == "application" && c["purl"] == "pkg:npm/scripts@1.0.0"));
    let second = ward(&["sbom", &lockfiles()]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn spec_output_file_and_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bom.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["sbom", &lockfiles(), "--spec", "1.6", "-o"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(json["specVersion"], "1.6");
    assert_eq!(json["metadata"]["timestamp"], "2023-11-14T22:13:20Z");

    let output = ward(&["sbom", &lockfiles(), "--timestamp", "2024-01-02T03:04:05Z"]);
    assert_eq!(
        stdout_json(&output)["metadata"]["timestamp"],
        "2024-01-02T03:04:05Z"
    );
}

#[test]
fn bad_input() {
    let output = ward(&["sbom", "/nonexistent/ward-sbom"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no such file"),
        "{}",
        stderr(&output)
    );

    let output = ward(&["sbom", &lockfiles(), "--spec", "1.4"]);
    assert_eq!(output.status.code(), Some(2));

    // A corrupt lockfile is a warning naming it; the rest is still listed.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package-lock.json"), "{ not json").unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(
        dir.path().join("app/Cargo.lock"),
        "version = 3\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let output = ward(&["sbom", dir.path().to_str().unwrap()]);
    let json = stdout_json(&output);
    assert!(
        stderr(&output).contains("package-lock.json"),
        "{}",
        stderr(&output)
    );
    assert!(json["components"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["purl"] == "pkg:cargo/serde@1.0.0"));
}
