//! Horusec JSON reports (`horusec start -o json`), v2.x. <https://github.com/ZupIT/horusec>
//!
//! Horusec runs other tools (Bandit, Semgrep, Trivy, GoSec …) besides its own engine and
//! reports them all as `analysisVulnerabilities`; the inner tool is kept as a tag. The title is
//! the first line of `details`; CWE and CVE ids named in the details become identifiers. A
//! line of `0` (or an empty one) means Horusec has no line. Leak findings (language `Leaks`)
//! are secrets; their code line is not kept, since it holds the secret and the value itself is
//! not reported separately.

use serde::Deserialize;
use ward_core::{Category, Confidence, FileLocation, Finding, Severity, Status};

use super::sast_common::{advisory_ids, cwe_numbers, Scalar};
use crate::util::{first_line, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Horusec JSON.
pub(crate) struct Horusec;

/// Longest title taken from the details' first line.
const TITLE_MAX: usize = 250;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    version: Option<String>,
    created_at: Option<String>,
    analysis_vulnerabilities: Option<Vec<AnalysisVulnerability>>,
}

#[derive(Deserialize)]
struct AnalysisVulnerability {
    vulnerabilities: Option<Vulnerability>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vulnerability {
    #[serde(rename = "vulnerabilityID")]
    vulnerability_id: Option<String>,
    line: Option<Scalar>,
    column: Option<Scalar>,
    confidence: Option<String>,
    file: Option<String>,
    code: Option<String>,
    details: Option<String>,
    security_tool: Option<String>,
    language: Option<String>,
    severity: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    commit_author: Option<String>,
    commit_hash: Option<String>,
    commit_date: Option<String>,
    // The one snake_case key of the report.
    #[serde(rename = "rule_id")]
    rule_id: Option<String>,
    vuln_hash: Option<String>,
}

impl Parser for Horusec {
    fn id(&self) -> &'static str {
        "horusec"
    }

