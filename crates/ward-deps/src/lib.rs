//! Dependency scanning: finds lockfiles under a path ([`ward_lockfile::find`]), or reads the
//! packages of an existing CycloneDX/SPDX SBOM ([`scan_sbom`]), matches each package against
//! the offline OSV database ([`ward_osv::Database`]) and returns ward findings, one per
//! package version and vulnerability: records that alias each other (a GHSA, its CVE and a
//! PYSEC id) become one finding listing every id.

use std::collections::BTreeSet;
use std::path::Path;

use ward_core::{Category, Cvss, Finding, Location, PackageLocation, Severity};
use ward_osv::{Database, Match};

pub mod sbom;

/// What a scan found.
#[derive(Debug, Default)]
pub struct Scan {
    /// One finding per vulnerable package version and vulnerability.
    pub findings: Vec<Finding>,
    /// Lockfiles or entries that could not be read, each naming the file.
    pub warnings: Vec<String>,
    /// How many packages were checked.
    pub n_packages: usize,
}

/// Scans every lockfile under `path` (or `path` itself). Unreadable lockfiles are warnings;
/// the scan goes on.
pub fn scan(path: &Path, db: &Database) -> Scan {
    let mut result = Scan::default();
    for (file, read) in ward_lockfile::read_tree(path, |_, read| read) {
        let shown = shown_path(path, &file);
        let parsed = match read {
            Ok(parsed) => parsed,
            Err(e) => {
                result.warnings.push(format!("{e}; skipped"));
                continue;
            }
        };
        result
            .warnings
            .extend(parsed.warnings.iter().map(|w| format!("{shown}: {w}")));
        match_packages(&shown, &parsed.packages, db, &mut result);
    }
    result
}

/// Scans the packages an existing SBOM lists (CycloneDX JSON 1.2–1.6, SPDX JSON 2.2/2.3);
/// the findings are located at each package's purl in that file. A file that is not such an
/// SBOM is an error naming the field; components ward cannot match are a warning.
pub fn scan_sbom(path: &Path, db: &Database) -> Result<Scan, ward_lockfile::Error> {
    let listed = ward_lockfile::read_sbom(path)?;
    let shown = path.display().to_string();
    let mut result = Scan::default();
    match_packages(&shown, &listed.packages, db, &mut result);
    let not_checked = listed.n_without_purl + listed.unmatched.values().sum::<usize>();
    if not_checked > 0 {
        let mut reasons: Vec<String> = listed
            .unmatched
            .iter()
            .map(|(kind, n)| format!("{kind}: {n}"))
            .collect();
        if listed.n_without_purl > 0 {
            reasons.push(format!("no purl: {}", listed.n_without_purl));
        }
        result.warnings.push(format!(
            "{shown}: {not_checked} of {} entries not checked against advisories ({})",
            listed.n_entries(),
            reasons.join(", ")
        ));
    }
    Ok(result)
}

/// Matches each distinct purl once and adds its findings, located in `file`.
fn match_packages(
    file: &str,
    packages: &[ward_lockfile::Package],
    db: &Database,
    result: &mut Scan,
) {
    let mut seen = BTreeSet::new();
    for package in packages {
        if !seen.insert(package.purl.as_str()) {
            continue;
        }
        result.n_packages += 1;
        let matches = db.query(package.ecosystem, &package.name, &package.version);
        for group in merge_aliases(matches) {
            result.findings.push(finding(file, package, &group));
        }
    }
}

/// A lockfile's path relative to the scanned path, with `/` separators (the file's own path
/// when the scanned path is the file).
pub(crate) fn shown_path(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let shown = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if shown.is_empty() {
        file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        shown
    }
}

