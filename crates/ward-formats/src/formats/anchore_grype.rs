//! Anchore Grype JSON reports (`grype <target> -o json`), from the early 0.x schema to current
//! ones (`matches`, `ignoredMatches`, `source`, `distro`, `descriptor`).
//! <https://github.com/anchore/grype>
//!
//! Grype reports one match per place a package was found. Matches of the same vulnerability in
//! the same package (name, version, type) are one issue: they are merged into one finding whose
//! `occurrences` counts them. Ignored matches (by an ignore rule or a VEX statement) are kept
//! with a status that says so.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{
    Category, Epss, FileLocation, Finding, ImageLocation, PackageLocation, Severity, Status,
};

use super::package_common::{prefix_v3, CvssPicker, Purl};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Anchore Grype.
pub(crate) struct AnchoreGrype;

const TOOL: &str = "Grype";

#[derive(Deserialize)]
struct Report {
    matches: Option<Vec<Match>>,
    #[serde(rename = "ignoredMatches")]
    ignored_matches: Option<Vec<Match>>,
    source: Option<Source>,
    distro: Option<Distro>,
    descriptor: Option<Descriptor>,
}

#[derive(Deserialize)]
struct Match {
    vulnerability: Option<Vulnerability>,
    #[serde(rename = "relatedVulnerabilities")]
    related: Option<Vec<Vulnerability>>,
    artifact: Option<Artifact>,
    #[serde(rename = "appliedIgnoreRules")]
    applied_ignore_rules: Option<Vec<IgnoreRule>>,
}

#[derive(Deserialize)]
struct Vulnerability {
    id: Option<String>,
    #[serde(rename = "dataSource")]
    data_source: Option<String>,
    namespace: Option<String>,
    severity: Option<String>,
    urls: Option<Vec<String>>,
    description: Option<String>,
    cvss: Option<Vec<GrypeCvss>>,
    fix: Option<Fix>,
    epss: Option<Vec<GrypeEpss>>,
}

#[derive(Deserialize)]
struct GrypeCvss {
    source: Option<String>,
    version: Option<String>,
    vector: Option<String>,
    metrics: Option<Metrics>,
}

