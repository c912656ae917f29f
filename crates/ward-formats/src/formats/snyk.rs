//! Snyk CLI JSON for open source and containers (`snyk test --json`, `snyk test --all-projects
//! --json`, `snyk container test --json`): one project object, or a list of them, each with its
//! `vulnerabilities` (one entry per vulnerable dependency *path*), the vulnerabilities ignored by
//! policy (`filtered.ignore`), the upgrade `remediation`, and for container images the
//! `applications` found inside the image. <https://docs.snyk.io/snyk-cli/commands/test>
//!
//! One finding per entry, as Snyk lists them, so a vulnerable package reached by several paths
//! is several findings with one fingerprint. Entries of `applications` follow those of their
//! image; ignored entries are kept with status `accepted`. The severity is Snyk's own rating
//! (which for distribution packages follows the distribution, not the CVSS score). The file is
//! the project's manifest; the dependency path is the evidence. Licence issues are `license`
//! findings. Snyk Code's SARIF output is read by the SARIF format.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{
    Category, Cvss, CvssVersion, Epss, FileLocation, Finding, ImageLocation, PackageLocation,
    Severity, Status,
};

use super::sca_common::{npm_advisory_id, Entries, Scalar, Strings};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Snyk Open Source and Snyk Container.
pub(crate) struct Snyk;

const TOOL: &str = "Snyk";

#[derive(Deserialize)]
struct Project {
    #[serde(default)]
    error: Scalar,
    vulnerabilities: Option<Vec<Vulnerability>>,
    #[serde(rename = "projectName")]
    project_name: Option<String>,
    #[serde(rename = "displayTargetFile")]
    display_target_file: Option<String>,
    #[serde(rename = "targetFile")]
    target_file: Option<String>,
    docker: Option<serde::de::IgnoredAny>,
    remediation: Option<Remediation>,
    filtered: Option<Filtered>,
    #[serde(default)]
    applications: Vec<Project>,
}

#[derive(Deserialize)]
struct Remediation {
    #[serde(default)]
    upgrade: Entries<Upgrade>,
}

#[derive(Deserialize)]
struct Upgrade {
    #[serde(rename = "upgradeTo")]
    upgrade_to: Option<String>,
    #[serde(default)]
    vulns: Strings,
}

#[derive(Deserialize)]
struct Filtered {
    #[serde(default)]
    ignore: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Vulnerability {
    id: Option<String>,
    title: Option<String>,
    severity: Option<String>,
    #[serde(rename = "severityWithCritical")]
    severity_with_critical: Option<String>,
    #[serde(rename = "cvssScore", default)]
    cvss_score: Scalar,
    #[serde(rename = "CVSSv3")]
    cvss_v3: Option<String>,
    #[serde(rename = "cvssSources", default)]
    cvss_sources: Vec<CvssSource>,
    #[serde(default)]
    identifiers: Entries<Strings>,
    #[serde(rename = "packageName")]
    package_name: Option<String>,
    name: Option<String>,
    #[serde(default)]
    version: Scalar,
    #[serde(default)]
    from: Vec<String>,
    #[serde(rename = "upgradePath", default)]
    upgrade_path: Vec<Scalar>,
    #[serde(rename = "fixedIn", default)]
    fixed_in: Strings,
    description: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
    #[serde(rename = "epssDetails")]
    epss: Option<EpssDetails>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "packageManager")]
    package_manager: Option<String>,
    semver: Option<Semver>,
    exploit: Option<String>,
    filtered: Option<IgnoreDetails>,
}

#[derive(Deserialize)]
struct CvssSource {
    #[serde(rename = "type")]
    kind: Option<String>,
    vector: Option<String>,
    #[serde(rename = "baseScore", default)]
    base_score: Scalar,
    assigner: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    url: Option<String>,
}

#[derive(Deserialize)]
struct EpssDetails {
    #[serde(default)]
    probability: Scalar,
    #[serde(default)]
    percentile: Scalar,
}

#[derive(Deserialize)]
struct Semver {
    #[serde(default)]
    vulnerable: Strings,
}

#[derive(Deserialize)]
struct IgnoreDetails {
    #[serde(default)]
    ignored: Vec<IgnoreReason>,
}

#[derive(Deserialize)]
struct IgnoreReason {
    reason: Option<String>,
}

/// What a project's findings share.
struct Context<'a> {
    project: &'a Project,
    /// The container image, for image projects and the applications inside them.
    image: Option<String>,
    /// The project's remediation: vulnerability id → (package to upgrade, version to take).
    upgrades: HashMap<&'a str, (&'a str, &'a str)>,
}

