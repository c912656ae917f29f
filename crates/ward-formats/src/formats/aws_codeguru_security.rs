//! Amazon CodeGuru Security findings as its API returns them: `{"findings": [...]}` from
//! `aws codeguru-security get-findings` (or `batch-get-findings`).
//! <https://docs.aws.amazon.com/codeguru/latest/security-api/API_Finding.html>
//!
//! Each finding is a detector's hit in a file: title, severity, CWEs (`relatedVulnerabilities`),
//! the file path, lines and code snippet, the recommendation and suggested fixes, and whether
//! the finding is still open.

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Severity, Status};

use super::lenient;
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Amazon CodeGuru Security.
pub(crate) struct AwsCodeguruSecurity;

#[derive(Deserialize)]
struct Response {
    #[serde(deserialize_with = "lenient::list")]
    findings: Vec<CodeGuruFinding>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeGuruFinding {
    id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    detector_id: Option<String>,
    detector_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    detector_tags: Vec<String>,
    rule_id: Option<String>,
    severity: Option<String>,
    status: Option<String>,
    remediation: Option<Remediation>,
    resource: Option<Resource>,
    vulnerability: Option<Vulnerability>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Remediation {
    recommendation: Option<Recommendation>,
    #[serde(default, deserialize_with = "lenient::list")]
    suggested_fixes: Vec<SuggestedFix>,
}

#[derive(Deserialize)]
struct Recommendation {
    text: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct SuggestedFix {
    code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vulnerability {
    file_path: Option<FilePath>,
    #[serde(default, deserialize_with = "lenient::list")]
    reference_urls: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    related_vulnerabilities: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FilePath {
    path: Option<String>,
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::whole")]
    start_line: Option<u32>,
    #[serde(default, deserialize_with = "lenient::whole")]
    end_line: Option<u32>,
    #[serde(default, deserialize_with = "lenient::list")]
    code_snippet: Vec<CodeLine>,
}

#[derive(Deserialize)]
struct CodeLine {
    content: Option<String>,
    #[serde(default, deserialize_with = "lenient::whole")]
    number: Option<u32>,
}

impl Parser for AwsCodeguruSecurity {
    fn id(&self) -> &'static str {
        "aws-codeguru-security"
    }

    fn name(&self) -> &'static str {
        "Amazon CodeGuru Security"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["AWS CodeGuru Security Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input
            .json()
            .and_then(|v| v.get("findings"))
            .and_then(|f| f.as_array())
            .and_then(|a| a.first())
            .is_some_and(|first| {
                first.get("vulnerability").is_some_and(|v| v.is_object())
                    && (first.get("detectorId").is_some() || first.get("ruleId").is_some())
            })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let response: Response = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("Amazon CodeGuru Security".into()),
            ..Parsed::default()
        };
        for (index, entry) in response.findings.iter().enumerate() {
            match finding(entry) {
                Some(f) => parsed.findings.push(f),
                None => parsed.warnings.push(format!(
                    "findings[{index}]: no title, detector or id; skipped"
                )),
            }
        }
        Ok(parsed)
    }
}

fn finding(c: &CodeGuruFinding) -> Option<Finding> {
    let title = non_empty(c.title.as_deref())
        .or_else(|| non_empty(c.detector_name.as_deref()))
        .or_else(|| non_empty(c.id.as_deref()))?;
    let mut f = Finding::new("Amazon CodeGuru Security", Category::Sast, title);
    let severity = non_empty(c.severity.as_deref());
    f.severity = severity
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Info);
    f.tool_severity = severity;
    f.rule_id = non_empty(c.rule_id.as_deref()).or_else(|| non_empty(c.detector_id.as_deref()));
    f.external_id = non_empty(c.id.as_deref());
    f.status = match c.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("closed") => Status::Mitigated,
        _ => Status::Open,
    };
    f.tags = c
        .detector_tags
        .iter()
        .filter_map(|t| non_empty(Some(t)))
        .collect();

    let vulnerability = c.vulnerability.as_ref();
    for id in vulnerability
        .iter()
        .flat_map(|v| &v.related_vulnerabilities)
    {
        if id.trim().to_ascii_uppercase().starts_with("CWE") {
            f.add_cwe(id);
        } else {
            f.add_id(id);
        }
    }
    if let Some(path) = vulnerability.and_then(|v| v.file_path.as_ref()) {
        if let Some(file) =
            non_empty(path.path.as_deref()).or_else(|| non_empty(path.name.as_deref()))
        {
            f.location.file = Some(FileLocation {
                end_line: path.end_line.filter(|l| *l > 0),
                snippet: snippet(path),
                ..FileLocation::new(file, path.start_line)
            });
        }
    }

    let mut description = Vec::new();
    if let Some(text) = non_empty(c.description.as_deref()) {
        description.push(text);
    }
    let mut facts = Vec::new();
    match (
        non_empty(c.detector_name.as_deref()),
        non_empty(c.detector_id.as_deref()),
    ) {
        (Some(name), Some(id)) => facts.push(format!("Detector: {name} ({id})")),
        (Some(one), None) | (None, Some(one)) => facts.push(format!("Detector: {one}")),
        (None, None) => {}
    }
    if let Some(scan) = c.resource.as_ref().and_then(|r| non_empty(r.id.as_deref())) {
        facts.push(format!("Scan: {scan}"));
    }
    if !facts.is_empty() {
        description.push(facts.join("\n"));
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }

    let remediation = c.remediation.as_ref();
    let recommendation = remediation.and_then(|r| r.recommendation.as_ref());
    let mut fix = Vec::new();
    if let Some(text) = recommendation.and_then(|r| non_empty(r.text.as_deref())) {
        fix.push(text);
    }
    for suggested in remediation.iter().flat_map(|r| &r.suggested_fixes) {
        let parts: Vec<String> = [suggested.description.as_deref(), suggested.code.as_deref()]
            .into_iter()
            .filter_map(non_empty)
            .collect();
        if !parts.is_empty() {
            fix.push(parts.join("\n"));
        }
    }
    if !fix.is_empty() {
        f.remediation = Some(fix.join("\n\n"));
    }
    if let Some(url) = recommendation.and_then(|r| r.url.as_deref()) {
        f.add_reference(url);
    }
    for url in vulnerability.iter().flat_map(|v| &v.reference_urls) {
        f.add_reference(url);
    }
    Some(f)
}

/// The snippet's lines within the finding's range (all of them when the range is unknown).
fn snippet(path: &FilePath) -> Option<String> {
    let in_range = |n: Option<u32>| match (n, path.start_line, path.end_line) {
        (Some(n), Some(start), Some(end)) => (start..=end.max(start)).contains(&n),
        (Some(n), Some(start), None) => n == start,
        _ => true,
    };
    let mut lines: Vec<&str> = path
        .code_snippet
        .iter()
        .filter(|l| in_range(l.number))
        .filter_map(|l| l.content.as_deref())
        .collect();
    if lines.is_empty() {
        lines = path
            .code_snippet
            .iter()
            .filter_map(|l| l.content.as_deref())
            .collect();
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str =
        include_str!("../../../../tests/data/samples/codeguru_security/get-findings.json");

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(AwsCodeguruSecurity.detect(&input), "not detected");
        AwsCodeguruSecurity.parse(&input).unwrap()
    }

    #[test]
    fn sample_findings() {
        let parsed = check(SAMPLE);
        assert_eq!(parsed.findings.len(), 3);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "CWE-89 - SQL injection");
        assert_eq!(
            (f.category, f.severity, f.status),
            (Category::Sast, Severity::High, Status::Open)
        );
        assert_eq!(
            f.rule_id.as_deref(),
            Some("python-avoid-string-formatted-sql-queries")
        );
        assert_eq!(f.cwe(), Some(89));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.end_line),
            ("app/orders/repository.py", Some(32), Some(32))
        );
        assert_eq!(
            file.snippet.as_deref(),
            Some("        cursor.execute(\"SELECT * FROM orders WHERE id = '%s'\" % order_id)")
        );
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .contains("Detector: SQL injection (python/sql-injection@v1.0)"));
        assert_eq!(f.references.len(), 2);

        let g = &parsed.findings[1];
        assert_eq!(g.severity, Severity::Critical);
        assert_eq!(g.identifiers.len(), 2);
        assert!(g
            .remediation
            .as_deref()
            .unwrap()
            .contains("AES/GCM/NoPadding"));
        assert_eq!(parsed.findings[2].status, Status::Mitigated);
    }

    #[test]
    fn other_shapes_are_not_codeguru() {
        let inspector = br#"{"findings": [{"findingArn": "arn:aws:inspector2:us-east-1:123456789012:finding/ab", "type": "CODE_VULNERABILITY"}]}"#;
        assert!(!AwsCodeguruSecurity.detect(&Input::new(inspector)));
        assert!(!AwsCodeguruSecurity.detect(&Input::new(br#"{"findings": []}"#)));
        assert!(check(r#"{"findings": [{"id": "1", "ruleId": "r", "vulnerability": {"filePath": {"path": "a.py", "codeSnippet": null}}}]}"#)
            .findings[0]
            .location
            .file
            .is_some());
    }
}
