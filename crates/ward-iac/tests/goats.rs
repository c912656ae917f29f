//! ward's IaC scanner on real, intentionally vulnerable infrastructure code
//! (`tests/data/iac`: terragoat, cfngoat, kustomizegoat, kubernetes-goat, CDK output, a
//! terragoat plan, ghostwire's Dockerfile and compose file; sources in its README):
//!
//! - what ward finds, per file, equals the snapshot `tests/data/iac/ward_findings.tsv`
//!   (regenerate with `WARD_UPDATE_SNAPSHOTS=1` and review the diff);
//! - for every checkov check mapped to a ward rule in `checkov_map.tsv`, every resource
//!   checkov (3.3.30, JSON output in `checkov/`) fails is found by ward with that rule, except
//!   the exceptions listed there with a reason;
//! - the mapping agrees with the rules' own aliases.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use ward_core::Finding;

fn data() -> PathBuf {
    PathBuf::from(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"))
        .join("../../tests/data/iac")
}

fn scan() -> ward_iac::Scan {
    ward_iac::scan(&data(), &ward_iac::Config::default()).expect("scan")
}

/// (file, resource) as the comparison with checkov sees it: Kubernetes objects by name,
/// Dockerfiles by file alone.
fn key(f: &Finding) -> (String, String) {
    let path = f
        .location
        .file
        .as_ref()
        .map(|l| l.path.clone())
        .unwrap_or_default();
    let cloud = f.location.cloud.as_ref();
    let resource = match cloud {
        Some(c) if c.provider.as_deref() == Some("kubernetes") => {
            c.resource_id.rsplit('/').next().unwrap_or("").to_string()
        }
        Some(c) => c.resource_id.clone(),
        None => String::new(),
    };
    (path, resource)
}

#[test]
fn findings_match_the_snapshot() {
    let scan = scan();
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    assert!(scan.n_files >= 30, "{} files recognised", scan.n_files);
    let mut lines = vec![
        "# What ward finds in tests/data/iac: file:line, rule, resource, status. Regenerate with"
            .to_string(),
        "# WARD_UPDATE_SNAPSHOTS=1 cargo test -p ward-iac --test goats, then review the diff."
            .to_string(),
    ];
    for f in &scan.findings {
        let file = f.location.file.as_ref().expect("every finding has a file");
        let resource = f
            .location
            .cloud
            .as_ref()
            .map(|c| c.resource_id.as_str())
            .unwrap_or("-");
        lines.push(format!(
            "{}:{}\t{}\t{}\t{}",
            file.path,
            file.start_line.unwrap_or(0),
            f.rule_id.as_deref().unwrap_or("?"),
            resource,
            serde_json::to_value(f.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ));
    }
    let actual = lines.join("\n") + "\n";
    let path = data().join("ward_findings.tsv");
    if std::env::var_os("WARD_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &actual).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&path).expect("ward_findings.tsv");
    assert!(
        actual == expected,
        "findings differ from {}; rerun with WARD_UPDATE_SNAPSHOTS=1 and review",
        path.display()
    );
}

struct Map {
    rules: BTreeMap<String, String>,
    exceptions: BTreeSet<(String, String, String)>,
}

fn mapping() -> Map {
    let text = std::fs::read_to_string(data().join("checkov_map.tsv")).expect("checkov_map.tsv");
    let mut rules = BTreeMap::new();
    let mut exceptions = BTreeSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["exception", id, file, resource, reason] => {
                assert!(
                    !reason.trim().is_empty(),
                    "exception without a reason: {line}"
                );
                exceptions.insert((id.to_string(), file.to_string(), resource.to_string()));
            }
            [id, rule, note] => {
                assert!(!note.trim().is_empty(), "{line}");
                rules.insert(id.to_string(), rule.to_string());
            }
            _ => panic!("bad line in checkov_map.tsv: {line}"),
        }
    }
    Map { rules, exceptions }
}

/// checkov's failed checks: (check id, file, resource) in ward's naming.
fn checkov_failures() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for framework in [
        "cloudformation",
        "terraform",
        "terraform_plan",
        "kubernetes",
        "dockerfile",
    ] {
        let text = std::fs::read_to_string(data().join(format!("checkov/{framework}.json")))
            .expect("checkov output");
        let json: serde_json::Value = serde_json::from_str(&text).expect("checkov json");
        let report = if json.is_array() {
            json.get(0).cloned().unwrap_or_default()
        } else {
            json
        };
        let failed = report
            .pointer("/results/failed_checks")
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default();
        for check in failed {
            let field = |k: &str| {
                check
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let file = field("file_path").trim_start_matches('/').to_string();
            let resource = field("resource");
            let resource = match framework {
                // `AWS::S3::Bucket.DataBucket` → the logical id.
                "cloudformation" => resource
                    .splitn(3, "::")
                    .last()
                    .and_then(|r| r.split_once('.'))
                    .map(|(_, id)| id.to_string())
                    .unwrap_or(resource),
                // `Deployment.default.name[.labels]` (the pod template too) → the object name.
                "kubernetes" => resource.split('.').nth(2).unwrap_or("").to_string(),
                "dockerfile" => String::new(),
                // checkov names data sources without the `data.` ward keeps.
                _ if resource.starts_with("aws_iam_policy_document.") => format!("data.{resource}"),
                _ => resource,
            };
            out.push((field("check_id"), file, resource));
        }
    }
    out
}

#[test]
fn ward_finds_every_resource_checkov_fails_with_a_mapped_check() {
    let map = mapping();
    let scan = scan();
    let mut found: HashMap<&str, BTreeSet<(String, String)>> = HashMap::new();
    for f in &scan.findings {
        found
            .entry(f.rule_id.as_deref().unwrap_or(""))
            .or_default()
            .insert(key(f));
    }
    let failures = checkov_failures();
    assert!(failures.len() > 300, "{} checkov failures", failures.len());
    let mut missing = Vec::new();
    let mut compared = 0;
    for (id, file, resource) in &failures {
        let Some(rule) = map.rules.get(id) else {
            panic!("{id} is not in checkov_map.tsv (map it, or list it with `-` and a reason)");
        };
        if rule == "-"
            || map
                .exceptions
                .contains(&(id.clone(), file.clone(), resource.clone()))
        {
            continue;
        }
        compared += 1;
        let hit = found
            .get(rule.as_str())
            .is_some_and(|keys| keys.contains(&(file.clone(), resource.clone())));
        if !hit {
            missing.push(format!("{id} ({rule}) on {file} {resource}"));
        }
    }
    assert!(compared > 300, "only {compared} failures compared");
    assert!(missing.is_empty(), "ward misses:\n{}", missing.join("\n"));
}

#[test]
fn the_mapping_agrees_with_the_rules() {
    let map = mapping();
    for (id, rule) in &map.rules {
        if rule == "-" {
            continue;
        }
        let r = ward_iac::rules::by_id(rule)
            .unwrap_or_else(|| panic!("{id} maps to unknown rule {rule}"));
        assert!(
            r.aliases.contains(&id.as_str()),
            "{rule} does not list {id} among its aliases"
        );
    }
}
