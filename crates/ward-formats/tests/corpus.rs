//! Every report in the corpus, against what its publishers' tests assert.
//!
//! `MANIFEST.tsv` gives finding counts (or `error`), `EXPECTED_FIELDS.tsv` field values in
//! DefectDojo's field names. Where ward deliberately differs, `corpus_deviations.tsv` records
//! the file, what differs, the exact value ward gives, and why; a deviation that no longer
//! happens fails the test too, so the list stays true. Set `WARD_CORPUS_TOOLS=trivy,zap` to
//! check only some tool folders while working on them.

#![allow(clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ward_core::{Category, CvssVersion, Finding, Status};
use ward_formats::{import, parser, Imported};
use ward_test_support::{expected_fields, manifest, read_tsv, Expected, ManifestEntry};

/// At most this share of the files with an asserted count may have a count deviation.
const MAX_COUNT_DEVIATION_SHARE: f64 = 0.05;
/// At least this share of the corpus must be detected without `--format`.
const MIN_DETECTION_SHARE: f64 = 0.98;

struct Deviation {
    ward_value: String,
    used: bool,
}

fn deviations() -> BTreeMap<Key, Deviation> {
    let path = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("tests/corpus_deviations.tsv");
    read_tsv(&path)
        .into_iter()
        .map(|row| {
            assert!(
                row.len() == 5 && !row[4].trim().is_empty(),
                "{}: every deviation needs 5 columns and a reason: {row:?}",
                path.display()
            );
            (
                (row[0].clone(), row[1].clone(), row[2].clone()),
                Deviation {
                    ward_value: row[3].clone(),
                    used: false,
                },
            )
        })
        .collect()
}

fn selected(tool: &str) -> bool {
    match std::env::var("WARD_CORPUS_TOOLS") {
        Ok(list) if !list.trim().is_empty() => list.split(',').any(|t| t.trim() == tool),
        _ => true,
    }
}

fn filtered() -> bool {
    std::env::var("WARD_CORPUS_TOOLS").is_ok_and(|l| !l.trim().is_empty())
}

fn forced(entry: &ManifestEntry, bytes: &[u8]) -> Result<Imported, String> {
    let scan_type = entry
        .scan_type()
        .ok_or("the manifest note names no scan_type")?;
    let parser =
        parser(scan_type).ok_or_else(|| format!("no parser for scan type {scan_type:?}"))?;
    import(bytes, Some(parser.id())).map_err(|e| e.to_string())
}

