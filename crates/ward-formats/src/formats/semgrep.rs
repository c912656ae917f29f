//! Semgrep JSON: the CLI's `--json` output (all versions, OSS and Pro engines, Supply Chain
//! results with `sca_info`), and the Semgrep App deployments API's Supply Chain `vulns` export.
//! <https://semgrep.dev/docs/cli-reference>
//!
//! CLI results keep the rule id (`check_id`) exactly as Semgrep writes it, which is also the
//! `ruleId` of Semgrep's SARIF output, and the title is built the same way as from the SARIF
//! message: the same rule at the same code gets the same fingerprint from either output.
//! Identical results (same rule and span, which older versions repeat) are merged into one
//! finding with `occurrences`; Supply Chain API entries for the same advisory at the same
//! manifest line likewise.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, Confidence, FileLocation, Finding, PackageLocation, Severity, Status};

use super::sast_common::{
    advisory_ids, collapse_whitespace, cwe_numbers, owasp_category, short_title, Scalar, StrList,
};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Semgrep JSON.
pub(crate) struct Semgrep;

/// Longest title built from a message (as for SARIF).
const TITLE_MAX: usize = 150;

/// Top-level keys of `semgrep --json`, for recognising a report with no results.
const CLI_KEYS: &[&str] = &[
    "results",
    "errors",
    "version",
    "paths",
    "skipped_rules",
    "interfile_languages_used",
    "time",
    "engine_requested",
    "explanations",
    "rules_by_engine",
    "profiling_results",
    "skipped",
];

/// What Semgrep writes in place of values it only shares with logged-in users.
const REQUIRES_LOGIN: &str = "requires login";

#[derive(Deserialize)]
struct Report {
    results: Option<Vec<CliResult>>,
    vulns: Option<Vec<Vuln>>,
}

#[derive(Deserialize)]
struct CliResult {
    check_id: Option<String>,
    path: Option<String>,
    start: Option<Position>,
    end: Option<Position>,
    extra: Option<Extra>,
}

#[derive(Deserialize, Clone, Copy)]
struct Position {
    line: Option<u32>,
    col: Option<u32>,
}

#[derive(Deserialize)]
struct Extra {
    message: Option<String>,
    severity: Option<String>,
    metadata: Option<Metadata>,
    fix: Option<String>,
    lines: Option<String>,
    fingerprint: Option<String>,
    is_ignored: Option<bool>,
    sca_info: Option<ScaInfo>,
}

#[derive(Deserialize)]
struct Metadata {
    cwe: Option<StrList>,
    owasp: Option<StrList>,
    references: Option<StrList>,
    #[serde(rename = "source-rule-url")]
    source_rule_url: Option<StrList>,
    source: Option<StrList>,
    shortlink: Option<StrList>,
    category: Option<Scalar>,
    subcategory: Option<StrList>,
    confidence: Option<Scalar>,
    technology: Option<StrList>,
    #[serde(rename = "sca-vuln-database-identifier")]
    sca_vuln_id: Option<StrList>,
}

#[derive(Deserialize)]
struct ScaInfo {
    reachable: Option<bool>,
    dependency_match: Option<DependencyMatch>,
}

#[derive(Deserialize)]
struct DependencyMatch {
    found_dependency: Option<FoundDependency>,
    lockfile: Option<String>,
}

#[derive(Deserialize)]
struct FoundDependency {
    package: Option<String>,
    version: Option<String>,
    ecosystem: Option<String>,
    lockfile_path: Option<String>,
    line_number: Option<u32>,
}

