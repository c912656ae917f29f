//! Trivy Operator custom resources as JSON (`kubectl get vulnerabilityreports -o json` …):
//! `VulnerabilityReport`, `ConfigAuditReport`, `ExposedSecretReport`, `RbacAssessmentReport`,
//! `InfraAssessmentReport` and their cluster-scoped variants, and `ClusterComplianceReport`
//! (detail or summary). A file holds one resource, a JSON array of them, or a `List` with
//! `items`. <https://github.com/aquasecurity/trivy-operator>
//!
//! The Kubernetes workload a report is about comes from the operator's
//! `trivy-operator.resource.*` labels and becomes the finding's cloud location. Checks that
//! passed are not findings.

use std::collections::BTreeMap;

use serde::Deserialize;
use ward_core::{
    Category, CloudLocation, CvssVersion, FileLocation, Finding, ImageLocation, PackageLocation,
    Severity,
};

use super::package_common::CvssPicker;
use super::trivy_common::{
    avd_id, is_os_type, k8s_resource, os_name, split_target, trivy_cvss, type_ecosystem, VendorCvss,
};
use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Trivy Operator reports.
pub(crate) struct TrivyOperator;

const TOOL: &str = "Trivy Operator";
const API_GROUP: &str = "aquasecurity.github.io/";

/// A single resource, or a `List` of them (`items`).
#[derive(Deserialize)]
struct Resource {
    kind: Option<String>,
    items: Option<Vec<Resource>>,
    metadata: Option<Metadata>,
    report: Option<Report>,
    spec: Option<Spec>,
    status: Option<ComplianceStatus>,
}

#[derive(Deserialize)]
struct Metadata {
    name: Option<String>,
    namespace: Option<String>,
    #[serde(rename = "creationTimestamp")]
    creation_timestamp: Option<String>,
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "updateTimestamp")]
    update_timestamp: Option<String>,
    artifact: Option<Artifact>,
    registry: Option<Registry>,
    os: Option<Os>,
    vulnerabilities: Option<Vec<Vulnerability>>,
    checks: Option<Vec<Check>>,
    secrets: Option<Vec<SecretEntry>>,
}

#[derive(Deserialize)]
struct Artifact {
    repository: Option<String>,
    tag: Option<String>,
    digest: Option<String>,
}

#[derive(Deserialize)]
struct Registry {
    server: Option<String>,
}

#[derive(Deserialize)]
struct Os {
    family: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(rename = "vulnerabilityID")]
    id: Option<String>,
    resource: Option<String>,
    #[serde(rename = "installedVersion")]
    installed_version: Option<String>,
    #[serde(rename = "fixedVersion")]
    fixed_version: Option<String>,
    severity: Option<String>,
    title: Option<String>,
    description: Option<String>,
    #[serde(rename = "primaryLink")]
    primary_link: Option<String>,
    links: Option<Vec<String>>,
    score: Option<f64>,
    cvss: Option<BTreeMap<String, VendorCvss>>,
    #[serde(rename = "cvsssource")]
    cvss_source: Option<String>,
    target: Option<String>,
    class: Option<String>,
    #[serde(rename = "packageType")]
    package_type: Option<String>,
    #[serde(rename = "pkgPath")]
    pkg_path: Option<String>,
    #[serde(rename = "packagePath")]
    package_path: Option<String>,
    #[serde(rename = "pkgPURL")]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Check {
    #[serde(rename = "checkID")]
    check_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    category: Option<String>,
    messages: Option<Vec<String>>,
    remediation: Option<String>,
    success: Option<bool>,
    target: Option<String>,
}

#[derive(Deserialize)]
struct SecretEntry {
    target: Option<String>,
    #[serde(rename = "ruleID")]
    rule_id: Option<String>,
    title: Option<String>,
    category: Option<String>,
    severity: Option<String>,
    #[serde(rename = "match")]
    matched: Option<String>,
}

#[derive(Deserialize)]
struct Spec {
    compliance: Option<Compliance>,
}

#[derive(Deserialize)]
struct Compliance {
    title: Option<String>,
    controls: Option<Vec<Control>>,
}

