//! Semantic Versioning 2.0 precedence (<https://semver.org/#spec-item-11>), leniently: a leading
//! `v` or `=`, fewer or more than three numbers (missing ones are 0, as NuGet's fourth is) and
//! build metadata (ignored) are accepted. Pre-release identifiers compare case-insensitively.

use std::cmp::Ordering;

use super::compare_digits;

pub(super) fn compare(a: &str, b: &str) -> Ordering {
    let (a_core, a_pre) = split(a);
    let (b_core, b_pre) = split(b);
    let mut a_numbers = a_core.split('.');
    let mut b_numbers = b_core.split('.');
    loop {
        match (a_numbers.next(), b_numbers.next()) {
            (None, None) => break,
            (x, y) => {
                let order = compare_number(x.unwrap_or("0"), y.unwrap_or("0"));
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
    match (a_pre, b_pre) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => compare_prerelease(x, y),
    }
}

fn split(version: &str) -> (&str, Option<&str>) {
    let version = version.trim().trim_start_matches(['v', 'V', '=']);
    let version = version.split('+').next().unwrap_or(version);
    match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version, None),
    }
}

fn compare_number(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => compare_digits(a, b),
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.cmp(b),
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let mut a_parts = a.split('.');
    let mut b_parts = b.split('.');
    loop {
        match (a_parts.next(), b_parts.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
                let order = match (numeric(x), numeric(y)) {
                    (true, true) => compare_digits(x, y),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::version::{check_order, Scheme};

    #[test]
    fn semver_precedence() {
        check_order(
            Scheme::SemVer,
            &[
                "0.0.0",
                "0.9.0",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.1",
                "1.0.1.1",
                "1.2.0",
                "1.10.0",
                "v2.0.0",
                "10.0.0",
            ],
        );
        assert_eq!(
            Scheme::SemVer.compare("1.0.0+build.5", "1.0.0"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::SemVer.compare("1.0", "1.0.0"),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            Scheme::SemVer.compare(
                "v0.0.0-20200101000000-abcdef",
                "v0.0.0-20210101000000-abcdef"
            ),
            std::cmp::Ordering::Less
        );
    }
}
