//! Severity, confidence and category: the three small vocabularies every finding carries.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is, from `info` to `critical`. Ordered: `Critical > High > … > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational; nothing to fix.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, from the most to the least severe.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// Reads the usual words scanners use for severities, case-insensitively.
    ///
    /// Returns `None` for words that say nothing (`unknown`, `unspecified`, empty), so that the
    /// caller decides what an unrated finding is.
    pub fn from_label(label: &str) -> Option<Severity> {
        let label = label.trim().to_ascii_lowercase();
        Some(match label.as_str() {
            "critical" | "crit" | "blocker" | "very high" | "veryhigh" | "urgent" => {
                Severity::Critical
            }
            "high" | "error" | "severe" | "major" | "important" | "danger" => Severity::High,
            "medium" | "moderate" | "warning" | "warn" | "med" => Severity::Medium,
            "low" | "minor" | "note" => Severity::Low,
            "info" | "informational" | "information" | "none" | "negligible" | "trivial"
            | "notice" | "debug" | "style" | "ok" | "pass" | "passed" => Severity::Info,
            _ => return None,
        })
    }

    /// The CVSS v3/v4 qualitative rating of a base score.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }

    /// The lowercase name used in ward JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the tool is that the finding is real (a separate axis from severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Likely a false positive.
    Low,
    /// Plausible.
    Medium,
    /// Certain or confirmed.
    High,
}

impl Confidence {
    /// Reads the usual words for confidence, case-insensitively (`certain`, `firm`, `tentative` …).
    pub fn from_label(label: &str) -> Option<Confidence> {
        Some(match label.trim().to_ascii_lowercase().as_str() {
            "high" | "certain" | "confirmed" | "3" => Confidence::High,
            "medium" | "firm" | "moderate" | "2" => Confidence::Medium,
            "low" | "tentative" | "1" | "experimental" => Confidence::Low,
            _ => return None,
        })
    }
}

/// What kind of analysis found the issue; decides which report type it lands in downstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Static analysis of source code.
    Sast,
    /// A vulnerable third-party package (software composition analysis).
    Dependency,
    /// A credential or key committed to code.
    Secret,
    /// A misconfiguration in infrastructure-as-code (Terraform, Kubernetes, Dockerfile …).
    Iac,
    /// A vulnerability in a container image's packages or configuration.
    Container,
    /// Found by probing a running application (web scanners, TLS checks).
    Dast,
    /// A posture or threat finding about a live cloud resource (Security Hub, GuardDuty).
    Cloud,
    /// Code quality (bugs, smells) rather than security.
    Quality,
    /// Performance.
    Performance,
    /// A licence policy issue.
    License,
}

impl Category {
    /// Every category, in a stable order.
    pub const ALL: [Category; 10] = [
        Category::Sast,
        Category::Dependency,
        Category::Secret,
        Category::Iac,
        Category::Container,
        Category::Dast,
        Category::Cloud,
        Category::Quality,
        Category::Performance,
        Category::License,
    ];

    /// The lowercase name used in ward JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Sast => "sast",
            Category::Dependency => "dependency",
            Category::Secret => "secret",
            Category::Iac => "iac",
            Category::Container => "container",
            Category::Dast => "dast",
            Category::Cloud => "cloud",
            Category::Quality => "quality",
            Category::Performance => "performance",
            Category::License => "license",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(Severity::from_label(" Moderate "), Some(Severity::Medium));
        assert_eq!(Severity::from_label("UNKNOWN"), None);
        assert_eq!(Severity::from_label("Informational"), Some(Severity::Info));
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    }

    #[test]
    fn cvss_ratings() {
        assert_eq!(Severity::from_cvss_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(7.0), Severity::High);
        assert_eq!(Severity::from_cvss_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_cvss_score(0.1), Severity::Low);
        assert_eq!(Severity::from_cvss_score(0.0), Severity::Info);
    }

    #[test]
    fn json_names_match_as_str() {
        for category in Category::ALL {
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
        }
        for severity in Severity::ALL {
            let json = serde_json::to_string(&severity).unwrap();
            assert_eq!(json, format!("\"{}\"", severity.as_str()));
        }
    }
}