/// Groups matches whose ids or aliases overlap (transitively).
fn merge_aliases(matches: Vec<Match>) -> Vec<Vec<Match>> {
    let mut groups: Vec<(BTreeSet<String>, Vec<Match>)> = Vec::new();
    for m in matches {
        let mut ids: BTreeSet<String> = m.advisory.aliases.iter().cloned().collect();
        ids.insert(m.advisory.id.clone());
        let mut merged = (ids, vec![m]);
        let mut i = 0;
        while i < groups.len() {
            if groups[i].0.intersection(&merged.0).next().is_some() {
                let (ids, members) = groups.swap_remove(i);
                merged.0.extend(ids);
                merged.1.extend(members);
                i = 0;
            } else {
                i += 1;
            }
        }
        groups.push(merged);
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

fn finding(file: &str, package: &ward_lockfile::Package, group: &[Match]) -> Finding {
    // The primary record: a GHSA when there is one (richest severity data), else the first.
    let primary = group
        .iter()
        .find(|m| m.advisory.id.starts_with("GHSA-"))
        .unwrap_or(&group[0]);
    let advisory = &primary.advisory;
    let title_text = advisory
        .summary
        .clone()
        .unwrap_or_else(|| advisory.id.clone());
    let mut finding = Finding::new(
        "ward",
        Category::Dependency,
        format!(
            "{}: {} {} ({})",
            advisory.id, package.name, package.version, title_text
        ),
    );
    finding.rule_id = Some(advisory.id.clone());
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for m in group {
        ids.insert(&m.advisory.id);
        ids.extend(m.advisory.aliases.iter().map(String::as_str));
    }
    for id in ids {
        finding.add_id(id);
    }
    for m in group {
        for vector in &m.advisory.cvss {
            if let Some(cvss) = Cvss::from_vector(vector, None) {
                if !finding.cvss.iter().any(|c| c.vector == cvss.vector) {
                    finding.cvss.push(cvss);
                }
            }
        }
        for cwe in &m.advisory.cwes {
            finding.add_cwe(cwe);
        }
        for reference in &m.advisory.references {
            finding.add_reference(reference);
        }
    }
    let label = group.iter().find_map(|m| m.advisory.severity.clone());
    finding.severity = label
        .as_deref()
        .and_then(Severity::from_label)
        .or_else(|| {
            finding
                .best_cvss()
                .and_then(|c| c.score)
                .map(Severity::from_cvss_score)
        })
        .unwrap_or(Severity::Medium);
    finding.tool_severity = label;
    let fixed = group.iter().find_map(|m| m.fixed_version.clone());
    finding.remediation = Some(match &fixed {
        Some(v) => format!("Upgrade {} to {v} or later.", package.name),
        None => format!("No fixed version of {} is known.", package.name),
    });
    finding.description = advisory
        .details
        .clone()
        .or_else(|| advisory.summary.clone());
    finding.location = Location {
        file: Some(ward_core::FileLocation::new(file, None)),
        package: Some(PackageLocation {
            name: package.name.clone(),
            version: Some(package.version.clone()),
            ecosystem: Some(package.ecosystem.to_string()),
            purl: Some(package.purl.clone()),
            fixed_version: fixed,
        }),
        ..Location::default()
    };
    match package.direct {
        Some(true) => finding.tags.push("direct".into()),
        Some(false) => finding.tags.push("transitive".into()),
        None => {}
    }
    finding
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;

    #[test]
    fn finds_vulnerable_packages_and_merges_aliases() {
        let mut builder = ward_osv::Builder::new();
        builder.add_json("a", br#"{"id":"GHSA-aaaa","aliases":["CVE-2020-1"],"summary":"bad","database_specific":{"severity":"HIGH"},
            "affected":[{"package":{"ecosystem":"RubyGems","name":"rack"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.2.4"}]}]}]}"#);
        builder.add_json("b", br#"{"id":"OSV-1","aliases":["CVE-2020-1"],
            "affected":[{"package":{"ecosystem":"RubyGems","name":"rack"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.2.4"}]}]}]}"#);
        let dir = std::env::temp_dir().join(format!("ward-deps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db_path = dir.join("osv.db");
        builder.write(&db_path, SystemTime::now()).unwrap();
        let db = Database::open(&db_path).unwrap();
        std::fs::write(
            dir.join("Gemfile.lock"),
            "GEM\n  specs:\n    rack (2.2.3)\n\nDEPENDENCIES\n  rack\n",
        )
        .unwrap();
        std::fs::write(dir.join("package-lock.json"), "{broken").unwrap();
        let scan = scan(&dir, &db);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(scan.findings.len(), 1, "{:?}", scan.findings);
        let f = &scan.findings[0];
        assert_eq!(f.rule_id.as_deref(), Some("GHSA-aaaa"));
        assert_eq!(f.identifiers.len(), 3);
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.tags, ["direct"]);
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.fixed_version.as_deref(), Some("2.2.4"));
        assert_eq!(package.purl.as_deref(), Some("pkg:gem/rack@2.2.3"));
        assert_eq!(scan.warnings.len(), 1);
        assert!(
            scan.warnings[0].contains("package-lock.json"),
            "{:?}",
            scan.warnings
        );
    }
}