impl<'a> Context<'a> {
    fn new(project: &'a Project, image: Option<String>) -> Context<'a> {
        let mut upgrades = HashMap::new();
        for (from, upgrade) in project.remediation.iter().flat_map(|r| &r.upgrade.0) {
            let Some(to) = upgrade
                .upgrade_to
                .as_deref()
                .filter(|t| !t.trim().is_empty())
            else {
                continue;
            };
            for id in upgrade.vulns.iter() {
                upgrades.entry(id).or_insert((from.as_str(), to));
            }
        }
        Context {
            project,
            image,
            upgrades,
        }
    }
}

impl Parser for Snyk {
    fn id(&self) -> &'static str {
        "snyk"
    }

    fn name(&self) -> &'static str {
        "Snyk"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Snyk Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(v) = input.json() else {
            return false;
        };
        let project = |p: &serde_json::Value| {
            p.get("packageManager").is_some()
                && (p.get("dependencyCount").is_some() || p.get("uniqueCount").is_some())
                && (p.get("vulnerabilities").is_some() || p.get("ok").is_some())
        };
        match v {
            serde_json::Value::Array(items) => items.first().is_some_and(project),
            other => project(other),
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let projects: Vec<Project> = if matches!(input.json(), Some(serde_json::Value::Array(_))) {
            de::json(input.bytes())?
        } else {
            vec![de::json(input.bytes())?]
        };
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        for (index, project) in projects.iter().enumerate() {
            if project.vulnerabilities.is_none() {
                if let Some(error) = &project.error.0 {
                    if projects.len() == 1 {
                        return Err(Error::Field {
                            field: "error".into(),
                            message: format!("Snyk reports an error: {error}"),
                        });
                    }
                    parsed
                        .warnings
                        .push(format!("[{index}]: Snyk reports an error: {error}"));
                }
            }
            let image = project
                .project_name
                .as_deref()
                .and_then(|n| n.strip_prefix("docker-image|"))
                .map(str::to_string)
                .or_else(|| {
                    project
                        .docker
                        .as_ref()
                        .and(non_empty(project.project_name.as_deref()))
                });
            project_findings(&Context::new(project, image), &mut parsed.findings);
        }
        Ok(parsed)
    }
}

fn project_findings(context: &Context<'_>, out: &mut Vec<Finding>) {
    let project = context.project;
    for v in project.vulnerabilities.iter().flatten() {
        out.push(finding(context, v));
    }
    for v in project.filtered.iter().flat_map(|f| &f.ignore) {
        let mut f = finding(context, v);
        f.status = Status::Accepted;
        let reasons: Vec<String> = v
            .filtered
            .iter()
            .flat_map(|d| &d.ignored)
            .filter_map(|r| non_empty(r.reason.as_deref()))
            .collect();
        if !reasons.is_empty() {
            let text = f.description.take().unwrap_or_default();
            f.description = Some(format!("Ignored in Snyk: {}\n\n{text}", reasons.join("; ")));
        }
        out.push(f);
    }
    for application in &project.applications {
        let inner = Context::new(application, context.image.clone());
        project_findings(&inner, out);
    }
}