    fn name(&self) -> &'static str {
        "Horusec"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Horusec Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.json().and_then(|v| v.as_object()).is_some_and(|doc| {
            doc.get("analysisVulnerabilities").is_some()
                && (doc.contains_key("version")
                    || doc.contains_key("status")
                    || doc.contains_key("repositoryID"))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let Some(entries) = report.analysis_vulnerabilities else {
            if report.version.is_some() {
                // A Horusec report of an analysis that found nothing may carry `null` here.
                return Ok(Parsed {
                    tool: Some("Horusec".into()),
                    ..Parsed::default()
                });
            }
            return Err(Error::missing("analysisVulnerabilities"));
        };
        let scan_time = non_empty(report.created_at.as_deref());
        let mut parsed = Parsed {
            tool: Some("Horusec".into()),
            scan_time: scan_time.clone(),
            ..Parsed::default()
        };
        for (index, entry) in entries.into_iter().enumerate() {
            match entry.vulnerabilities.and_then(finding) {
                Some(mut f) => {
                    f.scan_time.clone_from(&scan_time);
                    parsed.findings.push(f);
                }
                None => parsed.warnings.push(format!(
                    "analysisVulnerabilities[{index}]: no details to name it; skipped"
                )),
            }
        }
        Ok(parsed)
    }
}

/// Horusec's own engine prefixes leak titles with `(1/1) * Possible vulnerability detected: `.
fn strip_counter(line: &str) -> &str {
    let Some(rest) = line.strip_prefix('(') else {
        return line;
    };
    match rest.split_once(") * ") {
        Some((counter, title)) if counter.bytes().all(|b| b.is_ascii_digit() || b == b'/') => title
            .strip_prefix("Possible vulnerability detected: ")
            .unwrap_or(title),
        _ => line,
    }
}

fn finding(v: Vulnerability) -> Option<Finding> {
    let details = non_empty(v.details.as_deref())?;
    let title = first_line(
        strip_counter(details.lines().next().unwrap_or("")),
        TITLE_MAX,
    );
    let leak = v
        .language
        .as_deref()
        .is_some_and(|l| l.eq_ignore_ascii_case("leaks"));
    let mut f = Finding::new(
        "Horusec",
        if leak {
            Category::Secret
        } else {
            Category::Sast
        },
        if title.is_empty() {
            details.clone()
        } else {
            title
        },
    );
    f.rule_id = non_empty(v.rule_id.as_deref());
    let severity = non_empty(v.severity.as_deref());
    f.severity = severity
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Info);
    f.tool_severity = severity;
    f.confidence = v.confidence.as_deref().and_then(Confidence::from_label);
    for id in advisory_ids(&details) {
        f.add_id(&id);
    }
    for n in cwe_numbers(&details) {
        f.add_cwe(&n.to_string());
    }
    let number = |s: &Option<Scalar>| {
        s.as_ref()
            .and_then(Scalar::text)
            .and_then(|t| t.parse::<u32>().ok())
            .filter(|n| *n > 0)
    };
    if let Some(path) = non_empty(v.file.as_deref()) {
        let line = number(&v.line);
        f.location.file = Some(FileLocation {
            start_column: number(&v.column).filter(|_| line.is_some()),
            snippet: non_empty(v.code.as_deref()).filter(|_| !leak),
            ..FileLocation::new(path, line)
        });
    }
    let mut description = vec![details.clone()];
    let known = |s: &Option<String>| non_empty(s.as_deref()).filter(|s| s != "-");
    if let Some(tool) = known(&v.security_tool) {
        description.push(format!("Found by: {tool}"));
        f.tags.push(tool);
    }
    if let Some(language) = known(&v.language) {
        f.tags.push(language);
    }
    if let Some(commit) = known(&v.commit_hash) {
        description.push(format!("Commit: {commit}"));
    }
    if let Some(author) = known(&v.commit_author) {
        description.push(format!("Author: {author}"));
    }
    if let Some(date) = known(&v.commit_date) {
        description.push(format!("Date: {date}"));
    }
    f.description = Some(description.join("\n"));
    f.status = match v
        .kind
        .as_deref()
        .map(|k| k.replace(' ', "").to_ascii_lowercase())
        .as_deref()
    {
        Some("falsepositive") => Status::FalsePositive,
        Some("riskaccepted") => Status::Accepted,
        Some("corrected") => Status::Mitigated,
        _ => Status::Open,
    };
    f.external_id = non_empty(v.vuln_hash.as_deref()).or_else(|| {
        non_empty(v.vulnerability_id.as_deref())
            .filter(|id| id != "00000000-0000-0000-0000-000000000000")
    });
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Horusec.detect(&input), "not detected: {json}");
        Horusec.parse(&input).unwrap()
    }

    fn entry(fields: &str) -> String {
        format!(
            r#"{{"vulnerabilities":{{"column":"4","confidence":"MEDIUM","file":"app/a.js",
            "code":"eval(x)","securityTool":"HorusecEngine","severity":"CRITICAL",
            "commitHash":"-","vulnHash":"abc",{fields}}}}}"#
        )
    }

    #[test]
    fn vulnerabilities() {
        let parsed = check(&format!(
            r#"{{"version":"v2.8.0","status":"success","createdAt":"2024-04-15T02:55:29Z","analysisVulnerabilities":[{},{}]}}"#,
            entry(
                r#""details":"No use eval\nThe eval function is dangerous. See CWE-94 and CVE-2021-44228.","rule_id":"HS-JS-1","language":"JavaScript","type":"Vulnerability","line":"12""#
            ),
            entry(
                r#""details":"(1/1) * Possible vulnerability detected: AWS Secret Key\nUse a vault.","language":"Leaks","type":"False Positive","line":"0""#
            ),
        ));
        let f = &parsed.findings[0];
        assert_eq!(f.title, "No use eval");
        assert_eq!(
            (f.severity, f.category),
            (Severity::Critical, Category::Sast)
        );
        assert_eq!(
            (f.rule_id.as_deref(), f.external_id.as_deref()),
            (Some("HS-JS-1"), Some("abc"))
        );
        assert_eq!(f.cwe(), Some(94));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2021-44228"));
        assert_eq!(f.location.file.as_ref().unwrap().start_line, Some(12));
        let leak = &parsed.findings[1];
        assert_eq!(leak.title, "AWS Secret Key");
        assert_eq!(
            (leak.category, leak.status),
            (Category::Secret, Status::FalsePositive)
        );
        let file = leak.location.file.as_ref().unwrap();
        assert_eq!((file.start_line, file.snippet.as_deref()), (None, None));
        assert_eq!(parsed.scan_time.as_deref(), Some("2024-04-15T02:55:29Z"));
    }
}
