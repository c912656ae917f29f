//! The output formats, one module each, and [`EXPORTERS`], the list of them.
//!
//! Adding a format: a new file here implementing [`Exporter`] (copy a small
//! one such as `csv.rs`), one `mod` line and one `EXPORTERS` entry below, and its validation
//! in `tests/schemas.rs`.

mod asff;
mod csv;
mod cyclonedx;
pub mod gitlab;
mod gitlab_container_scanning;
mod gitlab_dast;
mod gitlab_dependency_scanning;
mod gitlab_sast;
mod gitlab_secret_detection;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod sonarqube;

use crate::Exporter;

/// Every output format, in the order `ward convert --help` lists them.
pub static EXPORTERS: &[&dyn Exporter] = &[
    &gitlab_sast::GitlabSast,
    &gitlab_dependency_scanning::GitlabDependencyScanning,
    &gitlab_container_scanning::GitlabContainerScanning,
    &gitlab_secret_detection::GitlabSecretDetection,
    &gitlab_dast::GitlabDast,
    &sarif::Sarif,
    &asff::Asff,
    &junit::Junit,
    &cyclonedx::CycloneDx,
    &sonarqube::Sonarqube,
    &html::Html,
    &markdown::Markdown,
    &csv::Csv,
    &json::Json,
];