fn finding(context: &Context<'_>, v: &Vulnerability) -> Finding {
    let project = context.project;
    let id = non_empty(v.id.as_deref());
    let heading = non_empty(v.title.as_deref())
        .or_else(|| id.clone())
        .unwrap_or_else(|| "Snyk issue".into());
    let title = match v.from.first() {
        Some(root) => format!("{root}: {heading}"),
        None => heading,
    };
    let category = if v.kind.as_deref() == Some("license") {
        Category::License
    } else if context.image.is_some() {
        Category::Container
    } else {
        Category::Dependency
    };
    let mut f = Finding::new(TOOL, category, title);
    let score = v.cvss_score.number();
    let label =
        non_empty(v.severity_with_critical.as_deref()).or_else(|| non_empty(v.severity.as_deref()));
    f.severity = match (&label, score) {
        (Some(label), _) if Severity::from_label(label).is_some() => {
            Severity::from_label(label).unwrap_or(Severity::Low)
        }
        (_, Some(score)) => Severity::from_cvss_score(score),
        _ => Severity::Low,
    };
    f.tool_severity = label;
    f.rule_id = id.clone();
    if let Some(id) = &id {
        f.add_id(id);
    }
    for (kind, values) in &v.identifiers.0 {
        for value in values.iter() {
            match kind.as_str() {
                "CWE" => f.add_cwe(value),
                "NSP" => f.add_id(&npm_advisory_id(value)),
                _ => f.add_id(value),
            }
        }
    }
    if let Some(vector) = v.cvss_v3.as_deref() {
        if let Some(mut cvss) = Cvss::from_vector(vector, score) {
            cvss.source = Some("snyk".into());
            f.cvss.push(cvss);
        }
    }
    for source in &v.cvss_sources {
        let primary = source.kind.as_deref() == Some("primary");
        let Some(mut cvss) = source
            .vector
            .as_deref()
            .and_then(|vector| Cvss::from_vector(vector, source.base_score.number()))
        else {
            continue;
        };
        // The v3 primary rating is `CVSSv3` already; add v4 and other versions.
        if primary && cvss.version != CvssVersion::V3_0 && cvss.version != CvssVersion::V3_1 {
            cvss.source = source.assigner.as_deref().map(str::to_ascii_lowercase);
            if !f.cvss.iter().any(|c| c.vector == cvss.vector) {
                f.cvss.push(cvss);
            }
        }
    }
    if let Some(epss) = &v.epss {
        if let Some(score) = epss.probability.number() {
            f.epss = Some(Epss {
                score,
                percentile: epss.percentile.number(),
            });
        }
    }

    let name = non_empty(v.package_name.as_deref())
        .or_else(|| non_empty(v.name.as_deref()))
        .unwrap_or_else(|| "?".into());
    let version = v.version.0.clone();
    let fixed = &v.fixed_in.0;
    f.location.package = Some(PackageLocation {
        name: name.clone(),
        version: version.clone(),
        ecosystem: non_empty(v.package_manager.as_deref()),
        purl: None,
        fixed_version: (!fixed.is_empty()).then(|| fixed.join(", ")),
    });
    let manifest = non_empty(project.display_target_file.as_deref())
        .or_else(|| non_empty(project.target_file.as_deref()));
    if let Some(manifest) = manifest {
        f.location.file = Some(FileLocation::new(manifest, None));
    }
    if let Some(image) = &context.image {
        f.location.image = Some(ImageLocation {
            name: image.clone(),
            ..ImageLocation::default()
        });
    }
    if !v.from.is_empty() {
        f.evidence = Some(format!("Introduced through: {}", v.from.join(" > ")));
    }

    let description = v.description.as_deref().unwrap_or("");
    let mut header = vec![format!(
        "Vulnerable package: {name}{}",
        version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default()
    )];
    if let Some(semver) = &v.semver {
        if !semver.vulnerable.0.is_empty() {
            header.push(format!(
                "Vulnerable versions: {}",
                semver.vulnerable.0.join(", ")
            ));
        }
    }
    if let Some(exploit) = non_empty(v.exploit.as_deref()).filter(|e| e != "Not Defined") {
        header.push(format!("Exploit maturity: {exploit}"));
        f.tags.push(format!("exploit:{exploit}"));
    }
    f.description = Some(
        format!("{}\n\n{}", header.join("\n"), description.trim())
            .trim()
            .to_string(),
    );

    let mut remediation = Vec::new();
    if let Some(section) = markdown_section(description, "## Remediation") {
        remediation.push(section);
    }
    if let Some(upgrade) = upgrade_advice(context, v) {
        remediation.push(upgrade);
    }
    f.remediation = (!remediation.is_empty()).then(|| remediation.join("\n"));

    for reference in &v.references {
        if let Some(url) = reference.url.as_deref() {
            f.add_reference(url);
        }
    }
    if let Some(id) = id.as_deref().filter(|i| i.starts_with("SNYK-")) {
        f.add_reference(&format!("https://security.snyk.io/vuln/{id}"));
    }
    f
}