#[derive(Deserialize)]
struct Control {
    id: Option<String>,
    description: Option<String>,
    checks: Option<Vec<ControlCheck>>,
}

#[derive(Deserialize)]
struct ControlCheck {
    id: Option<String>,
}

#[derive(Deserialize)]
struct ComplianceStatus {
    #[serde(rename = "updateTimestamp")]
    update_timestamp: Option<String>,
    #[serde(rename = "detailReport")]
    detail_report: Option<DetailReport>,
    #[serde(rename = "summaryReport")]
    summary_report: Option<SummaryReport>,
}

#[derive(Deserialize)]
struct DetailReport {
    title: Option<String>,
    results: Option<Vec<ControlResult>>,
}

#[derive(Deserialize)]
struct ControlResult {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    checks: Option<Vec<Check>>,
}

#[derive(Deserialize)]
struct SummaryReport {
    title: Option<String>,
    #[serde(rename = "controlCheck")]
    control_check: Option<Vec<ControlSummary>>,
}

#[derive(Deserialize)]
struct ControlSummary {
    id: Option<String>,
    name: Option<String>,
    severity: Option<String>,
    #[serde(rename = "totalFail")]
    total_fail: Option<u64>,
}

fn is_operator_resource(value: &serde_json::Value) -> bool {
    let api = value.get("apiVersion").and_then(|v| v.as_str());
    let kind = value.get("kind").and_then(|v| v.as_str());
    api.is_some_and(|a| a.starts_with(API_GROUP)) && kind.is_some_and(|k| k.ends_with("Report"))
}

impl Parser for TrivyOperator {
    fn id(&self) -> &'static str {
        "trivy-operator"
    }

    fn name(&self) -> &'static str {
        "Trivy Operator"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Trivy Operator Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(json) = input.json() else {
            return false;
        };
        if json.is_object() {
            if json.get("kind").and_then(|k| k.as_str()) == Some("List") {
                return json
                    .get("items")
                    .and_then(first_item)
                    .is_some_and(is_operator_resource);
            }
            return is_operator_resource(json);
        }
        first_item(json).is_some_and(is_operator_resource)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let bytes = input.bytes();
        let first = bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(bytes)
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace());
        let resources: Vec<Resource> = match first {
            Some(b'[') => de::json(bytes)?,
            Some(b'n') => {
                de::json::<()>(bytes)?;
                Vec::new()
            }
            _ => {
                let mut document: Resource = de::json(bytes)?;
                match document.items.take() {
                    Some(items) => items,
                    None => vec![document],
                }
            }
        };
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        for (i, resource) in resources.into_iter().enumerate() {
            resource_findings(resource, i, &mut parsed);
        }
        Ok(parsed)
    }
}

/// The workload the operator's labels name.
struct Workload {
    cloud: Option<CloudLocation>,
    container: Option<String>,
}

fn workload(metadata: Option<&Metadata>) -> Workload {
    let labels = metadata.and_then(|m| m.labels.as_ref());
    let label = |key: &str| {
        labels
            .and_then(|l| l.get(&format!("trivy-operator.resource.{key}")))
            .map(String::as_str)
    };
    let mut cloud = k8s_resource(label("namespace"), label("kind"), label("name"), None);
    if cloud.is_none() {
        // Reports without the labels still name themselves.
        cloud = k8s_resource(
            metadata.and_then(|m| m.namespace.as_deref()),
            None,
            metadata.and_then(|m| m.name.as_deref()),
            None,
        );
    }
    Workload {
        cloud,
        container: labels
            .and_then(|l| l.get("trivy-operator.container.name"))
            .and_then(|c| non_empty(Some(c))),
    }
}

fn severity(label: Option<&str>) -> Severity {
    label
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Info)
}