#[derive(Deserialize)]
struct Metrics {
    #[serde(rename = "baseScore")]
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Fix {
    versions: Option<Vec<String>>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct GrypeEpss {
    cve: Option<String>,
    epss: Option<f64>,
    percentile: Option<f64>,
}

#[derive(Deserialize)]
struct Artifact {
    name: Option<String>,
    version: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    locations: Option<Vec<ArtifactLocation>>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    path: Option<String>,
    #[serde(rename = "layerID")]
    layer_id: Option<String>,
}

#[derive(Deserialize)]
struct IgnoreRule {
    #[serde(rename = "vex-status")]
    vex_status: Option<String>,
    #[serde(rename = "fix-state")]
    fix_state: Option<String>,
    reason: Option<String>,
    #[serde(rename = "vex-justification")]
    vex_justification: Option<String>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    ty: Option<String>,
    target: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Distro {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Descriptor {
    name: Option<String>,
    timestamp: Option<String>,
}

impl Parser for AnchoreGrype {
    fn id(&self) -> &'static str {
        "anchore-grype"
    }

    fn name(&self) -> &'static str {
        "Anchore Grype"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Anchore Grype"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(object) = input.json().and_then(|j| j.as_object()) else {
            return false;
        };
        let grype_descriptor = object
            .get("descriptor")
            .and_then(|d| d.get("name"))
            .and_then(|n| n.as_str())
            .is_some_and(|n| n.eq_ignore_ascii_case("grype"));
        let match_shape = object
            .get("matches")
            .and_then(|m| m.as_array())
            .and_then(|m| m.first())
            .is_some_and(|m| m.get("vulnerability").is_some() && m.get("artifact").is_some());
        object.contains_key("matches") && (grype_descriptor || match_shape)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        if report.matches.is_none() && report.ignored_matches.is_none() {
            return Err(Error::WrongFormat {
                format: "anchore-grype",
                reason: "there is no `matches` list".into(),
            });
        }
        let mut parsed = Parsed {
            tool: Some(
                report
                    .descriptor
                    .as_ref()
                    .and_then(|d| non_empty(d.name.as_deref()))
                    .map(|n| if n == "grype" { TOOL.to_string() } else { n })
                    .unwrap_or_else(|| TOOL.into()),
            ),
            scan_time: report
                .descriptor
                .as_ref()
                .and_then(|d| non_empty(d.timestamp.as_deref())),
            ..Parsed::default()
        };
        let context = Context::new(report.source.as_ref(), report.distro.as_ref());
        let mut merged: HashMap<Key, usize> = HashMap::new();
        let lists = [
            ("matches", report.matches, false),
            ("ignoredMatches", report.ignored_matches, true),
        ];
        for (list, matches, ignored) in lists {
            for (i, m) in matches.into_iter().flatten().enumerate() {
                let Some((key, mut finding)) = finding(m, &context, ignored) else {
                    parsed.warnings.push(format!(
                        "{list}[{i}]: no vulnerability id or package name; skipped"
                    ));
                    continue;
                };
                finding.scan_time = parsed.scan_time.clone();
                match merged.get(&key) {
                    Some(&at) => {
                        let kept = &mut parsed.findings[at];
                        kept.occurrences += 1;
                        append_paths(kept, &finding);
                    }
                    None => {
                        merged.insert(key, parsed.findings.len());
                        parsed.findings.push(finding);
                    }
                }
            }
        }
        Ok(parsed)
    }
}

/// The scanned image (or directory) and its distribution, for every finding.
struct Context {
    image: Option<ImageLocation>,
}

impl Context {
    fn new(source: Option<&Source>, distro: Option<&Distro>) -> Context {
        let is_image = source
            .and_then(|s| s.ty.as_deref())
            .is_some_and(|t| t.eq_ignore_ascii_case("image"));
        let target = source.and_then(|s| s.target.as_ref());
        let field = |key: &str| {
            target
                .and_then(|t| t.get(key))
                .and_then(|v| v.as_str())
                .and_then(|v| non_empty(Some(v)))
        };
        let os = distro.and_then(|d| {
            let text = [d.name.as_deref(), d.version.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (!text.is_empty()).then_some(text)
        });
        let image = if is_image {
            field("userInput")
                .or_else(|| {
                    target
                        .and_then(|t| t.get("tags"))
                        .and_then(|t| t.as_array())
                        .and_then(|t| t.first())
                        .and_then(|t| t.as_str())
                        .and_then(|t| non_empty(Some(t)))
                })
                .map(|name| ImageLocation {
                    name,
                    digest: field("manifestDigest").or_else(|| field("imageID")),
                    layer: None,
                    os,
                })
        } else {
            None
        };
        Context { image }
    }
}

/// Grype's artifact types that are operating-system packages.
fn is_os_type(ty: &str) -> bool {
    matches!(ty, "deb" | "rpm" | "apk" | "alpm" | "portage" | "nix")
}

/// The ecosystem of a Grype artifact type.
fn type_ecosystem(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "deb" => "deb",
        "rpm" => "rpm",
        "apk" => "apk",
        "alpm" => "alpm",
        "python" => "PyPI",
        "java-archive" | "jenkins-plugin" => "Maven",
        "npm" => "npm",
        "gem" => "RubyGems",
        "go-module" => "Go",
        "rust-crate" => "crates.io",
        "dotnet" => "NuGet",
        "php-composer" | "php-pecl" => "Packagist",
        "hex" => "Hex",
        "dart-pub" => "Pub",
        "conan" => "ConanCenter",
        "cocoapods" => "CocoaPods",
        "swift" => "SwiftURL",
        "hackage" => "Hackage",
        "R-package" => "CRAN",
        "github-action" | "github-action-workflow" => "GitHub Actions",
        _ => return None,
    })
}

type Key = (String, String, String, String, bool);

