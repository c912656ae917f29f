//! `gitlab-secret-detection`: GitLab's secret detection report
//! (`gl-secret-detection-report.json`, schema 15.x). The shared parts are in `gitlab.rs`.
//!
//! The secret appears only masked (in `details.secret`); no code extract is written.

use std::io::Write;

use serde_json::{json, Value};
use ward_core::{Finding, Report};

use crate::exporters::gitlab::{self, GitlabKind};
use crate::exporters::gitlab_sast;
use crate::{Error, Exporter, Options, Outcome};

/// GitLab secret detection report.
pub(crate) struct GitlabSecretDetection;

impl Exporter for GitlabSecretDetection {
    fn id(&self) -> &'static str {
        "gitlab-secret-detection"
    }

    fn name(&self) -> &'static str {
        "GitLab secret detection report"
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
        gitlab::write(GitlabKind::SecretDetection, report, options, out)
    }
}

/// `{file, start_line, end_line, commit: {sha}}`. The schema requires a commit; ward's model
/// has none, so the sha is `0000000`, as GitLab's own analyzer writes for a scan of the
/// working tree rather than of git history.
pub(super) fn location(finding: &Finding) -> Value {
    let mut location = gitlab_sast::location(finding);
    location["commit"] = json!({"sha": "0000000"});
    location
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn masked_secret_and_commit() {
        let text = testing::export(&GitlabSecretDetection, &testing::report());
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["scan"]["type"], "secret_detection");
        let v = &json["vulnerabilities"][0];
        assert_eq!(
            v["location"],
            json!({"file": "config.tf", "start_line": 3, "end_line": 3, "commit": {"sha": "0000000"}})
        );
        assert_eq!(v["details"]["secret"]["value"], "AKIA****");
        assert!(v.get("raw_source_code_extract").is_none());
        assert_eq!(v["identifiers"][0]["type"], "gitleaks_rule_id");
    }
}
