//! Version ordering per ecosystem, as OSV defines it for `ECOSYSTEM` and `SEMVER` ranges.
//!
//! Each scheme is one module with a `compare(a, b) -> Ordering`; [`Scheme::of`] maps an OSV
//! ecosystem name to its scheme. Comparison never fails: a version a scheme cannot parse is
//! compared by its digit and non-digit runs, so a malformed record degrades, never panics.

use std::cmp::Ordering;

mod alpine;
mod debian;
mod generic;
mod maven;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

/// How versions of an ecosystem are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Semantic Versioning 2.0 (npm, crates.io, Go, Pub, Hex, NuGet, SEMVER ranges), lenient:
    /// a leading `v`, missing minor/patch and a fourth number are accepted.
    SemVer,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
    /// RubyGems' `Gem::Version`.
    RubyGems,
    /// Composer's `version_compare` rules (Packagist).
    Packagist,
    /// dpkg (Debian, Ubuntu).
    Debian,
    /// apk (Alpine).
    Alpine,
    /// rpm (Red Hat, Rocky, AlmaLinux, SUSE…).
    Rpm,
    /// Anything else: digit runs compared as numbers, the rest as text.
    Generic,
}

impl Scheme {
    /// The scheme of an OSV ecosystem name (`PyPI`, `Debian:12`, `Alpine:v3.19` …).
    pub fn of(ecosystem: &str) -> Scheme {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        match base {
            "npm" | "crates.io" | "Go" | "Pub" | "Hex" | "NuGet" | "SwiftURL" | "Bitnami" => {
                Scheme::SemVer
            }
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "Packagist" => Scheme::Packagist,
            "Debian" | "Ubuntu" => Scheme::Debian,
            "Alpine" | "Wolfi" | "Chainguard" => Scheme::Alpine,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia"
            | "openEuler" => Scheme::Rpm,
            _ => Scheme::Generic,
        }
    }

    /// Orders two versions under this scheme.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Scheme::SemVer => semver::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Maven => maven::compare(a, b),
            Scheme::RubyGems => rubygems::compare(a, b),
            Scheme::Packagist => generic::compare_composer(a, b),
            Scheme::Debian => debian::compare(a, b),
            Scheme::Alpine => alpine::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Generic => generic::compare(a, b),
        }
    }
}

/// Splits `text` into runs of ASCII digits and runs of everything else.
pub(crate) fn runs(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let digit = bytes[start].is_ascii_digit();
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_digit() == digit {
            end += 1;
        }
        let run = &text[start..end];
        start = end;
        Some(run)
    })
}

/// Compares two strings of ASCII digits as numbers of any length.
pub(crate) fn compare_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
pub(crate) fn check_order(scheme: Scheme, ordered: &[&str]) {
    for (i, a) in ordered.iter().enumerate() {
        for (j, b) in ordered.iter().enumerate() {
            assert_eq!(scheme.compare(a, b), i.cmp(&j), "{scheme:?}: {a} vs {b}");
        }
    }
}