/// The text under a Markdown heading, up to the next heading.
fn markdown_section(text: &str, heading: &str) -> Option<String> {
    let start = text.find(heading)? + heading.len();
    let rest = &text[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    non_empty(Some(&rest[..end]))
}

/// The upgrade Snyk proposes for this entry: from the project's remediation, else from the
/// entry's own upgrade path.
fn upgrade_advice(context: &Context<'_>, v: &Vulnerability) -> Option<String> {
    let id = v.id.as_deref()?;
    if let Some((from, to)) = context.upgrades.get(id) {
        return Some(format!("Upgrade {from} to {to}."));
    }
    let (index, to) = v
        .upgrade_path
        .iter()
        .enumerate()
        .find_map(|(i, step)| step.0.as_deref().map(|s| (i, s)))?;
    match v.from.get(index) {
        Some(from) => Some(format!("Upgrade {from} to {to}.")),
        None => Some(format!("Upgrade to {to}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Snyk.detect(&input));
        Snyk.parse(&input).unwrap()
    }

    const VULN: &str = r###"{"id":"SNYK-JAVA-ORGAPACHESANTUARIO-460281","title":"XML External Entity (XXE) Injection","CVSSv3":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:L",
        "cvssScore":6.5,"severity":"medium","severityWithCritical":"medium","identifiers":{"CVE":["CVE-2019-12400"],"CWE":["CWE-611"],"NSP":[1234]},
        "packageName":"org.apache.santuario:xmlsec","version":"2.1.1","from":["com.test:myframework@1.0.0-SNAPSHOT","org.apache.santuario:xmlsec@2.1.1"],
        "upgradePath":[false,"org.apache.santuario:xmlsec@2.1.4"],"fixedIn":["2.1.4"],"packageManager":"maven","semver":{"vulnerable":["[2.0.3, 2.1.4)"]},
        "description":"## Overview\nXXE.\n## Remediation\nUpgrade `org.apache.santuario:xmlsec` to version 2.1.4 or higher.\n## References\n- x",
        "references":[{"title":"GitHub Commit","url":"https://github.com/apache/santuario-java/commit/52ae824"}]}"###;

    #[test]
    fn single_project() {
        let json = format!(
            r#"{{"ok":false,"dependencyCount":5,"packageManager":"maven","projectName":"com.test:myframework","displayTargetFile":"pom.xml","vulnerabilities":[{VULN}],
            "remediation":{{"upgrade":{{"org.apache.santuario:xmlsec@2.1.1":{{"upgradeTo":"org.apache.santuario:xmlsec@2.1.4","vulns":["SNYK-JAVA-ORGAPACHESANTUARIO-460281"]}}}}}},
            "filtered":{{"ignore":[{VULN}],"patch":[]}}}}"#
        );
        let parsed = check(&json);
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "com.test:myframework@1.0.0-SNAPSHOT: XML External Entity (XXE) Injection"
        );
        assert_eq!(
            (f.severity, f.category, f.cwe()),
            (Severity::Medium, Category::Dependency, Some(611))
        );
        assert_eq!(
            f.rule_id.as_deref(),
            Some("SNYK-JAVA-ORGAPACHESANTUARIO-460281")
        );
        assert!(f.identifiers.iter().any(|i| i.value == "NPM-1234"));
        assert_eq!(f.location.file.as_ref().unwrap().path, "pom.xml");
        assert_eq!(
            f.evidence.as_deref(),
            Some("Introduced through: com.test:myframework@1.0.0-SNAPSHOT > org.apache.santuario:xmlsec@2.1.1")
        );
        let remediation = f.remediation.as_deref().unwrap();
        assert!(
            remediation.contains(
                "Upgrade org.apache.santuario:xmlsec@2.1.1 to org.apache.santuario:xmlsec@2.1.4."
            ),
            "{remediation}"
        );
        assert_eq!(f.cvss[0].score, Some(6.5));
        assert_eq!(parsed.findings[1].status, Status::Accepted);
    }

    #[test]
    fn container_with_applications() {
        let json = format!(
            r#"[{{"ok":false,"dependencyCount":9,"packageManager":"deb","projectName":"docker-image|sarim04/juiceshop","docker":{{}},
            "vulnerabilities":[{{"id":"SNYK-DEBIAN11-GCC10-5901313","title":"CVE-2023-4039","severity":"low","cvssScore":4.8,"packageName":"gcc-10",
            "version":"10.2.1-6","from":["docker-image|sarim04/juiceshop@latest","gcc-10/libgcc-s1@10.2.1-6"],"epssDetails":{{"percentile":"0.14414","probability":"0.00046"}},
            "identifiers":{{"CVE":["CVE-2023-4039"],"CWE":[]}}}}],
            "applications":[{{"ok":false,"dependencyCount":1,"packageManager":"npm","targetFile":"/juice-shop/package.json","vulnerabilities":[{VULN}]}}]}}]"#
        );
        let parsed = check(&json);
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "docker-image|sarim04/juiceshop@latest: CVE-2023-4039"
        );
        assert_eq!(
            (f.category, f.severity),
            (Category::Container, Severity::Low)
        );
        assert_eq!(f.location.image.as_ref().unwrap().name, "sarim04/juiceshop");
        assert_eq!(f.epss.unwrap().score, 0.00046);
        let app = &parsed.findings[1];
        assert_eq!(
            app.location.file.as_ref().unwrap().path,
            "/juice-shop/package.json"
        );
        assert_eq!(app.category, Category::Container);
    }

    #[test]
    fn errors() {
        let input = Input::new(
            br#"{"ok":false,"error":"Could not detect supported target files","path":"."}"#,
        );
        assert!(!Snyk.detect(&input));
        assert!(Snyk
            .parse(&input)
            .unwrap_err()
            .to_string()
            .contains("Could not detect"));
    }
}
