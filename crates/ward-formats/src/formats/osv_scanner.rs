//! osv-scanner JSON (`osv-scanner --format json`, v1 and v2): per scanned source (a lockfile, an
//! SBOM, a container image), the packages found and the full OSV records of the vulnerabilities
//! that affect each, with `groups` that tie together the records naming one vulnerability (a
//! GHSA and its PYSEC twin …). <https://google.github.io/osv-scanner/>
//!
//! One finding per group of a package, as osv-scanner's own table shows them: the records of a
//! group are merged (all their ids, CWEs, CVSS vectors and links kept) and `occurrences` counts
//! them. A record in no group is a finding of its own. The severity is GitHub's word when a
//! record carries one, else the group's `max_severity` score rated as CVSS, else low. An empty
//! file (osv-scanner writes nothing when it fails early) reads as no findings, with a warning.

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, PackageLocation, Severity};

use super::sca_common::{parse_purl, Osv, Scalar, Strings};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// osv-scanner.
pub(crate) struct OsvScanner;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    results: Vec<SourceResult>,
}

#[derive(Deserialize)]
struct SourceResult {
    source: Option<Source>,
    #[serde(default)]
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Source {
    path: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    package: Option<PackageInfo>,
    #[serde(default)]
    vulnerabilities: Vec<Osv>,
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct PackageInfo {
    name: Option<String>,
    version: Option<String>,
    ecosystem: Option<String>,
}

#[derive(Deserialize)]
struct Group {
    #[serde(default)]
    ids: Strings,
    #[serde(default)]
    max_severity: Scalar,
}

impl Parser for OsvScanner {
    fn id(&self) -> &'static str {
        "osv-scanner"
    }

    fn name(&self) -> &'static str {
        "osv-scanner"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["OSV Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(results) = input
            .json()
            .and_then(|v| v.get("results"))
            .and_then(|r| r.as_array())
        else {
            return false;
        };
        results
            .first()
            .is_some_and(|r| r.get("source").is_some() && r.get("packages").is_some())
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let mut parsed = Parsed {
            tool: Some("osv-scanner".into()),
            ..Parsed::default()
        };
        if input.bytes().iter().all(u8::is_ascii_whitespace) {
            parsed
                .warnings
                .push("the report is empty: no findings".into());
            return Ok(parsed);
        }
        let report: Report = de::json(input.bytes())?;
        for result in &report.results {
            let path = result
                .source
                .as_ref()
                .and_then(|s| non_empty(s.path.as_deref()));
            for (index, package) in result.packages.iter().enumerate() {
                let Some(info) = package
                    .package
                    .as_ref()
                    .filter(|p| non_empty(p.name.as_deref()).is_some())
                else {
                    parsed.warnings.push(format!(
                        "{}: packages[{index}] has no name; skipped",
                        path.as_deref().unwrap_or("results")
                    ));
                    continue;
                };
                package_findings(info, package, path.as_deref(), &mut parsed.findings);
            }
        }
        Ok(parsed)
    }
}

/// The findings of one package: one per group of its records.
fn package_findings(
    info: &PackageInfo,
    package: &Package,
    path: Option<&str>,
    out: &mut Vec<Finding>,
) {
    // Group index of each record (None: in no group), and the finding already made per group.
    let mut made: Vec<Option<usize>> = vec![None; package.groups.len()];
    for osv in &package.vulnerabilities {
        let id = osv.id.as_deref().unwrap_or_default();
        let group = package
            .groups
            .iter()
            .position(|g| g.ids.iter().any(|i| i == id));
        match group.and_then(|g| made.get(g).copied().flatten()) {
            Some(at) => {
                if let Some(f) = out.get_mut(at) {
                    merge(f, info, osv);
                }
            }
            None => {
                let max_severity = group
                    .and_then(|g| package.groups.get(g))
                    .and_then(|g| g.max_severity.number());
                let f = finding(info, osv, path, max_severity);
                if let Some(slot) = group.and_then(|g| made.get_mut(g)) {
                    *slot = Some(out.len());
                }
                out.push(f);
            }
        }
    }
}

fn finding(
    info: &PackageInfo,
    osv: &Osv,
    path: Option<&str>,
    max_severity: Option<f64>,
) -> Finding {
    let name = info.name.clone().unwrap_or_default();
    let id = non_empty(osv.id.as_deref()).unwrap_or_else(|| "OSV".into());
    let mut f = Finding::new("osv-scanner", Category::Dependency, format!("{id}_{name}"));
    f.rule_id = Some(id);
    f.severity = Severity::Low;
    match (osv.severity_word(), max_severity) {
        (Some(word), _) => {
            f.severity = Severity::from_label(&word).unwrap_or(Severity::Low);
            f.tool_severity = Some(word);
        }
        (None, Some(score)) if score > 0.0 => {
            f.severity = Severity::from_cvss_score(score);
            f.tool_severity = Some(score.to_string());
        }
        _ => {}
    }
    osv.apply(&mut f);
    let version = non_empty(info.version.as_deref());
    let purl = osv
        .affected_for(&name)
        .and_then(|a| a.package.as_ref())
        .and_then(|p| non_empty(p.purl.as_deref()))
        .map(|purl| match (&version, parse_purl(&purl)) {
            (Some(version), Some(parts)) if parts.version.is_none() => format!("{purl}@{version}"),
            _ => purl,
        });
    let fixed = osv.fixed_versions(&name);
    f.location.package = Some(PackageLocation {
        name: name.clone(),
        version,
        ecosystem: non_empty(info.ecosystem.as_deref()),
        purl,
        fixed_version: (!fixed.is_empty()).then(|| fixed.join(", ")),
    });
    if !fixed.is_empty() {
        f.remediation = Some(format!("Upgrade {name} to {}.", fixed.join(" or ")));
    }
    if let Some(path) = path {
        f.location.file = Some(FileLocation::new(path, None));
    }
    let mut text = Vec::new();
    if let Some(summary) = non_empty(osv.summary.as_deref()) {
        text.push(summary);
    }
    if let Some(details) = non_empty(osv.details.as_deref()) {
        text.push(details);
    }
    f.description = (!text.is_empty()).then(|| text.join("\n\n"));
    f
}

/// Folds another record of the same group into a finding.
fn merge(f: &mut Finding, info: &PackageInfo, osv: &Osv) {
    f.occurrences += 1;
    osv.apply(f);
    if let Some(word) = osv.severity_word() {
        if let Some(severity) = Severity::from_label(&word) {
            if f.tool_severity.as_deref().and_then(Severity::from_label) < Some(severity) {
                f.severity = severity;
                f.tool_severity = Some(word);
            }
        }
    }
    let name = info.name.clone().unwrap_or_default();
    if let Some(package) = f.location.package.as_mut() {
        if package.fixed_version.is_none() {
            let fixed = osv.fixed_versions(&name);
            if !fixed.is_empty() {
                package.fixed_version = Some(fixed.join(", "));
                f.remediation = Some(format!("Upgrade {name} to {}.", fixed.join(" or ")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(OsvScanner.detect(&input));
        OsvScanner.parse(&input).unwrap()
    }

    #[test]
    fn groups_merge_records() {
        let parsed = check(
            r#"{"results":[{"source":{"path":"/src/requirements.txt","type":"lockfile"},"packages":[{"package":{"name":"django","version":"3.2.9","ecosystem":"PyPI"},
            "vulnerabilities":[
              {"id":"GHSA-v6rh-hp5x-86rv","aliases":["CVE-2021-44420"],"summary":"Access control bypass","affected":[{"package":{"ecosystem":"PyPI","name":"django","purl":"pkg:pypi/django"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"3.2"},{"fixed":"3.2.10"}]}],"database_specific":{"cwes":[{"cweId":"CWE-287"}]}}],
               "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L"}],"database_specific":{"severity":"HIGH","cwe_ids":["CWE-287"]},
               "references":[{"type":"ADVISORY","url":"https://github.com/advisories/GHSA-v6rh-hp5x-86rv"}]},
              {"id":"PYSEC-2021-439","aliases":["CVE-2021-44420"],"affected":[{"package":{"ecosystem":"PyPI","name":"django"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.2.10"}]}]}]},
              {"id":"GHSA-other","affected":[]}],
            "groups":[{"ids":["GHSA-v6rh-hp5x-86rv","PYSEC-2021-439"],"aliases":["CVE-2021-44420"],"max_severity":"7.3"}]}]}]}"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "GHSA-v6rh-hp5x-86rv_django");
        assert_eq!(
            (f.severity, f.occurrences, f.cwe()),
            (Severity::High, 2, Some(287))
        );
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2021-44420"));
        assert!(f.identifiers.iter().any(|i| i.value == "PYSEC-2021-439"));
        let p = f.location.package.as_ref().unwrap();
        assert_eq!(p.purl.as_deref(), Some("pkg:pypi/django@3.2.9"));
        assert_eq!(p.fixed_version.as_deref(), Some("3.2.10"));
        assert_eq!(
            f.location.file.as_ref().unwrap().path,
            "/src/requirements.txt"
        );
        assert_eq!(parsed.findings[1].severity, Severity::Low);
    }

    #[test]
    fn empty_file_is_no_findings() {
        let parsed = OsvScanner.parse(&Input::new(b"")).unwrap();
        assert!(parsed.findings.is_empty() && parsed.warnings.len() == 1);
    }
}