fn finding(m: Match, context: &Context, ignored: bool) -> Option<(Key, Finding)> {
    let vuln = m.vulnerability?;
    let artifact = m.artifact?;
    let id = non_empty(vuln.id.as_deref())?;
    let ty = non_empty(artifact.ty.as_deref()).unwrap_or_default();
    let purl = non_empty(artifact.purl.as_deref());
    let parsed_purl = purl.as_deref().and_then(Purl::parse);
    // Grype names a Java archive by its artifact id; the purl has the group too.
    let name = match &parsed_purl {
        Some(p) if p.ty == "maven" && p.namespace.is_some() => Some(p.package_name()),
        _ => non_empty(artifact.name.as_deref()),
    }?;
    let version = non_empty(artifact.version.as_deref());
    let related = m.related.unwrap_or_default();

    let title = match &version {
        Some(version) => format!("{id} in {name}:{version}"),
        None => format!("{id} in {name}"),
    };
    let category = if is_os_type(&ty) {
        Category::Container
    } else {
        Category::Dependency
    };
    let mut f = Finding::new(TOOL, category, title);
    let label = non_empty(vuln.severity.as_deref());
    f.severity = label
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Info);
    f.tool_severity = label;
    f.rule_id = Some(id.clone());
    f.add_id(&id);
    for r in &related {
        if let Some(rid) = non_empty(r.id.as_deref()) {
            f.add_id(&rid);
        }
    }
    f.cvss = cvss(&vuln, &related);
    f.epss = vuln
        .epss
        .iter()
        .flatten()
        .chain(related.iter().flat_map(|r| r.epss.iter().flatten()))
        .find(|e| e.cve.is_none() || e.cve.as_deref() == f.primary_vulnerability_id())
        .and_then(|e| {
            e.epss.map(|score| Epss {
                score,
                percentile: e.percentile,
            })
        });

    let fixed = vuln.fix.as_ref().and_then(|fix| {
        let versions: Vec<&str> = fix
            .versions
            .iter()
            .flatten()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        (!versions.is_empty()).then(|| versions.join(", "))
    });
    let ecosystem = type_ecosystem(&ty)
        .map(str::to_string)
        .or_else(|| parsed_purl.as_ref().map(Purl::ecosystem));
    f.location.package = Some(PackageLocation {
        name: name.clone(),
        version: version.clone(),
        ecosystem,
        purl,
        fixed_version: fixed.clone(),
    });
    let first_location = artifact.locations.iter().flatten().next();
    f.location.file = first_location
        .and_then(|l| non_empty(l.path.as_deref()))
        .map(|p| FileLocation::new(p, None));
    f.location.image = context.image.clone().map(|mut image| {
        image.layer = first_location.and_then(|l| non_empty(l.layer_id.as_deref()));
        image
    });

    let description = non_empty(vuln.description.as_deref()).or_else(|| {
        related
            .iter()
            .find_map(|r| non_empty(r.description.as_deref()))
    });
    let paths: Vec<&str> = artifact
        .locations
        .iter()
        .flatten()
        .filter_map(|l| l.path.as_deref())
        .collect();
    let mut text = Vec::new();
    if let Some(description) = description {
        text.push(description);
    }
    if !paths.is_empty() {
        text.push(format!("Found at:\n{}", paths.join("\n")));
    }
    if !text.is_empty() {
        f.description = Some(text.join("\n\n"));
    }
    match (&fixed, vuln.fix.as_ref().and_then(|x| x.state.as_deref())) {
        (Some(fixed), _) => f.remediation = Some(format!("Upgrade to version {fixed}.")),
        (None, Some("wont-fix")) => {
            f.remediation = Some("The vendor will not fix this vulnerability.".into())
        }
        _ => {}
    }
    for url in vuln.data_source.iter().chain(vuln.urls.iter().flatten()) {
        f.add_reference(url);
    }
    for r in &related {
        for url in r.data_source.iter().chain(r.urls.iter().flatten()) {
            f.add_reference(url);
        }
    }
    if ignored {
        apply_ignore(&mut f, m.applied_ignore_rules.as_deref().unwrap_or(&[]));
    }
    let key = (
        id,
        name.to_lowercase(),
        version.unwrap_or_default(),
        ty,
        ignored,
    );
    Some((key, f))
}

