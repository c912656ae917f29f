//! Round trips: a report exported to SARIF, a GitLab format or ASFF and imported again by
//! ward's own importer of that format keeps each finding's title, severity, rule id, location
//! (file and line, package and version, image, URL, cloud resource), identifiers, category,
//! status and tool. Run over every importable corpus file and the synthetic reports; every
//! loss is listed before the test fails.
//!
//! What the formats cannot hold: titles are cut to 256 (ASFF) and 255 (GitLab) characters.
//! A blank value cannot be sent to Security Hub, so blank titles, rule ids and tools are not
//! compared. (Fields outside this list that do not survive are listed in each exporter's doc.)
//!
//! The importer is found by its DefectDojo scan type; every one of them must exist.
#![allow(clippy::print_stderr)]

mod common;

use serde_json::Value;
use ward_core::{Finding, Report, Severity};
use ward_export::{exporter, GitlabKind, Options};

/// (exporter id, DefectDojo scan type of the importer, report type the exporter keeps).
const ROUND_TRIPS: &[(&str, &str, Option<GitlabKind>)] = &[
    ("sarif", "SARIF", None),
    ("gitlab-sast", "GitLab SAST Report", Some(GitlabKind::Sast)),
    (
        "gitlab-dependency-scanning",
        "GitLab Dependency Scanning Report",
        Some(GitlabKind::DependencyScanning),
    ),
    (
        "gitlab-container-scanning",
        "GitLab Container Scan",
        Some(GitlabKind::ContainerScanning),
    ),
    (
        "gitlab-secret-detection",
        "GitLab Secret Detection Report",
        Some(GitlabKind::SecretDetection),
    ),
    ("gitlab-dast", "GitLab DAST Report", Some(GitlabKind::Dast)),
    ("asff", "AWS Security Finding Format (ASFF) Scan", None),
];

#[test]
fn exports_import_back_with_their_fields() {
    let inputs = common::all();
    let options = Options::default();
    let mut n_checked = 0;
    let mut problems: Vec<String> = Vec::new();
    for (id, scan_type, kind) in ROUND_TRIPS {
        let parser = ward_formats::parser(scan_type)
            .unwrap_or_else(|| panic!("round trip {id}: no importer for '{scan_type}'"));
        for input in &inputs {
            let what = format!("{} via {id}", input.name);
            let mut original: Vec<&Finding> = input
                .report
                .findings
                .iter()
                .filter(|f| kind.is_none_or(|k| GitlabKind::of(f.category) == k))
                .collect();
            if *id == "sarif" {
                // SARIF holds one run per tool, in order of the tools' first findings.
                let mut tools: Vec<&str> = Vec::new();
                for finding in &original {
                    if !tools.contains(&finding.tool.as_str()) {
                        tools.push(&finding.tool);
                    }
                }
                original.sort_by_key(|f| tools.iter().position(|t| *t == f.tool));
            }
            let bytes = exporter(id)
                .expect("exporter")
                .export(&input.report, &options)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let imported = match import(&bytes, id, parser.id()) {
                Ok(imported) => imported,
                Err(error) => {
                    problems.push(format!("{what}: re-import failed: {error}"));
                    continue;
                }
            };
            if imported.len() != original.len() {
                problems.push(format!(
                    "{what}: {} findings became {}",
                    original.len(),
                    imported.len()
                ));
                continue;
            }
            for (before, after) in original.iter().zip(&imported) {
                problems.extend(compare(before, after, id, &what));
                n_checked += 1;
            }
        }
    }
    eprintln!("round trips: {n_checked} findings compared");
    for problem in problems.iter().take(100) {
        eprintln!("{problem}");
    }
    assert!(
        problems.is_empty(),
        "{} round-trip problems (the first 100 above)",
        problems.len()
    );
}

/// Imports an export; ASFF's batches of request bodies are flattened into the plain array of
/// findings that Security Hub's `get-findings` gives and ASFF importers read.
fn import(bytes: &[u8], exporter_id: &str, parser_id: &str) -> Result<Vec<Finding>, String> {
    let bytes = if exporter_id == "asff" {
        let batches: Vec<Value> = serde_json::from_slice(bytes).expect("ASFF JSON");
        let findings: Vec<Value> = batches
            .into_iter()
            .flat_map(|b| b["Findings"].as_array().cloned().unwrap_or_default())
            .collect();
        serde_json::to_vec(&findings).expect("JSON")
    } else {
        bytes.to_vec()
    };
    ward_formats::import(&bytes, Some(parser_id))
        .map(|imported| imported.parsed.findings)
        .map_err(|error| error.to_string())
}