fn resource_findings(resource: Resource, index: usize, parsed: &mut Parsed) {
    let kind = resource.kind.clone().unwrap_or_default();
    let workload = workload(resource.metadata.as_ref());
    let time = resource
        .report
        .as_ref()
        .and_then(|r| non_empty(r.update_timestamp.as_deref()))
        .or_else(|| {
            resource
                .status
                .as_ref()
                .and_then(|s| non_empty(s.update_timestamp.as_deref()))
        })
        .or_else(|| {
            resource
                .metadata
                .as_ref()
                .and_then(|m| non_empty(m.creation_timestamp.as_deref()))
        });
    if parsed.scan_time.is_none() {
        parsed.scan_time = time.clone();
    }
    let start = parsed.findings.len();
    if kind == "ClusterComplianceReport" {
        compliance_findings(&resource, parsed);
    }
    if let Some(report) = resource.report {
        let image = report_image(&report);
        for (i, vuln) in report.vulnerabilities.into_iter().flatten().enumerate() {
            match vulnerability(vuln, &workload, image.as_ref()) {
                Some(f) => parsed.findings.push(f),
                None => parsed.warnings.push(format!(
                    "[{index}].report.vulnerabilities[{i}]: no vulnerability id or package; skipped"
                )),
            }
        }
        for check in report.checks.into_iter().flatten() {
            if check.success != Some(true) {
                parsed.findings.push(check_finding(check, &workload));
            }
        }
        for secret in report.secrets.into_iter().flatten() {
            parsed
                .findings
                .push(secret_finding(secret, &workload, image.as_ref()));
        }
    }
    for f in &mut parsed.findings[start..] {
        f.scan_time = time.clone();
    }
}

fn report_image(report: &Report) -> Option<ImageLocation> {
    let artifact = report.artifact.as_ref()?;
    let repository = non_empty(artifact.repository.as_deref())?;
    let mut name = match report
        .registry
        .as_ref()
        .and_then(|r| non_empty(r.server.as_deref()))
    {
        Some(server) => format!("{server}/{repository}"),
        None => repository,
    };
    if let Some(tag) = non_empty(artifact.tag.as_deref()) {
        name = format!("{name}:{tag}");
    }
    let os = report
        .os
        .as_ref()
        .and_then(|os| os_name(os.family.as_deref(), os.name.as_deref()));
    Some(ImageLocation {
        name,
        digest: non_empty(artifact.digest.as_deref()),
        layer: None,
        os,
    })
}

