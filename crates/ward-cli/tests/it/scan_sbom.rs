//! `ward scan --sbom FILE` end to end: a real CycloneDX and a real SPDX SBOM against the
//! database imported from `tests/data/advisories`, and SBOMs ward cannot read.

use std::path::Path;

use crate::{stderr, stdout_json, ward};

fn data(sub: &str) -> String {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("../../tests/data")
        .join(sub)
        .display()
        .to_string()
}

fn database(dir: &tempfile::TempDir) -> String {
    let db = dir.path().join("osv.db").display().to_string();
    for ecosystem in ["PyPI", "Go"] {
        let imported = ward(&[
            "db",
            "import",
            &data(&format!("advisories/{ecosystem}")),
            "--db",
            &db,
        ]);
        assert!(imported.status.success(), "{}", stderr(&imported));
    }
    db
}

#[test]
fn findings_from_cyclonedx_and_spdx_sboms() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir);
    for (sbom, purl_prefix, expected_id) in [
        ("corpus/cyclonedx/jake2.json", "pkg:pypi/", "PYSEC-2021-98"),
        ("sboms/getJS.trivy.spdx.json", "pkg:golang/", "GO-2022-0288"),
    ] {
        let path = data(sbom);
        let out = ward(&["scan", "--sbom", &path, "--db", &db, "--max-db-age", "0"]);
        assert!(out.status.success(), "{sbom}: {}", stderr(&out));
        let report = stdout_json(&out);
        assert_eq!(report["sources"][0]["format"], "sbom");
        assert_eq!(report["sources"][0]["file"], path);
        let findings = report["findings"].as_array().unwrap();
        assert!(
            findings.iter().all(|f| f["category"] == "dependency"),
            "{sbom}"
        );
        assert!(findings.iter().any(|f| f["identifiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["value"] == expected_id)));
        for f in findings {
            assert_eq!(f["location"]["file"]["path"], path);
            let purl = f["location"]["package"]["purl"].as_str().unwrap();
            assert!(purl.starts_with(purl_prefix), "{purl}");
            assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
        }
    }
}

#[test]
fn unreadable_sboms_are_errors_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir);
    let bad = dir.path().join("bom.json");
    std::fs::write(
        &bad,
        r#"{"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": [{"referenceType": "purl", "referenceLocator": "left-pad@1"}]}]}"#,
    )
    .unwrap();
    let xml = data("corpus/cyclonedx/cyclonedx_bom.xml");
    let bad = bad.display().to_string();
    for (file, expected) in [
        (
            bad.as_str(),
            "packages[0].externalRefs[0].referenceLocator: `left-pad@1` is not a purl",
        ),
        (xml.as_str(), "cyclonedx_bom.xml: not JSON"),
        ("/nonexistent/bom.json", "/nonexistent/bom.json"),
    ] {
        let out = ward(&["scan", "--sbom", file, "--db", &db]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "no partial report");
    }
    // --sbom scans the SBOM alone: naming scanners is a usage error.
    let out = ward(&["scan", "--sbom", &bad, "--scanners", "secrets"]);
    assert_eq!(out.status.code(), Some(2));
    // Without a database, a scan asked for by --sbom cannot run.
    let missing = dir.path().join("none.db").display().to_string();
    let out = ward(&[
        "scan",
        "--sbom",
        &data("corpus/cyclonedx/jake2.json"),
        "--db",
        &missing,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no advisory database"),
        "{}",
        stderr(&out)
    );
}