/// One rating per CVSS version: NVD's first, then the matched record's own, then the rest.
fn cvss(vuln: &Vulnerability, related: &[Vulnerability]) -> Vec<ward_core::Cvss> {
    let is_nvd = |v: &Vulnerability| {
        v.namespace
            .as_deref()
            .is_some_and(|n| n.to_ascii_lowercase().starts_with("nvd"))
    };
    let mut ordered: Vec<&Vulnerability> = Vec::new();
    ordered.extend(std::iter::once(vuln).filter(|v| is_nvd(v)));
    ordered.extend(related.iter().filter(|v| is_nvd(v)));
    ordered.extend(std::iter::once(vuln).filter(|v| !is_nvd(v)));
    ordered.extend(related.iter().filter(|v| !is_nvd(v)));
    let mut picker = CvssPicker::default();
    for v in ordered {
        for c in v.cvss.iter().flatten() {
            let Some(vector) = non_empty(c.vector.as_deref()) else {
                continue;
            };
            let vector = match c.version.as_deref() {
                Some(version) if version.starts_with('3') && !vector.starts_with("CVSS:") => {
                    format!("CVSS:{version}/{vector}")
                }
                _ => prefix_v3(&vector),
            };
            let source = c
                .source
                .as_deref()
                .or(v.namespace.as_deref())
                .map(|s| s.split(':').next().unwrap_or(s));
            let score = c.metrics.as_ref().and_then(|m| m.base_score);
            picker.vector(Some(&vector), score, source);
        }
    }
    picker.into_vec()
}

/// The status of an ignored match, from the rule that ignored it.
fn apply_ignore(f: &mut Finding, rules: &[IgnoreRule]) {
    let vex = rules
        .iter()
        .find_map(|r| non_empty(r.vex_status.as_deref()))
        .map(|s| s.to_ascii_lowercase());
    f.status = match vex.as_deref() {
        Some("not_affected") | Some("fixed") => Status::Mitigated,
        _ => Status::Accepted,
    };
    let reasons: Vec<String> = rules
        .iter()
        .filter_map(|r| {
            non_empty(r.reason.as_deref())
                .or_else(|| non_empty(r.vex_justification.as_deref()))
                .or_else(|| non_empty(r.fix_state.as_deref()).map(|s| format!("fix state {s}")))
        })
        .collect();
    let note = if reasons.is_empty() {
        "Ignored by a Grype ignore rule.".to_string()
    } else {
        format!("Ignored by a Grype ignore rule: {}", reasons.join("; "))
    };
    f.description = Some(match f.description.take() {
        Some(d) => format!("{d}\n\n{note}"),
        None => note,
    });
}

