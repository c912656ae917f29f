//! The planted-secrets corpus (`tests/data/secrets/`): every planted look-alike secret is found
//! at its file, line and rule (recall 100%), nothing else is reported in the planted tree, and
//! the false positives on the clean tree are exactly the ones listed here, with why.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ward_secrets::walk::{scan_dir, WalkConfig};
use ward_secrets::{builtin_rules, Scanner};

fn corpus() -> PathBuf {
    // This crate's own manifest dir, not ward-test-support's: a shared target dir may hold
    // that crate built from another checkout.
    PathBuf::from(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("../../tests/data/secrets")
}

fn scan(dir: &str) -> BTreeSet<(String, u32, String)> {
    let scanner = Scanner::new(builtin_rules(), b"test".to_vec());
    let (findings, _) = scan_dir(
        &scanner,
        &corpus().join(dir),
        &WalkConfig::default(),
        &|_| {},
    )
    .expect("scan");
    for f in &findings {
        let json = serde_json::to_string(f).unwrap();
        assert!(f.secret.is_some(), "{json}");
        assert_eq!(f.fingerprint.len(), 32);
    }
    findings
        .into_iter()
        .map(|f| {
            let file = f.location.file.expect("file");
            (
                file.path,
                file.start_line.expect("line"),
                f.rule_id.expect("rule"),
            )
        })
        .collect()
}

#[test]
fn every_plant_is_found_and_nothing_else() {
    let expected: BTreeSet<(String, u32, String)> =
        std::fs::read_to_string(corpus().join("EXPECTED.tsv"))
            .expect("EXPECTED.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                (
                    cols[0].to_string(),
                    cols[1].parse().unwrap(),
                    cols[2].to_string(),
                )
            })
            .collect();
    let found = scan("planted");
    let missed: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(missed.is_empty(), "missed plants: {missed:#?}");
    assert!(extra.is_empty(), "unexpected findings: {extra:#?}");
}

/// False positives on the clean tree, each with why it is accepted.
const CLEAN_FALSE_POSITIVES: &[(&str, u32, &str, &str)] = &[];

#[test]
fn clean_tree_has_only_the_listed_false_positives() {
    let found = scan("clean");
    let listed: BTreeSet<(String, u32, String)> = CLEAN_FALSE_POSITIVES
        .iter()
        .map(|(f, l, r, _why)| (f.to_string(), *l, r.to_string()))
        .collect();
    assert_eq!(found, listed);
}

#[test]
fn no_clear_secret_in_findings() {
    let scanner = Scanner::new(builtin_rules(), b"test".to_vec());
    let clear = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
    let text = format!("token = \"{clear}\"\n");
    let findings = scanner.scan_bytes("a.py", text.as_bytes());
    assert_eq!(findings.len(), 1);
    let json = serde_json::to_string(&findings).unwrap();
    assert!(!json.contains(clear), "{json}");
    assert!(json.contains("ghp_****"), "{json}");
    // The same secret under another salt hashes differently; under the same salt, the same.
    let other = Scanner::new(builtin_rules(), b"other".to_vec());
    let a = findings[0].secret.clone().unwrap();
    let b = other.scan_bytes("a.py", text.as_bytes())[0]
        .secret
        .clone()
        .unwrap();
    assert_ne!(a.sha256, b.sha256);
    assert_eq!(findings[0].fingerprint.len(), 0); // assigned by `finish`, not per text
}