fn vulnerability(
    v: Vulnerability,
    workload: &Workload,
    image: Option<&ImageLocation>,
) -> Option<Finding> {
    let id = non_empty(v.id.as_deref())?;
    let name = non_empty(v.resource.as_deref())?;
    let version = non_empty(v.installed_version.as_deref());
    let package_type = v.package_type.as_deref().unwrap_or("");
    // The operator scans container images; only language packages are dependencies.
    let os_package = match v.class.as_deref() {
        Some("lang-pkgs") => false,
        Some("os-pkgs") => true,
        _ => package_type.is_empty() || is_os_type(package_type),
    };
    let title = match &version {
        Some(version) => format!("{id} {name} {version}"),
        None => format!("{id} {name}"),
    };
    let category = if os_package {
        Category::Container
    } else {
        Category::Dependency
    };
    let mut f = Finding::new(TOOL, category, title);
    f.severity = severity(v.severity.as_deref());
    f.tool_severity = non_empty(v.severity.as_deref());
    f.rule_id = Some(id.clone());
    f.add_id(&id);
    f.cvss = trivy_cvss(v.cvss.as_ref(), v.cvss_source.as_deref());
    if f.cvss.is_empty() {
        let mut picker = CvssPicker::default();
        picker.score(CvssVersion::V3_1, v.score, None);
        f.cvss = picker.into_vec();
    }
    let fixed = non_empty(v.fixed_version.as_deref());
    f.location.package = Some(PackageLocation {
        name,
        version,
        ecosystem: type_ecosystem(package_type).map(str::to_string),
        purl: non_empty(v.purl.as_deref()),
        fixed_version: fixed.clone(),
    });
    let path = non_empty(v.pkg_path.as_deref()).or_else(|| non_empty(v.package_path.as_deref()));
    f.location.file = path.map(|p| FileLocation::new(p, None));
    f.location.image = image.cloned().or_else(|| {
        let target = non_empty(v.target.as_deref())?;
        let (name, os) = split_target(&target);
        Some(ImageLocation {
            name: name.to_string(),
            os: os.map(str::to_string),
            ..ImageLocation::default()
        })
    });
    f.location.cloud = workload.cloud.clone();
    let mut description = Vec::new();
    for part in [v.title.as_deref(), v.description.as_deref()] {
        if let Some(text) = non_empty(part) {
            description.push(text);
        }
    }
    if let Some(container) = &workload.container {
        description.push(format!("Container: {container}"));
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
    if let Some(fixed) = fixed {
        f.remediation = Some(format!("Upgrade to version {fixed}."));
    }
    if let Some(url) = v.primary_link.as_deref() {
        f.add_reference(url);
    }
    for url in v.links.iter().flatten() {
        f.add_reference(url);
    }
    Some(f)
}

fn check_finding(check: Check, workload: &Workload) -> Finding {
    let id = non_empty(check.check_id.as_deref());
    let what = non_empty(check.title.as_deref());
    let title = match (&id, &what) {
        (Some(id), Some(what)) => format!("{id} - {what}"),
        (Some(id), None) => id.clone(),
        (None, Some(what)) => what.clone(),
        (None, None) => "Failed check".to_string(),
    };
    let mut f = Finding::new(TOOL, Category::Iac, title);
    f.severity = severity(check.severity.as_deref());
    f.tool_severity = non_empty(check.severity.as_deref());
    fill_check(&mut f, &check, id);
    f.location.cloud = workload.cloud.clone();
    f
}

/// What a check carries, shared by audit reports and compliance details.
fn fill_check(f: &mut Finding, check: &Check, id: Option<String>) {
    if let Some(id) = &id {
        f.add_id(&avd_id(id));
        f.add_reference(&format!(
            "https://avd.aquasec.com/misconfig/{}",
            avd_id(id).to_ascii_lowercase()
        ));
    }
    f.rule_id = id;
    let mut description = Vec::new();
    if let Some(text) = non_empty(check.description.as_deref()) {
        description.push(text);
    }
    let messages: Vec<&str> = check
        .messages
        .iter()
        .flatten()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty() && Some(*m) != check.description.as_deref().map(str::trim))
        .collect();
    if !messages.is_empty() {
        description.push(messages.join("\n"));
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
    f.remediation = non_empty(check.remediation.as_deref());
    f.tags = non_empty(check.category.as_deref()).into_iter().collect();
}

fn secret_finding(s: SecretEntry, workload: &Workload, image: Option<&ImageLocation>) -> Finding {
    let target = non_empty(s.target.as_deref()).unwrap_or_default();
    let what = non_empty(s.title.as_deref())
        .or_else(|| non_empty(s.rule_id.as_deref()))
        .unwrap_or_else(|| "secret".into());
    let mut f = Finding::new(
        TOOL,
        Category::Secret,
        format!("Secret detected in {target} - {what}"),
    );
    f.severity = severity(s.severity.as_deref());
    f.tool_severity = non_empty(s.severity.as_deref());
    f.rule_id = non_empty(s.rule_id.as_deref());
    // The operator writes matches masked (`*****`); a match without a mask is not kept.
    let snippet = non_empty(s.matched.as_deref()).filter(|m| m.contains("***"));
    if !target.is_empty() {
        f.location.file = Some(FileLocation {
            snippet,
            ..FileLocation::new(target, None)
        });
    }
    f.location.image = image.cloned();
    let mut description = vec![what];
    if let Some(category) = non_empty(s.category.as_deref()) {
        description.push(format!("Category: {category}"));
    }
    if let Some(cloud) = &workload.cloud {
        description.push(format!("Workload: {}", cloud.resource_id));
    }
    if let Some(container) = &workload.container {
        description.push(format!("Container: {container}"));
    }
    f.description = Some(description.join("\n"));
    f
}

fn compliance_findings(resource: &Resource, parsed: &mut Parsed) {
    let Some(status) = &resource.status else {
        return;
    };
    let compliance = resource.spec.as_ref().and_then(|s| s.compliance.as_ref());
    if let Some(detail) = &status.detail_report {
        let benchmark = non_empty(detail.title.as_deref())
            .or_else(|| compliance.and_then(|c| non_empty(c.title.as_deref())));
        for result in detail.results.iter().flatten() {
            let control = non_empty(result.id.as_deref()).unwrap_or_default();
            for check in result.checks.iter().flatten() {
                if check.success != Some(false) {
                    continue;
                }
                let id = non_empty(check.check_id.as_deref());
                let target = non_empty(check.target.as_deref());
                let title = [
                    Some(control.clone()),
                    id.as_deref().map(avd_id),
                    target.clone(),
                ]
                .into_iter()
                .flatten()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
                let mut f = Finding::new(TOOL, Category::Iac, title);
                // A check without its own severity takes the control's.
                let label = non_empty(check.severity.as_deref())
                    .or_else(|| non_empty(result.severity.as_deref()));
                f.severity = severity(label.as_deref());
                f.tool_severity = label;
                fill_check(&mut f, check, id.as_deref().map(avd_id));
                let mut about = Vec::new();
                if let Some(benchmark) = &benchmark {
                    about.push(format!("{benchmark}, control {control}"));
                }
                for part in [result.name.as_deref(), result.description.as_deref()] {
                    if let Some(text) = non_empty(part) {
                        about.push(text);
                    }
                }
                if let Some(description) = f.description.take() {
                    about.push(description);
                }
                f.description = Some(about.join("\n\n"));
                f.location.cloud = target.map(|t| CloudLocation {
                    resource_id: t,
                    provider: Some("kubernetes".into()),
                    ..CloudLocation::default()
                });
                parsed.findings.push(f);
            }
        }
        return;
    }
    let Some(summary) = &status.summary_report else {
        return;
    };
    let benchmark = non_empty(summary.title.as_deref())
        .or_else(|| compliance.and_then(|c| non_empty(c.title.as_deref())));
    for control in summary.control_check.iter().flatten() {
        let failures = control.total_fail.unwrap_or(0);
        if failures == 0 {
            continue;
        }
        let id = non_empty(control.id.as_deref()).unwrap_or_default();
        let name = non_empty(control.name.as_deref());
        let title = match &name {
            Some(name) => format!("{id} - {name}"),
            None => format!("Control {id}"),
        };
        let mut f = Finding::new(TOOL, Category::Iac, title);
        f.severity = severity(control.severity.as_deref());
        f.tool_severity = non_empty(control.severity.as_deref());
        f.rule_id = (!id.is_empty()).then(|| id.clone());
        let spec = compliance
            .and_then(|c| c.controls.as_ref())
            .and_then(|controls| {
                controls
                    .iter()
                    .find(|c| c.id.as_deref() == Some(id.as_str()))
            });
        for check in spec.and_then(|c| c.checks.as_ref()).into_iter().flatten() {
            if let Some(check_id) = non_empty(check.id.as_deref()) {
                f.add_id(&avd_id(&check_id));
            }
        }
        let mut description = Vec::new();
        if let Some(benchmark) = &benchmark {
            description.push(format!("{benchmark}, control {id}"));
        }
        if let Some(text) = spec.and_then(|c| non_empty(c.description.as_deref())) {
            description.push(text);
        }
        description.push(format!("Failing resources: {failures}"));
        f.description = Some(description.join("\n\n"));
        parsed.findings.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(TrivyOperator.detect(&input), "not detected: {json}");
        TrivyOperator.parse(&input).unwrap()
    }

    const LABELS: &str = r#""metadata":{"name":"replicaset-nginx","namespace":"default","labels":{
        "trivy-operator.resource.kind":"ReplicaSet","trivy-operator.resource.name":"nginx-1",
        "trivy-operator.resource.namespace":"default","trivy-operator.container.name":"nginx"}}"#;

    #[test]
    fn vulnerability_report() {
        let parsed = check(&format!(
            r#"{{"apiVersion":"aquasecurity.github.io/v1alpha1","kind":"VulnerabilityReport",{LABELS},
              "report":{{"updateTimestamp":"2023-03-23T16:23:01Z","artifact":{{"repository":"library/nginx","tag":"alpine"}},
                "registry":{{"server":"index.docker.io"}},"os":{{"family":"alpine","name":"3.17"}},
                "vulnerabilities":[{{"vulnerabilityID":"CVE-2023-23914","resource":"curl","installedVersion":"7.87.0-r1",
                  "fixedVersion":"7.87.0-r2","severity":"CRITICAL","score":4.2,"title":"curl: HSTS ignored","primaryLink":"https://x"}}]}}}}"#
        ));
        let f = &parsed.findings[0];
        assert_eq!(f.title, "CVE-2023-23914 curl 7.87.0-r1");
        assert_eq!(
            (f.severity, f.category),
            (Severity::Critical, Category::Container)
        );
        assert_eq!(f.cvss[0].score, Some(4.2));
        assert_eq!(
            f.location.image.as_ref().unwrap().name,
            "index.docker.io/library/nginx:alpine"
        );
        assert_eq!(
            f.location.cloud.as_ref().unwrap().resource_id,
            "default/ReplicaSet/nginx-1"
        );
        assert_eq!(f.scan_time.as_deref(), Some("2023-03-23T16:23:01Z"));
    }

    #[test]
    fn audit_list_and_compliance() {
        let parsed = check(&format!(
            r#"[{{"apiVersion":"aquasecurity.github.io/v1alpha1","kind":"ConfigAuditReport",{LABELS},"report":{{"checks":[
                 {{"checkID":"KSV014","title":"Root file system is not read-only","severity":"LOW","success":false}},
                 {{"title":"Missing id","severity":"MEDIUM","success":false}},
                 {{"checkID":"KSV001","title":"ok","severity":"LOW","success":true}}]}}}}]"#
        ));
        assert_eq!(parsed.findings.len(), 2);
        assert_eq!(
            parsed.findings[0].title,
            "KSV014 - Root file system is not read-only"
        );
        assert_eq!(parsed.findings[0].identifiers[0].value, "AVD-KSV-0014");
        assert_eq!(parsed.findings[1].title, "Missing id");

        let parsed = check(
            r#"{"apiVersion":"aquasecurity.github.io/v1alpha1","kind":"ClusterComplianceReport","metadata":{"name":"cis"},
                "spec":{"compliance":{"title":"CIS","controls":[]}},
                "status":{"detailReport":{"title":"CIS","results":[{"id":"1.1.1","severity":"HIGH","checks":[
                  {"checkID":"AVD-KSV-0001","severity":"MEDIUM","success":false,"target":"/t1"},
                  {"checkID":"AVD-KSV-0002","severity":"","success":false,"target":"/t2"},
                  {"checkID":"","severity":"","success":true}]}]}}}"#,
        );
        let got: Vec<(&str, Severity)> = parsed
            .findings
            .iter()
            .map(|f| (f.title.as_str(), f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("1.1.1 AVD-KSV-0001 /t1", Severity::Medium),
                ("1.1.1 AVD-KSV-0002 /t2", Severity::High)
            ]
        );

        let summary = check(
            r#"{"kind":"List","items":[{"apiVersion":"aquasecurity.github.io/v1alpha1","kind":"ClusterComplianceReport",
                "spec":{"compliance":{"controls":[{"id":"4.2.10","checks":[{"id":"AVD-KCV-0088"}]}]}},
                "status":{"summaryReport":{"controlCheck":[{"id":"4.2.9","severity":"HIGH","totalFail":0},
                  {"id":"4.2.10","name":"TLS","severity":"CRITICAL","totalFail":10}]}}}]}"#,
        );
        assert_eq!(summary.findings.len(), 1);
        assert_eq!(summary.findings[0].identifiers[0].value, "AVD-KCV-0088");
    }

    #[test]
    fn not_operator() {
        for json in [
            r#"{"kind":"Pod","apiVersion":"v1"}"#,
            r#"[{"kind":"VulnerabilityReport"}]"#,
        ] {
            assert!(
                !TrivyOperator.detect(&Input::new(json.as_bytes())),
                "{json}"
            );
        }
    }
}