/// What the import lost of the finding, one line per field.
fn compare(before: &Finding, after: &Finding, exporter_id: &str, what: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |ok: bool, problem: String| {
        if !ok {
            problems.push(format!("{what}: {problem}"));
        }
    };
    let limit = match exporter_id {
        "asff" => 256,
        id if id.starts_with("gitlab-") => 255,
        _ => usize::MAX,
    };
    if !before.title.trim().is_empty() {
        let title: String = if before.title.chars().count() > limit {
            before.title.chars().take(limit - 1).collect()
        } else {
            before.title.clone()
        };
        check(
            after.title.trim().starts_with(title.trim()),
            format!("title {:?} became {:?}", before.title, after.title),
        );
    }
    // An unrated finding (the tool said "unknown") may come back as info or unrated.
    if !(before.severity == Severity::Info && after.severity == Severity::Info) {
        check(
            after.severity == before.severity,
            format!(
                "severity {:?} of {} became {:?}",
                before.severity, before.title, after.severity
            ),
        );
    }
    if let Some(rule) = before.rule_id.as_deref().filter(|r| !r.trim().is_empty()) {
        check(
            after.rule_id.as_deref() == Some(rule),
            format!(
                "rule {rule:?} of {} became {:?}",
                before.title, after.rule_id
            ),
        );
    }
    for id in &before.identifiers {
        check(
            after.identifiers.contains(id),
            format!("identifier {id} of {} lost", before.title),
        );
    }
    let path = |f: &Finding| {
        f.location.file.as_ref().map(|file| {
            let p = file.path.replace('\\', "/");
            p.trim_start_matches("./").to_string()
        })
    };
    if let (Some(path_before), Some(file)) = (path(before), &before.location.file) {
        let path_after = path(after).unwrap_or_default();
        check(
            path_before.is_empty()
                || !path_after.is_empty()
                    && (path_after.ends_with(&path_before) || path_before.ends_with(&path_after)),
            format!("file {path_before} became {path_after}"),
        );
        if let Some(line) = file.start_line {
            let after_line = after.location.file.as_ref().and_then(|f| f.start_line);
            check(
                after_line == Some(line),
                format!("line {line} of {} became {after_line:?}", before.title),
            );
        }
    }
    if let Some(package) = &before.location.package {
        let after_package = after.location.package.as_ref();
        check(
            after_package.map(|p| p.name.as_str()) == Some(package.name.as_str()),
            format!(
                "package {} of {} became {:?}",
                package.name,
                before.title,
                after_package.map(|p| &p.name)
            ),
        );
        if package.version.is_some() {
            check(
                after_package.and_then(|p| p.version.as_deref()) == package.version.as_deref(),
                format!(
                    "version {:?} of {} became {:?}",
                    package.version,
                    before.title,
                    after_package.and_then(|p| p.version.as_deref())
                ),
            );
        }
    }
    if let Some(image) = &before.location.image {
        let after_image = after.location.image.as_ref().map(|i| i.name.as_str());
        check(
            after_image == Some(image.name.as_str()),
            format!("image {} became {after_image:?}", image.name),
        );
    }
    if let Some(cloud) = &before.location.cloud {
        let after_cloud = after
            .location
            .cloud
            .as_ref()
            .map(|c| c.resource_id.as_str());
        check(
            after_cloud == Some(cloud.resource_id.as_str()),
            format!(
                "cloud resource {} became {after_cloud:?}",
                cloud.resource_id
            ),
        );
    }
    check(
        after.category == before.category,
        format!(
            "category {} of {} became {}",
            before.category, before.title, after.category
        ),
    );
    check(
        after.status == before.status,
        format!(
            "status {:?} of {} became {:?}",
            before.status, before.title, after.status
        ),
    );
    if !before.tool.trim().is_empty() {
        check(
            after.tool == before.tool,
            format!("tool {} became {}", before.tool, after.tool),
        );
    }
    if let Some(web) = &before.location.web {
        let url = after
            .location
            .web
            .as_ref()
            .map(|w| w.url.as_str())
            .unwrap_or_default();
        check(
            !url.is_empty() && (web.url.starts_with(url) || url.starts_with(&web.url)),
            format!("URL {} became {url}", web.url),
        );
    }
    problems
}

#[test]
fn the_inputs_cover_every_category() {
    let inputs: Vec<Report> = common::synthetic().into_iter().map(|i| i.report).collect();
    for category in ward_core::Category::ALL {
        assert!(
            inputs
                .iter()
                .any(|r| r.findings.iter().any(|f| f.category == category)),
            "{category}"
        );
    }
}