/// One Supply Chain finding of the deployments API.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vuln {
    title: Option<String>,
    advisory: Option<Advisory>,
    exposure_type: Option<String>,
    matched_dependency: Option<Dependency>,
    closest_safe_dependency: Option<Dependency>,
    dependency_file_location: Option<FileRef>,
    triage: Option<Triage>,
    group_key: Option<String>,
    transitivity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Advisory {
    rule_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    references: Option<AdvisoryReferences>,
    reachable_if: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdvisoryReferences {
    cve_ids: Option<StrList>,
    cwe_ids: Option<StrList>,
    owasp_ids: Option<StrList>,
    urls: Option<StrList>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    name: Option<String>,
    version_specifier: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileRef {
    path: Option<String>,
    start_line: Option<Scalar>,
    start_col: Option<Scalar>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Triage {
    status: Option<String>,
    dismiss_reason: Option<String>,
}

impl Parser for Semgrep {
    fn id(&self) -> &'static str {
        "semgrep"
    }

    fn name(&self) -> &'static str {
        "Semgrep"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Semgrep JSON Report"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json().and_then(|v| v.as_object()) else {
            return false;
        };
        if let Some(vulns) = doc.get("vulns").and_then(|v| v.as_array()) {
            return match vulns.first() {
                Some(first) => {
                    first.get("advisory").is_some()
                        && (first.get("groupKey").is_some()
                            || first.get("exposureType").is_some()
                            || first.get("dependencyFileLocation").is_some())
                }
                None => doc.contains_key("hasMore") && doc.contains_key("cursor"),
            };
        }
        let (Some(results), true) = (
            doc.get("results").and_then(|r| r.as_array()),
            doc.get("errors").is_some_and(|e| e.is_array()),
        ) else {
            return false;
        };
        match results.first() {
            Some(first) => first.get("check_id").is_some() && first.get("extra").is_some(),
            // `semgrep --json` with nothing found: only Semgrep's own top-level keys.
            None => doc.keys().all(|k| CLI_KEYS.contains(&k.as_str())),
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("Semgrep".into()),
            ..Parsed::default()
        };
        match (report.results, report.vulns) {
            (Some(results), _) => read_cli(results, &mut parsed),
            (None, Some(vulns)) => read_vulns(vulns, &mut parsed),
            (None, None) => {
                return Err(Error::WrongFormat {
                    format: "semgrep",
                    reason: "neither `results` (semgrep --json) nor `vulns` (Supply Chain API)"
                        .into(),
                })
            }
        }
        Ok(parsed)
    }
}

fn severity(label: Option<&str>) -> Severity {
    match label.map(|l| l.trim().to_ascii_uppercase()).as_deref() {
        Some("CRITICAL") => Severity::Critical,
        Some("ERROR" | "HIGH") => Severity::High,
        Some("WARNING" | "MEDIUM" | "MODERATE") => Severity::Medium,
        Some("INFO" | "LOW") => Severity::Low,
        Some("EXPERIMENT" | "INVENTORY") => Severity::Info,
        _ => Severity::Medium,
    }
}

type CliKey = (
    String,
    String,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
);

fn read_cli(results: Vec<CliResult>, parsed: &mut Parsed) {
    let mut seen: HashMap<CliKey, usize> = HashMap::new();
    for (index, result) in results.into_iter().enumerate() {
        let Some(rule) = non_empty(result.check_id.as_deref()) else {
            parsed
                .warnings
                .push(format!("results[{index}]: no check_id; skipped"));
            continue;
        };
        let key = (
            rule.clone(),
            result.path.clone().unwrap_or_default(),
            result.start.and_then(|p| p.line),
            result.start.and_then(|p| p.col),
            result.end.and_then(|p| p.line),
            result.end.and_then(|p| p.col),
        );
        if let Some(&at) = seen.get(&key) {
            if let Some(first) = parsed.findings.get_mut(at) {
                first.occurrences += 1;
                continue;
            }
        }
        seen.insert(key, parsed.findings.len());
        parsed.findings.push(cli_finding(rule, result));
    }
}

