//! GitLab container scanning reports (`gl-container-scanning-report.json`), schema 2.x to 15.x,
//! from Trivy or Grype run by GitLab. <https://docs.gitlab.com/ee/user/application_security/container_scanning/>
//!
//! The shared format is read in [`super::gitlab_common`]; here each entry becomes a vulnerable
//! package of an image. Some reports use the CVE as the entry id, so one id can stand for several
//! packages: entries are only merged when id, package and image all match.

use ward_core::{Category, Finding, ImageLocation, PackageLocation};

use super::gitlab_common::{self, first_cve, first_text, title_from, Context, Kind, Vulnerability};
use crate::util::non_empty;
use crate::{Error, Input, Parsed, Parser};

/// GitLab container scanning.
pub(crate) struct GitlabContainerScan;

impl Parser for GitlabContainerScan {
    fn id(&self) -> &'static str {
        "gitlab-container-scan"
    }

    fn name(&self) -> &'static str {
        "GitLab Container Scanning"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["GitLab Container Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        gitlab_common::detect(input) == Some(Kind::ContainerScanning)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        gitlab_common::parse(input, Kind::ContainerScanning, finding)
    }
}

fn finding(v: &Vulnerability, context: &Context) -> Finding {
    let location = &v.location;
    let dependency = location.dependency.as_ref();
    let name = dependency
        .and_then(|d| d.package.as_ref())
        .and_then(|p| non_empty(p.name.as_deref()));
    let version = dependency.and_then(|d| non_empty(d.version.as_deref()));
    // 15.x reports dropped `message`: build "CVE-x in package-version" as 14.x analyzers did.
    let derived = || {
        let id = first_cve(v).or_else(|| first_text(&[v.cve.as_deref(), v.id.as_deref()]))?;
        Some(match (&name, &version) {
            (Some(name), Some(version)) => format!("{id} in {name}-{version}"),
            (Some(name), None) => format!("{id} in {name}"),
            _ => id,
        })
    };
    let title = first_text(&[v.message.as_deref()])
        .or_else(derived)
        .or_else(|| first_text(&[v.name.as_deref()]))
        .or_else(|| title_from(v.description.as_deref()))
        .unwrap_or_else(|| "GitLab container scanning finding".to_string());
    let mut f = context.base(v, Category::Container, title);
    if let Some(name) = name {
        f.location.package = Some(PackageLocation {
            name,
            version,
            ..PackageLocation::default()
        });
    }
    if let Some(image) = non_empty(location.image.as_deref()) {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name.to_string(), Some(digest.to_string())),
            None => (image, None),
        };
        f.location.image = Some(ImageLocation {
            name,
            digest,
            layer: None,
            os: non_empty(location.operating_system.as_deref())
                .filter(|os| !os.eq_ignore_ascii_case("unknown")),
        });
    }
    f
}

#[cfg(test)]
mod tests {
    use ward_core::Severity;

    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(GitlabContainerScan.detect(&input), "not detected");
        GitlabContainerScan.parse(&input).unwrap()
    }

    #[test]
    fn v15_titles_are_built_and_cve_ids_do_not_merge_packages() {
        let entry = |package: &str| {
            format!(
                r#"{{"id": "CVE-2022-0778", "description": "Infinite loop in BN_mod_sqrt()", "severity": "High",
                "solution": "Upgrade {package} to 3.3.4-r3",
                "location": {{"dependency": {{"package": {{"name": "{package}"}}, "version": "3.3.4-r2"}},
                  "operating_system": "alpine 3.15", "image": "registry.example.com/app@sha256:abcd"}},
                "identifiers": [{{"type": "cve", "name": "CVE-2022-0778", "value": "CVE-2022-0778"}},
                                {{"type": "cwe", "name": "CWE-835", "value": "CWE-835"}}],
                "links": [{{"url": "https://nvd.nist.gov/vuln/detail/CVE-2022-0778"}}]}}"#
            )
        };
        let parsed = check(&format!(
            r#"{{"version": "15.0.0", "vulnerabilities": [{}, {}], "remediations": []}}"#,
            entry("libretls"),
            entry("libssl1.1")
        ));
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "CVE-2022-0778 in libretls-3.3.4-r2");
        assert_eq!((f.severity, f.cwe()), (Severity::High, Some(835)));
        assert_eq!(f.external_id.as_deref(), Some("CVE-2022-0778"));
        let image = f.location.image.as_ref().unwrap();
        assert_eq!(
            (
                image.name.as_str(),
                image.digest.as_deref(),
                image.os.as_deref()
            ),
            (
                "registry.example.com/app",
                Some("sha256:abcd"),
                Some("alpine 3.15")
            )
        );
        assert_eq!(f.location.package.as_ref().unwrap().name, "libretls");
    }

    #[test]
    fn v14_message_is_the_title() {
        let parsed = check(
            r#"{"version": "3.0.0", "vulnerabilities": [
              {"id": "df52", "category": "container_scanning", "message": "CVE-2019-3462 in apt-1.4.8",
               "severity": "High", "confidence": "Unknown", "scanner": {"id": "trivy", "name": "trivy"},
               "location": {"dependency": {"package": {"name": "apt"}, "version": "1.4.8"},
                 "operating_system": "debian:9.4", "image": "webgoat:8.0"},
               "identifiers": [{"type": "cve", "name": "CVE-2019-3462", "value": "CVE-2019-3462"}]}],
              "scan": {"scanner": {"id": "trivy", "name": "Trivy"}, "type": "container_scanning",
                       "start_time": "2021-04-14T19:45:58", "end_time": "2021-04-14T19:46:18", "status": "success"}}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(
            (f.title.as_str(), f.tool.as_str()),
            ("CVE-2019-3462 in apt-1.4.8", "trivy")
        );
        assert_eq!(f.rule_id.as_deref(), Some("CVE-2019-3462"));
        assert_eq!(f.confidence, None);
    }
}
