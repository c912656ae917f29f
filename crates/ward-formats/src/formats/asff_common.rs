//! The AWS Security Finding Format (ASFF, schema `2018-10-08`), shared by the Security Hub export
//! (`{"Findings": [...]}`) and raw ASFF lists (Prowler, custom integrations).
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format.html>
//!
//! One ASFF finding becomes one ward finding, whichever product wrote it: Security Hub controls
//! and AWS Config rules, GuardDuty, Inspector (packages with their CVEs, CVSS and EPSS), Macie,
//! Prowler … The triage state comes from `RecordState`, `Compliance.Status`,
//! `Workflow.Status`, `VerificationState` and Inspector's own `FindingStatus`. Entries with the
//! same `Id` (an export that repeats a finding) are merged, counting `occurrences`.
//!
//! Findings ward wrote (`ward convert --to asff`, marked by `ProductFields["ward/Fingerprint"]`)
//! carry the ward fields in `ward/…` product fields and in the resources' `Details.Other`; they
//! are read back from there (see [`ward_finding`]) as the findings they came from.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use ward_core::{
    Category, CloudLocation, Confidence, Cvss, CvssVersion, Epss, FileLocation, Finding,
    Identifier, IdentifierKind, ImageLocation, PackageLocation, Severity, Status, WebLocation,
};

use super::lenient;
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed};

/// A Security Hub export: `{"Findings": [...]}` (`aws securityhub get-findings`); some tools
/// write `findings`.
#[derive(Deserialize)]
struct Export {
    #[serde(
        rename = "Findings",
        alias = "findings",
        default,
        deserialize_with = "lenient::list"
    )]
    findings: Vec<AsffFinding>,
}

/// Reads either shape: the export object or a bare list of findings.
pub(crate) fn read(input: &Input<'_>) -> Result<Vec<AsffFinding>, Error> {
    let bytes = input.bytes();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'[') {
        de::json(input.bytes())
    } else {
        de::json::<Export>(input.bytes()).map(|e| e.findings)
    }
}

