//! `gitlab-container-scanning`: GitLab's container scanning report
//! (`gl-container-scanning-report.json`, schema 15.x), for vulnerable packages in images.
//! The shared parts are in `gitlab.rs`.

use std::io::Write;

use serde_json::{json, Value};
use ward_core::{Finding, Report};

use crate::exporters::gitlab::{self, GitlabKind};
use crate::exporters::gitlab_dependency_scanning::dependency;
use crate::util::non_blank;
use crate::{Error, Exporter, Options, Outcome};

/// GitLab container scanning report.
pub(crate) struct GitlabContainerScanning;

impl Exporter for GitlabContainerScanning {
    fn id(&self) -> &'static str {
        "gitlab-container-scanning"
    }

    fn name(&self) -> &'static str {
        "GitLab container scanning report"
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
        gitlab::write(GitlabKind::ContainerScanning, report, options, out)
    }
}

/// `{dependency, operating_system, image}`; `unknown` where the tool did not say.
pub(super) fn location(finding: &Finding) -> Value {
    let image = finding.location.image.as_ref();
    let name = image
        .and_then(|i| non_blank(Some(&i.name)))
        .or_else(|| {
            finding
                .location
                .file
                .as_ref()
                .and_then(|f| non_blank(Some(&f.path)))
        })
        .unwrap_or("unknown");
    let os = image
        .and_then(|i| non_blank(i.os.as_deref()))
        .or_else(|| {
            finding
                .location
                .package
                .as_ref()
                .and_then(|p| non_blank(p.ecosystem.as_deref()))
        })
        .unwrap_or("unknown");
    json!({"dependency": dependency(finding), "operating_system": os, "image": name})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn image_location() {
        let json = testing::export_json(&GitlabContainerScanning, &testing::report());
        assert_eq!(json["scan"]["type"], "container_scanning");
        assert_eq!(json["scan"]["scanner"]["id"], "grype");
        let v = &json["vulnerabilities"][0];
        assert_eq!(
            v["location"],
            json!({
                "dependency": {"package": {"name": "openssl"}, "version": "3.0.8-r0"},
                "operating_system": "alpine 3.17.2",
                "image": "alpine:3.17",
            })
        );
        assert_eq!(v["severity"], "Medium");
        assert_eq!(v["cvss_vectors"][0]["vector"], "AV:N/AC:L/Au:N/C:P/I:P/A:P");
        assert_eq!(v["details"]["status"]["value"], "accepted");
    }
}
