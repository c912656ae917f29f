//! The oracle nobody here wrote: every advisory in `tests/data/advisories` that lists its
//! affected `versions` explicitly (the publishers enumerated them from the registry) is
//! checked against ward's range evaluation alone. Each listed version must fall inside the
//! record's ranges, and each `fixed` version must fall outside, under the ecosystem's ordering.
//!
//! The other edge, "the version just before `introduced` must not match", is checked where
//! that version is determinable without trusting ward's own ordering to pick it:
//! - **Published predecessor**: among the versions every record of the same package lists
//!   (real registry versions), the highest one below `introduced`. Picking it uses ward's
//!   ordering, so the check is only meaningful together with the publisher's word: it is run
//!   only when the record does *not* list that version as affected (the publisher says it is
//!   safe), and then it must fall outside all of the record's ranges for that package.
//! - **Synthesized SemVer predecessor** (every record with ranges, listed versions or not): for
//!   SemVer ecosystems, `introduced` = `X.Y.Z` with
//!   Z > 0 and no pre-release or build suffix gives `X.Y.(Z-1)`, which SemVer itself orders
//!   just below (no ordering code involved in choosing it). Unless the record lists it as
//!   affected, it must fall outside all of the record's ranges.
//!
//! `introduced: 0` has no predecessor.

#![allow(clippy::print_stderr)]

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
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

/// Every version listed by any record, per (ecosystem, package).
type Known = BTreeMap<(String, String), BTreeSet<String>>;

#[test]
fn listed_versions_match_ranges_and_fixed_versions_do_not() {
    let root = ward_test_support::data_dir().join("advisories");
    let mut paths = Vec::new();
    for ecosystem in std::fs::read_dir(&root).unwrap() {
        let dir = ecosystem.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            paths.push(file.unwrap().path());
        }
    }
    paths.sort();
    let mut known = Known::new();
    for path in &paths {
        let (advisory, _) = parse(path);
        for affected in &advisory.affected {
            known
                .entry((affected.ecosystem.clone(), affected.name.clone()))
                .or_default()
                .extend(affected.versions.iter().cloned());
        }
    }
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for path in &paths {
        check_file(path, &known, &mut counts, &mut failures);
    }
    failures.retain(|f| !KNOWN_DATA_ERRORS.iter().any(|k| f.starts_with(k)));
    let Counts {
        records: n_records,
        checked: n_checked,
        published_predecessors,
        synthesized_predecessors,
    } = counts;
    eprintln!(
        "{n_records} records, {n_checked} checks, of which {published_predecessors} published \
         and {synthesized_predecessors} synthesized predecessors of `introduced`"
    );
    assert!(n_records > 1000, "only {n_records} records with versions");
    assert!(n_checked > 10_000, "only {n_checked} versions checked");
    assert!(
        published_predecessors > 500,
        "only {published_predecessors} published predecessors of `introduced` checked"
    );
    assert!(
        synthesized_predecessors > 150,
        "only {synthesized_predecessors} synthesized predecessors of `introduced` checked"
    );
    assert!(
        failures.is_empty(),
        "{} of {n_checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[derive(Default)]
struct Counts {
    records: usize,
    checked: usize,
    published_predecessors: usize,
    synthesized_predecessors: usize,
}

fn parse(path: &Path) -> (ward_osv::Advisory, Vec<String>) {
    let bytes = std::fs::read(path).unwrap();
    record::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `X.Y.(Z-1)` for a plain `X.Y.Z` (optionally `v`-prefixed) with Z > 0.
fn semver_predecessor(version: &str) -> Option<String> {
    let (prefix, rest) = match version.strip_prefix('v') {
        Some(rest) => ("v", rest),
        None => ("", version),
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let [major, minor, patch] = parts.as_slice() else {
        return None;
    };
    let all_numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !all_numeric || (patch.len() > 1 && patch.starts_with('0')) {
        return None;
    }
    let patch: u64 = patch.parse().ok()?;
    (patch > 0).then(|| format!("{prefix}{major}.{minor}.{}", patch - 1))
}

fn check_file(path: &Path, known: &Known, counts: &mut Counts, failures: &mut Vec<String>) {
    let (advisory, _) = parse(path);
    let n_records = &mut counts.records;
    let n_checked = &mut counts.checked;
    if advisory.withdrawn.is_some() {
        return;
    }
    let mut counted = false;
    for affected in &advisory.affected {
        if affected.ranges.is_empty() {
            continue;
        }
        // Without a publisher's list only the synthesized SemVer predecessor is checked.
        let has_versions = !affected.versions.is_empty();
        if has_versions && !counted {
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
        for range in affected.ranges.iter().filter(|_| has_versions) {
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
        let listed = |v: &str| {
            affected
                .versions
                .iter()
                .any(|l| scheme.compare(l, v) == Ordering::Equal)
        };
        let published = known.get(&(affected.ecosystem.clone(), affected.name.clone()));
        for range in &affected.ranges {
            for event in &range.events {
                let Event::Introduced(introduced) = event else {
                    continue;
                };
                if introduced == "0" {
                    continue;
                }
                let order = if range.semver { Scheme::SemVer } else { scheme };
                let predecessor = published.and_then(|versions| {
                    versions
                        .iter()
                        .filter(|v| order.compare(v, introduced) == Ordering::Less)
                        .max_by(|a, b| order.compare(a, b))
                });
                if let Some(before) = predecessor.filter(|v| has_versions && !listed(v)) {
                    counts.published_predecessors += 1;
                    *n_checked += 1;
                    if inside(before) {
                        failures.push(format!(
                            "{} {} {before}: published version just before introduced {introduced}, not listed, inside the ranges",
                            advisory.id, affected.name
                        ));
                    }
                }
                let semver_ecosystem = range.semver || scheme == Scheme::SemVer;
                if let Some(before) = semver_predecessor(introduced).filter(|_| semver_ecosystem) {
                    if listed(&before) {
                        continue;
                    }
                    counts.synthesized_predecessors += 1;
                    *n_checked += 1;
                    if inside(&before) {
                        failures.push(format!(
                            "{} {} {before}: SemVer predecessor of introduced {introduced}, inside the ranges",
                            advisory.id, affected.name
                        ));
                    }
                }
            }
        }
    }
}