#[test]
fn corpus_counts_detection_and_fields() {
    let mut deviations = deviations();
    let mut failures: Vec<String> = Vec::new();

    let entries: Vec<ManifestEntry> = manifest()
        .into_iter()
        .filter(|e| selected(&e.tool))
        .collect();
    let mut parsed: BTreeMap<(String, String), Vec<Finding>> = BTreeMap::new();
    let (mut n_detected, mut n_counted, mut n_count_deviations) = (0usize, 0usize, 0usize);
    for entry in &entries {
        let bytes = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("{}: {e}", entry.name()));
        let key = |what: &str| (entry.tool.clone(), entry.file.clone(), what.to_string());

        // Detection: the parser picked without --format must be the one for the scan type,
        // with two exceptions that give the same outcome as the right parser:
        // - a file the named parser must reject (`error`) may fail, or be read by the parser
        //   its content belongs to (govulncheck's SARIF output is SARIF);
        // - a file with no content at all (empty, `null`, `[]`) may be read as an empty report
        //   when the right parser also gives no findings.
        let want = entry
            .scan_type()
            .and_then(parser)
            .map(|p| p.id())
            .unwrap_or("?");
        let result = forced(entry, &bytes);
        let forced_count = result.as_ref().ok().map(|i| i.parsed.findings.len());
        let got = match (import(&bytes, None), &entry.expected) {
            (Err(_), Expected::Error) => want.to_string(),
            (Ok(imported), Expected::Error) if imported.parser.id() != want => want.to_string(),
            (Ok(imported), _) if imported.parser.id() == "empty" && forced_count == Some(0) => {
                want.to_string()
            }
            (Ok(imported), _) => imported.parser.id().to_string(),
            (Err(_), _) => "unrecognized".to_string(),
        };
        if got == want {
            n_detected += 1;
        }
        check(&mut deviations, key("detect"), want, &got, &mut failures);

        match (&entry.expected, result) {
            (Expected::Error, Ok(imported)) => failures.push(format!(
                "{}: must fail, gave {} findings",
                entry.name(),
                imported.parsed.findings.len()
            )),
            (Expected::Error, Err(_)) => {}
            // A file nobody asserted anything about may be one ward rejects: a recorded
            // `count` deviation of `error` says so, with the reason.
            (Expected::Unknown, Err(e)) => match deviations.get_mut(&key("count")) {
                Some(d) if d.ward_value == "error" => d.used = true,
                _ => failures.push(format!("{}: {e}", entry.name())),
            },
            (_, Err(e)) => failures.push(format!("{}: {e}", entry.name())),
            (expected, Ok(imported)) => {
                let n = imported.parsed.findings.len();
                if let Expected::Count(want) = expected {
                    n_counted += 1;
                    if deviations.contains_key(&key("count")) {
                        n_count_deviations += 1;
                    }
                    check(
                        &mut deviations,
                        key("count"),
                        &want.to_string(),
                        &n.to_string(),
                        &mut failures,
                    );
                }
                for f in &imported.parsed.findings {
                    invariants(entry, f, &mut failures);
                }
                parsed.insert(
                    (entry.tool.clone(), entry.file.clone()),
                    imported.parsed.findings,
                );
            }
        }
    }

    for expected in expected_fields().into_iter().filter(|e| selected(&e.tool)) {
        let Some(findings) = parsed.get(&(expected.tool.clone(), expected.file.clone())) else {
            continue; // the count check already failed, or the file is not in the manifest
        };
        let what = format!("{}:{}", expected.index, expected.field);
        let key = (expected.tool.clone(), expected.file.clone(), what);
        let actual = match findings.get(expected.index) {
            Some(f) => dojo_field(f, &expected.field, &expected.value),
            None => "<no such finding>".to_string(),
        };
        check(
            &mut deviations,
            key,
            &expected.value,
            &actual,
            &mut failures,
        );
    }

    for ((tool, file, what), d) in &deviations {
        if !d.used && selected(tool) {
            failures.push(format!("{tool}/{file} {what}: stale deviation (nothing differs, or the file is gone): remove it"));
        }
    }
    if !filtered() {
        let count_share = n_count_deviations as f64 / n_counted.max(1) as f64;
        if count_share > MAX_COUNT_DEVIATION_SHARE {
            failures.push(format!(
                "{n_count_deviations} of {n_counted} counted files deviate ({:.1}%), over {:.0}%",
                count_share * 100.0,
                MAX_COUNT_DEVIATION_SHARE * 100.0
            ));
        }
        let detect_share = n_detected as f64 / entries.len().max(1) as f64;
        if detect_share < MIN_DETECTION_SHARE {
            failures.push(format!(
                "only {n_detected} of {} files detected ({:.1}%), under {:.0}%",
                entries.len(),
                detect_share * 100.0,
                MIN_DETECTION_SHARE * 100.0
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("corpus: {} files, {n_detected} detected, {n_counted} counted, {n_count_deviations} count deviations", entries.len());
}

type Key = (String, String, String);

/// Compares one asserted value, honouring a recorded deviation.
fn check(
    deviations: &mut BTreeMap<Key, Deviation>,
    key: Key,
    expected: &str,
    actual: &str,
    failures: &mut Vec<String>,
) {
    let (tool, file, what) = &key;
    match deviations.get_mut(&key) {
        Some(d) => {
            d.used = true;
            if d.ward_value != actual {
                failures.push(format!("{tool}/{file} {what}: deviation says ward gives {:?}, it gives {actual:?} (publisher expects {expected:?})", d.ward_value));
            }
        }
        None if !same(expected, actual) => {
            failures.push(format!(
                "{tool}/{file} {what}: expected {expected:?}, ward gives {actual:?}"
            ));
        }
        None => {}
    }
}

/// What must hold of every finding from every parser.
fn invariants(entry: &ManifestEntry, f: &Finding, failures: &mut Vec<String>) {
    let name = entry.name();
    if f.fingerprint.len() != 32 {
        failures.push(format!("{name}: finding without fingerprint: {}", f.title));
    }
    if f.title.trim().is_empty() {
        failures.push(format!("{name}: finding with a blank title"));
    }
    if f.tool.trim().is_empty() {
        failures.push(format!("{name}: finding without a tool: {}", f.title));
    }
    if f.category == Category::Secret && f.secret.is_none() && f.location.file.is_none() {
        failures.push(format!(
            "{name}: secret finding with neither secret hash nor file: {}",
            f.title
        ));
    }
}

/// A finding's value for one of DefectDojo's field names, as text.
fn dojo_field(f: &Finding, field: &str, expected: &str) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "null".to_string());
    let cvss = |version: &[CvssVersion]| {
        f.cvss
            .iter()
            .filter(|c| version.contains(&c.version))
            .max_by_key(|c| c.version)
    };
    let v3 = [CvssVersion::V3_0, CvssVersion::V3_1];
    let package = f.location.package.as_ref();
    match field {
        "severity" => {
            let s = f.severity.as_str();
            let mut cap = s[..1].to_uppercase();
            cap.push_str(&s[1..]);
            cap
        }
        "title" => f.title.clone(),
        "cwe" => opt(f.cwe().map(|c| c.to_string())),
        "file_path" => opt(f.location.file.as_ref().map(|l| l.path.clone())),
        "line" => opt(f
            .location
            .file
            .as_ref()
            .and_then(|l| l.start_line)
            .map(|l| l.to_string())),
        "component_name" => opt(package.map(|p| p.name.clone())),
        "component_version" => opt(package.and_then(|p| p.version.clone())),
        "vuln_id_from_tool" => opt(f.rule_id.clone()),
        "unique_id_from_tool" => opt(f.external_id.clone()),
        "cvssv3" => opt(cvss(&v3).and_then(|c| c.vector.clone())),
        "cvssv3_score" => opt(cvss(&v3).and_then(|c| c.score).map(|s| s.to_string())),
        "cvssv4" => opt(cvss(&[CvssVersion::V4]).and_then(|c| c.vector.clone())),
        "cvssv4_score" => opt(cvss(&[CvssVersion::V4])
            .and_then(|c| c.score)
            .map(|s| s.to_string())),
        "nb_occurences" => f.occurrences.to_string(),
        "active" => f.status.is_open().to_string(),
        "verified" => f.verified.to_string(),
        "false_p" => (f.status == Status::FalsePositive).to_string(),
        "is_mitigated" => (f.status == Status::Mitigated).to_string(),
        "out_of_scope" => (f.status == Status::OutOfScope).to_string(),
        "fix_available" => package
            .is_some_and(|p| p.fixed_version.is_some())
            .to_string(),
        "static_finding" => (f.category != Category::Dast).to_string(),
        "dynamic_finding" => (f.category == Category::Dast).to_string(),
        "epss_score" => opt(f.epss.map(|e| e.score.to_string())),
        "epss_percentile" => opt(f.epss.and_then(|e| e.percentile).map(|p| p.to_string())),
        // DefectDojo's list repeats ids (the main id again among the related ones) where ward's
        // does not, so positions differ; what is asserted is that the id is there.
        f_name if f_name.starts_with("vulnerability_ids") => {
            let ids: BTreeSet<&str> = f.vulnerability_ids().map(|i| i.value.as_str()).collect();
            if ids.iter().any(|i| i.eq_ignore_ascii_case(expected)) {
                expected.to_string()
            } else {
                format!("{ids:?}")
            }
        }
        other => format!("<field {other} has no ward equivalent>"),
    }
}

/// Equal as text, as numbers, or as CWE ids (`CWE-79` and `79`).
fn same(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    let number = |s: &str| s.trim().trim_start_matches("CWE-").parse::<f64>().ok();
    match (number(expected), number(actual)) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-5,
        _ => false,
    }
}
