//! `import_each`, the path that hands findings over in batches so that large reports are never
//! held whole, gives exactly what `import` gives, for every corpus report: the same findings,
//! in the same order, with the same fingerprints.

use ward_core::Finding;
use ward_formats::{import, import_each};
use ward_test_support::manifest;

fn each(
    bytes: &[u8],
    format: Option<&str>,
) -> Result<(String, Vec<Finding>, usize), ward_formats::Error> {
    let mut findings = Vec::new();
    let mut n_batches = 0;
    let imported = import_each(bytes, format, &mut |batch| {
        n_batches += 1;
        findings.extend(batch);
    })?;
    assert!(
        imported.parsed.findings.is_empty(),
        "every finding is handed over"
    );
    Ok((imported.parser.id().to_string(), findings, n_batches))
}

#[test]
fn batches_match_reading_whole() {
    let mut n_compared = 0;
    for entry in manifest() {
        let bytes = std::fs::read(entry.path()).unwrap();
        match (import(&bytes, None), each(&bytes, None)) {
            (Ok(whole), Ok((id, findings, _))) => {
                assert_eq!(whole.parser.id(), id, "{}", entry.name());
                assert_eq!(whole.parsed.findings, findings, "{}", entry.name());
                n_compared += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{}", entry.name()),
            (a, b) => panic!(
                "{}: whole {:?} vs batches {:?}",
                entry.name(),
                a.map(|i| i.parser.id()),
                b.map(|b| b.0)
            ),
        }
    }
    assert!(n_compared > 250, "{n_compared}");
}

#[test]
fn trivy_hands_over_one_batch_per_target() {
    let path = ward_test_support::corpus_dir().join("trivy/scheme_2_many_vulns.json");
    let bytes = std::fs::read(path).unwrap();
    let (_, findings, n_batches) = each(&bytes, Some("trivy")).unwrap();
    assert!(
        n_batches > 1,
        "{n_batches} batches for {} findings",
        findings.len()
    );
    let cut = &bytes[..bytes.len() / 2];
    let err = each(cut, Some("trivy")).unwrap_err().to_string();
    assert!(err.contains("line "), "{err}");
}

#[test]
fn sarif_hands_over_batches() {
    let path = ward_test_support::corpus_dir().join("sarif/semgrepowasp-benchmark-sample.sarif");
    let bytes = std::fs::read(path).unwrap();
    let (_, findings, n_batches) = each(&bytes, Some("sarif")).unwrap();
    assert!(
        n_batches > 1,
        "{n_batches} batches for {} findings",
        findings.len()
    );
    let cut = &bytes[..bytes.len() / 2];
    let err = each(cut, Some("sarif")).unwrap_err().to_string();
    assert!(err.contains("line "), "{err}");
}

/// A ZAP report the XML fuzz target mutated into one that made quick-xml's deserializer panic
/// (`unreachable!` on two text events in a row): now an error naming the problem, no panic.
#[test]
fn fuzz_found_zap_input_is_an_error_not_a_panic() {
    let path = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("tests/data/fuzz-zap-split-text.xml");
    let bytes = std::fs::read(path).unwrap();
    let err = import(&bytes, Some("zap")).unwrap_err().to_string();
    assert!(err.contains("XML"), "{err}");
}
