//! npm audit JSON as npm 6 and earlier write it (`npm audit --json`): an `advisories` object
//! keyed by advisory number, each with the installed versions and dependency paths of its
//! package, beside `actions`, `muted` and `metadata`. <https://docs.npmjs.com/cli/v6/commands/npm-audit>
//!
//! npm 7 and later write another shape (`auditReportVersion: 2`), read by
//! [`super::npm_audit_7`]; this parser refuses it so the two stay distinct scan types, as in
//! DefectDojo. One finding per advisory: npm already merges all paths to the vulnerable package
//! into the advisory, and `occurrences` counts those paths.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::sca_common::{
    is_yarn_audit_ci_summary, npm_advisory_finding, npm_paths, Entries, NpmAdvisory,
};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// npm audit, npm 6 and earlier.
pub(crate) struct NpmAudit;

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "auditReportVersion")]
    audit_report_version: Option<IgnoredAny>,
    error: Option<NpmError>,
    advisories: Option<Entries<NpmAdvisory>>,
}

/// What npm writes instead of a report when the audit itself failed.
#[derive(Deserialize)]
pub(crate) struct NpmError {
    code: Option<String>,
    summary: Option<String>,
}

impl NpmError {
    pub(crate) fn message(&self) -> String {
        let code = non_empty(self.code.as_deref()).unwrap_or_else(|| "error".into());
        match non_empty(self.summary.as_deref()) {
            Some(summary) => format!("npm audit report contains errors: {code}: {summary}"),
            None => format!("npm audit report contains errors: {code}"),
        }
    }
}

impl Parser for NpmAudit {
    fn id(&self) -> &'static str {
        "npm-audit"
    }

    fn name(&self) -> &'static str {
        "npm audit (npm 6)"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["NPM Audit Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(v) = input.json() else {
            return false;
        };
        v.get("advisories").is_some_and(|a| a.is_object())
            && (v.get("actions").is_some_and(|a| a.is_array())
                || v.get("muted").is_some_and(|m| m.is_array()))
            && !is_yarn_audit_ci_summary(v)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        if report.audit_report_version.is_some() {
            return Err(Error::WrongFormat {
                format: "npm-audit",
                reason: "this is an npm 7+ report (`auditReportVersion`); read it with --format npm-audit-7".into(),
            });
        }
        if let Some(error) = report.error {
            return Err(Error::Field {
                field: "error".into(),
                message: error.message(),
            });
        }
        let advisories = report.advisories.ok_or_else(|| Error::WrongFormat {
            format: "npm-audit",
            reason: "no `advisories` object".into(),
        })?;
        let mut parsed = Parsed {
            tool: Some("npm audit".into()),
            ..Parsed::default()
        };
        for (_, advisory) in &advisories.0 {
            let paths = npm_paths(advisory);
            parsed
                .findings
                .push(npm_advisory_finding("npm audit", advisory, &paths));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::Severity;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(NpmAudit.detect(&input));
        NpmAudit.parse(&input).unwrap()
    }

    #[test]
    fn advisories_become_findings() {
        let parsed = check(
            r#"{"actions":[],"advisories":{"1064843":{"findings":[{"version":"3.0.0","paths":["a>ansi-regex","b>ansi-regex"]},{"version":"4.1.0","paths":["c>ansi-regex"]}],
            "vulnerable_versions":">2.1.1 <5.0.1","module_name":"ansi-regex","severity":"moderate","github_advisory_id":"GHSA-93q8-gq69-wqmw",
            "cves":["CVE-2021-3807"],"patched_versions":">=5.0.1","cvss":{"score":7.5,"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
            "recommendation":"Upgrade to version 5.0.1 or later","cwe":"[\"CWE-918\",\"CWE-1333\"]","id":1064843,
            "references":"- https://nvd.nist.gov/vuln/detail/CVE-2021-3807","title":" Inefficient Regular Expression Complexity",
            "overview":"ReDoS","url":"https://github.com/advisories/GHSA-93q8-gq69-wqmw"}},"muted":[],"metadata":{},"runId":"x"}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Inefficient Regular Expression Complexity - (ansi-regex, >2.1.1 <5.0.1)"
        );
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::Medium, Some("moderate"))
        );
        assert_eq!(f.rule_id.as_deref(), Some("1064843"));
        assert_eq!(f.cwe(), Some(918));
        assert_eq!(f.occurrences, 3);
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CVE-2021-3807",
                "GHSA-93q8-gq69-wqmw",
                "NPM-1064843",
                "CWE-918",
                "CWE-1333"
            ]
        );
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.version.as_deref(), Some("3.0.0"));
        assert_eq!(package.fixed_version.as_deref(), Some(">=5.0.1"));
        assert_eq!(f.cvss[0].score, Some(7.5));
        assert_eq!(f.references.len(), 2);
    }

    #[test]
    fn errors_and_npm7_are_refused() {
        let input = Input::new(br#"{"error":{"code":"ENOAUDIT","summary":"no audit"}}"#);
        let err = NpmAudit.parse(&input).unwrap_err().to_string();
        assert!(err.contains("ENOAUDIT"), "{err}");
        let input = Input::new(br#"{"auditReportVersion":2,"vulnerabilities":{}}"#);
        assert!(!NpmAudit.detect(&input));
        assert!(NpmAudit
            .parse(&input)
            .unwrap_err()
            .to_string()
            .contains("npm-audit-7"));
    }
}
