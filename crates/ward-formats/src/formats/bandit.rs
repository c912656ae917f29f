//! Bandit JSON reports (`bandit -f json`), 1.6 and later, with or without the `issue_cwe` and
//! column fields newer versions add. <https://bandit.readthedocs.io/>
//!
//! One finding per result. The rule id is `test_name:test_id` (`assert_used:B101`), which names
//! both the plugin and its number.

use serde::Deserialize;
use ward_core::{Category, Confidence, FileLocation, Finding, Severity};

use super::sast_common::Scalar;
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Bandit JSON.
pub(crate) struct Bandit;

#[derive(Deserialize)]
struct Report {
    generated_at: Option<String>,
    results: Option<Vec<Issue>>,
    metrics: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Issue {
    code: Option<String>,
    filename: Option<String>,
    issue_confidence: Option<String>,
    issue_severity: Option<String>,
    issue_cwe: Option<IssueCwe>,
    issue_text: Option<String>,
    line_number: Option<u32>,
    line_range: Option<Vec<u32>>,
    col_offset: Option<u32>,
    end_col_offset: Option<u32>,
    more_info: Option<String>,
    test_id: Option<String>,
    test_name: Option<String>,
}

#[derive(Deserialize)]
struct IssueCwe {
    id: Option<Scalar>,
    link: Option<String>,
}

impl Parser for Bandit {
    fn id(&self) -> &'static str {
        "bandit"
    }

    fn name(&self) -> &'static str {
        "Bandit"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Bandit Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json().and_then(|v| v.as_object()) else {
            return false;
        };
        let Some(results) = doc.get("results").and_then(|r| r.as_array()) else {
            return false;
        };
        match results.first() {
            Some(first) => {
                first.get("test_id").is_some()
                    && first.get("issue_severity").is_some()
                    && first.get("issue_text").is_some()
            }
            // Nothing found: Bandit's metrics still carry its SEVERITY.* totals.
            None => doc
                .get("metrics")
                .and_then(|m| m.get("_totals"))
                .is_some_and(|t| t.get("SEVERITY.HIGH").is_some() && t.get("loc").is_some()),
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        if report.results.is_none() && report.metrics.is_none() {
            return Err(Error::WrongFormat {
                format: "bandit",
                reason: "no `results` and no `metrics`".into(),
            });
        }
        let scan_time = non_empty(report.generated_at.as_deref());
        let mut parsed = Parsed {
            tool: Some("Bandit".into()),
            scan_time: scan_time.clone(),
            ..Parsed::default()
        };
        for (index, issue) in report.results.into_iter().flatten().enumerate() {
            match finding(issue) {
                Some(mut f) => {
                    f.scan_time.clone_from(&scan_time);
                    parsed.findings.push(f);
                }
                None => parsed.warnings.push(format!(
                    "results[{index}]: no test_id or issue_text; skipped"
                )),
            }
        }
        Ok(parsed)
    }
}

fn finding(issue: Issue) -> Option<Finding> {
    let test_id = non_empty(issue.test_id.as_deref());
    let text = non_empty(issue.issue_text.as_deref());
    let title = text.clone().or_else(|| test_id.clone())?;
    let mut f = Finding::new("Bandit", Category::Sast, title);
    f.rule_id = match (non_empty(issue.test_name.as_deref()), &test_id) {
        (Some(name), Some(id)) => Some(format!("{name}:{id}")),
        (None, id) => id.clone(),
        (Some(name), None) => Some(name),
    };
    let severity = non_empty(issue.issue_severity.as_deref());
    f.severity = match severity.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("HIGH") => Severity::High,
        Some("MEDIUM") => Severity::Medium,
        Some("LOW") => Severity::Low,
        _ => Severity::Info,
    };
    f.tool_severity = severity;
    f.confidence = issue
        .issue_confidence
        .as_deref()
        .and_then(Confidence::from_label);
    if let Some(cwe) = issue.issue_cwe.as_ref().and_then(|c| c.id.as_ref()) {
        if let Some(id) = cwe.text() {
            f.add_cwe(id);
        }
    }
    if let Some(path) = non_empty(issue.filename.as_deref()) {
        let end_line = issue
            .line_range
            .as_ref()
            .and_then(|r| r.iter().copied().max())
            .filter(|end| Some(*end) > issue.line_number);
        f.location.file = Some(FileLocation {
            end_line,
            // Bandit's columns are 0-based.
            start_column: issue.col_offset.map(|c| c.saturating_add(1)),
            end_column: issue.end_col_offset.map(|c| c.saturating_add(1)),
            snippet: non_empty(issue.code.as_deref()),
            ..FileLocation::new(path, issue.line_number)
        });
    }
    if let Some(url) = issue.more_info.as_deref() {
        f.add_reference(url);
    }
    if let Some(url) = issue.issue_cwe.as_ref().and_then(|c| c.link.as_deref()) {
        f.add_reference(url);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Bandit.detect(&input), "not detected: {json}");
        Bandit.parse(&input).unwrap()
    }

    #[test]
    fn results() {
        let parsed = check(
            r#"{"errors":[],"generated_at":"2023-01-02T03:04:05Z","metrics":{},"results":[
              {"code":"1 import os\n2 assert False\n","col_offset":0,"end_col_offset":12,"filename":"one/one.py",
               "issue_confidence":"HIGH","issue_cwe":{"id":703,"link":"https://cwe.mitre.org/data/definitions/703.html"},
               "issue_severity":"LOW","issue_text":"Use of assert detected.","line_number":2,"line_range":[2,3],
               "more_info":"https://bandit.readthedocs.io/b101.html","test_id":"B101","test_name":"assert_used"}]}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Use of assert detected.");
        assert_eq!(f.rule_id.as_deref(), Some("assert_used:B101"));
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Low, Some(Confidence::High))
        );
        assert_eq!(f.cwe(), Some(703));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.start_line, file.end_line, file.start_column),
            (Some(2), Some(3), Some(1))
        );
        assert_eq!(parsed.scan_time.as_deref(), Some("2023-01-02T03:04:05Z"));
    }

    #[test]
    fn empty_report() {
        let parsed = check(
            r#"{"errors":[],"generated_at":"x","metrics":{"_totals":{"SEVERITY.HIGH":0,"loc":0}},"results":[]}"#,
        );
        assert!(parsed.findings.is_empty());
        assert!(!Bandit.detect(&Input::new(br#"{"results":[],"errors":[]}"#)));
    }
}
