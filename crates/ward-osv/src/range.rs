//! Whether a version is affected: OSV's range evaluation
//! (<https://ossf.github.io/osv-schema/#evaluation>) and the explicit `versions` list.

use std::cmp::Ordering;

use crate::record::{Affected, Event, Range};
use crate::version::Scheme;

/// Whether `version` of the package is affected by this entry: it is listed in `versions`,
/// or inside one of the ranges.
pub fn is_affected(affected: &Affected, version: &str) -> bool {
    let scheme = Scheme::of(&affected.ecosystem);
    // Cheapest first: a listed version spelled the same, then the ranges, and only then the
    // listed versions compared by the scheme (which parses each of them).
    affected.versions.iter().any(|v| v == version)
        || affected
            .ranges
            .iter()
            .any(|r| range_contains(r, scheme, version))
        || affected
            .versions
            .iter()
            .any(|v| scheme.compare(v, version) == Ordering::Equal)
}

/// Whether `version` is inside `range` (ordered by `scheme` unless the range is `SEMVER`).
pub fn range_contains(range: &Range, scheme: Scheme, version: &str) -> bool {
    let scheme = if range.semver { Scheme::SemVer } else { scheme };
    let cmp = |a: &str, b: &str| scheme.compare(a, b);
    // A `limit` caps the range: at or past every limit, nothing is affected.
    let limits: Vec<&str> = range
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Limit(v) if v != "*" => Some(v.as_str()),
            _ => None,
        })
        .collect();
    if !limits.is_empty() && limits.iter().all(|l| cmp(version, l) != Ordering::Less) {
        return false;
    }
    let mut events: Vec<&Event> = range
        .events
        .iter()
        .filter(|e| !matches!(e, Event::Limit(_)))
        .collect();
    events.sort_by(|a, b| match (a, b) {
        (Event::Introduced(x), _) if x == "0" => Ordering::Less,
        (_, Event::Introduced(y)) if y == "0" => Ordering::Greater,
        _ => cmp(a.version(), b.version()),
    });
    let mut affected = false;
    for event in events {
        match event {
            Event::Introduced(v) => {
                if v == "0" || cmp(version, v) != Ordering::Less {
                    affected = true;
                }
            }
            Event::Fixed(v) => {
                if cmp(version, v) != Ordering::Less {
                    affected = false;
                }
            }
            Event::LastAffected(v) => {
                if cmp(version, v) == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    affected || in_listed_pair(range, scheme, version)
}

/// Reads the events in the order the record lists them, each `introduced` closed by the next
/// `fixed` or `last_affected`: how publishers write overlapping intervals (`[2.11, 2.11.7)`
/// after `[0, 2.11.6)`), which sorting the events would cut short. Only closed pairs count.
fn in_listed_pair(range: &Range, scheme: Scheme, version: &str) -> bool {
    let mut open: Option<&str> = None;
    for event in &range.events {
        match event {
            Event::Introduced(v) => open = Some(v),
            Event::Fixed(end) | Event::LastAffected(end) => {
                let Some(start) = open.take() else { continue };
                let after_start = start == "0" || scheme.compare(version, start) != Ordering::Less;
                let before_end = match event {
                    Event::Fixed(_) => scheme.compare(version, end) == Ordering::Less,
                    _ => scheme.compare(version, end) != Ordering::Greater,
                };
                if after_start && before_end {
                    return true;
                }
            }
            Event::Limit(_) => {}
        }
    }
    false
}

/// The lowest `fixed` version above `version` in the entry's ranges: the version to upgrade to.
pub fn fixed_version<'a>(affected: &'a Affected, version: &str) -> Option<&'a str> {
    let scheme = Scheme::of(&affected.ecosystem);
    let mut best: Option<(&str, Scheme)> = None;
    for range in &affected.ranges {
        let scheme = if range.semver { Scheme::SemVer } else { scheme };
        for event in &range.events {
            let Event::Fixed(fixed) = event else { continue };
            if scheme.compare(fixed, version) != Ordering::Greater {
                continue;
            }
            let better = match best {
                None => true,
                Some((b, s)) => s.compare(fixed, b) == Ordering::Less,
            };
            if better {
                best = Some((fixed, scheme));
            }
        }
    }
    best.map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(events: &[(&str, &str)], version: &str, expected: bool) {
        let range = Range {
            semver: false,
            events: events
                .iter()
                .map(|(kind, v)| {
                    let v = v.to_string();
                    match *kind {
                        "introduced" => Event::Introduced(v),
                        "fixed" => Event::Fixed(v),
                        "last_affected" => Event::LastAffected(v),
                        _ => Event::Limit(v),
                    }
                })
                .collect(),
        };
        assert_eq!(
            range_contains(&range, Scheme::SemVer, version),
            expected,
            "{events:?} {version}"
        );
    }

    #[test]
    fn ranges() {
        let basic = [("introduced", "1.0.0"), ("fixed", "1.2.0")];
        check(&basic, "0.9.0", false);
        check(&basic, "1.0.0", true);
        check(&basic, "1.1.9", true);
        check(&basic, "1.2.0", false);
        let two = [
            ("introduced", "0"),
            ("fixed", "1.0.0"),
            ("introduced", "2.0.0"),
            ("fixed", "2.1.0"),
        ];
        check(&two, "0.1.0", true);
        check(&two, "1.5.0", false);
        check(&two, "2.0.5", true);
        check(&two, "3.0.0", false);
        let last = [("introduced", "1.0.0"), ("last_affected", "1.4.0")];
        check(&last, "1.4.0", true);
        check(&last, "1.4.1", false);
        let open = [("introduced", "1.0.0")];
        check(&open, "99.0.0", true);
        let limited = [("introduced", "0"), ("limit", "2.0.0")];
        check(&limited, "1.0.0", true);
        check(&limited, "2.0.0", false);
    }

    #[test]
    fn fixed_version_is_the_next_fix() {
        let affected = Affected {
            ecosystem: "npm".into(),
            name: "a".into(),
            ranges: vec![Range {
                semver: true,
                events: vec![
                    Event::Introduced("0".into()),
                    Event::Fixed("1.0.5".into()),
                    Event::Introduced("2.0.0".into()),
                    Event::Fixed("2.0.3".into()),
                ],
            }],
            versions: vec![],
        };
        assert_eq!(fixed_version(&affected, "2.0.1"), Some("2.0.3"));
        assert_eq!(fixed_version(&affected, "1.0.0"), Some("1.0.5"));
        assert!(is_affected(&affected, "2.0.1"));
        assert!(!is_affected(&affected, "1.5.0"));
    }
}
