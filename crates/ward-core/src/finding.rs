//! [`Finding`]: one issue, normalized, whatever tool reported it.

use serde::{Deserialize, Serialize};

use crate::{Category, Confidence, Identifier, IdentifierKind, Location, Secret, Severity};

/// One normalized finding.
///
/// Parsers build findings with [`Finding::new`] and fill the fields their format carries; the
/// [`fingerprint`](crate::fingerprint) is assigned last, over the whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable deduplication key; see [`crate::fingerprint`].
    #[serde(default)]
    pub fingerprint: String,
    /// A one-line summary.
    pub title: String,
    /// Normalized severity.
    pub severity: Severity,
    /// The severity exactly as the tool wrote it, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_severity: Option<String>,
    /// How sure the tool is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The kind of analysis.
    pub category: Category,
    /// The tool's rule or check id (`B101`, `CKV_AWS_20`, `aws-access-token`, the CVE for SCA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// CVE, GHSA, CWE … ids, in the order the tool gave them, without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// CVSS ratings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    /// EPSS exploit prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epss: Option<Epss>,
    /// Where the issue is.
    #[serde(default, skip_serializing_if = "Location::is_empty")]
    pub location: Location,
    /// Longer explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Links to advisories and documentation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// What the tool saw: a request/response excerpt, a matched line (secrets masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// A found secret, masked and hashed; never the clear value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Triage state the report itself carries (suppressed in the tool, resolved …).
    #[serde(default, skip_serializing_if = "Status::is_open")]
    pub status: Status,
    /// Whether the tool or vendor says the finding is confirmed (a verified secret, a vendor
    /// status of "affected").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified: bool,
    /// How many places in the report this one finding stands for, when the tool's entries were merged.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub occurrences: u32,
    /// The tool that produced the finding (`Trivy`, `Semgrep`, the SARIF driver name).
    pub tool: String,
    /// When the scan ran (RFC 3339), when the report says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_time: Option<String>,
    /// The tool's own id for this one finding, when it assigns one (an issue key, a finding ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Free-form labels from the tool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Finding {
    /// A finding with the three fields every report has and everything else empty.
    pub fn new(tool: impl Into<String>, category: Category, title: impl Into<String>) -> Finding {
        Finding {
            fingerprint: String::new(),
            title: title.into(),
            severity: Severity::Info,
            tool_severity: None,
            confidence: None,
            category,
            rule_id: None,
            identifiers: Vec::new(),
            cvss: Vec::new(),
            epss: None,
            location: Location::default(),
            description: None,
            remediation: None,
            references: Vec::new(),
            evidence: None,
            secret: None,
            status: Status::Open,
            verified: false,
            occurrences: 1,
            tool: tool.into(),
            scan_time: None,
            external_id: None,
            tags: Vec::new(),
        }
    }

    /// Adds an identifier unless an equal one is already there.
    pub fn add_identifier(&mut self, id: Identifier) {
        if !self.identifiers.contains(&id) {
            self.identifiers.push(id);
        }
    }

    /// Parses and adds an advisory id (see [`Identifier::parse`]); blank input is ignored.
    pub fn add_id(&mut self, raw: &str) {
        if let Some(id) = Identifier::parse(raw) {
            self.add_identifier(id);
        }
    }

    /// Adds a CWE from a number or `CWE-n`; anything else is ignored.
    pub fn add_cwe(&mut self, raw: &str) {
        if let Some(id) = Identifier::cwe(raw) {
            self.add_identifier(id);
        }
    }

    /// Adds a reference URL unless it is blank or already there.
    pub fn add_reference(&mut self, url: &str) {
        let url = url.trim();
        if !url.is_empty() && !self.references.iter().any(|r| r == url) {
            self.references.push(url.to_string());
        }
    }

    /// The first CWE, if any.
    pub fn cwe(&self) -> Option<u32> {
        self.identifiers.iter().find_map(Identifier::cwe_number)
    }

    /// Vulnerability ids (CVE, GHSA, OSV, vendor), without CWE and OWASP, in order.
    pub fn vulnerability_ids(&self) -> impl Iterator<Item = &Identifier> {
        self.identifiers.iter().filter(|i| i.is_vulnerability())
    }

    /// The id that best names the vulnerability across tools: a CVE, else a GHSA, else another
    /// advisory id, else the rule id.
    pub fn primary_vulnerability_id(&self) -> Option<&str> {
        let pick = |kind: IdentifierKind| {
            self.identifiers
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| i.value.as_str())
                .min()
        };
        pick(IdentifierKind::Cve)
            .or_else(|| pick(IdentifierKind::Ghsa))
            .or_else(|| pick(IdentifierKind::Osv))
            .or_else(|| pick(IdentifierKind::Vendor))
            .or(self.rule_id.as_deref())
    }

    /// The CVSS rating of the highest version present (v4 over v3.1 over v3.0 over v2).
    pub fn best_cvss(&self) -> Option<&Cvss> {
        self.cvss.iter().max_by_key(|c| c.version)
    }
}

