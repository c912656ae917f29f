//! Identifiers that name a vulnerability or weakness class: CVE, GHSA, OSV, CWE, OWASP, vendor ids.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What namespace an [`Identifier`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentifierKind {
    /// `CVE-YYYY-NNNN`.
    Cve,
    /// GitHub Security Advisory, `GHSA-xxxx-xxxx-xxxx`.
    Ghsa,
    /// An OSV database id that is neither CVE nor GHSA (`PYSEC-`, `GO-`, `RUSTSEC-` …).
    Osv,
    /// Common Weakness Enumeration, stored as `CWE-79`.
    Cwe,
    /// An OWASP Top 10 category such as `A03:2021`.
    Owasp,
    /// Any other advisory id a vendor or tool assigns (`SNYK-JS-…`, `RHSA-…`, `NSWG-…`).
    Vendor,
}

/// A vulnerability or weakness identifier, normalized (upper-case prefixes, `CWE-` prefix).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// The namespace.
    #[serde(rename = "type")]
    pub kind: IdentifierKind,
    /// The id itself, e.g. `CVE-2021-44228`.
    pub value: String,
}

const OSV_PREFIXES: &[&str] = &[
    "PYSEC-", "GO-", "RUSTSEC-", "OSV-", "GSD-", "MAL-", "UVI-", "BIT-", "RSEC-", "PSF-",
    "ALPINE-", "DEBIAN-", "DSA-", "DLA-", "UBUNTU-", "USN-", "RLSA-", "ALSA-", "CURL-",
];

impl Identifier {
    /// Classifies an advisory id by its prefix. Returns `None` for blank input.
    ///
    /// CWE and OWASP ids are only recognised in their prefixed forms here; use [`Identifier::cwe`]
    /// where a field holds a bare CWE number.
    pub fn parse(raw: &str) -> Option<Identifier> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let upper = raw.to_ascii_uppercase();
        if upper.starts_with("CVE-") {
            return Some(Identifier {
                kind: IdentifierKind::Cve,
                value: upper,
            });
        }
        if upper.starts_with("GHSA-") {
            // GHSA ids are written with a lower-case body by GitHub.
            return Some(Identifier {
                kind: IdentifierKind::Ghsa,
                value: format!("GHSA-{}", raw[5..].to_ascii_lowercase()),
            });
        }
        if upper.starts_with("CWE-") {
            return Identifier::cwe(&raw[4..]);
        }
        if is_owasp(&upper) {
            return Some(Identifier {
                kind: IdentifierKind::Owasp,
                value: upper,
            });
        }
        let kind = if OSV_PREFIXES.iter().any(|p| upper.starts_with(p)) {
            IdentifierKind::Osv
        } else {
            IdentifierKind::Vendor
        };
        Some(Identifier {
            kind,
            value: raw.to_string(),
        })
    }

    /// A CWE from `79`, `CWE-79` or `cwe-79`; `None` unless the number is a positive integer.
    pub fn cwe(raw: &str) -> Option<Identifier> {
        let raw = raw.trim();
        let digits = raw
            .strip_prefix("CWE-")
            .or_else(|| raw.strip_prefix("cwe-"))
            .or_else(|| raw.strip_prefix("CWE"))
            .unwrap_or(raw)
            .trim();
        let number: u32 = digits.parse().ok()?;
        (number > 0).then(|| Identifier {
            kind: IdentifierKind::Cwe,
            value: format!("CWE-{number}"),
        })
    }

    /// The CWE number, if this is a CWE.
    pub fn cwe_number(&self) -> Option<u32> {
        match self.kind {
            IdentifierKind::Cwe => self.value.strip_prefix("CWE-")?.parse().ok(),
            _ => None,
        }
    }

    /// Whether this names a vulnerability (as opposed to a weakness class or a Top 10 category).
    pub fn is_vulnerability(&self) -> bool {
        !matches!(self.kind, IdentifierKind::Cwe | IdentifierKind::Owasp)
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// `A1`, `A01:2021`, `A3:2017`, `M1` (mobile) style categories.
fn is_owasp(upper: &str) -> bool {
    let (head, year) = match upper.split_once(':') {
        Some((head, year)) => (head, Some(year)),
        None => (upper, None),
    };
    let Some(number) = head.strip_prefix('A') else {
        return false;
    };
    let year_ok = year.is_none_or(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()));
    year.is_some()
        && year_ok
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, kind: IdentifierKind, value: &str) {
        let id = Identifier::parse(raw).unwrap();
        assert_eq!((id.kind, id.value.as_str()), (kind, value), "{raw}");
    }

    #[test]
    fn classification() {
        check("cve-2021-44228", IdentifierKind::Cve, "CVE-2021-44228");
        check(
            "GHSA-JFH8-C2JP-5V3Q",
            IdentifierKind::Ghsa,
            "GHSA-jfh8-c2jp-5v3q",
        );
        check("PYSEC-2021-1", IdentifierKind::Osv, "PYSEC-2021-1");
        check(
            "RUSTSEC-2020-0071",
            IdentifierKind::Osv,
            "RUSTSEC-2020-0071",
        );
        check("CWE-079", IdentifierKind::Cwe, "CWE-79");
        check("A03:2021", IdentifierKind::Owasp, "A03:2021");
        check(
            "SNYK-JS-LODASH-567746",
            IdentifierKind::Vendor,
            "SNYK-JS-LODASH-567746",
        );
        assert_eq!(Identifier::parse("  "), None);
    }

    #[test]
    fn bare_cwe_numbers() {
        assert_eq!(Identifier::cwe("89").unwrap().value, "CWE-89");
        assert_eq!(Identifier::cwe("CWE-89").unwrap().cwe_number(), Some(89));
        assert_eq!(Identifier::cwe("0"), None);
        assert_eq!(Identifier::cwe("noinfo"), None);
    }
}
