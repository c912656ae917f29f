//! `gitlab-sast`: GitLab's SAST report (`gl-sast-report.json`, schema 15.x), for SAST, IaC,
//! code quality and cloud posture findings. The shared parts are in `gitlab.rs`.

use std::io::Write;

use serde_json::{json, Value};
use ward_core::{Finding, Report};

use crate::exporters::gitlab::{self, GitlabKind};
use crate::util::repo_path;
use crate::{Error, Exporter, Options, Outcome};

/// GitLab SAST report.
pub(crate) struct GitlabSast;

impl Exporter for GitlabSast {
    fn id(&self) -> &'static str {
        "gitlab-sast"
    }

    fn name(&self) -> &'static str {
        "GitLab SAST report"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        gitlab::write(GitlabKind::Sast, report, options, out)
    }
}

/// `{file, start_line, end_line}`; empty for findings without a file (cloud resources), whose
/// place is then in the details.
pub(super) fn location(finding: &Finding) -> Value {
    let Some(file) = &finding.location.file else {
        return json!({});
    };
    let mut location = json!({"file": repo_path(&file.path)});
    if let Some(line) = file.start_line {
        location["start_line"] = json!(line);
        location["end_line"] = json!(file.end_line.filter(|end| *end >= line).unwrap_or(line));
    }
    location
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn sast_and_iac_findings_only() {
        let report = testing::report();
        let outcome = GitlabSast
            .write(&report, &Options::default(), &mut Vec::new())
            .unwrap();
        assert_eq!(outcome.exported, 2);
        assert_eq!(
            outcome.warnings,
            ["left out 4 findings that belong in other GitLab report types (dependency scanning 1, container scanning 1, secret detection 1, DAST 1)"]
        );
        let json = testing::export_json(&GitlabSast, &report);
        assert_eq!(json["version"], "15.2.1");
        assert_eq!(json["scan"]["type"], "sast");
        assert_eq!(json["scan"]["start_time"], "2024-05-01T12:00:00");
        assert_eq!(json["scan"]["analyzer"]["id"], "ward");
        assert_eq!(json["scan"]["scanner"]["name"], "ward (Semgrep, Checkov)");
        let v = &json["vulnerabilities"][0];
        assert_eq!(v["name"], "Use of eval() <script>");
        assert_eq!(v["severity"], "High");
        assert_eq!(
            v["location"],
            json!({"file": "app/views.py", "start_line": 42, "end_line": 43})
        );
        assert_eq!(v["solution"], "Do not call eval() on input.");
        assert_eq!(v["raw_source_code_extract"], "eval(request.args['q'])");
        assert_eq!(v["details"]["tool_severity"]["value"], "ERROR");
        assert_eq!(v["id"].as_str().unwrap().len(), 36);
        let bare = &json["vulnerabilities"][1];
        assert_eq!(bare["severity"], "Unknown");
        assert_eq!(bare["location"], json!({"file": "main.tf"}));
    }

    #[test]
    fn schema_version_is_an_option() {
        let options = Options {
            gitlab_schema_version: "15.0.7".into(),
            ..Options::default()
        };
        let text = testing::export_with(&GitlabSast, &testing::report(), &options);
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["version"], "15.0.7");
        assert!(json["schema"]
            .as_str()
            .unwrap()
            .contains("/v15.0.7/dist/sast-report-format.json"));
    }
}
