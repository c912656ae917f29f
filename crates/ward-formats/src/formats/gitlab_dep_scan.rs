//! GitLab dependency scanning reports (`gl-dependency-scanning-report.json`), schema 2.x to 15.x,
//! from Gemnasium and the other GitLab dependency analyzers.
//! <https://docs.gitlab.com/ee/user/application_security/dependency_scanning/>
//!
//! The shared format is read in [`super::gitlab_common`]; here each entry becomes a vulnerable
//! package declared in a lockfile, with the package manager `dependency_files` names for it.

use ward_core::{Category, FileLocation, Finding, PackageLocation};

use super::gitlab_common::{self, first_cve, first_text, title_from, Context, Kind, Vulnerability};
use crate::util::non_empty;
use crate::{Error, Input, Parsed, Parser};

/// GitLab dependency scanning.
pub(crate) struct GitlabDepScan;

impl Parser for GitlabDepScan {
    fn id(&self) -> &'static str {
        "gitlab-dep-scan"
    }

    fn name(&self) -> &'static str {
        "GitLab Dependency Scanning"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["GitLab Dependency Scanning Report"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        gitlab_common::detect(input) == Some(Kind::DependencyScanning)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        gitlab_common::parse(input, Kind::DependencyScanning, finding)
    }
}

fn finding(v: &Vulnerability, context: &Context) -> Finding {
    let location = &v.location;
    let dependency = location.dependency.as_ref();
    let name = dependency
        .and_then(|d| d.package.as_ref())
        .and_then(|p| non_empty(p.name.as_deref()));
    let version = dependency.and_then(|d| non_empty(d.version.as_deref()));
    let title = first_text(&[v.message.as_deref()])
        .or_else(|| match (non_empty(v.name.as_deref()), &name) {
            (Some(vuln), Some(package)) => Some(format!("{vuln} in {package}")),
            (vuln, _) => vuln,
        })
        .or_else(|| {
            let id = first_cve(v)?;
            Some(match &name {
                Some(package) => format!("{id} in {package}"),
                None => id,
            })
        })
        .or_else(|| title_from(v.description.as_deref()))
        .or_else(|| first_text(&[v.id.as_deref(), v.cve.as_deref()]))
        .unwrap_or_else(|| "GitLab dependency scanning finding".to_string());
    let mut f = context.base(v, Category::Dependency, title);
    if let Some(name) = name {
        f.location.package = Some(PackageLocation {
            name,
            version,
            ecosystem: context.package_manager(location.file.as_deref()),
            ..PackageLocation::default()
        });
    }
    if let Some(path) = non_empty(location.file.as_deref()) {
        f.location.file = Some(FileLocation::new(path, location.start_line));
    }
    f
}