/// Test helpers shared by the exporters' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use ward_core::{
        Category, Cvss, Epss, FileLocation, Finding, ImageLocation, Location, PackageLocation,
        Report, Secret, Severity, Source, WebLocation,
    };

    /// A SAST finding with every common field set.
    pub(crate) fn sast() -> Finding {
        let mut f = Finding::new("Semgrep", Category::Sast, "Use of eval() <script>");
        f.severity = Severity::High;
        f.tool_severity = Some("ERROR".into());
        f.rule_id = Some("python.lang.security.eval".into());
        f.add_cwe("95");
        f.add_id("A03:2021");
        f.location.file = Some(FileLocation {
            path: "./app/views.py".into(),
            start_line: Some(42),
            end_line: Some(43),
            start_column: Some(5),
            end_column: Some(30),
            snippet: Some("eval(request.args['q'])".into()),
        });
        f.description = Some("eval() on request data allows code injection.".into());
        f.remediation = Some("Do not call eval() on input.".into());
        f.add_reference("https://owasp.org/Top10/A03_2021-Injection/");
        f.fingerprint = "0123456789abcdef0123456789abcdef".into();
        f.scan_time = Some("2024-05-01T12:00:00Z".into());
        f
    }

    /// A dependency finding with CVSS, EPSS and a fixed version.
    pub(crate) fn dependency() -> Finding {
        let mut f = Finding::new("Trivy", Category::Dependency, "CVE-2021-23337 in lodash");
        f.severity = Severity::Critical;
        f.tool_severity = Some("CRITICAL".into());
        f.rule_id = Some("CVE-2021-23337".into());
        f.add_id("CVE-2021-23337");
        f.add_id("GHSA-35jh-r3h4-6jhm");
        f.add_cwe("94");
        f.cvss.push(
            Cvss::from_vector("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", Some(9.1)).unwrap(),
        );
        f.epss = Some(Epss {
            score: 0.0123,
            percentile: Some(0.85),
        });
        f.location = Location {
            file: Some(FileLocation::new("package-lock.json", None)),
            package: Some(PackageLocation {
                name: "lodash".into(),
                version: Some("4.17.20".into()),
                ecosystem: Some("npm".into()),
                purl: Some("pkg:npm/lodash@4.17.20".into()),
                fixed_version: Some("4.17.21".into()),
            }),
            ..Location::default()
        };
        f.description = Some("Command injection via template.".into());
        f.add_reference("https://nvd.nist.gov/vuln/detail/CVE-2021-23337");
        f.fingerprint = "11111111111111111111111111111111".into();
        f
    }

    /// A container finding.
    pub(crate) fn container() -> Finding {
        let mut f = Finding::new("Grype", Category::Container, "CVE-2023-0464 in openssl");
        f.severity = Severity::Medium;
        f.rule_id = Some("CVE-2023-0464".into());
        f.add_id("CVE-2023-0464");
        f.cvss
            .push(Cvss::from_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P", Some(7.5)).unwrap());
        f.location = Location {
            package: Some(PackageLocation {
                name: "openssl".into(),
                version: Some("3.0.8-r0".into()),
                ecosystem: Some("apk".into()),
                purl: None,
                fixed_version: None,
            }),
            image: Some(ImageLocation {
                name: "alpine:3.17".into(),
                digest: Some("sha256:abcd".into()),
                layer: None,
                os: Some("alpine 3.17.2".into()),
            }),
            ..Location::default()
        };
        f.status = ward_core::Status::Accepted;
        f.fingerprint = "22222222222222222222222222222222".into();
        f
    }

    /// A secret finding; the clear value `AKIAIOSFODNN7EXAMPLE` appears nowhere in it.
    pub(crate) fn secret() -> Finding {
        let mut f = Finding::new("Gitleaks", Category::Secret, "AWS access key in config.tf");
        f.severity = Severity::High;
        f.rule_id = Some("aws-access-token".into());
        let secret = Secret::from_clear(CLEAR_SECRET);
        f.location = Location::file("config.tf", Some(3));
        if let Some(file) = &mut f.location.file {
            file.snippet = Some(format!("key = {}", secret.masked));
        }
        f.secret = Some(secret);
        f.verified = true;
        f.fingerprint = "33333333333333333333333333333333".into();
        f
    }

    /// The clear value behind [`secret`]'s masked one.
    pub(crate) const CLEAR_SECRET: &str = "AKIAIOSFODNN7EXAMPLE";

    /// A DAST finding.
    pub(crate) fn dast() -> Finding {
        let mut f = Finding::new("ZAP", Category::Dast, "SQL Injection");
        f.severity = Severity::High;
        f.tool_severity = Some("High (Medium)".into());
        f.rule_id = Some("40018".into());
        f.add_cwe("89");
        f.location.web = Some(WebLocation {
            url: "https://shop.example.com:8443/search?q=1".into(),
            method: Some("POST".into()),
            parameter: Some("q".into()),
        });
        f.evidence = Some("You have an error in your SQL syntax".into());
        f.status = ward_core::Status::FalsePositive;
        f.fingerprint = "44444444444444444444444444444444".into();
        f
    }

    /// An IaC finding without a rule, a line or a description.
    pub(crate) fn bare() -> Finding {
        let mut f = Finding::new("Checkov", Category::Iac, "=HYPERLINK(\"http://x\")");
        f.severity = Severity::Info;
        f.tool_severity = Some("UNKNOWN".into());
        f.location = Location::file("main.tf", None);
        f.fingerprint = "55555555555555555555555555555555".into();
        f
    }

    /// One finding of each kind.
    pub(crate) fn report() -> Report {
        let findings = vec![sast(), dependency(), container(), secret(), dast(), bare()];
        let mut sources: Vec<Source> = Vec::new();
        for f in &findings {
            sources.push(Source {
                tool: f.tool.clone(),
                format: f.tool.to_lowercase(),
                file: format!("{}.json", f.tool.to_lowercase()),
                scan_time: Some("2024-05-01T12:00:00Z".into()),
            });
        }
        Report { findings, sources }
    }

    /// The export as a string.
    pub(crate) fn export(exporter: &dyn crate::Exporter, report: &Report) -> String {
        export_with(exporter, report, &crate::Options::default())
    }

    /// The export with options, as a string, checked to hold no clear secret.
    pub(crate) fn export_with(
        exporter: &dyn crate::Exporter,
        report: &Report,
        options: &crate::Options,
    ) -> String {
        let bytes = exporter.export(report, options).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains(CLEAR_SECRET));
        text
    }

    /// The export as JSON.
    pub(crate) fn export_json(
        exporter: &dyn crate::Exporter,
        report: &Report,
    ) -> serde_json::Value {
        serde_json::from_str(&export(exporter, report)).unwrap()
    }
}
