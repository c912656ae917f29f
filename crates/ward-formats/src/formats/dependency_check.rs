//! OWASP Dependency-Check XML reports (`--format XML`), schema 1.x (`identifier` elements,
//! flat `cvssScore`/`cvss*` fields) to 2.x and later (`package` identifiers, `cvssV2`/`cvssV3`
//! blocks, `cwes`, `relatedDependencies`). <https://owasp.org/www-project-dependency-check/>
//!
//! One finding per vulnerability of each dependency. Related dependencies (other files
//! Dependency-Check grouped with the dependency) are listed in the description rather than
//! repeated. A `suppressedVulnerability` is kept, with the `accepted` status and the
//! suppression notes.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, PackageLocation, Severity, Status};

use super::package_common::{CvssPicker, Purl};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// OWASP Dependency-Check.
pub(crate) struct DependencyCheck;

const TOOL: &str = "Dependency-Check";

#[derive(Deserialize)]
struct Analysis {
    #[serde(rename = "projectInfo")]
    project_info: Option<ProjectInfo>,
    dependencies: Option<Dependencies>,
}

#[derive(Deserialize)]
struct ProjectInfo {
    #[serde(rename = "reportDate")]
    report_date: Option<String>,
}

#[derive(Deserialize)]
struct Dependencies {
    #[serde(default)]
    dependency: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Dependency {
    #[serde(rename = "fileName")]
    file_name: Option<String>,
    #[serde(rename = "filePath")]
    file_path: Option<String>,
    #[serde(rename = "evidenceCollected")]
    evidence: Option<EvidenceCollected>,
    identifiers: Option<Identifiers>,
    #[serde(rename = "relatedDependencies")]
    related: Option<RelatedDependencies>,
    vulnerabilities: Option<Vulnerabilities>,
}

#[derive(Deserialize)]
struct EvidenceCollected {
    #[serde(default)]
    evidence: Vec<Evidence>,
}

#[derive(Deserialize)]
struct Evidence {
    #[serde(rename = "@type")]
    ty: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct Identifiers {
    #[serde(rename = "$value", default)]
    items: Vec<IdentifierItem>,
}

#[derive(Deserialize)]
enum IdentifierItem {
    #[serde(rename = "package")]
    Package(Identifier),
    #[serde(rename = "identifier")]
    Identifier(Identifier),
    #[serde(rename = "vulnerabilityIds")]
    VulnerabilityIds(Identifier),
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Identifier {
    #[serde(rename = "@type")]
    ty: Option<String>,
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct RelatedDependencies {
    #[serde(rename = "relatedDependency", default)]
    related: Vec<RelatedDependency>,
}

#[derive(Deserialize)]
struct RelatedDependency {
    #[serde(rename = "fileName")]
    file_name: Option<String>,
    #[serde(rename = "filePath")]
    file_path: Option<String>,
}

#[derive(Deserialize)]
struct Vulnerabilities {
    #[serde(rename = "$value", default)]
    items: Vec<VulnerabilityItem>,
}

#[derive(Deserialize)]
enum VulnerabilityItem {
    #[serde(rename = "vulnerability")]
    Active(Vulnerability),
    #[serde(rename = "suppressedVulnerability")]
    Suppressed(Vulnerability),
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(rename = "@source")]
    source: Option<String>,
    name: Option<String>,
    severity: Option<String>,
    // Schema 1.x
    #[serde(rename = "cvssScore")]
    cvss_score: Option<String>,
    #[serde(rename = "cvssAccessVector")]
    cvss_access_vector: Option<String>,
    #[serde(rename = "cvssAccessComplexity")]
    cvss_access_complexity: Option<String>,
    #[serde(rename = "cvssAuthenticationr")]
    cvss_authentication: Option<String>,
    #[serde(rename = "cvssConfidentialImpact")]
    cvss_confidential_impact: Option<String>,
    #[serde(rename = "cvssIntegrityImpact")]
    cvss_integrity_impact: Option<String>,
    #[serde(rename = "cvssAvailabilityImpact")]
    cvss_availability_impact: Option<String>,
    cwe: Option<String>,
    // Schema 2.x
    #[serde(rename = "cvssV2")]
    cvss_v2: Option<CvssV2>,
    #[serde(rename = "cvssV3")]
    cvss_v3: Option<CvssV3>,
    cwes: Option<Cwes>,
    description: Option<String>,
    notes: Option<String>,
    references: Option<References>,
    #[serde(rename = "vulnerableSoftware")]
    vulnerable_software: Option<VulnerableSoftware>,
}

#[derive(Deserialize)]
struct CvssV2 {
    score: Option<String>,
    #[serde(rename = "accessVector")]
    access_vector: Option<String>,
    #[serde(rename = "accessComplexity")]
    access_complexity: Option<String>,
    #[serde(rename = "authenticationr")]
    authentication: Option<String>,
    #[serde(rename = "confidentialImpact")]
    confidential_impact: Option<String>,
    #[serde(rename = "integrityImpact")]
    integrity_impact: Option<String>,
    #[serde(rename = "availabilityImpact")]
    availability_impact: Option<String>,
    severity: Option<String>,
}

#[derive(Deserialize)]
struct CvssV3 {
    #[serde(rename = "baseScore")]
    base_score: Option<String>,
    #[serde(rename = "attackVector")]
    attack_vector: Option<String>,
    #[serde(rename = "attackComplexity")]
    attack_complexity: Option<String>,
    #[serde(rename = "privilegesRequired")]
    privileges_required: Option<String>,
    #[serde(rename = "userInteraction")]
    user_interaction: Option<String>,
    scope: Option<String>,
    #[serde(rename = "confidentialityImpact")]
    confidentiality_impact: Option<String>,
    #[serde(rename = "integrityImpact")]
    integrity_impact: Option<String>,
    #[serde(rename = "availabilityImpact")]
    availability_impact: Option<String>,
    #[serde(rename = "baseSeverity")]
    base_severity: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Cwes {
    #[serde(default)]
    cwe: Vec<String>,
}

#[derive(Deserialize)]
struct References {
    #[serde(default)]
    reference: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    url: Option<String>,
}

#[derive(Deserialize)]
struct VulnerableSoftware {
    #[serde(default)]
    software: Vec<Software>,
}

#[derive(Deserialize)]
struct Software {
    #[serde(rename = "@vulnerabilityIdMatched")]
    id_matched: Option<String>,
    #[serde(rename = "@matched")]
    matched: Option<String>,
    #[serde(rename = "@versionEndExcluding")]
    version_end_excluding: Option<String>,
}

impl Parser for DependencyCheck {
    fn id(&self) -> &'static str {
        "dependency-check"
    }