#[cfg(test)]
mod tests {
    use ward_core::Severity;

    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(GitlabDepScan.detect(&input), "not detected");
        GitlabDepScan.parse(&input).unwrap()
    }

    const REPORT: &str = r#"{
      "version": "15.0.0",
      "vulnerabilities": [
        {"id": "c1", "name": "Nil Pointer Dereference", "description": "crash on bad input",
         "severity": "High", "solution": "Upgrade to version 0.0.1 or above.",
         "location": {"file": "go.sum", "dependency": {"package": {"name": "golang.org/x/crypto"}, "version": "v0.0.0-2019"}},
         "identifiers": [
           {"type": "gemnasium", "name": "Gemnasium-ffb8", "value": "ffb8"},
           {"type": "cve", "name": "CVE-2020-29652", "value": "CVE-2020-29652", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-29652"},
           {"type": "cwe", "name": "CWE-476", "value": "476"}
         ],
         "links": [{"url": "https://go-review.googlesource.com/c/crypto/+/278852"}]},
        {"id": "c2", "name": "XML Entity Expansion", "severity": "Unknown",
         "location": {"file": "go.sum", "dependency": {"package": {}}},
         "identifiers": [{"type": "gemnasium", "name": "Gemnasium-7368", "value": "7368"}]}
      ],
      "dependency_files": [{"path": "go.sum", "package_manager": "go", "dependencies": []}],
      "scan": {"scanner": {"id": "gemnasium", "name": "Gemnasium"}, "type": "dependency_scanning",
               "start_time": "2020-12-23T13:43:48", "end_time": "2020-12-23T13:43:49", "status": "success"}
    }"#;

    #[test]
    fn packages_and_ids() {
        let parsed = check(REPORT);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Nil Pointer Dereference in golang.org/x/crypto");
        assert_eq!(f.rule_id.as_deref(), Some("CVE-2020-29652"));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2020-29652"));
        assert_eq!(f.cwe(), Some(476));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(
            (
                package.name.as_str(),
                package.version.as_deref(),
                package.ecosystem.as_deref()
            ),
            ("golang.org/x/crypto", Some("v0.0.0-2019"), Some("go"))
        );
        assert_eq!(f.location.file.as_ref().unwrap().path, "go.sum");
        assert_eq!(
            f.remediation.as_deref(),
            Some("Upgrade to version 0.0.1 or above.")
        );
        assert_eq!(f.references.len(), 2);
        // A component-less entry keeps its file and has no package.
        let g = &parsed.findings[1];
        assert!(g.location.package.is_none());
        assert_eq!(
            (g.severity, g.rule_id.as_deref()),
            (Severity::Info, Some("7368"))
        );
    }

    #[test]
    fn ward_reports_give_back_their_fields() {
        let detail = |id: &str, value: &str| {
            format!(r#""{id}": {{"name": "x", "type": "text", "value": "{value}"}}"#)
        };
        let details = [
            detail("tool", "Snyk"),
            detail("category", "license"),
            detail("rule_id", "SNYK-JS-X-1"),
            detail("tool_severity", "medium"),
            detail("status", "false_positive"),
            detail("external_id", "T-1"),
            detail("file", "package.json"),
            detail("package", "lodash"),
            detail("version", "1.0"),
            detail("fixed_version", "2.0"),
            detail("generated_solution", "yes"),
            detail("cvss_0", "CVSS 3.1 9.8 CVSS:3.1/AV:N (nvd x)"),
            detail("epss", "0.5 (percentile 0.9)"),
            detail("occurrences", "3"),
        ]
        .join(",");
        let entry = |id: &str| {
            format!(
                r#"{{"id": "{id}", "name": "Prototype   pollution", "severity": "Medium",
                 "solution": "Upgrade lodash to 2.0.",
                 "location": {{"file": "unknown", "dependency": {{"package": {{"name": "lodash"}}, "version": "1.0"}}}},
                 "identifiers": [
                   {{"type": "snyk_rule_id", "name": "Snyk rule SNYK-JS-X-1", "value": "SNYK-JS-X-1"}},
                   {{"type": "cve", "name": "CVE-2020-1", "value": "CVE-2020-1"}},
                   {{"type": "npm", "name": "NPM-1179", "value": "NPM-1179"}},
                   {{"type": "cwe", "name": "CWE-79", "value": "79"}}],
                 "details": {{{details}}}}}"#
            )
        };
        let parsed = check(&format!(
            r#"{{"version": "15.2.1", "vulnerabilities": [{}, {}],
              "scan": {{"analyzer": {{"id": "ward", "name": "ward"}}, "scanner": {{"id": "snyk", "name": "Snyk"}},
                       "type": "dependency_scanning", "start_time": "2030-01-01T00:00:00", "status": "success"}}}}"#,
            entry("a"),
            entry("b")
        ));
        // Two findings that share the tool's id stay two: ward merged what it should already.
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Prototype   pollution");
        assert_eq!((f.tool.as_str(), f.category), ("Snyk", Category::License));
        assert_eq!(f.rule_id.as_deref(), Some("SNYK-JS-X-1"));
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(ids, ["CVE-2020-1", "NPM-1179", "CWE-79"]);
        assert_eq!(f.status, ward_core::Status::FalsePositive);
        assert_eq!(f.external_id.as_deref(), Some("T-1"));
        assert_eq!(f.location.file.as_ref().unwrap().path, "package.json");
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.fixed_version.as_deref(), Some("2.0"));
        assert_eq!(f.remediation, None);
        let cvss = &f.cvss[0];
        assert_eq!(
            (cvss.score, cvss.vector.as_deref(), cvss.source.as_deref()),
            (Some(9.8), Some("CVSS:3.1/AV:N"), Some("nvd x"))
        );
        assert_eq!(f.epss.unwrap().percentile, Some(0.9));
        assert_eq!((f.occurrences, f.scan_time.as_deref()), (3, None));
    }
}