/// The triage state a report carries for a finding.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Needs attention (the default).
    #[default]
    Open,
    /// The tool or a person marked it a false positive.
    FalsePositive,
    /// Fixed or resolved.
    Mitigated,
    /// The risk was accepted (won't fix, suppressed with a justification).
    Accepted,
    /// Does not apply to this target.
    OutOfScope,
}

impl Status {
    /// Whether the finding still needs attention.
    pub fn is_open(&self) -> bool {
        *self == Status::Open
    }
}

/// A CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CvssVersion {
    /// CVSS v2.
    #[serde(rename = "2.0")]
    V2,
    /// CVSS v3.0.
    #[serde(rename = "3.0")]
    V3_0,
    /// CVSS v3.1.
    #[serde(rename = "3.1")]
    V3_1,
    /// CVSS v4.0.
    #[serde(rename = "4.0")]
    V4,
}

/// A CVSS rating: a vector, a base score, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// The CVSS version.
    pub version: CvssVersion,
    /// The vector string (`CVSS:3.1/AV:N/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// The base score, 0.0 to 10.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Who rated it (`nvd`, `ghsa`, a distribution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Cvss {
    /// A rating from a vector string, its version read from the `CVSS:x.y/` prefix (no prefix
    /// means v2). Returns `None` for blank or malformed vectors.
    pub fn from_vector(vector: &str, score: Option<f64>) -> Option<Cvss> {
        let vector = vector.trim();
        if vector.is_empty() || !vector.contains(':') {
            return None;
        }
        let version = match vector.split('/').next()? {
            "CVSS:3.1" => CvssVersion::V3_1,
            "CVSS:3.0" => CvssVersion::V3_0,
            "CVSS:4.0" => CvssVersion::V4,
            head if head.starts_with("CVSS:") => return None,
            // v2 vectors carry no prefix (AV:N/AC:L/Au:N/…); a bare v3 body has PR: and UI:.
            _ if vector.contains("PR:") && vector.contains("UI:") => CvssVersion::V3_1,
            _ => CvssVersion::V2,
        };
        Some(Cvss {
            version,
            vector: Some(vector.to_string()),
            score: score.filter(|s| (0.0..=10.0).contains(s)),
            source: None,
        })
    }

    /// A rating that is only a score.
    pub fn from_score(version: CvssVersion, score: f64) -> Option<Cvss> {
        (0.0..=10.0).contains(&score).then_some(Cvss {
            version,
            vector: None,
            score: Some(score),
            source: None,
        })
    }
}

/// EPSS: the probability of exploitation in the next 30 days, and its percentile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// Probability, 0.0 to 1.0.
    pub score: f64,
    /// Percentile, 0.0 to 1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentile: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_versions_from_vectors() {
        let v = |s: &str| Cvss::from_vector(s, None).map(|c| c.version);
        assert_eq!(
            v("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(CvssVersion::V3_1)
        );
        assert_eq!(
            v("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(CvssVersion::V4)
        );
        assert_eq!(v("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(CvssVersion::V2));
        assert_eq!(v("CVSS:9.9/AV:N"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn primary_id_prefers_cve() {
        let mut f = Finding::new("t", Category::Dependency, "x");
        f.add_id("GHSA-aaaa-bbbb-cccc");
        f.add_id("CVE-2022-2");
        f.add_id("CVE-2021-1");
        f.add_cwe("79");
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2021-1"));
        assert_eq!(f.vulnerability_ids().count(), 3);
        assert_eq!(f.cwe(), Some(79));
    }

    #[test]
    fn json_omits_empty_fields() {
        let f = Finding::new("Trivy", Category::Dependency, "x");
        let json = serde_json::to_value(&f).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["category", "fingerprint", "severity", "title", "tool"]
        );
        let back: Finding = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
    }
}