/// Adds the merged match's paths to the kept finding's description.
fn append_paths(kept: &mut Finding, other: &Finding) {
    let Some(extra) = other
        .description
        .as_deref()
        .and_then(|d| d.split_once("Found at:\n"))
        .map(|(_, paths)| paths.split("\n\n").next().unwrap_or(paths).to_string())
    else {
        return;
    };
    if let Some(description) = &mut kept.description {
        if let Some(at) = description.find("Found at:\n") {
            let end = description[at..]
                .find("\n\n")
                .map_or(description.len(), |e| at + e);
            description.insert_str(end, &format!("\n{extra}"));
            return;
        }
        description.push_str(&format!("\n\nFound at:\n{extra}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::CvssVersion;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(AnchoreGrype.detect(&input), "not detected: {json}");
        AnchoreGrype.parse(&input).unwrap()
    }

    fn entry(path: &str) -> String {
        format!(
            r#"{{"vulnerability":{{"id":"GHSA-v6rh-hp5x-86rv","namespace":"github:python","severity":"High","cvss":[],
                 "fix":{{"versions":["3.2.10"],"state":"fixed"}},
                 "epss":[{{"cve":"CVE-2021-44420","epss":0.1,"percentile":0.9}}]}},
               "relatedVulnerabilities":[{{"id":"CVE-2021-44420","namespace":"nvd:cpe","description":"bypass",
                 "cvss":[{{"version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L","metrics":{{"baseScore":7.3}}}}]}}],
               "artifact":{{"name":"Django","version":"3.2.9","type":"python","purl":"pkg:pypi/Django@3.2.9",
                 "locations":[{{"path":"{path}","layerID":"sha256:l1"}}]}}}}"#
        )
    }

    #[test]
    fn merges_paths_and_fills_fields() {
        let parsed = check(&format!(
            r#"{{"matches":[{},{},
                {{"vulnerability":{{"id":"CVE-2023-39410","severity":"Negligible","fix":{{"versions":[],"state":"not-fixed"}}}},
                  "artifact":{{"name":"avro","version":"1.9.2","type":"java-archive","purl":"pkg:maven/org.apache.avro/avro@1.9.2"}}}}],
               "source":{{"type":"image","target":{{"userInput":"app:1","manifestDigest":"sha256:m"}}}},
               "distro":{{"name":"debian","version":"10"}},
               "descriptor":{{"name":"grype","version":"0.74.0","timestamp":"2024-01-01T00:00:00Z"}}}}"#,
            entry("/a/METADATA"),
            entry("/b/METADATA")
        ));
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "GHSA-v6rh-hp5x-86rv in Django:3.2.9");
        assert_eq!(f.occurrences, 2);
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2021-44420"));
        assert_eq!(f.category, Category::Dependency);
        assert_eq!(f.epss.unwrap().score, 0.1);
        assert_eq!(f.cvss[0].version, CvssVersion::V3_1);
        let description = f.description.as_deref().unwrap();
        assert!(
            description.contains("/a/METADATA\n/b/METADATA"),
            "{description}"
        );
        let image = f.location.image.as_ref().unwrap();
        assert_eq!(
            (
                image.name.as_str(),
                image.layer.as_deref(),
                image.os.as_deref()
            ),
            ("app:1", Some("sha256:l1"), Some("debian 10"))
        );
        assert_eq!(
            f.location
                .package
                .as_ref()
                .unwrap()
                .fixed_version
                .as_deref(),
            Some("3.2.10")
        );
        let java = &parsed.findings[1];
        assert_eq!(
            java.location.package.as_ref().unwrap().name,
            "org.apache.avro:avro"
        );
        assert_eq!(java.severity, Severity::Info);
        assert_eq!(java.scan_time.as_deref(), Some("2024-01-01T00:00:00Z"));
    }

    #[test]
    fn ignored_matches_keep_their_status() {
        let parsed = check(
            r#"{"matches":[],"ignoredMatches":[{"vulnerability":{"id":"CVE-1","severity":"High"},
                 "artifact":{"name":"libc6","version":"2.28","type":"deb"},
                 "appliedIgnoreRules":[{"vulnerability":"CVE-1","vex-status":"not_affected"}]}],
               "descriptor":{"name":"grype"}}"#,
        );
        assert_eq!(parsed.findings[0].status, Status::Mitigated);
        assert_eq!(parsed.findings[0].category, Category::Container);
    }

    #[test]
    fn same_fingerprint_as_trivy() {
        let grype = check(
            r#"{"matches":[{"vulnerability":{"id":"GHSA-xxxx-yyyy-zzzz","severity":"High"},
                 "relatedVulnerabilities":[{"id":"CVE-2018-11771","namespace":"nvd:cpe"}],
                 "artifact":{"name":"commons-compress","version":"1.14","type":"java-archive",
                   "purl":"pkg:maven/org.apache.commons/commons-compress@1.14"}},
                {"vulnerability":{"id":"CVE-2021-33574","severity":"Critical"},
                 "artifact":{"name":"libc6","version":"2.28-10","type":"deb"}}],
               "descriptor":{"name":"grype"}}"#,
        );
        let trivy_json = r#"{"SchemaVersion":2,"ArtifactName":"app","ArtifactType":"container_image","Results":[
            {"Target":"app (debian 10)","Class":"os-pkgs","Type":"debian","Vulnerabilities":[
              {"VulnerabilityID":"CVE-2021-33574","PkgName":"libc6","InstalledVersion":"2.28-10","Severity":"CRITICAL"}]},
            {"Target":"Java","Class":"lang-pkgs","Type":"jar","Vulnerabilities":[
              {"VulnerabilityID":"CVE-2018-11771","PkgName":"org.apache.commons:commons-compress","InstalledVersion":"1.14","Severity":"MEDIUM"}]}]}"#;
        let trivy = super::super::trivy::Trivy
            .parse(&Input::new(trivy_json.as_bytes()))
            .unwrap();
        let fingerprint = |f: &Finding| ward_core::fingerprint::of(f);
        assert_eq!(
            fingerprint(&grype.findings[0]),
            fingerprint(&trivy.findings[1])
        );
        assert_eq!(
            fingerprint(&grype.findings[1]),
            fingerprint(&trivy.findings[0])
        );
    }

    #[test]
    fn not_grype() {
        assert!(!AnchoreGrype.detect(&Input::new(br#"{"matches":"x"}"#)));
        assert!(!AnchoreGrype.detect(&Input::new(br#"{"results":[]}"#)));
    }
}
