//! `gitlab-dependency-scanning`: GitLab's dependency scanning report
//! (`gl-dependency-scanning-report.json`, schema 15.x), for dependency and licence findings.
//! The shared parts are in `gitlab.rs`.

use std::io::Write;

use serde_json::{json, Value};
use ward_core::{Finding, Report};

use crate::exporters::gitlab::{self, GitlabKind};
use crate::util::{clean_path, non_blank};
use crate::{Error, Exporter, Options, Outcome};

/// GitLab dependency scanning report.
pub(crate) struct GitlabDependencyScanning;

impl Exporter for GitlabDependencyScanning {
    fn id(&self) -> &'static str {
        "gitlab-dependency-scanning"
    }

    fn name(&self) -> &'static str {
        "GitLab dependency scanning report"
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
        gitlab::write(GitlabKind::DependencyScanning, report, options, out)
    }
}

/// `{file, dependency: {package: {name}, version}}`. GitLab requires the manifest file and
/// the package: when the tool did not name them, the image (else `unknown`) stands for the
/// file and the rule for the package.
pub(super) fn location(finding: &Finding) -> Value {
    let location = &finding.location;
    let file = location
        .file
        .as_ref()
        .map(|f| clean_path(&f.path))
        .filter(|p| !p.is_empty())
        .or_else(|| location.image.as_ref().map(|i| i.name.clone()))
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    json!({"file": file, "dependency": dependency(finding)})
}

/// `{package: {name}, version}`, shared with container scanning.
pub(super) fn dependency(finding: &Finding) -> Value {
    let package = finding.location.package.as_ref();
    let name = package
        .map(|p| p.name.as_str())
        .and_then(|n| non_blank(Some(n)))
        .or(finding.rule_id.as_deref())
        .unwrap_or("unknown");
    let version = package.and_then(|p| p.version.as_deref()).unwrap_or("");
    json!({"package": {"name": name}, "version": version})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn package_location_and_cvss() {
        let json = testing::export_json(&GitlabDependencyScanning, &testing::report());
        assert_eq!(json["scan"]["type"], "dependency_scanning");
        let vulnerabilities = json["vulnerabilities"].as_array().unwrap();
        assert_eq!(vulnerabilities.len(), 1);
        let v = &vulnerabilities[0];
        assert_eq!(v["severity"], "Critical");
        assert_eq!(
            v["location"],
            json!({"file": "package-lock.json", "dependency": {"package": {"name": "lodash"}, "version": "4.17.20"}})
        );
        assert_eq!(
            v["cvss_vectors"],
            json!([{"vendor": "unknown", "vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}])
        );
        assert_eq!(v["identifiers"][0]["type"], "cve");
        assert_eq!(
            v["identifiers"][0]["url"],
            "https://nvd.nist.gov/vuln/detail/CVE-2021-23337"
        );
        assert_eq!(v["solution"], "Upgrade lodash to 4.17.21.");
        assert_eq!(v["details"]["epss"]["value"], "0.0123 (percentile 0.85)");
        assert_eq!(
            v["links"][0]["url"],
            "https://nvd.nist.gov/vuln/detail/CVE-2021-23337"
        );
    }

    #[test]
    fn missing_parts_get_stand_ins() {
        let mut finding = testing::dependency();
        finding.location = ward_core::Location::default();
        assert_eq!(
            location(&finding),
            json!({"file": "unknown", "dependency": {"package": {"name": "CVE-2021-23337"}, "version": ""}})
        );
    }
}
