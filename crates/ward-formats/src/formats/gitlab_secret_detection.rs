//! GitLab secret detection reports (`gl-secret-detection-report.json`), schema 14.x and 15.x,
//! from GitLab's Gitleaks-based analyzer. <https://docs.gitlab.com/ee/user/application_security/secret_detection/>
//!
//! The shared format is read in [`super::gitlab_common`]. `raw_source_code_extract` holds the
//! secret in clear: it is kept only hashed and masked, and masked in every text that repeats it.

use ward_core::{Category, FileLocation, Finding, Secret, Severity};

use super::gitlab_common::{self, first_text, title_from, Context, Kind, Vulnerability};
use crate::util::non_empty;
use crate::{Error, Input, Parsed, Parser};

/// GitLab secret detection.
pub(crate) struct GitlabSecretDetection;

impl Parser for GitlabSecretDetection {
    fn id(&self) -> &'static str {
        "gitlab-secret-detection"
    }

    fn name(&self) -> &'static str {
        "GitLab Secret Detection"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["GitLab Secret Detection Report"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        gitlab_common::detect(input) == Some(Kind::SecretDetection)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        gitlab_common::parse(input, Kind::SecretDetection, finding)
    }
}

fn finding(v: &Vulnerability, context: &Context) -> Finding {
    let location = &v.location;
    let path = non_empty(location.file.as_deref());
    let title = match (non_empty(v.name.as_deref()), &path) {
        (Some(name), Some(path)) => format!("{name} detected in {path}"),
        (name, _) => name
            .or_else(|| first_text(&[v.message.as_deref()]))
            .or_else(|| title_from(v.description.as_deref()))
            .unwrap_or_else(|| "Secret detected".to_string()),
    };
    let mut f = context.base(v, Category::Secret, title);
    if v.severity.is_none() {
        f.severity = Severity::High;
    }
    if let Some(path) = path {
        f.location.file = Some(FileLocation {
            end_line: location.end_line.filter(|l| *l > 0),
            ..FileLocation::new(path, location.start_line)
        });
    }
    if let Some(commit) = &location.commit {
        let mut lines = Vec::new();
        // The analyzer writes sha "0000000" when it scanned a working tree, not history.
        if let Some(sha) = non_empty(commit.sha.as_deref()).filter(|s| s.bytes().any(|b| b != b'0'))
        {
            lines.push(format!("Commit: {sha}"));
        }
        if let Some(author) = non_empty(commit.author.as_deref()) {
            lines.push(format!("Author: {author}"));
        }
        if let Some(date) = non_empty(commit.date.as_deref()).filter(|d| !d.starts_with("0001-")) {
            lines.push(format!("Date: {date}"));
        }
        if !lines.is_empty() {
            let mut text = f.description.take().map(|d| vec![d]).unwrap_or_default();
            text.push(lines.join("\n"));
            f.description = Some(text.join("\n\n"));
        }
    }
    if let Some(clear) = non_empty(v.raw_source_code_extract.as_deref()) {
        let secret = Secret::from_clear(&clear);
        f.title = secret.redact(&f.title, &clear);
        f.description = f.description.map(|d| secret.redact(&d, &clear));
        f.remediation = f.remediation.map(|d| secret.redact(&d, &clear));
        f.secret = Some(secret);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(GitlabSecretDetection.detect(&input), "not detected");
        GitlabSecretDetection.parse(&input).unwrap()
    }

    const REPORT: &str = r#"{
      "version": "15.0.0",
      "vulnerabilities": [
        {"id": "714e", "name": "AWS", "description": "AWS access key AKIAIOSFODNN7EXAMPLE committed",
         "cve": "README.md:1a5d:AWS", "severity": "Critical",
         "raw_source_code_extract": "AKIAIOSFODNN7EXAMPLE",
         "location": {"file": "README.md", "commit": {"date": "0001-01-01T00:00:00Z", "sha": "0000000"},
                      "start_line": 5, "end_line": 5},
         "identifiers": [{"type": "gitleaks_rule_id", "name": "Gitleaks rule ID AWS", "value": "AWS"}]}
      ],
      "remediations": [],
      "scan": {"scanner": {"id": "gitleaks", "name": "Gitleaks"}, "type": "secret_detection",
               "start_time": "2021-06-02T09:13:09", "end_time": "2021-06-02T09:13:09", "status": "success"}
    }"#;

    #[test]
    fn secret_is_hashed_and_masked() {
        let parsed = check(REPORT);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "AWS detected in README.md");
        assert_eq!(
            (f.severity, f.rule_id.as_deref()),
            (Severity::Critical, Some("AWS"))
        );
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line),
            ("README.md", Some(5))
        );
        assert_eq!(f.secret.as_ref().unwrap().masked, "AKIA****");
        assert_eq!(f.external_id.as_deref(), Some("714e"));
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("AKIAIOSFODNN7EXAMPLE"), "{json}");
        assert!(!json.contains("Commit: 0000000"), "{json}");
    }
}