    fn name(&self) -> &'static str {
        "OWASP Dependency-Check"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Dependency Check Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.xml().is_some_and(|x| {
            x.root == "analysis"
                && (x
                    .attributes
                    .iter()
                    .any(|(_, v)| v.to_ascii_lowercase().contains("dependency-check"))
                    || (x.has_element("dependencies")
                        && (x.has_element("projectInfo") || x.has_element("scanInfo"))))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let analysis: Analysis = de::xml(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            scan_time: analysis
                .project_info
                .as_ref()
                .and_then(|p| non_empty(p.report_date.as_deref())),
            ..Parsed::default()
        };
        let mut seen: HashMap<(String, String, String, bool), usize> = HashMap::new();
        let dependencies = analysis
            .dependencies
            .map(|d| d.dependency)
            .unwrap_or_default();
        for (i, dependency) in dependencies.iter().enumerate() {
            let Some(vulnerabilities) = &dependency.vulnerabilities else {
                continue;
            };
            let component = component(dependency);
            for item in &vulnerabilities.items {
                let (vulnerability, suppressed) = match item {
                    VulnerabilityItem::Active(v) => (v, false),
                    VulnerabilityItem::Suppressed(v) => (v, true),
                    VulnerabilityItem::Other => continue,
                };
                let Some(mut f) = finding(dependency, &component, vulnerability, suppressed) else {
                    parsed.warnings.push(format!(
                        "dependencies[{i}]: a vulnerability without a name; skipped"
                    ));
                    continue;
                };
                f.scan_time = parsed.scan_time.clone();
                let key = (
                    dependency
                        .file_name
                        .as_deref()
                        .unwrap_or("")
                        .trim()
                        .to_lowercase(),
                    dependency
                        .file_path
                        .as_deref()
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                    f.rule_id.clone().unwrap_or_default(),
                    suppressed,
                );
                match seen.get(&key) {
                    Some(&at) => parsed.findings[at].occurrences += 1,
                    None => {
                        seen.insert(key, parsed.findings.len());
                        parsed.findings.push(f);
                    }
                }
            }
        }
        Ok(parsed)
    }
}

/// The dependency's package: name, version, ecosystem, purl.
#[derive(Default)]
struct Component {
    name: Option<String>,
    version: Option<String>,
    ecosystem: Option<String>,
    purl: Option<String>,
}

/// A CPE's `vendor:product` and version (`cpe:/a:vendor:product:1.0`, `cpe:2.3:a:vendor:product:1.0:…`).
fn cpe_parts(cpe: &str) -> Option<(String, Option<String>)> {
    let cpe = cpe.trim();
    let parts: Vec<&str> = if let Some(rest) = cpe.strip_prefix("cpe:2.3:") {
        rest.split(':').skip(1).collect()
    } else {
        cpe.strip_prefix("cpe:/")?.split(':').skip(1).collect()
    };
    let vendor = parts
        .first()
        .copied()
        .filter(|v| !v.is_empty() && *v != "*")?;
    let product = parts
        .get(1)
        .copied()
        .filter(|p| !p.is_empty() && *p != "*")?;
    let version = parts
        .get(2)
        .copied()
        .filter(|v| !v.is_empty() && *v != "*" && *v != "-")
        .map(str::to_string);
    Some((format!("{vendor}:{product}"), version))
}

fn component(dependency: &Dependency) -> Component {
    let identifiers: Vec<&IdentifierItem> = dependency
        .identifiers
        .iter()
        .flat_map(|i| i.items.iter())
        .collect();
    // A package URL says it best.
    for item in &identifiers {
        if let IdentifierItem::Package(p) = item {
            let raw = non_empty(p.id.as_deref()).or_else(|| non_empty(p.name.as_deref()));
            if let Some(purl) = raw.as_deref().and_then(Purl::parse) {
                return Component {
                    name: Some(purl.package_name()),
                    version: purl.version.clone(),
                    ecosystem: Some(purl.ecosystem()),
                    purl: raw,
                };
            }
        }
    }
    // Schema 1.x: `<identifier type="maven">` with `group:artifact:version`, or a CPE.
    for wanted in ["maven", "cpe"] {
        for item in &identifiers {
            let IdentifierItem::Identifier(ident) = item else {
                continue;
            };
            if !ident
                .ty
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(wanted))
            {
                continue;
            }
            let Some(value) =
                non_empty(ident.name.as_deref()).or_else(|| non_empty(ident.id.as_deref()))
            else {
                continue;
            };
            if wanted == "maven" {
                let parts: Vec<&str> = value.split(':').collect();
                if let [group, artifact, version] = parts.as_slice() {
                    return Component {
                        name: Some(format!("{group}:{artifact}")),
                        version: Some(version.to_string()),
                        ecosystem: Some("Maven".into()),
                        purl: Some(format!("pkg:maven/{group}/{artifact}@{version}")),
                    };
                }
            } else if let Some((name, version)) = cpe_parts(&value) {
                return Component {
                    name: Some(name),
                    version,
                    ..Component::default()
                };
            }
        }
    }
    for item in &identifiers {
        if let IdentifierItem::VulnerabilityIds(ident) = item {
            if let Some((name, version)) = ident.id.as_deref().and_then(cpe_parts) {
                return Component {
                    name: Some(name),
                    version,
                    ..Component::default()
                };
            }
        }
    }
    // What the analyzers collected as evidence.
    let evidence = |ty: &str| {
        dependency
            .evidence
            .iter()
            .flat_map(|e| e.evidence.iter())
            .filter(|e| e.ty.as_deref() == Some(ty))
            .find_map(|e| non_empty(e.value.as_deref()))
    };
    if let Some(product) = evidence("product") {
        return Component {
            name: Some(product),
            version: evidence("version"),
            ..Component::default()
        };
    }
    Component {
        name: non_empty(dependency.file_name.as_deref()),
        ..Component::default()
    }
}

/// The first letter of each metric value (`NETWORK` → `N`, `LOW` → `L`, `N` → `N`).
fn metric(value: Option<&str>) -> Option<char> {
    value
        .map(str::trim)
        .and_then(|v| v.chars().next())
        .map(|c| c.to_ascii_uppercase())
}

fn v3_vector(c: &CvssV3) -> Option<String> {
    let metrics = [
        ("AV", metric(c.attack_vector.as_deref())?),
        ("AC", metric(c.attack_complexity.as_deref())?),
        ("PR", metric(c.privileges_required.as_deref())?),
        ("UI", metric(c.user_interaction.as_deref())?),
        ("S", metric(c.scope.as_deref())?),
        ("C", metric(c.confidentiality_impact.as_deref())?),
        ("I", metric(c.integrity_impact.as_deref())?),
        ("A", metric(c.availability_impact.as_deref())?),
    ];
    let version = c
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| *v == "3.0" || *v == "3.1")
        .unwrap_or("3.1");
    let body: Vec<String> = metrics.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    Some(format!("CVSS:{version}/{}", body.join("/")))
}

fn v2_vector(
    access_vector: Option<&str>,
    access_complexity: Option<&str>,
    authentication: Option<&str>,
    confidentiality: Option<&str>,
    integrity: Option<&str>,
    availability: Option<&str>,
) -> Option<String> {
    Some(format!(
        "AV:{}/AC:{}/Au:{}/C:{}/I:{}/A:{}",
        metric(access_vector)?,
        metric(access_complexity)?,
        metric(authentication)?,
        metric(confidentiality)?,
        metric(integrity)?,
        metric(availability)?
    ))
}

fn number(text: Option<&str>) -> Option<f64> {
    text?.trim().parse().ok()
}

/// The leading `CWE-n` of a CWE field (`CWE-79 Improper Neutralization …`); `NVD-CWE-Other`
/// and the like name none.
fn cwe_of(text: &str) -> Option<String> {
    let rest = text.trim().strip_prefix("CWE-")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

fn finding(
    dependency: &Dependency,
    component: &Component,
    v: &Vulnerability,
    suppressed: bool,
) -> Option<Finding> {
    let name = non_empty(v.name.as_deref())?;
    let package = component.name.clone().unwrap_or_default();
    let title = match &component.version {
        Some(version) => format!("{package}:{version} | {name}"),
        None if !package.is_empty() => format!("{package} | {name}"),
        None => name.clone(),
    };
    let mut f = Finding::new(TOOL, Category::Dependency, title);
    f.rule_id = Some(name.clone());
    // RetireJS names are sentences; only id-like names are identifiers.
    if !name.contains(char::is_whitespace) && name.len() <= 64 {
        f.add_id(&name);
    }
    for cwe in v.cwes.iter().flat_map(|c| c.cwe.iter()).chain(v.cwe.iter()) {
        if let Some(number) = cwe_of(cwe) {
            f.add_cwe(&number);
        }
    }

    let mut picker = CvssPicker::default();
    let v3 = v.cvss_v3.as_ref();
    if let Some(c) = v3 {
        let score = number(c.base_score.as_deref());
        match v3_vector(c) {
            Some(vector) => picker.vector(Some(&vector), score, v.source.as_deref()),
            None => picker.score(ward_core::CvssVersion::V3_1, score, v.source.as_deref()),
        }
    }
    if let Some(c) = &v.cvss_v2 {
        let vector = v2_vector(
            c.access_vector.as_deref(),
            c.access_complexity.as_deref(),
            c.authentication.as_deref(),
            c.confidential_impact.as_deref(),
            c.integrity_impact.as_deref(),
            c.availability_impact.as_deref(),
        );
        let score = number(c.score.as_deref());
        match vector {
            Some(vector) => picker.vector(Some(&vector), score, v.source.as_deref()),
            None => picker.score(ward_core::CvssVersion::V2, score, v.source.as_deref()),
        }
    }
    if v.cvss_score.is_some() {
        let vector = v2_vector(
            v.cvss_access_vector.as_deref(),
            v.cvss_access_complexity.as_deref(),
            v.cvss_authentication.as_deref(),
            v.cvss_confidential_impact.as_deref(),
            v.cvss_integrity_impact.as_deref(),
            v.cvss_availability_impact.as_deref(),
        );
        let score = number(v.cvss_score.as_deref());
        match vector {
            Some(vector) => picker.vector(Some(&vector), score, v.source.as_deref()),
            None => picker.score(ward_core::CvssVersion::V2, score, v.source.as_deref()),
        }
    }
    let best_score = picker.best_score();
    f.cvss = picker.into_vec();

    // Severity: CVSS v3's rating, else the report's, else CVSS v2's; medium when unrated.
    let v3_label = v3.and_then(|c| non_empty(c.base_severity.as_deref()));
    let v3_score = v3.and_then(|c| number(c.base_score.as_deref()));
    let report_label = non_empty(v.severity.as_deref());
    let v2_label = v
        .cvss_v2
        .as_ref()
        .and_then(|c| non_empty(c.severity.as_deref()));
    f.severity = v3_label
        .as_deref()
        .and_then(Severity::from_label)
        .or_else(|| v3_score.map(Severity::from_cvss_score))
        .or_else(|| report_label.as_deref().and_then(Severity::from_label))
        .or_else(|| v2_label.as_deref().and_then(Severity::from_label))
        .or_else(|| best_score.map(Severity::from_cvss_score))
        .unwrap_or(Severity::Medium);
    f.tool_severity = report_label.or(v3_label).or(v2_label);

    // The fixed version: the exclusive upper bound of the vulnerable range that matched.
    let fixed = v
        .vulnerable_software
        .iter()
        .flat_map(|s| s.software.iter())
        .filter(|s| {
            [s.id_matched.as_deref(), s.matched.as_deref()]
                .into_iter()
                .flatten()
                .any(|m| m.trim() == "true")
        })
        .find_map(|s| non_empty(s.version_end_excluding.as_deref()));
    f.location.package = component.name.clone().map(|name| PackageLocation {
        name,
        version: component.version.clone(),
        ecosystem: component.ecosystem.clone(),
        purl: component.purl.clone(),
        fixed_version: fixed.clone(),
    });
    f.location.file =
        non_empty(dependency.file_name.as_deref()).map(|p| FileLocation::new(p, None));

    let mut description = Vec::new();
    if let Some(text) = non_empty(v.description.as_deref()) {
        description.push(squash(&text));
    }
    if let Some(path) = non_empty(dependency.file_path.as_deref()) {
        description.push(format!("File: {}", path.trim()));
    }
    let related: Vec<String> = dependency
        .related
        .iter()
        .flat_map(|r| r.related.iter())
        .filter_map(|r| {
            non_empty(r.file_path.as_deref()).or_else(|| non_empty(r.file_name.as_deref()))
        })
        .map(|p| squash(&p))
        .collect();
    if !related.is_empty() {
        description.push(format!("Related dependencies:\n{}", related.join("\n")));
    }
    if let Some(source) = non_empty(v.source.as_deref()) {
        description.push(format!("Source: {source}"));
    }
    if suppressed {
        f.status = Status::Accepted;
        let notes = non_empty(v.notes.as_deref())
            .map(|n| squash(&n))
            .unwrap_or_else(|| "no notes given".into());
        description.push(format!("Suppressed in Dependency-Check: {notes}"));
    }
    f.description = Some(description.join("\n\n"));
    if let Some(fixed) = fixed {
        f.remediation = Some(format!("Upgrade to version {fixed} or later."));
    }
    for reference in v.references.iter().flat_map(|r| r.reference.iter()) {
        if let Some(url) = non_empty(reference.url.as_deref()) {
            f.add_reference(&url);
        }
    }
    Some(f)
}

/// Collapses the line breaks and indentation pretty-printed XML puts inside text.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str) -> Parsed {
        let input = Input::new(xml.as_bytes());
        assert!(DependencyCheck.detect(&input), "not detected: {xml}");
        DependencyCheck.parse(&input).unwrap()
    }

