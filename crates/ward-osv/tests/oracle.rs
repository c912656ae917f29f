//! The oracle nobody here wrote: every advisory in `tests/data/advisories` that lists its
//! affected `versions` explicitly (the publishers enumerated them from the registry) is
//! checked against ward's range evaluation alone. Each listed version must fall inside the
//! record's ranges, and each `fixed` version must fall outside, under the ecosystem's ordering.

use std::cmp::Ordering;
use std::path::Path;

use ward_osv::range::range_contains;
use ward_osv::{record, Event, Scheme};

/// Records whose listed versions disagree with their own ranges upstream (data errors, not
/// ordering bugs), as `id package version`. Each was inspected by hand.
const KNOWN_DATA_ERRORS: &[&str] = &[
    // Lists 23.9.0 (and its post release) as affected while naming 23.9.0 the fix.
    "PYSEC-2023-177 gevent 23.9.0",
    // Lists the 3.2 and 4.2 pre-releases, which PEP 440 orders before `introduced: 3.2`/`4.2`.
    "PYSEC-2023-61 django 3.2a1",
    "PYSEC-2023-61 django 3.2b1",
    "PYSEC-2023-61 django 3.2rc1",
    "PYSEC-2023-61 django 4.2a1",
    "PYSEC-2023-61 django 4.2b1",
    "PYSEC-2023-61 django 4.2rc1",
];

#[test]
fn listed_versions_match_ranges_and_fixed_versions_do_not() {
    let root = ward_test_support::data_dir().join("advisories");
    let mut n_records = 0;
    let mut n_checked = 0;
    let mut failures = Vec::new();
    for ecosystem in std::fs::read_dir(&root).unwrap() {
        let dir = ecosystem.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            check_file(&path, &mut n_records, &mut n_checked, &mut failures);
        }
    }
    failures.retain(|f| !KNOWN_DATA_ERRORS.iter().any(|k| f.starts_with(k)));
    assert!(n_records > 1000, "only {n_records} records with versions");
    assert!(n_checked > 10_000, "only {n_checked} versions checked");
    assert!(
        failures.is_empty(),
        "{} of {n_checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_file(
    path: &Path,
    n_records: &mut usize,
    n_checked: &mut usize,
    failures: &mut Vec<String>,
) {
    let bytes = std::fs::read(path).unwrap();
    let (advisory, _) = record::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if advisory.withdrawn.is_some() {
        return;
    }
    let mut counted = false;
    for affected in &advisory.affected {
        if affected.versions.is_empty() || affected.ranges.is_empty() {
            continue;
        }
        if !counted {
            *n_records += 1;
            counted = true;
        }
        let scheme = Scheme::of(&affected.ecosystem);
        let inside = |v: &str| affected.ranges.iter().any(|r| range_contains(r, scheme, v));
        for version in &affected.versions {
            *n_checked += 1;
            if !inside(version) {
                failures.push(format!(
                    "{} {} {version}: listed as affected, outside the ranges",
                    advisory.id, affected.name
                ));
            }
        }
        for range in &affected.ranges {
            for event in &range.events {
                let Event::Fixed(fixed) = event else { continue };
                // A fixed version that is also listed is a record contradicting itself.
                if affected
                    .versions
                    .iter()
                    .any(|v| scheme.compare(v, fixed) == Ordering::Equal)
                {
                    continue;
                }
                // So is a range that re-introduces the vulnerability at the fixed version.
                let reintroduced = affected.ranges.iter().flat_map(|r| &r.events).any(|e| {
                    matches!(e, Event::Introduced(v) if scheme.compare(v, fixed) == Ordering::Equal)
                });
                if reintroduced {
                    continue;
                }
                *n_checked += 1;
                if inside(fixed) {
                    failures.push(format!(
                        "{} {} {fixed}: fixed version, inside the ranges",
                        advisory.id, affected.name
                    ));
                }
            }
        }
    }
}
