//! Round trips: a report exported to SARIF, a GitLab format or ASFF and imported again by
//! ward's own importer of that format keeps each finding's title, severity, rule id, location
//! and identifiers. Run over every importable corpus file and the synthetic reports.
//!
//! A format whose importer is not (yet) in `ward_formats::PARSERS` is skipped with a note;
//! the importer is found by its DefectDojo scan type, so the test needs no change when it lands.
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
    for (id, scan_type, kind) in ROUND_TRIPS {
        let Some(parser) = ward_formats::parser(scan_type) else {
            eprintln!("round trip {id}: no importer for '{scan_type}' yet, skipped");
            continue;
        };
        for input in &inputs {
            let what = format!("{} via {id}", input.name);
            let original: Vec<&Finding> = input
                .report
                .findings
                .iter()
                .filter(|f| kind.is_none_or(|k| GitlabKind::of(f.category) == k))
                .collect();
            let bytes = exporter(id)
                .expect("exporter")
                .export(&input.report, &options)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let imported = import(&bytes, id, parser.id(), &what);
            assert_eq!(imported.len(), original.len(), "{what}: finding count");
            for (before, after) in original.iter().zip(&imported) {
                compare(before, after, id, &what);
                n_checked += 1;
            }
        }
    }
    eprintln!("round trips: {n_checked} findings compared");
}

/// Imports an export; ASFF's batches of request bodies are flattened into the plain array of
/// findings that Security Hub's `get-findings` gives and ASFF importers read.
fn import(bytes: &[u8], exporter_id: &str, parser_id: &str, what: &str) -> Vec<Finding> {
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
    match ward_formats::import(&bytes, Some(parser_id)) {
        Ok(imported) => imported.parsed.findings,
        Err(error) => panic!("{what}: re-import failed: {error}"),
    }
}

fn compare(before: &Finding, after: &Finding, exporter_id: &str, what: &str) {
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
        assert!(
            after.title.trim().starts_with(title.trim()),
            "{what}: title {:?} became {:?}",
            before.title,
            after.title
        );
    }
    // An unrated finding (the tool said "unknown") may come back as info or unrated.
    if !(before.severity == Severity::Info && after.severity == Severity::Info) {
        assert_eq!(
            after.severity, before.severity,
            "{what}: severity of {}",
            before.title
        );
    }
    if let Some(rule) = before.rule_id.as_deref().filter(|r| !r.trim().is_empty()) {
        assert_eq!(
            after.rule_id.as_deref(),
            Some(rule),
            "{what}: rule of {}",
            before.title
        );
    }
    for id in &before.identifiers {
        assert!(
            after.identifiers.contains(id),
            "{what}: identifier {id} of {} lost",
            before.title
        );
    }
    let path = |f: &Finding| {
        f.location.file.as_ref().map(|file| {
            let p = file.path.replace('\\', "/");
            p.trim_start_matches("./").to_string()
        })
    };
    if let (Some(path_before), Some(file)) = (path(before), &before.location.file) {
        // GitLab's DAST and dependency reports have no place for a source line.
        if !matches!(exporter_id, "gitlab-dast" | "gitlab-container-scanning") {
            let path_after = path(after).unwrap_or_default();
            assert!(
                path_after.ends_with(&path_before) || path_before.ends_with(&path_after),
                "{what}: file {path_before} became {path_after}"
            );
        }
        if let (Some(line), true) = (
            file.start_line,
            matches!(
                exporter_id,
                "sarif" | "gitlab-sast" | "gitlab-secret-detection" | "asff"
            ),
        ) {
            let after_line = after.location.file.as_ref().and_then(|f| f.start_line);
            assert_eq!(after_line, Some(line), "{what}: line of {}", before.title);
        }
    }
    if let Some(package) = &before.location.package {
        let after_package = after.location.package.as_ref();
        assert_eq!(
            after_package.map(|p| p.name.as_str()),
            Some(package.name.as_str()),
            "{what}: package of {}",
            before.title
        );
        if package.version.is_some() {
            assert_eq!(
                after_package.and_then(|p| p.version.as_deref()),
                package.version.as_deref(),
                "{what}: version of {}",
                before.title
            );
        }
    }
    if let Some(web) = &before.location.web {
        let url = after
            .location
            .web
            .as_ref()
            .map(|w| w.url.as_str())
            .unwrap_or_default();
        assert!(
            !url.is_empty() && (web.url.starts_with(url) || url.starts_with(&web.url)),
            "{what}: URL {} became {url}",
            web.url
        );
    }
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