/// Whether a sniffed value is an ASFF finding.
pub(crate) fn is_asff(value: &serde_json::Value) -> bool {
    let has = |k: &str| value.get(k).is_some();
    has("ProductArn") && (has("SchemaVersion") || has("GeneratorId")) && (has("Id") || has("Title"))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AsffFinding {
    id: Option<String>,
    product_arn: Option<String>,
    product_name: Option<String>,
    region: Option<String>,
    generator_id: Option<String>,
    aws_account_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    types: Vec<String>,
    severity: Option<AsffSeverity>,
    #[serde(default, deserialize_with = "lenient::float")]
    confidence: Option<f64>,
    title: Option<String>,
    description: Option<String>,
    source_url: Option<String>,
    remediation: Option<Remediation>,
    #[serde(default)]
    product_fields: Option<ProductFields>,
    #[serde(default, deserialize_with = "lenient::list")]
    resources: Vec<Resource>,
    compliance: Option<Compliance>,
    workflow_state: Option<String>,
    workflow: Option<Workflow>,
    record_state: Option<String>,
    verification_state: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    vulnerabilities: Vec<Vulnerability>,
    /// Not in the ASFF schema, but some exports put the EPSS score at the top level.
    #[serde(default, deserialize_with = "lenient::float")]
    epss_score: Option<f64>,
    finding_provider_fields: Option<ProviderFields>,
}

/// A string, or a number written where a string belongs.
#[derive(Deserialize)]
struct Text(#[serde(deserialize_with = "lenient::text")] Option<String>);

/// The few `ProductFields` entries ward uses. GuardDuty and Inspector write dozens of keys per
/// finding; the rest are skipped without being stored.
#[derive(Default)]
struct ProductFields {
    finding_status: Option<String>,
    control_id: Option<String>,
    rule_id: Option<String>,
    product_name: Option<String>,
    provider_name: Option<String>,
    platform: Option<String>,
    /// ward's own fields (`ward/Tool` …), by the name after `ward/`, as written.
    ward: HashMap<String, String>,
}

/// Which [`ProductFields`] entry a key names.
enum FieldKey {
    FindingStatus,
    ControlId,
    RuleId,
    ProductName,
    ProviderName,
    Platform,
    Ward(String),
    Other,
}

impl<'de> Deserialize<'de> for FieldKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = FieldKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a ProductFields key")
            }
            fn visit_str<E>(self, key: &str) -> Result<FieldKey, E> {
                Ok(match key {
                    "aws/inspector/FindingStatus" => FieldKey::FindingStatus,
                    "ControlId" => FieldKey::ControlId,
                    "RuleId" => FieldKey::RuleId,
                    "aws/securityhub/ProductName" => FieldKey::ProductName,
                    "ProviderName" => FieldKey::ProviderName,
                    k if k.ends_with("/platform") => FieldKey::Platform,
                    k if k.starts_with("ward/") => FieldKey::Ward(k[5..].to_string()),
                    _ => FieldKey::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for ProductFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = ProductFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of product fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ProductFields, A::Error> {
                let mut fields = ProductFields::default();
                while let Some(key) = map.next_key::<FieldKey>()? {
                    let slot = match key {
                        FieldKey::FindingStatus => &mut fields.finding_status,
                        FieldKey::ControlId => &mut fields.control_id,
                        FieldKey::RuleId => &mut fields.rule_id,
                        FieldKey::ProductName => &mut fields.product_name,
                        FieldKey::ProviderName => &mut fields.provider_name,
                        FieldKey::Platform => &mut fields.platform,
                        FieldKey::Ward(name) => {
                            let Text(value) = map.next_value()?;
                            if let Some(value) = value {
                                fields.ward.insert(name, value);
                            }
                            continue;
                        }
                        FieldKey::Other => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    let Text(value) = map.next_value()?;
                    if slot.is_none() {
                        *slot = value.and_then(|v| non_empty(Some(&v)));
                    }
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AsffSeverity {
    label: Option<String>,
    original: Option<String>,
    #[serde(default, deserialize_with = "lenient::float")]
    normalized: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderFields {
    severity: Option<AsffSeverity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Remediation {
    recommendation: Option<Recommendation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Recommendation {
    text: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    #[serde(rename = "Type")]
    resource_type: Option<String>,
    id: Option<String>,
    region: Option<String>,
    details: Option<ResourceDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceDetails {
    aws_ecr_container_image: Option<EcrImage>,
    container: Option<Container>,
    /// `Other`: a map of texts.
    #[serde(default, deserialize_with = "lenient::text_map")]
    other: HashMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Container {
    image_name: Option<String>,
    image_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EcrImage {
    repository_name: Option<String>,
    image_digest: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    image_tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Compliance {
    status: Option<String>,
    security_control_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    related_requirements: Vec<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    status_reasons: Vec<StatusReason>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusReason {
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Workflow {
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vulnerability {
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    vulnerable_packages: Vec<VulnerablePackage>,
    #[serde(default, deserialize_with = "lenient::list")]
    cvss: Vec<AsffCvss>,
    #[serde(default, deserialize_with = "lenient::list")]
    related_vulnerabilities: Vec<String>,
    vendor: Option<Vendor>,
    #[serde(default, deserialize_with = "lenient::list")]
    reference_urls: Vec<String>,
    exploit_available: Option<String>,
    #[serde(default, deserialize_with = "lenient::float")]
    epss_score: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    code_vulnerabilities: Vec<CodeVulnerability>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VulnerablePackage {
    source_layer_hash: Option<String>,
    name: Option<String>,
    version: Option<String>,
    release: Option<String>,
    package_manager: Option<String>,
    file_path: Option<String>,
    fixed_in_version: Option<String>,
    remediation: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AsffCvss {
    version: Option<String>,
    #[serde(default, deserialize_with = "lenient::float")]
    base_score: Option<f64>,
    base_vector: Option<String>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vendor {
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CodeVulnerability {
    #[serde(default, deserialize_with = "lenient::list")]
    cwes: Vec<String>,
    file_path: Option<CodeFilePath>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CodeFilePath {
    file_name: Option<String>,
    file_path: Option<String>,
    #[serde(default, deserialize_with = "lenient::whole")]
    start_line: Option<u32>,
    #[serde(default, deserialize_with = "lenient::whole")]
    end_line: Option<u32>,
}

impl AsffFinding {
    fn product_field(&self, pick: fn(&ProductFields) -> &Option<String>) -> Option<String> {
        self.product_fields.as_ref().and_then(|f| pick(f).clone())
    }

    /// The ward fields of a finding ward wrote.
    fn ward(&self) -> Option<&HashMap<String, String>> {
        self.product_fields
            .as_ref()
            .map(|f| &f.ward)
            .filter(|w| w.contains_key("Fingerprint"))
    }

    /// The product that reported the finding (`Inspector`, `GuardDuty`, `Prowler` …; for
    /// findings ward converted, the tool behind them).
    fn product(&self) -> String {
        if let Some(tool) = self
            .ward()
            .and_then(|w| non_empty(w.get("Tool").map(String::as_str)))
        {
            return tool;
        }
        non_empty(self.product_name.as_deref())
            .or_else(|| self.product_field(|f| &f.product_name))
            .or_else(|| self.product_field(|f| &f.provider_name))
            .or_else(|| {
                let arn = self.product_arn.as_deref()?;
                non_empty(arn.rsplit('/').next())
            })
            .unwrap_or_else(|| "AWS Security Hub".to_string())
    }

    fn is_product(&self, name: &str) -> bool {
        self.product_arn
            .as_deref()
            .is_some_and(|arn| arn.ends_with(&format!("/aws/{name}")))
            || self
                .product_name
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(name))
    }
}

/// The findings of a report, merged by `Id`.
pub(crate) fn parsed(findings: Vec<AsffFinding>, tool: Option<String>) -> Parsed {
    let mut parsed = Parsed {
        tool,
        ..Parsed::default()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, entry) in findings.iter().enumerate() {
        let Some(finding) = finding(entry) else {
            parsed.warnings.push(format!(
                "[{index}]: finding has no Id, Title or GeneratorId; skipped"
            ));
            continue;
        };
        let id = non_empty(entry.id.as_deref());
        match id.as_ref().and_then(|id| seen.get(id)) {
            Some(&at) => {
                if let Some(first) = parsed.findings.get_mut(at) {
                    first.occurrences += 1;
                }
            }
            None => {
                if let Some(id) = id {
                    seen.insert(id, parsed.findings.len());
                }
                parsed.findings.push(finding);
            }
        }
    }
    if parsed.tool.is_none() {
        parsed.tool = findings.first().map(AsffFinding::product);
    }
    parsed
}

/// One ASFF finding as a ward finding; `None` when it names nothing at all.
fn finding(a: &AsffFinding) -> Option<Finding> {
    if let Some(ward) = a.ward() {
        return Some(ward_finding(a, ward));
    }
    let title = non_empty(a.title.as_deref())
        .or_else(|| non_empty(a.generator_id.as_deref()))
        .or_else(|| non_empty(a.id.as_deref()))?;
    let resource = a.resources.first();
    let ecr = a.resources.iter().find_map(|r| {
        let details = r.details.as_ref()?.aws_ecr_container_image.as_ref();
        let is_image = r.resource_type.as_deref() == Some("AwsEcrContainerImage");
        (is_image || details.is_some()).then_some((r, details))
    });
    let packages: Vec<&VulnerablePackage> = a
        .vulnerabilities
        .iter()
        .flat_map(|v| &v.vulnerable_packages)
        .collect();
    let code = a
        .vulnerabilities
        .iter()
        .flat_map(|v| &v.code_vulnerabilities)
        .next();
    let is_cve = a.types.iter().any(|t| t.contains("Vulnerabilities/CVE"));
    let category = if code.is_some() {
        Category::Sast
    } else if !packages.is_empty() || (is_cve && a.is_product("inspector")) {
        if ecr.is_some() {
            Category::Container
        } else {
            Category::Dependency
        }
    } else {
        Category::Cloud
    };

    let mut f = Finding::new(
        a.product(),
        category,
        format!("{title}{}", title_suffix(resource)),
    );
    severity(&mut f, a);
    f.confidence = a.confidence.map(|c| {
        if c >= 70.0 {
            Confidence::High
        } else if c >= 40.0 {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    });
    f.external_id = non_empty(a.id.as_deref());

    // Identifiers, CVSS, EPSS.
    for v in &a.vulnerabilities {
        if let Some(id) = v.id.as_deref() {
            f.add_id(id);
        }
        for id in &v.related_vulnerabilities {
            f.add_id(id);
        }
        for cvss in &v.cvss {
            let rating = cvss
                .base_vector
                .as_deref()
                .and_then(|vector| Cvss::from_vector(vector, cvss.base_score))
                .or_else(|| {
                    Cvss::from_score(cvss_version(cvss.version.as_deref())?, cvss.base_score?)
                });
            if let Some(mut rating) = rating {
                rating.source = non_empty(cvss.source.as_deref());
                if !f.cvss.contains(&rating) {
                    f.cvss.push(rating);
                }
            }
        }
        for cwe in v.code_vulnerabilities.iter().flat_map(|c| &c.cwes) {
            f.add_cwe(cwe);
        }
        if v.exploit_available.as_deref() == Some("YES")
            && !f.tags.iter().any(|t| t == "exploit-available")
        {
            f.tags.push("exploit-available".into());
        }
    }
    // Inspector names the vulnerability first in its titles ("CVE-2022-3643 - kernel"), which
    // is all an entry without a Vulnerabilities list says of it.
    if a.vulnerabilities.is_empty() && a.is_product("inspector") {
        if let Some(id) = title
            .split_whitespace()
            .next()
            .and_then(Identifier::parse)
            .filter(|i| matches!(i.kind, IdentifierKind::Cve | IdentifierKind::Ghsa))
        {
            f.add_identifier(id);
        }
    }
    f.epss = a
        .vulnerabilities
        .iter()
        .find_map(|v| v.epss_score)
        .or(a.epss_score)
        .filter(|s| (0.0..=1.0).contains(s))
        .map(|score| Epss {
            score,
            percentile: None,
        });
    f.rule_id = a
        .vulnerabilities
        .iter()
        .find_map(|v| non_empty(v.id.as_deref()))
        .or_else(|| f.vulnerability_ids().next().map(|i| i.value.clone()))
        .or_else(|| a.product_field(|f| &f.control_id))
        .or_else(|| {
            a.compliance
                .as_ref()
                .and_then(|c| non_empty(c.security_control_id.as_deref()))
        })
        .or_else(|| a.product_field(|f| &f.rule_id))
        .or_else(|| {
            if a.is_product("guardduty") {
                a.types.first().and_then(|t| non_empty(Some(t)))
            } else {
                None
            }
        })
        .or_else(|| non_empty(a.generator_id.as_deref()));

    // Where.
    if let Some(r) = resource {
        if let Some(id) = non_empty(r.id.as_deref()) {
            f.location.cloud = Some(CloudLocation {
                resource_id: id,
                resource_type: non_empty(r.resource_type.as_deref()),
                provider: Some("aws".into()),
                account: non_empty(a.aws_account_id.as_deref()),
                region: non_empty(r.region.as_deref()).or_else(|| non_empty(a.region.as_deref())),
            });
        }
    }
    if let Some(package) = packages.first() {
        f.location.package = package_location(
            package.name.as_deref(),
            package.version.as_deref(),
            package.release.as_deref(),
            package.package_manager.as_deref(),
            package.fixed_in_version.as_deref(),
        );
        if ecr.is_none() {
            if let Some(path) = non_empty(package.file_path.as_deref()) {
                f.location.file = Some(FileLocation::new(path, None));
            }
        }
    }
    if let Some(path) = code.and_then(|c| c.file_path.as_ref()) {
        if let Some(file) =
            non_empty(path.file_path.as_deref()).or_else(|| non_empty(path.file_name.as_deref()))
        {
            f.location.file = Some(FileLocation {
                end_line: path.end_line,
                ..FileLocation::new(file, path.start_line)
            });
        }
    }
    if let Some((r, details)) = ecr {
        let repository = details.and_then(|d| non_empty(d.repository_name.as_deref()));
        let tag = details
            .and_then(|d| d.image_tags.first())
            .and_then(|t| non_empty(Some(t)));
        let from_arn =
            r.id.as_deref()
                .and_then(|id| id.split_once(":repository/"))
                .map(|(_, rest)| rest.split("/sha256:").next().unwrap_or(rest).to_string());
        if let Some(repository) = repository.or(from_arn) {
            f.location.image = Some(ImageLocation {
                name: match tag {
                    Some(tag) => format!("{repository}:{tag}"),
                    None => repository,
                },
                digest: details.and_then(|d| non_empty(d.image_digest.as_deref())),
                layer: None,
                os: a.product_field(|f| &f.platform),
            });
        }
    }

    // What and how to fix.
    f.description = Some(description(a, &packages)).filter(|d| !d.is_empty());
    let mut remediation = Vec::new();
    let recommendation = a
        .remediation
        .as_ref()
        .and_then(|r| r.recommendation.as_ref());
    if let Some(text) = recommendation.and_then(|r| non_empty(r.text.as_deref())) {
        if text != "None Provided" {
            remediation.push(text);
        }
    }
    for package in &packages {
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
    if !remediation.is_empty() {
        f.remediation = Some(remediation.join("\n"));
    }
    if let Some(url) = recommendation.and_then(|r| r.url.as_deref()) {
        f.add_reference(url);
    }
    if let Some(url) = a.source_url.as_deref() {
        f.add_reference(url);
    }
    for v in &a.vulnerabilities {
        if let Some(url) = v.vendor.as_ref().and_then(|vendor| vendor.url.as_deref()) {
            f.add_reference(url);
        }
        for url in &v.reference_urls {
            f.add_reference(url);
        }
    }
    status(&mut f, a);
    Some(f)
}

/// A finding ward wrote, read back from where ward's ASFF exporter put each field.
fn ward_finding(a: &AsffFinding, ward: &HashMap<String, String>) -> Finding {
    let field = |name: &str| ward.get(name).cloned();
    let lines = |name: &str| -> Vec<String> {
        ward.get(name)
            .map(|v| v.lines().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let category = field("Category")
        .and_then(|c| word(&c))
        .unwrap_or(Category::Cloud);
    let title = a.title.clone().unwrap_or_default();
    let mut f = Finding::new(field("Tool").unwrap_or_default(), category, title);
    let label = a.severity.as_ref().and_then(|s| s.label.as_deref());
    f.severity = field("Severity")
        .and_then(|s| word(&s))
        .or_else(|| label.and_then(Severity::from_label))
        .unwrap_or(Severity::Info);
    f.tool_severity = field("ToolSeverity");
    f.confidence = field("Confidence").and_then(|c| Confidence::from_label(&c));
    f.rule_id = field("RuleId");
    for id in lines("Identifiers") {
        f.add_id(&id);
    }
    f.description = non_empty(a.description.as_deref())
        .filter(|d| Some(d.as_str()) != non_empty(a.title.as_deref()).as_deref());
    f.remediation = a
        .remediation
        .as_ref()
        .and_then(|r| r.recommendation.as_ref())
        .and_then(|r| non_empty(r.text.as_deref()));
    f.references = lines("References");
    // The product field may be cut short; the vulnerability lists its web URLs in full.
    for url in a.vulnerabilities.iter().flat_map(|v| &v.reference_urls) {
        f.add_reference(url);
    }
    f.evidence = field("Evidence");
    f.status = field("Status").and_then(|s| word(&s)).unwrap_or_default();
    f.verified = field("Verified").as_deref() == Some("true");
    f.occurrences = field("Occurrences")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    f.scan_time = field("ScanTime");
    f.external_id = field("ExternalId");
    f.tags = field("Tags")
        .map(|t| t.split(", ").map(str::to_string).collect())
        .unwrap_or_default();
    let vulnerability = a.vulnerabilities.first();
    for cvss in vulnerability.iter().flat_map(|v| &v.cvss) {
        if let Some(version) = cvss_version(cvss.version.as_deref()) {
            f.cvss.push(Cvss {
                version,
                vector: non_empty(cvss.base_vector.as_deref()),
                score: cvss.base_score,
                source: non_empty(cvss.source.as_deref()),
            });
        }
    }
    f.epss = vulnerability.and_then(|v| v.epss_score).map(|score| Epss {
        score,
        percentile: field("EpssPercentile").and_then(|p| p.parse().ok()),
    });
    let layer = vulnerability
        .and_then(|v| v.vulnerable_packages.first())
        .and_then(|p| non_empty(p.source_layer_hash.as_deref()));

    // Each resource says by its details which part of the location it is; the one left is the
    // cloud resource, unless it only stands in for a finding without any location.
    let no_location = |r: &Resource| {
        a.resources.len() == 1
            && r.resource_type.as_deref() == Some("Other")
            && r.details.is_none()
            && r.id
                .as_deref()
                .is_some_and(|id| id == f.tool || id == "unknown")
    };
    for r in &a.resources {
        let empty = HashMap::new();
        let other = r.details.as_ref().map_or(&empty, |d| &d.other);
        let get = |key: &str| other.get(key).cloned();
        let number = |key: &str| get(key).and_then(|n| n.parse::<u32>().ok());
        let container = r.details.as_ref().and_then(|d| d.container.as_ref());
        if let Some(name) = get("Package") {
            f.location.package = Some(PackageLocation {
                name,
                version: get("Version"),
                ecosystem: get("Ecosystem"),
                purl: get("Purl"),
                fixed_version: get("FixedVersion"),
            });
        } else if let Some(path) = get("Path") {
            f.location.file = Some(FileLocation {
                path,
                start_line: number("StartLine"),
                end_line: number("EndLine"),
                start_column: number("StartColumn"),
                end_column: number("EndColumn"),
                snippet: get("Snippet"),
            });
        } else if let Some(url) = get("Url") {
            f.location.web = Some(WebLocation {
                url,
                method: get("Method"),
                parameter: get("Parameter"),
            });
        } else if r.resource_type.as_deref() == Some("Container") {
            let name = container
                .and_then(|c| c.image_name.clone())
                .or_else(|| r.id.clone())
                .unwrap_or_default();
            f.location.image = Some(ImageLocation {
                name,
                digest: container.and_then(|c| c.image_id.clone()),
                layer: get("Layer").or_else(|| layer.clone()),
                os: get("Os"),
            });
        } else if !no_location(r) {
            if let Some(id) = r.id.clone() {
                f.location.cloud = Some(CloudLocation {
                    resource_id: id,
                    resource_type: non_empty(r.resource_type.as_deref()).filter(|t| t != "Other"),
                    provider: get("Provider"),
                    account: get("Account"),
                    region: non_empty(r.region.as_deref()),
                });
            }
        }
    }
    if field("GeneratedRemediation").is_some() {
        // Made up by the exporter from the fixed version, which the package holds.
        f.remediation = None;
    }
    f
}

/// A ward word (`false_positive`, `iac` …) as the ward type it names.
fn word<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_string())).ok()
}

/// " - Image: repo/sha256:…" for images, " - Resource: <last part of the id>" for the rest, so
/// that one control failing on many resources gives distinct titles.
fn title_suffix(resource: Option<&Resource>) -> String {
    let Some(id) = resource.and_then(|r| non_empty(r.id.as_deref())) else {
        return String::new();
    };
    if resource.and_then(|r| r.resource_type.as_deref()) == Some("AwsEcrContainerImage") {
        if let Some((_, image)) = id.split_once('/') {
            return format!(" - Image: {image}");
        }
    }
    format!(" - Resource: {}", id.rsplit(':').next().unwrap_or(&id))
}

fn severity(f: &mut Finding, a: &AsffFinding) {
    let provider = a
        .finding_provider_fields
        .as_ref()
        .and_then(|p| p.severity.as_ref());
    let label = [a.severity.as_ref(), provider]
        .into_iter()
        .flatten()
        .find_map(|s| non_empty(s.label.as_deref()).or_else(|| non_empty(s.original.as_deref())));
    let normalized = a.severity.as_ref().and_then(|s| s.normalized);
    f.severity = label
        .as_deref()
        .and_then(Severity::from_label)
        .or_else(|| {
            // 0 informational, 1–39 low, 40–69 medium, 70–89 high, 90–100 critical.
            normalized.map(|n| match n {
                n if n >= 90.0 => Severity::Critical,
                n if n >= 70.0 => Severity::High,
                n if n >= 40.0 => Severity::Medium,
                n if n >= 1.0 => Severity::Low,
                _ => Severity::Info,
            })
        })
        .unwrap_or(Severity::Info);
    f.tool_severity = label;
}

fn status(f: &mut Finding, a: &AsffFinding) {
    let is = |value: Option<&str>, word: &str| {
        value.is_some_and(|v| v.trim().eq_ignore_ascii_case(word))
    };
    let workflow = a.workflow.as_ref().and_then(|w| w.status.as_deref());
    let compliance = a.compliance.as_ref().and_then(|c| c.status.as_deref());
    let inspector = a.product_field(|f| &f.finding_status);
    let verification = a.verification_state.as_deref();
    f.verified = is(verification, "TRUE_POSITIVE");
    f.status = if is(verification, "FALSE_POSITIVE") {
        Status::FalsePositive
    } else if is(a.record_state.as_deref(), "ARCHIVED")
        || is(compliance, "PASSED")
        || is(workflow, "RESOLVED")
        || (workflow.is_none() && is(a.workflow_state.as_deref(), "RESOLVED"))
        || is(inspector.as_deref(), "CLOSED")
    {
        Status::Mitigated
    } else if is(workflow, "SUPPRESSED")
        || (workflow.is_none() && is(a.workflow_state.as_deref(), "DEFERRED"))
        || is(inspector.as_deref(), "SUPPRESSED")
        || is(verification, "BENIGN_POSITIVE")
    {
        Status::Accepted
    } else {
        Status::Open
    };
}

fn description(a: &AsffFinding, packages: &[&VulnerablePackage]) -> String {
    let mut parts = Vec::new();
    if let Some(text) = non_empty(a.description.as_deref()) {
        parts.push(text);
    }
    let mut facts = Vec::new();
    if let Some(account) = non_empty(a.aws_account_id.as_deref()) {
        facts.push(format!("AWS account: {account}"));
    }
    if let Some(region) = non_empty(a.region.as_deref()) {
        facts.push(format!("Region: {region}"));
    }
    if let Some(generator) = non_empty(a.generator_id.as_deref()) {
        facts.push(format!("Generator: {generator}"));
    }
    for r in &a.resources {
        if let Some(id) = non_empty(r.id.as_deref()) {
            let kind = r.resource_type.as_deref().unwrap_or("Resource");
            facts.push(format!("Resource: {kind} {id}"));
        }
    }
    if packages.len() > 1 {
        for p in packages {
            let name = p.name.as_deref().unwrap_or("?");
            let version = p.version.as_deref().unwrap_or("");
            let mut line = format!("Package: {name} {version}").trim_end().to_string();
            if let Some(path) = non_empty(p.file_path.as_deref()) {
                line.push_str(&format!(" ({path})"));
            }
            facts.push(line);
        }
    }
    if let Some(c) = &a.compliance {
        if let Some(status) = non_empty(c.status.as_deref()) {
            facts.push(format!("Compliance: {status}"));
        }
        if !c.related_requirements.is_empty() {
            facts.push(format!(
                "Requirements: {}",
                c.related_requirements.join(", ")
            ));
        }
        for reason in &c.status_reasons {
            if let Some(d) = non_empty(reason.description.as_deref()) {
                facts.push(format!("Reason: {d}"));
            }
        }
    }
    if !facts.is_empty() {
        parts.push(facts.join("\n"));
    }
    parts.join("\n\n")
}

/// A package as Inspector describes it (in ASFF and in its own API alike): the version joined
/// with its release, and `NotAvailable` meaning no fixed version.
pub(super) fn package_location(
    name: Option<&str>,
    version: Option<&str>,
    release: Option<&str>,
    manager: Option<&str>,
    fixed_in: Option<&str>,
) -> Option<PackageLocation> {
    let version = non_empty(version).map(|v| match non_empty(release) {
        Some(release) => format!("{v}-{release}"),
        None => v,
    });
    Some(PackageLocation {
        name: non_empty(name)?,
        version,
        ecosystem: non_empty(manager),
        purl: None,
        fixed_version: fixed_version(fixed_in),
    })
}

fn fixed_version(raw: Option<&str>) -> Option<String> {
    non_empty(raw).filter(|v| !v.eq_ignore_ascii_case("NotAvailable"))
}

/// The CVSS version as AWS writes it (`3.1`, `2.0`, `3`).
pub(super) fn cvss_version(raw: Option<&str>) -> Option<CvssVersion> {
    Some(match raw?.trim() {
        "2" | "2.0" => CvssVersion::V2,
        "3" | "3.0" => CvssVersion::V3_0,
        "3.1" => CvssVersion::V3_1,
        "4" | "4.0" => CvssVersion::V4,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(json: &str) -> Finding {
        let entry: AsffFinding = serde_json::from_str(json).unwrap();
        finding(&entry).unwrap()
    }

    #[test]
    fn inspector_package_finding() {
        let f = one(
            r#"{"SchemaVersion": "2018-10-08", "Id": "arn:aws:inspector2:eu-central-1:123456789012:finding/0f1e",
              "ProductArn": "arn:aws:securityhub:eu-central-1::product/aws/inspector", "ProductName": "Inspector",
              "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
              "Severity": {"Label": "HIGH", "Normalized": 70}, "Title": "CVE-2022-32149 - golang.org/x/text",
              "ProductFields": {"aws/inspector/FindingStatus": "ACTIVE",
                 "aws/inspector/resources/1/resourceDetails/awsEcrContainerImageDetails/platform": "DEBIAN_11"},
              "Resources": [{"Type": "AwsEcrContainerImage", "Region": "eu-central-1",
                 "Id": "arn:aws:ecr:eu-central-1:123456789012:repository/app/sha256:abcd",
                 "Details": {"AwsEcrContainerImage": {"RepositoryName": "app", "ImageDigest": "sha256:abcd", "ImageTags": ["1.2"]}}}],
              "Vulnerabilities": [{"Id": "CVE-2022-32149", "RelatedVulnerabilities": ["GHSA-69ch-w2m2-3vjp"],
                 "VulnerablePackages": [{"Name": "golang.org/x/text", "Version": "0.3.3", "PackageManager": "GOMOD",
                    "FilePath": "go.sum", "FixedInVersion": "0.3.8", "Remediation": "Update text to 0.3.8"}],
                 "Cvss": [{"Version": "3.1", "BaseScore": 7.5, "BaseVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "Source": "NVD"},
                          {"Version": "3.1", "BaseScore": 7.5, "BaseVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "Source": "NVD"}],
                 "EpssScore": 0.0014, "ExploitAvailable": "YES", "FixAvailable": "YES"}]}"#,
        );
        assert_eq!(
            f.title,
            "CVE-2022-32149 - golang.org/x/text - Image: app/sha256:abcd"
        );
        assert_eq!(
            (f.category, f.severity, f.tool.as_str()),
            (Category::Container, Severity::High, "Inspector")
        );
        assert_eq!(f.rule_id.as_deref(), Some("CVE-2022-32149"));
        assert_eq!(f.vulnerability_ids().count(), 2);
        assert_eq!(f.cvss.len(), 1);
        assert_eq!(f.epss.map(|e| e.score), Some(0.0014));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(
            (package.version.as_deref(), package.fixed_version.as_deref()),
            (Some("0.3.3"), Some("0.3.8"))
        );
        let image = f.location.image.as_ref().unwrap();
        assert_eq!(
            (image.name.as_str(), image.os.as_deref()),
            ("app:1.2", Some("DEBIAN_11"))
        );
        assert_eq!(
            f.location.cloud.as_ref().unwrap().account.as_deref(),
            Some("123456789012")
        );
        assert_eq!(f.tags, ["exploit-available"]);
        assert!(f.status.is_open());
    }

    #[test]
    fn control_states() {
        let control = |extra: &str| {
            one(&format!(
                r#"{{"SchemaVersion": "2018-10-08", "Id": "x", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
                  "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/IAM.5",
                  "Title": "IAM.5 MFA should be enabled", "Severity": {{"Normalized": 40}},
                  "ProductFields": {{"ControlId": "IAM.5", "aws/securityhub/ProductName": "Security Hub"}},
                  "Resources": [{{"Type": "AwsAccount", "Id": "AWS::::Account:123456789012"}}] {extra}}}"#
            ))
        };
        let f = control(
            r#", "Compliance": {"Status": "FAILED"}, "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE""#,
        );
        assert_eq!(
            (f.status, f.severity, f.category),
            (Status::Open, Severity::Medium, Category::Cloud)
        );
        assert_eq!(
            (f.title.as_str(), f.rule_id.as_deref(), f.tool.as_str()),
            (
                "IAM.5 MFA should be enabled - Resource: 123456789012",
                Some("IAM.5"),
                "Security Hub"
            )
        );
        assert_eq!(
            control(r#", "Compliance": {"Status": "PASSED"}"#).status,
            Status::Mitigated
        );
        assert_eq!(
            control(r#", "RecordState": "ARCHIVED""#).status,
            Status::Mitigated
        );
        assert_eq!(
            control(r#", "Workflow": {"Status": "SUPPRESSED"}"#).status,
            Status::Accepted
        );
        assert_eq!(
            control(r#", "VerificationState": "FALSE_POSITIVE""#).status,
            Status::FalsePositive
        );
    }
}
