//! Amazon Inspector findings in Inspector2's own JSON: `{"findings": [...]}` as
//! `aws inspector2 list-findings` returns it (the ListFindings API response).
//! <https://docs.aws.amazon.com/inspector/v2/APIReference/API_Finding.html>
//!
//! Three finding types: `PACKAGE_VULNERABILITY` (a package on an EC2 instance, in an ECR image or
//! a Lambda function: CVE ids, CVSS, EPSS, fixed version), `CODE_VULNERABILITY` (Lambda code,
//! CodeGuru detectors: file, lines, CWEs) and `NETWORK_REACHABILITY` (an open port range and the
//! network path to it). The same findings exported through Security Hub are the
//! `awssecurityhub` format; titles are built the same way so both imports agree.

use serde::Deserialize;
use ward_core::{
    Category, CloudLocation, Cvss, Epss, FileLocation, Finding, ImageLocation, Severity, Status,
};

use super::asff_common::{cvss_version, package_location};
use super::lenient;
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Amazon Inspector (Inspector2 API).
pub(crate) struct AwsInspector2;

#[derive(Deserialize)]
struct Response {
    #[serde(deserialize_with = "lenient::list")]
    findings: Vec<InspectorFinding>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InspectorFinding {
    finding_arn: Option<String>,
    aws_account_id: Option<String>,
    #[serde(rename = "type")]
    finding_type: Option<String>,
    title: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::float")]
    inspector_score: Option<f64>,
    inspector_score_details: Option<ScoreDetails>,
    epss: Option<EpssDetails>,
    exploit_available: Option<String>,
    fix_available: Option<String>,
    last_observed_at: Option<String>,
    remediation: Option<Remediation>,
    #[serde(default, deserialize_with = "lenient::list")]
    resources: Vec<Resource>,
    package_vulnerability_details: Option<PackageDetails>,
    code_vulnerability_details: Option<CodeDetails>,
    network_reachability_details: Option<NetworkDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScoreDetails {
    adjusted_cvss: Option<AdjustedCvss>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdjustedCvss {
    #[serde(default, deserialize_with = "lenient::float")]
    score: Option<f64>,
    scoring_vector: Option<String>,
    version: Option<String>,
    score_source: Option<String>,
}

#[derive(Deserialize)]
struct EpssDetails {
    #[serde(default, deserialize_with = "lenient::float")]
    score: Option<f64>,
}

#[derive(Deserialize)]
struct Remediation {
    recommendation: Option<Recommendation>,
}

/// The API spells the link `Url`, the text `text`.
#[derive(Deserialize)]
struct Recommendation {
    text: Option<String>,
    #[serde(rename = "Url", alias = "url")]
    url: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    id: Option<String>,
    #[serde(rename = "type")]
    resource_type: Option<String>,
    region: Option<String>,
    details: Option<ResourceDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceDetails {
    aws_ecr_container_image: Option<EcrImage>,
    aws_ec2_instance: Option<Ec2Instance>,
    aws_lambda_function: Option<LambdaFunction>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EcrImage {
    repository_name: Option<String>,
    image_hash: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    image_tags: Vec<String>,
    platform: Option<String>,
}

#[derive(Deserialize)]
struct Ec2Instance {
    platform: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LambdaFunction {
    function_name: Option<String>,
    runtime: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageDetails {
    vulnerability_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    related_vulnerabilities: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    vulnerable_packages: Vec<VulnerablePackage>,
    #[serde(default, deserialize_with = "lenient::list")]
    cvss: Vec<CvssScore>,
    #[serde(default, deserialize_with = "lenient::list")]
    reference_urls: Vec<String>,
    source_url: Option<String>,
    vendor_severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VulnerablePackage {
    name: Option<String>,
    version: Option<String>,
    release: Option<String>,
    package_manager: Option<String>,
    file_path: Option<String>,
    fixed_in_version: Option<String>,
    remediation: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssScore {
    #[serde(default, deserialize_with = "lenient::float")]
    base_score: Option<f64>,
    scoring_vector: Option<String>,
    source: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeDetails {
    #[serde(default, deserialize_with = "lenient::list")]
    cwes: Vec<String>,
    detector_id: Option<String>,
    detector_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    detector_tags: Vec<String>,
    file_path: Option<CodeFilePath>,
    #[serde(default, deserialize_with = "lenient::list")]
    reference_urls: Vec<String>,
    rule_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeFilePath {
    file_name: Option<String>,
    file_path: Option<String>,
    #[serde(default, deserialize_with = "lenient::whole")]
    start_line: Option<u32>,
    #[serde(default, deserialize_with = "lenient::whole")]
    end_line: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkDetails {
    network_path: Option<NetworkPath>,
    open_port_range: Option<PortRange>,
    protocol: Option<String>,
}

#[derive(Deserialize)]
struct NetworkPath {
    #[serde(default, deserialize_with = "lenient::list")]
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Step {
    component_id: Option<String>,
    component_type: Option<String>,
}

#[derive(Deserialize)]
struct PortRange {
    #[serde(default, deserialize_with = "lenient::whole")]
    begin: Option<u32>,
    #[serde(default, deserialize_with = "lenient::whole")]
    end: Option<u32>,
}

impl Parser for AwsInspector2 {
    fn id(&self) -> &'static str {
        "aws-inspector2"
    }

    fn name(&self) -> &'static str {
        "Amazon Inspector"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["AWS Inspector2 Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input
            .json()
            .and_then(|v| v.get("findings"))
            .and_then(|f| f.as_array())
            .and_then(|a| a.first())
            .is_some_and(|first| {
                first.get("findingArn").is_some()
                    && (first.get("type").is_some() || first.get("awsAccountId").is_some())
            })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let response: Response = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("Amazon Inspector".into()),
            ..Parsed::default()
        };
        for (index, entry) in response.findings.iter().enumerate() {
            match finding(entry) {
                Some(f) => parsed.findings.push(f),
                None => parsed.warnings.push(format!(
                    "findings[{index}]: no title and no finding ARN; skipped"
                )),
            }
        }
        Ok(parsed)
    }
}

fn finding(i: &InspectorFinding) -> Option<Finding> {
    let title = non_empty(i.title.as_deref()).or_else(|| non_empty(i.finding_arn.as_deref()))?;
    let resource = i.resources.first();
    let resource_type = resource
        .and_then(|r| r.resource_type.as_deref())
        .unwrap_or("");
    let is_image = resource_type.starts_with("AWS_ECR");
    let category = match i.finding_type.as_deref().unwrap_or("") {
        "CODE_VULNERABILITY" => Category::Sast,
        "NETWORK_REACHABILITY" => Category::Cloud,
        _ if i.package_vulnerability_details.is_some() && is_image => Category::Container,
        _ if i.package_vulnerability_details.is_some() => Category::Dependency,
        _ if i.code_vulnerability_details.is_some() => Category::Sast,
        _ => Category::Cloud,
    };
    let mut f = Finding::new(
        "Amazon Inspector",
        category,
        format!("{title}{}", title_suffix(resource)),
    );
    f.external_id = non_empty(i.finding_arn.as_deref());
    f.description = non_empty(i.description.as_deref());
    f.scan_time = non_empty(i.last_observed_at.as_deref());

    let severity = non_empty(i.severity.as_deref());
    let score = i.inspector_score.or_else(|| {
        i.inspector_score_details
            .as_ref()
            .and_then(|d| d.adjusted_cvss.as_ref())
            .and_then(|c| c.score)
    });
    // UNTRIAGED: the vendor has not rated it yet; Inspector's own score, if any, decides.
    f.severity = severity
        .as_deref()
        .and_then(Severity::from_label)
        .or_else(|| score.map(Severity::from_cvss_score))
        .unwrap_or(Severity::Info);
    f.tool_severity = severity;
    f.status = match i.status.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("CLOSED") => Status::Mitigated,
        Some("SUPPRESSED") => Status::Accepted,
        _ => Status::Open,
    };
    f.epss = i
        .epss
        .as_ref()
        .and_then(|e| e.score)
        .filter(|s| (0.0..=1.0).contains(s))
        .map(|score| Epss {
            score,
            percentile: None,
        });
    if i.exploit_available.as_deref() == Some("YES") {
        f.tags.push("exploit-available".into());
    }

    if let Some(r) = resource {
        if let Some(id) = non_empty(r.id.as_deref()) {
            f.location.cloud = Some(CloudLocation {
                resource_id: id,
                resource_type: non_empty(r.resource_type.as_deref()),
                provider: Some("aws".into()),
                account: non_empty(i.aws_account_id.as_deref()),
                region: non_empty(r.region.as_deref()),
            });
        }
        let details = r.details.as_ref();
        if let Some(image) = details.and_then(|d| d.aws_ecr_container_image.as_ref()) {
            if let Some(repository) = non_empty(image.repository_name.as_deref()) {
                f.location.image = Some(ImageLocation {
                    name: match image.image_tags.first().and_then(|t| non_empty(Some(t))) {
                        Some(tag) => format!("{repository}:{tag}"),
                        None => repository,
                    },
                    digest: non_empty(image.image_hash.as_deref()),
                    layer: None,
                    os: non_empty(image.platform.as_deref()),
                });
            }
        }
        let mut facts = Vec::new();
        if let Some(platform) = details
            .and_then(|d| d.aws_ec2_instance.as_ref())
            .and_then(|e| non_empty(e.platform.as_deref()))
        {
            facts.push(format!("Platform: {platform}"));
        }
        if let Some(lambda) = details.and_then(|d| d.aws_lambda_function.as_ref()) {
            if let Some(name) = non_empty(lambda.function_name.as_deref()) {
                facts.push(format!("Lambda function: {name}"));
            }
            if let Some(runtime) = non_empty(lambda.runtime.as_deref()) {
                facts.push(format!("Runtime: {runtime}"));
            }
        }
        append(&mut f.description, facts);
    }

    let mut remediation = Vec::new();
    let recommendation = i
        .remediation
        .as_ref()
        .and_then(|r| r.recommendation.as_ref());
    if let Some(text) = recommendation.and_then(|r| non_empty(r.text.as_deref())) {
        if text != "None Provided" {
            remediation.push(text);
        }
    }
    if let Some(url) = recommendation.and_then(|r| r.url.as_deref()) {
        f.add_reference(url);
    }

    if let Some(p) = &i.package_vulnerability_details {
        package_details(&mut f, p, &mut remediation, i.fix_available.as_deref());
    }
    if let Some(c) = &i.code_vulnerability_details {
        for cwe in &c.cwes {
            f.add_cwe(cwe);
        }
        f.rule_id = non_empty(c.rule_id.as_deref()).or_else(|| non_empty(c.detector_id.as_deref()));
        if let Some(path) = &c.file_path {
            if let Some(file) = non_empty(path.file_path.as_deref())
                .or_else(|| non_empty(path.file_name.as_deref()))
            {
                f.location.file = Some(FileLocation {
                    end_line: path.end_line.filter(|l| *l > 0),
                    ..FileLocation::new(file, path.start_line)
                });
            }
        }
        for url in &c.reference_urls {
            f.add_reference(url);
        }
        let mut facts = Vec::new();
        if let Some(name) = non_empty(c.detector_name.as_deref()) {
            facts.push(format!("Detector: {name}"));
        }
        if let Some(detector) = non_empty(c.detector_id.as_deref()) {
            facts.push(format!("Detector id: {detector}"));
        }
        append(&mut f.description, facts);
        f.tags
            .extend(c.detector_tags.iter().filter_map(|t| non_empty(Some(t))));
    }
    if let Some(n) = &i.network_reachability_details {
        let mut facts = Vec::new();
        let protocol = non_empty(n.protocol.as_deref());
        if let Some(range) = &n.open_port_range {
            let ports = match (range.begin, range.end) {
                (Some(b), Some(e)) if b != e => format!("{b}-{e}"),
                (Some(b), _) | (None, Some(b)) => b.to_string(),
                (None, None) => String::new(),
            };
            if !ports.is_empty() {
                let proto = protocol.as_deref().unwrap_or("");
                facts.push(
                    format!("Open ports: {ports} {proto}")
                        .trim_end()
                        .to_string(),
                );
            }
        }
        let steps: Vec<String> = n
            .network_path
            .iter()
            .flat_map(|p| &p.steps)
            .filter_map(|s| {
                let id = non_empty(s.component_id.as_deref())?;
                Some(match non_empty(s.component_type.as_deref()) {
                    Some(kind) => format!("{kind} {id}"),
                    None => id,
                })
            })
            .collect();
        if !steps.is_empty() {
            facts.push(format!("Network path: {}", steps.join(" -> ")));
        }
        append(&mut f.description, facts);
    }
    // Inspector's own (environment-adjusted) rating, when the vulnerability lists none.
    let adjusted = i
        .inspector_score_details
        .as_ref()
        .and_then(|d| d.adjusted_cvss.as_ref());
    if let (true, Some(adjusted)) = (f.cvss.is_empty(), adjusted) {
        let rating = adjusted
            .scoring_vector
            .as_deref()
            .and_then(|v| Cvss::from_vector(v, adjusted.score))
            .or_else(|| {
                Cvss::from_score(cvss_version(adjusted.version.as_deref())?, adjusted.score?)
            });
        if let Some(mut rating) = rating {
            rating.source = non_empty(adjusted.score_source.as_deref());
            f.cvss.push(rating);
        }
    }
    if !remediation.is_empty() {
        f.remediation = Some(remediation.join("\n"));
    }
    Some(f)
}

fn package_details(
    f: &mut Finding,
    p: &PackageDetails,
    remediation: &mut Vec<String>,
    fix_available: Option<&str>,
) {
    if let Some(id) = p.vulnerability_id.as_deref() {
        f.add_id(id);
    }
    for id in &p.related_vulnerabilities {
        f.add_id(id);
    }
    f.rule_id = non_empty(p.vulnerability_id.as_deref());
    for cvss in &p.cvss {
        let rating = cvss
            .scoring_vector
            .as_deref()
            .and_then(|v| Cvss::from_vector(v, cvss.base_score))
            .or_else(|| Cvss::from_score(cvss_version(cvss.version.as_deref())?, cvss.base_score?));
        if let Some(mut rating) = rating {
            rating.source = non_empty(cvss.source.as_deref());
            if !f
                .cvss
                .iter()
                .any(|c| c.vector == rating.vector && c.score == rating.score)
            {
                f.cvss.push(rating);
            }
        }
    }
    if let Some(url) = p.source_url.as_deref() {
        f.add_reference(url);
    }
    for url in &p.reference_urls {
        f.add_reference(url);
    }
    if let Some(package) = p.vulnerable_packages.first() {
        f.location.package = package_location(
            package.name.as_deref(),
            package.version.as_deref(),
            package.release.as_deref(),
            package.package_manager.as_deref(),
            package.fixed_in_version.as_deref(),
        );
        if f.location.image.is_none() {
            if let Some(path) = non_empty(package.file_path.as_deref()) {
                f.location.file = Some(FileLocation::new(path, None));
            }
        }
    }
    for package in &p.vulnerable_packages {
        if let Some(text) =
            non_empty(package.remediation.as_deref()).filter(|t| t != "NotAvailable")
        {
            let line = match non_empty(package.name.as_deref()) {
                Some(name) => format!("{name}: {text}"),
                None => text,
            };
            if !remediation.contains(&line) {
                remediation.push(line);
            }
        }
    }
    let mut facts = Vec::new();
    if p.vulnerable_packages.len() > 1 {
        for package in &p.vulnerable_packages {
            let name = package.name.as_deref().unwrap_or("?");
            let version = package.version.as_deref().unwrap_or("");
            let mut line = format!("Package: {name} {version}").trim_end().to_string();
            if let Some(path) = non_empty(package.file_path.as_deref()) {
                line.push_str(&format!(" ({path})"));
            }
            facts.push(line);
        }
    }
    if let Some(vendor) = non_empty(p.vendor_severity.as_deref()) {
        facts.push(format!("Vendor severity: {vendor}"));
    }
    if let Some(fix) = non_empty(fix_available) {
        facts.push(format!("Fix available: {fix}"));
    }
    append(&mut f.description, facts);
}

/// Adds lines of facts after the description.
fn append(description: &mut Option<String>, facts: Vec<String>) {
    if facts.is_empty() {
        return;
    }
    let facts = facts.join("\n");
    *description = Some(match description.take() {
        Some(d) => format!("{d}\n\n{facts}"),
        None => facts,
    });
}

/// As the Security Hub import does: " - Image: repo/sha256:…" for images, " - Resource: <id>"
/// for the rest.
fn title_suffix(resource: Option<&Resource>) -> String {
    let Some(id) = resource.and_then(|r| non_empty(r.id.as_deref())) else {
        return String::new();
    };
    if resource.and_then(|r| r.resource_type.as_deref()) == Some("AWS_ECR_CONTAINER_IMAGE") {
        if let Some((_, image)) = id.split_once('/') {
            return format!(" - Image: {image}");
        }
    }
    format!(" - Resource: {}", id.rsplit(':').next().unwrap_or(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str =
        include_str!("../../../../tests/data/samples/inspector2/list-findings.json");

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(AwsInspector2.detect(&input), "not detected");
        AwsInspector2.parse(&input).unwrap()
    }

    #[test]
    fn package_vulnerabilities() {
        let parsed = check(SAMPLE);
        assert_eq!(parsed.findings.len(), 4);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "CVE-2023-3446 - openssl - Image: example-web/sha256:3c4f2e1d0b9a887766554433221100ffeeddccbbaa99887766554433221100ff"
        );
        assert_eq!(
            (f.category, f.severity, f.status),
            (Category::Container, Severity::Medium, Status::Open)
        );
        assert_eq!(f.rule_id.as_deref(), Some("CVE-2023-3446"));
        assert_eq!(f.epss.map(|e| e.score), Some(0.00183));
        assert_eq!(
            f.cvss[0].vector.as_deref(),
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L")
        );
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(
            (
                package.name.as_str(),
                package.version.as_deref(),
                package.fixed_version.as_deref()
            ),
            (
                "openssl",
                Some("3.0.9-1~deb12u1"),
                Some("0:3.0.11-1~deb12u1")
            )
        );
        let image = f.location.image.as_ref().unwrap();
        assert_eq!(
            (image.name.as_str(), image.os.as_deref()),
            ("example-web:1.4.2", Some("DEBIAN_12"))
        );
        assert_eq!(
            f.remediation.as_deref(),
            Some("openssl: apt-get update && apt-get upgrade")
        );

        let g = &parsed.findings[1];
        assert_eq!(
            g.title,
            "CVE-2023-32681 - requests - Resource: i-1234567890abcdef0"
        );
        assert_eq!(
            (g.category, g.status),
            (Category::Dependency, Status::Mitigated)
        );
        assert!(g
            .identifiers
            .iter()
            .any(|i| i.value == "GHSA-j8r2-6x86-q33q"));
        assert_eq!(
            g.cvss.len(),
            1,
            "the same rating from two sources counts once"
        );
        assert_eq!(
            g.location.file.as_ref().unwrap().path,
            "opt/app/requirements.txt"
        );
        let cloud = g.location.cloud.as_ref().unwrap();
        assert_eq!(
            (
                cloud.resource_id.as_str(),
                cloud.account.as_deref(),
                cloud.region.as_deref()
            ),
            (
                "i-1234567890abcdef0",
                Some("123456789012"),
                Some("us-east-1")
            )
        );
        assert_eq!(g.external_id.as_deref(), Some("arn:aws:inspector2:us-east-1:123456789012:finding/1b2c3d4e5f60718293a4b5c6d7e8f90a"));
    }

    #[test]
    fn code_and_network_findings() {
        let parsed = check(SAMPLE);
        let f = &parsed.findings[2];
        assert_eq!(
            (f.category, f.severity, f.status),
            (Category::Sast, Severity::High, Status::Accepted)
        );
        assert_eq!(
            (f.cwe(), f.rule_id.as_deref()),
            (
                Some(89),
                Some("python-avoid-string-formatting-in-sql-queries")
            )
        );
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.end_line),
            ("src/orders/handler.py", Some(40), Some(42))
        );
        assert!(f.tags.iter().any(|t| t == "injection"));
        let n = &parsed.findings[3];
        assert_eq!((n.category, n.severity), (Category::Cloud, Severity::Low));
        let description = n.description.as_deref().unwrap();
        assert!(description.contains("Open ports: 22 TCP"), "{description}");
        assert!(
            description.contains("AWS::EC2::InternetGateway igw-0123456789abcdef0 -> "),
            "{description}"
        );
    }

    #[test]
    fn untriaged_uses_the_score_and_other_shapes_are_refused() {
        let parsed = check(
            r#"{"findings": [{"findingArn": "arn:aws:inspector2:us-east-1:123456789012:finding/ab", "type": "PACKAGE_VULNERABILITY",
               "title": "CVE-2024-0001 - zlib", "severity": "UNTRIAGED", "inspectorScore": 7.5, "status": "ACTIVE",
               "packageVulnerabilityDetails": {"vulnerabilityId": "CVE-2024-0001", "vulnerablePackages": null}}]}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::High, Some("UNTRIAGED"))
        );
        let codeguru = br#"{"findings": [{"id": "x", "detectorId": "python/sql-injection@v1.0", "vulnerability": {}}]}"#;
        assert!(!AwsInspector2.detect(&Input::new(codeguru)));
        let hub =
            br#"{"findings": [{"SchemaVersion": "2018-10-08", "Id": "x", "ProductArn": "p"}]}"#;
        assert!(!AwsInspector2.detect(&Input::new(hub)));
        assert!(AwsInspector2
            .parse(&Input::new(br#"{"Findings": []}"#))
            .is_err());
    }
}