    #[test]
    fn schema_2_with_suppression() {
        let parsed = check(
            r#"<?xml version="1.0"?>
<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd">
  <projectInfo><name>x</name><reportDate>2022-12-14T01:35:43Z</reportDate></projectInfo>
  <dependencies>
    <dependency isVirtual="false">
      <fileName>log4j-api-2.12.4.jar</fileName>
      <filePath>/repo/log4j-api-2.12.4.jar</filePath>
      <identifiers>
        <package confidence="HIGH"><id>pkg:maven/org.apache.logging.log4j/log4j-api@2.12.4</id></package>
        <vulnerabilityIds confidence="HIGHEST"><id>cpe:2.3:a:apache:log4j:2.12.4:*:*:*:*:*:*:*</id></vulnerabilityIds>
      </identifiers>
      <relatedDependencies><relatedDependency><fileName>log4j-core-2.12.4.jar</fileName><filePath>/repo/log4j-core-2.12.4.jar</filePath></relatedDependency></relatedDependencies>
      <vulnerabilities>
        <vulnerability source="NVD">
          <name>CVE-2020-9488</name><severity>LOW</severity>
          <cvssV2><score>4.3</score><accessVector>NETWORK</accessVector><accessComplexity>MEDIUM</accessComplexity>
            <authenticationr>NONE</authenticationr><confidentialImpact>PARTIAL</confidentialImpact><integrityImpact>NONE</integrityImpact>
            <availabilityImpact>NONE</availabilityImpact><severity>MEDIUM</severity></cvssV2>
          <cvssV3><baseScore>3.7</baseScore><attackVector>NETWORK</attackVector><attackComplexity>HIGH</attackComplexity>
            <privilegesRequired>NONE</privilegesRequired><userInteraction>NONE</userInteraction><scope>UNCHANGED</scope>
            <confidentialityImpact>LOW</confidentialityImpact><integrityImpact>NONE</integrityImpact><availabilityImpact>NONE</availabilityImpact>
            <baseSeverity>LOW</baseSeverity><version>3.1</version></cvssV3>
          <cwes><cwe>CWE-295</cwe><cwe>NVD-CWE-Other</cwe></cwes>
          <description>Improper validation of certificate.</description>
          <references><reference><source>MISC</source><url>https://example.com/a</url><name>a</name></reference></references>
          <vulnerableSoftware><software vulnerabilityIdMatched="true" versionEndExcluding="2.12.5">cpe:2.3:a:apache:log4j:*</software></vulnerableSoftware>
        </vulnerability>
        <suppressedVulnerability source="OSSINDEX">
          <name>CVE-2015-3208</name>
          <cvssV3><baseScore>9.8</baseScore><attackVector>N</attackVector><attackComplexity>L</attackComplexity>
            <privilegesRequired>N</privilegesRequired><userInteraction>N</userInteraction><scope>U</scope>
            <confidentialityImpact>H</confidentialityImpact><integrityImpact>H</integrityImpact><availabilityImpact>H</availabilityImpact>
            <baseSeverity>CRITICAL</baseSeverity></cvssV3>
          <notes>Not used
            here.</notes>
        </suppressedVulnerability>
      </vulnerabilities>
    </dependency>
  </dependencies>
</analysis>"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        assert_eq!(parsed.scan_time.as_deref(), Some("2022-12-14T01:35:43Z"));
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "org.apache.logging.log4j:log4j-api:2.12.4 | CVE-2020-9488"
        );
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::Low, Some("LOW"))
        );
        assert_eq!(f.cwe(), Some(295));
        let v3 = f.best_cvss().unwrap();
        assert_eq!(
            (v3.vector.as_deref(), v3.score),
            (
                Some("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"),
                Some(3.7)
            )
        );
        assert!(f
            .cvss
            .iter()
            .any(|c| c.vector.as_deref() == Some("AV:N/AC:M/Au:N/C:P/I:N/A:N")));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.fixed_version.as_deref(), Some("2.12.5"));
        assert_eq!(package.ecosystem.as_deref(), Some("Maven"));
        assert_eq!(
            f.location.file.as_ref().unwrap().path,
            "log4j-api-2.12.4.jar"
        );
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .contains("/repo/log4j-core-2.12.4.jar"));

        let suppressed = &parsed.findings[1];
        assert_eq!(
            (suppressed.status, suppressed.severity),
            (Status::Accepted, Severity::Critical)
        );
        assert!(suppressed
            .description
            .as_deref()
            .unwrap()
            .contains("Suppressed in Dependency-Check: Not used here."));
    }

    #[test]
    fn schema_1_identifiers() {
        let parsed = check(
            r#"<?xml version="1.0"?>
<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.1.3.xsd">
  <projectInfo><name>Test</name></projectInfo>
  <dependencies><dependency><fileName>component2.dll</fileName>
    <identifiers><identifier type="maven" confidence="HIGHEST"><name>org.owasp:library:6.7.8</name></identifier></identifiers>
    <vulnerabilities><vulnerability><name>CVE-0000-0001</name><cvssScore>7.5</cvssScore>
      <cvssAccessVector>NETWORK</cvssAccessVector><cvssAccessComplexity>LOW</cvssAccessComplexity><cvssAuthenticationr>NONE</cvssAuthenticationr>
      <cvssConfidentialImpact>PARTIAL</cvssConfidentialImpact><cvssIntegrityImpact>PARTIAL</cvssIntegrityImpact><cvssAvailabilityImpact>PARTIAL</cvssAvailabilityImpact>
      <severity>Moderate</severity><cwe>CWE-00 Bad Vulnerability</cwe><description>Bad.</description></vulnerability></vulnerabilities>
  </dependency>
  <dependency><fileName>jquery.js</fileName>
    <evidenceCollected><evidence type="vendor"><value>jquery</value></evidence><evidence type="product"><value>jquery</value></evidence>
      <evidence type="version"><value>1.8.1</value></evidence></evidenceCollected>
    <vulnerabilities><vulnerability source="RETIREJS"><name>Selector interpreted as HTML</name><severity>medium</severity></vulnerability></vulnerabilities>
  </dependency></dependencies>
</analysis>"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(f.title, "org.owasp:library:6.7.8 | CVE-0000-0001");
        assert_eq!(f.severity, Severity::Medium);
        assert_eq!(f.cwe(), None);
        assert_eq!(
            f.cvss[0].vector.as_deref(),
            Some("AV:N/AC:L/Au:N/C:P/I:P/A:P")
        );
        let retire = &parsed.findings[1];
        assert_eq!(retire.title, "jquery:1.8.1 | Selector interpreted as HTML");
        assert!(retire.identifiers.is_empty());
    }

    #[test]
    fn not_dependency_check() {
        assert!(!DependencyCheck.detect(&Input::new(b"<analysis/>")));
        assert!(!DependencyCheck.detect(&Input::new(b"<bom/>")));
    }
}