fn cli_finding(rule: String, result: CliResult) -> Finding {
    let extra = result.extra;
    let message = extra.as_ref().and_then(|e| non_empty(e.message.as_deref()));
    let title = short_title(message.as_deref().unwrap_or(&rule), TITLE_MAX);
    let mut f = Finding::new("Semgrep", Category::Sast, title);
    f.rule_id = Some(rule);
    if let Some(message) = &message {
        if collapse_whitespace(message) != f.title {
            f.description = Some(message.clone());
        }
    }
    let Some(extra) = extra else {
        return f;
    };
    let level = non_empty(extra.severity.as_deref());
    f.severity = severity(level.as_deref());
    f.tool_severity = level;
    let known = |v: &Option<String>| non_empty(v.as_deref()).filter(|v| v != REQUIRES_LOGIN);
    if let Some(path) = non_empty(result.path.as_deref()) {
        f.location.file = Some(FileLocation {
            end_line: result.end.and_then(|p| p.line).filter(|l| *l > 0),
            start_column: result.start.and_then(|p| p.col).filter(|c| *c > 0),
            end_column: result.end.and_then(|p| p.col).filter(|c| *c > 0),
            snippet: known(&extra.lines),
            ..FileLocation::new(path, result.start.and_then(|p| p.line))
        });
    }
    f.external_id = known(&extra.fingerprint);
    if extra.is_ignored == Some(true) {
        // A `nosemgrep` comment, reported with --include-ignored.
        f.status = Status::Accepted;
    }
    if let Some(fix) = non_empty(extra.fix.as_deref()) {
        f.remediation = Some(format!("Suggested replacement:\n{fix}"));
    }
    if let Some(meta) = &extra.metadata {
        add_metadata(&mut f, meta);
    }
    if let Some(sca) = extra.sca_info {
        let matched = sca.dependency_match;
        let lockfile = matched.as_ref().and_then(|m| m.lockfile.clone());
        if let Some(found) = matched.and_then(|m| m.found_dependency) {
            if let Some(name) = non_empty(found.package.as_deref()) {
                f.category = Category::Dependency;
                f.location.package = Some(PackageLocation {
                    name,
                    version: non_empty(found.version.as_deref()),
                    ecosystem: non_empty(found.ecosystem.as_deref()),
                    ..PackageLocation::default()
                });
                if f.location.file.is_none() {
                    if let Some(lockfile) =
                        non_empty(found.lockfile_path.as_deref().or(lockfile.as_deref()))
                    {
                        f.location.file = Some(FileLocation::new(lockfile, found.line_number));
                    }
                }
            }
        }
        if sca.reachable == Some(true) {
            f.tags.push("reachable".into());
        }
    }
    f
}

fn add_metadata(f: &mut Finding, meta: &Metadata) {
    let list = |l: &Option<StrList>| l.as_ref().map(|l| l.0.clone()).unwrap_or_default();
    for id in list(&meta.sca_vuln_id) {
        f.add_id(&id);
    }
    for cwe in list(&meta.cwe) {
        for n in cwe_numbers(&cwe) {
            f.add_cwe(&n.to_string());
        }
    }
    for owasp in list(&meta.owasp) {
        if let Some(id) = owasp_category(&owasp) {
            f.add_id(&id);
        }
    }
    for url in list(&meta.references)
        .into_iter()
        .chain(list(&meta.source_rule_url))
        .chain(list(&meta.source))
        .chain(list(&meta.shortlink))
    {
        if url.starts_with("http") {
            f.add_reference(&url);
        }
    }
    f.confidence = meta
        .confidence
        .as_ref()
        .and_then(Scalar::text)
        .and_then(Confidence::from_label);
    if let Some(category) = meta.category.as_ref().and_then(Scalar::text) {
        f.tags.push(category.to_string());
    }
    f.tags.extend(list(&meta.subcategory));
    f.tags.extend(list(&meta.technology));
}

type VulnKey = (String, String, Option<u32>);

fn read_vulns(vulns: Vec<Vuln>, parsed: &mut Parsed) {
    let mut seen: HashMap<VulnKey, usize> = HashMap::new();
    for (index, vuln) in vulns.into_iter().enumerate() {
        let Some(f) = vuln_finding(vuln) else {
            parsed.warnings.push(format!(
                "vulns[{index}]: no advisory rule id or title; skipped"
            ));
            continue;
        };
        let file = f.location.file.as_ref();
        let key = (
            f.rule_id.clone().unwrap_or_default(),
            file.map(|l| l.path.clone()).unwrap_or_default(),
            file.and_then(|l| l.start_line),
        );
        if let Some(&at) = seen.get(&key) {
            if let Some(first) = parsed.findings.get_mut(at) {
                first.occurrences += 1;
                continue;
            }
        }
        seen.insert(key, parsed.findings.len());
        parsed.findings.push(f);
    }
}

