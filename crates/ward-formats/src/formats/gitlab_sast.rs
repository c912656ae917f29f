//! GitLab SAST reports (`gl-sast-report.json`), schema 2.x to 15.x, from any GitLab SAST analyzer
//! (Semgrep, SpotBugs, Bandit, ESLint …). <https://docs.gitlab.com/ee/user/application_security/sast/>
//!
//! The shared format is read in [`super::gitlab_common`]. Old reports repeat one compare key
//! (`file:hash:rule`) for the same code at several lines: those entries become one finding whose
//! `occurrences` counts them.

use ward_core::{Category, FileLocation, Finding};

use super::gitlab_common::{self, first_text, title_from, Context, Kind, Vulnerability};
use crate::util::non_empty;
use crate::{Error, Input, Parsed, Parser};

/// GitLab SAST.
pub(crate) struct GitlabSast;

impl Parser for GitlabSast {
    fn id(&self) -> &'static str {
        "gitlab-sast"
    }

    fn name(&self) -> &'static str {
        "GitLab SAST"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["GitLab SAST Report"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        gitlab_common::detect(input) == Some(Kind::Sast)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        gitlab_common::parse(input, Kind::Sast, finding)
    }
}

fn finding(v: &Vulnerability, context: &Context) -> Finding {
    // An entry without a severity is rated info; the tool's word (or its absence) stays in
    // `tool_severity` rather than in the title.
    let title = first_text(&[v.name.as_deref(), v.message.as_deref()])
        .or_else(|| title_from(v.description.as_deref()))
        .or_else(|| first_text(&[v.id.as_deref(), v.cve.as_deref()]))
        .unwrap_or_else(|| "GitLab SAST finding".to_string());
    let mut f = context.base(v, Category::Sast, title);
    let location = &v.location;
    if let Some(path) = non_empty(location.file.as_deref()) {
        f.location.file = Some(FileLocation {
            end_line: location.end_line.filter(|l| *l > 0),
            ..FileLocation::new(path, location.start_line)
        });
    }
    let object = match (
        non_empty(location.class.as_deref()),
        non_empty(location.method.as_deref()),
    ) {
        (Some(class), Some(method)) => Some(format!("{class}#{method}")),
        (class, method) => class.or(method),
    };
    if let Some(object) = object {
        let line = format!("Object: {object}");
        f.description = Some(match f.description.take() {
            Some(d) => format!("{d}\n\n{line}"),
            None => line,
        });
    }
    f
}

#[cfg(test)]
mod tests {
    use ward_core::{Confidence, Severity};

    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(GitlabSast.detect(&input), "not detected");
        GitlabSast.parse(&input).unwrap()
    }

    const V15: &str = r#"{
      "version": "15.0.4",
      "vulnerabilities": [
        {"id": "a1", "name": "SQL injection", "description": "Query built from input",
         "severity": "High", "confidence": "Medium",
         "location": {"file": "app/db.py", "start_line": 10, "end_line": 12, "class": "Db", "method": "find"},
         "identifiers": [
           {"type": "semgrep_id", "name": "bandit.B608", "value": "bandit.B608"},
           {"type": "cwe", "name": "CWE-89", "value": "89", "url": "https://cwe.mitre.org/data/definitions/89.html"},
           {"type": "cwe", "name": "CWE-943", "value": "not-a-number"}
         ]},
        {"id": "b2", "name": "Weak hash", "location": {"file": "x.py", "start_line": 1},
         "identifiers": [{"type": "cwe", "name": "CWE-328", "value": 328}]}
      ],
      "scan": {"scanner": {"id": "semgrep", "name": "Semgrep"}, "type": "sast",
               "start_time": "2024-01-02T03:04:05", "end_time": "2024-01-02T03:05:00", "status": "success"}
    }"#;

    #[test]
    fn v15_fields() {
        let parsed = check(V15);
        assert_eq!(parsed.tool.as_deref(), Some("Semgrep"));
        assert_eq!(parsed.scan_time.as_deref(), Some("2024-01-02T03:04:05Z"));
        let f = &parsed.findings[0];
        assert_eq!(f.title, "SQL injection");
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::High, Some(Confidence::Medium))
        );
        assert_eq!(f.rule_id.as_deref(), Some("bandit.B608"));
        assert_eq!(f.cwe(), Some(89));
        assert!(f.identifiers.iter().any(|i| i.value == "CWE-943"));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.end_line),
            ("app/db.py", Some(10), Some(12))
        );
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .ends_with("Object: Db#find"));
        assert_eq!(f.external_id.as_deref(), Some("a1"));
        // No severity: info, and the title is left alone.
        let g = &parsed.findings[1];
        assert_eq!(
            (g.severity, g.tool_severity.as_deref(), g.title.as_str()),
            (Severity::Info, None, "Weak hash")
        );
        assert_eq!(g.cwe(), Some(328));
    }

    #[test]
    fn v2_compare_keys_merge() {
        let entry = |line: u32| {
            format!(
                r#"{{"category": "sast", "name": "Generic Object Injection Sink", "message": "Generic Object Injection Sink",
                "cve": "a.js:e3b0:security/detect-object-injection", "severity": "Unknown", "confidence": "Unknown",
                "scanner": {{"id": "eslint", "name": "ESLint"}},
                "location": {{"file": "a.js", "start_line": {line}, "end_line": {line}, "dependency": {{"package": {{}}}}}},
                "identifiers": [{{"type": "eslint_rule_id", "name": "ESLint rule ID", "value": "security/detect-object-injection"}}]}}"#
            )
        };
        let parsed = check(&format!(
            r#"{{"version": "2.3", "vulnerabilities": [{}, {}], "remediations": []}}"#,
            entry(3),
            entry(9)
        ));
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!((f.occurrences, f.tool.as_str()), (2, "ESLint"));
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::Info, Some("Unknown"))
        );
        assert_eq!(
            f.external_id.as_deref(),
            Some("a.js:e3b0:security/detect-object-injection")
        );
        assert!(
            check(r#"{"version": "2.3", "vulnerabilities": [], "remediations": []}"#)
                .findings
                .is_empty()
        );
    }

    #[test]
    fn not_a_report() {
        let input = Input::new(br#"{"results": []}"#);
        assert!(!GitlabSast.detect(&input));
        assert!(GitlabSast.parse(&input).is_err());
    }
}