fn vuln_finding(vuln: Vuln) -> Option<Finding> {
    let advisory = vuln.advisory.as_ref();
    let rule = non_empty(advisory.and_then(|a| a.rule_id.as_deref()));
    let base_title = non_empty(vuln.title.as_deref())
        .or_else(|| non_empty(advisory.and_then(|a| a.title.as_deref())))
        .or_else(|| rule.clone())?;
    let dependency = vuln.matched_dependency.as_ref();
    let name = non_empty(dependency.and_then(|d| d.name.as_deref()));
    let version = non_empty(dependency.and_then(|d| d.version_specifier.as_deref()));
    let title = match (&name, &version) {
        (Some(name), Some(version)) => format!("{base_title} ({name} {version})"),
        (Some(name), None) => format!("{base_title} ({name})"),
        _ => base_title,
    };
    let mut f = Finding::new("Semgrep", Category::Dependency, title);
    f.rule_id = rule;
    let level = non_empty(advisory.and_then(|a| a.severity.as_deref()));
    f.severity = severity(level.as_deref());
    f.tool_severity = level;
    if let Some(references) = advisory.and_then(|a| a.references.as_ref()) {
        let list = |l: &Option<StrList>| l.as_ref().map(|l| l.0.clone()).unwrap_or_default();
        for cve in list(&references.cve_ids) {
            f.add_id(&cve);
        }
        for url in list(&references.urls) {
            for id in advisory_ids(&url) {
                f.add_id(&id);
            }
            f.add_reference(&url);
        }
        for cwe in list(&references.cwe_ids) {
            for n in cwe_numbers(&cwe) {
                f.add_cwe(&n.to_string());
            }
        }
        for owasp in list(&references.owasp_ids) {
            if let Some(id) = owasp_category(&owasp) {
                f.add_id(&id);
            }
        }
    }
    let mut description = Vec::new();
    if let Some(text) = non_empty(advisory.and_then(|a| a.description.as_deref())) {
        description.push(text);
    }
    if let Some(text) = non_empty(advisory.and_then(|a| a.reachable_if.as_deref())) {
        description.push(format!("Reachable if: {text}"));
    }
    if let Some(text) = non_empty(vuln.transitivity.as_deref()) {
        description.push(format!("Transitivity: {text}"));
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
    if let Some(name) = name {
        let fixed = vuln
            .closest_safe_dependency
            .as_ref()
            .and_then(|d| non_empty(d.version_specifier.as_deref()));
        if let Some(fixed) = &fixed {
            f.remediation = Some(format!("Upgrade {name} to {fixed}"));
        }
        f.location.package = Some(PackageLocation {
            name,
            version,
            fixed_version: fixed,
            ..PackageLocation::default()
        });
    }
    if let Some(file) = &vuln.dependency_file_location {
        let number = |s: &Option<Scalar>| {
            s.as_ref()
                .and_then(Scalar::text)
                .and_then(|t| t.parse::<u32>().ok())
                .filter(|n| *n > 0)
        };
        if let Some(path) = non_empty(file.path.as_deref()) {
            f.location.file = Some(FileLocation {
                start_column: number(&file.start_col),
                ..FileLocation::new(path, number(&file.start_line))
            });
        }
    }
    if let Some(triage) = &vuln.triage {
        f.status = match triage
            .status
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("FIXED" | "CLOSED") => Status::Mitigated,
            Some("IGNORED" | "PROVISIONALLY_IGNORED") => match triage.dismiss_reason.as_deref() {
                Some(r) if r.eq_ignore_ascii_case("FALSE_POSITIVE") => Status::FalsePositive,
                _ => Status::Accepted,
            },
            _ => Status::Open,
        };
    }
    if let Some(exposure) = non_empty(vuln.exposure_type.as_deref()) {
        f.tags.push(exposure.to_ascii_lowercase());
    }
    f.external_id = non_empty(vuln.group_key.as_deref());
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Semgrep.detect(&input), "not detected: {json}");
        Semgrep.parse(&input).unwrap()
    }

    const RESULT: &str = r#"{"check_id":"python.lang.security.audit.md5.insecure-hash","path":"app/x.py",
        "start":{"line":12,"col":5,"offset":1},"end":{"line":12,"col":30,"offset":2},
        "extra":{"message":"Detected MD5.\nUse SHA256.","severity":"INFO","lines":"hashlib.md5(x)",
          "fingerprint":"requires login","is_ignored":false,
          "metadata":{"cwe":["CWE-327: Use of a Broken or Risky Cryptographic Algorithm"],
            "owasp":["A03:2017 - Sensitive Data Exposure","A3: Old"],"confidence":"HIGH",
            "references":["https://docs.python.org/3/library/hashlib.html"],"category":"security"}}}"#;

    #[test]
    fn cli_results_merge_repeats() {
        let parsed = check(&format!(
            r#"{{"results":[{RESULT},{RESULT}],"errors":[],"version":"1.50.0"}}"#
        ));
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(f.occurrences, 2);
        assert_eq!(f.title, "Detected MD5. Use SHA256.");
        assert_eq!(
            f.rule_id.as_deref(),
            Some("python.lang.security.audit.md5.insecure-hash")
        );
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::Low, Some("INFO"))
        );
        assert_eq!(f.cwe(), Some(327));
        assert_eq!(f.confidence, Some(Confidence::High));
        assert_eq!(f.external_id, None);
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.start_column),
            ("app/x.py", Some(12), Some(5))
        );
        assert_eq!(f.identifiers.len(), 2, "{:?}", f.identifiers);
    }

    #[test]
    fn same_fingerprint_as_sarif() {
        let json = format!(r#"{{"results":[{RESULT}],"errors":[]}}"#);
        let sarif = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS"}},"results":[
            {"ruleId":"python.lang.security.audit.md5.insecure-hash","message":{"text":"Detected MD5.\nUse SHA256."},
             "locations":[{"physicalLocation":{"artifactLocation":{"uri":"app/x.py","uriBaseId":"%SRCROOT%"},
               "region":{"startLine":12,"startColumn":5,"endLine":12,"endColumn":30}}}]}]}]}"#;
        let a = crate::import(json.as_bytes(), None).unwrap();
        let b = crate::import(sarif.as_bytes(), None).unwrap();
        assert_eq!((a.parser.id(), b.parser.id()), ("semgrep", "sarif"));
        assert_eq!(
            a.parsed.findings[0].fingerprint,
            b.parsed.findings[0].fingerprint
        );
        assert_eq!(a.parsed.findings[0].title, b.parsed.findings[0].title);
    }

    #[test]
    fn empty_report_and_not_semgrep() {
        assert!(check(r#"{"results": [], "errors": []}"#)
            .findings
            .is_empty());
        for other in [
            r#"{"results": [], "errors": [], "metrics": {}}"#,
            r#"{"results": [{"a": 1}], "errors": []}"#,
        ] {
            assert!(!Semgrep.detect(&Input::new(other.as_bytes())), "{other}");
        }
    }

    #[test]
    fn supply_chain_api() {
        let vuln = |line: &str, key: &str| {
            format!(
                r#"{{"title":"Reachable Assertion in grpc","advisory":{{"ruleId":"ssc-1","severity":"HIGH",
                "references":{{"cveIds":["CVE-2023-1428"],"cweIds":["CWE-617: Reachable Assertion"],
                "urls":["https://github.com/advisories/GHSA-6628-q6j9-w8vg"]}}}},"exposureType":"REACHABLE",
                "matchedDependency":{{"name":"grpcio","versionSpecifier":"1.47.0"}},
                "closestSafeDependency":{{"name":"grpcio","versionSpecifier":"1.53.0"}},
                "dependencyFileLocation":{{"path":"requirements.txt","startLine":"{line}"}},
                "triage":{{"status":"NEW"}},"groupKey":"{key}"}}"#
            )
        };
        let parsed = check(&format!(
            r#"{{"vulns":[{},{},{}],"hasMore":false,"cursor":"1"}}"#,
            vuln("22", "a"),
            vuln("22", "b"),
            vuln("30", "c")
        ));
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!((f.occurrences, f.category), (2, Category::Dependency));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2023-1428"));
        assert_eq!(f.cwe(), Some(617));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.fixed_version.as_deref(), Some("1.53.0"));
        assert_eq!(f.location.file.as_ref().unwrap().start_line, Some(22));
    }
}
