//! MobSF reports: the static analysis JSON report of the MobSF web app and API (Android and iOS,
//! MobSF 0.9 to 4.x: permissions, certificate, manifest, code, binary and API analysis), the
//! `mobsfscan` CLI JSON (`mobsfscan --json`), and the QARK-style list of findings that older
//! MobSF integrations export. <https://github.com/MobSF/Mobile-Security-Framework-MobSF>,
//! <https://github.com/MobSF/mobsfscan>
//!
//! All findings are static analysis of the app. Identical entries (same section, title,
//! severity, file and text) are merged with `occurrences`.

use std::collections::HashMap;

use serde::de::IgnoredAny;
use serde::Deserialize;
use ward_core::{mask, Category, FileLocation, Finding, Severity};

use super::ordered::{OneOrMany, Ordered, Text};
use super::web_common::{bullet_list, html_to_text};
use crate::util::{first_line, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// MobSF and mobsfscan JSON.
pub(crate) struct Mobsf;

// ---- mobsfscan --------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Scan {
    mobsfscan_version: Option<String>,
    #[serde(default)]
    results: Ordered<ScanRule>,
    #[serde(default)]
    errors: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
struct ScanRule {
    #[serde(default)]
    files: Option<Vec<ScanMatch>>,
    metadata: Option<RuleMetadata>,
}

#[derive(Deserialize)]
struct ScanMatch {
    file_path: Option<String>,
    match_lines: Option<Vec<u32>>,
    match_string: Option<String>,
}

#[derive(Deserialize)]
struct RuleMetadata {
    cwe: Option<String>,
    description: Option<String>,
    masvs: Option<String>,
    #[serde(rename = "owasp-mobile")]
    owasp_mobile: Option<String>,
    reference: Option<String>,
    severity: Option<String>,
}

// ---- MobSF report -----------------------------------------------------------------------------

#[derive(Deserialize)]
struct Report {
    version: Option<String>,
    timestamp: Option<String>,
    permissions: Option<Permissions>,
    insecure_connections: Option<OneOrMany>,
    certificate_analysis: Option<CertificateAnalysis>,
    manifest_analysis: Option<ManifestAnalysis>,
    code_analysis: Option<CodeAnalysis>,
    binary_analysis: Option<BinaryAnalysis>,
    android_api: Option<Ordered<CodeEntry>>,
    manifest: Option<Vec<OldManifestItem>>,
    findings: Option<Ordered<OldFinding>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Permissions {
    List(Vec<PermissionItem>),
    Map(Ordered<Permission>),
}

#[derive(Deserialize)]
struct Permission {
    status: Option<String>,
    info: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct PermissionItem {
    name: Option<String>,
    status: Option<String>,
    info: Option<String>,
    description: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct CertificateAnalysis {
    certificate_info: Option<String>,
    #[serde(default)]
    certificate_findings: Vec<Vec<Text>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ManifestAnalysis {
    /// MobSF 3.1 and older.
    List(Vec<OldManifestItem>),
    Dict {
        #[serde(default)]
        manifest_findings: Option<Vec<ManifestItem>>,
    },
}

#[derive(Deserialize)]
struct OldManifestItem {
    title: Option<String>,
    stat: Option<String>,
    desc: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct ManifestItem {
    rule: Option<String>,
    title: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    name: Option<String>,
    component: Option<OneOrMany>,
}

/// The rules of `code_analysis`: MobSF 3.4+ nests them as `{"findings": {rule: …},
/// "summary": …}`, older versions write `{rule: …}`. Read in one pass (no buffering: this is
/// the largest section of a report).
struct CodeAnalysis(Vec<(String, CodeEntry)>);

impl<'de> Deserialize<'de> for CodeAnalysis {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CodeAnalysis;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a code_analysis object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<CodeAnalysis, A::Error> {
                let mut rules = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "findings" => rules.extend(map.next_value::<Ordered<CodeEntry>>()?.0),
                        "summary" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => rules.push((key, map.next_value::<CodeEntry>()?)),
                    }
                }
                Ok(CodeAnalysis(rules))
            }
            fn visit_unit<E>(self) -> Result<CodeAnalysis, E> {
                Ok(CodeAnalysis(Vec::new()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<CodeAnalysis, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(CodeAnalysis(Vec::new()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct CodeEntry {
    #[serde(default)]
    files: Ordered<Text>,
    metadata: Option<CodeMetadata>,
}

#[derive(Deserialize)]
struct CodeMetadata {
    description: Option<String>,
    severity: Option<String>,
    cwe: Option<String>,
    #[serde(rename = "owasp-mobile")]
    owasp_mobile: Option<String>,
    masvs: Option<String>,
    reference: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BinaryAnalysis {
    /// Android: one object per shared object, `{"name": …, "nx": {…}, …}`.
    List(Vec<Ordered<BinaryValue>>),
    /// iOS, MobSF 3.5+: `{"findings": {title: …}, "summary": …}`.
    Nested { findings: Ordered<BinaryFinding> },
    /// iOS, older: `{title: …}`.
    Flat(Ordered<BinaryFinding>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BinaryValue {
    Name(String),
    Check {
        severity: String,
        description: String,
    },
    Other(IgnoredAny),
}

#[derive(Deserialize)]
struct BinaryFinding {
    detailed_desc: Option<String>,
    severity: Option<String>,
    cwe: Option<String>,
    #[serde(rename = "owasp-mobile")]
    owasp_mobile: Option<String>,
    masvs: Option<String>,
}

#[derive(Deserialize)]
struct OldFinding {
    level: Option<String>,
    #[serde(default)]
    path: Option<OneOrMany>,
}

// ---- QARK-style list --------------------------------------------------------------------------

#[derive(Deserialize)]
struct ListItem {
    category: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    name: Option<String>,
    line_number: Option<OneOrMany>,
    file_object: Option<String>,
    apk_exploit_dict: Option<Ordered<Text>>,
}

/// A finding and the section it came from, before merging.
struct Entry {
    section: &'static str,
    finding: Finding,
}

impl Parser for Mobsf {
    fn id(&self) -> &'static str {
        "mobsf"
    }

    fn name(&self) -> &'static str {
        "MobSF"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["MobSF Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(json) = input.json() else {
            return false;
        };
        if let Some(first) = json.as_array().and_then(|a| a.first()) {
            return first.get("apk_exploit_dict").is_some() && first.get("file_object").is_some();
        }
        let has = |k: &str| json.get(k).is_some();
        has("mobsfscan_version")
            || (has("file_name")
                && (has("md5") || has("hash"))
                && (has("permissions") || has("code_analysis") || has("binary_analysis")))
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let bytes = input.bytes();
        let mut parsed = Parsed::default();
        let entries = if input.json().is_some_and(serde_json::Value::is_array) {
            parsed.tool = Some("MobSF".into());
            let items: Vec<ListItem> = de::json(bytes)?;
            list_entries(items)
        } else if input
            .json()
            .is_some_and(|j| j.get("mobsfscan_version").is_some())
        {
            let scan: Scan = de::json(bytes)?;
            parsed.tool = Some(match scan.mobsfscan_version.as_deref() {
                Some(v) => format!("mobsfscan {v}"),
                None => "mobsfscan".into(),
            });
            if let Some(n) = scan.errors.as_ref().map(Vec::len).filter(|n| *n > 0) {
                parsed
                    .warnings
                    .push(format!("mobsfscan reported {n} error(s) while scanning"));
            }
            scan_entries(scan)
        } else {
            let report: Report = de::json(bytes)?;
            parsed.tool = Some(match report.version.as_deref() {
                Some(v) => format!("MobSF {}", v.trim()),
                None => "MobSF".into(),
            });
            parsed.scan_time = non_empty(report.timestamp.as_deref());
            report_entries(report)
        };

        let mut seen: HashMap<(&'static str, String, Severity, String, String), usize> =
            HashMap::new();
        for Entry {
            section,
            mut finding,
        } in entries
        {
            let key = (
                section,
                finding.title.clone(),
                finding.severity,
                finding
                    .location
                    .file
                    .as_ref()
                    .map(|f| format!("{}:{}", f.path, f.start_line.unwrap_or(0)))
                    .unwrap_or_default(),
                finding.description.clone().unwrap_or_default(),
            );
            match seen.get(&key) {
                Some(&at) => {
                    let kept = &mut parsed.findings[at];
                    kept.occurrences = kept.occurrences.saturating_add(1);
                }
                None => {
                    finding.scan_time.clone_from(&parsed.scan_time);
                    seen.insert(key, parsed.findings.len());
                    parsed.findings.push(finding);
                }
            }
        }
        Ok(parsed)
    }
}

/// MobSF's severity words: `high`/`warning`/`info`/`secure` (and `good`, `bad`, `dangerous` …).
fn severity(label: &str) -> Severity {
    match label.trim().to_ascii_lowercase().as_str() {
        "dangerous" | "bad" | "vulnerability" => Severity::High,
        "secure" | "good" | "normal" | "signature" | "signatureorsystem" | "unknown" => {
            Severity::Info
        }
        other => Severity::from_label(other).unwrap_or(Severity::Info),
    }
}

fn new(title: &str, label: Option<&str>) -> Finding {
    let title = one_line(title);
    let mut f = Finding::new("MobSF", Category::Sast, title);
    if let Some(label) = label.and_then(|l| non_empty(Some(l))) {
        f.severity = severity(&label);
        f.tool_severity = Some(label);
    }
    f
}

/// A title on one line: HTML removed, line breaks folded (`_memcpy\n, _strlen` → `_memcpy, _strlen`).
fn one_line(text: &str) -> String {
    let text = if text.contains('<') {
        html_to_text(text)
    } else {
        text.to_string()
    };
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",");
    first_line(&joined, 300)
}

/// The CWE number in `CWE-295 Improper …`, `CWE-676: Use …` or `cwe-798`.
fn cwe_of(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let at = upper.find("CWE-")?;
    let digits: String = upper[at + 4..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

fn classify(f: &mut Finding, cwe: Option<&str>, owasp_mobile: Option<&str>, masvs: Option<&str>) {
    if let Some(cwe) = cwe.and_then(cwe_of) {
        f.add_cwe(&cwe);
    }
    for tag in [owasp_mobile, masvs].into_iter().flatten() {
        if let Some(tag) = non_empty(Some(tag)) {
            if !f.tags.contains(&tag) {
                f.tags.push(tag);
            }
        }
    }
}

fn scan_entries(scan: Scan) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (rule, r) in scan.results.0 {
        let meta = r.metadata;
        let base = || {
            let mut f = Finding::new("mobsfscan", Category::Sast, rule.clone());
            if let Some(m) = &meta {
                if let Some(label) = non_empty(m.severity.as_deref()) {
                    // mobsfscan's INFO marks missing hardening, not trivia.
                    f.severity = match label.to_ascii_uppercase().as_str() {
                        "ERROR" => Severity::High,
                        "WARNING" => Severity::Medium,
                        _ => Severity::Low,
                    };
                    f.tool_severity = Some(label);
                }
                classify(
                    &mut f,
                    m.cwe.as_deref(),
                    m.owasp_mobile.as_deref(),
                    m.masvs.as_deref(),
                );
                f.description = non_empty(m.description.as_deref());
                if let Some(r) = m.reference.as_deref() {
                    f.add_reference(r);
                }
            }
            f.rule_id = Some(rule.clone());
            f
        };
        let files = r.files.unwrap_or_default();
        if files.is_empty() {
            entries.push(Entry {
                section: "mobsfscan",
                finding: base(),
            });
        }
        for m in files {
            let mut f = base();
            if let Some(path) = non_empty(m.file_path.as_deref()) {
                let lines = m.match_lines.unwrap_or_default();
                let mut file = FileLocation::new(path, lines.first().copied());
                file.end_line = lines.get(1).copied().filter(|l| *l > 0);
                // Hard-coded credential rules match the credential itself: keep it masked.
                file.snippet = non_empty(m.match_string.as_deref()).map(|snippet| {
                    if credential_rule(&rule, meta.as_ref()) {
                        mask_literals(&snippet)
                    } else {
                        snippet
                    }
                });
                f.location.file = Some(file);
            }
            entries.push(Entry {
                section: "mobsfscan",
                finding: f,
            });
        }
    }
    entries
}

/// Whether a mobsfscan rule reports hard-coded secrets (CWE-798, CWE-321, CWE-259 or a
/// `…hardcoded…`/`…secret…` rule id).
fn credential_rule(rule: &str, meta: Option<&RuleMetadata>) -> bool {
    let rule = rule.to_ascii_lowercase();
    let cwe = meta.and_then(|m| m.cwe.as_deref()).and_then(cwe_of);
    rule.contains("hardcoded")
        || rule.contains("secret")
        || rule.contains("password")
        || matches!(cwe.as_deref(), Some("798" | "321" | "259"))
}

/// The text with the contents of its quoted string literals masked.
fn mask_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(&mask(&after[..close]));
                out.push(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&mask(after));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn report_entries(report: Report) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut push =
        |section: &'static str, finding: Finding| entries.push(Entry { section, finding });

    match report.permissions {
        Some(Permissions::List(items)) => {
            for p in items {
                let Some(name) = non_empty(p.name.as_deref()) else {
                    continue;
                };
                let mut f = new(&name, p.status.as_deref());
                f.rule_id = Some(name);
                f.description = Some(
                    [
                        p.info,
                        p.description,
                        p.reason.map(|r| format!("Reason: {r}")),
                    ]
                    .into_iter()
                    .flatten()
                    .filter(|t| !t.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
                )
                .filter(|d| !d.is_empty());
                push("permissions", f);
            }
        }
        Some(Permissions::Map(map)) => {
            for (name, p) in map.0 {
                let mut f = new(&name, p.status.as_deref());
                f.rule_id = Some(name);
                f.description = Some(
                    [p.info, p.description]
                        .into_iter()
                        .flatten()
                        .filter(|t| !t.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join("\n\n"),
                )
                .filter(|d| !d.is_empty());
                push("permissions", f);
            }
        }
        None => {}
    }

    for urls in report.insecure_connections.into_iter().flat_map(|c| c.0) {
        let mut f = new("Insecure Connections", Some("low"));
        f.rule_id = Some("insecure_connections".into());
        let urls: Vec<String> = urls.split(',').filter_map(|u| non_empty(Some(u))).collect();
        f.description = Some(format!(
            "The app connects over cleartext HTTP to:\n{}",
            bullet_list(&urls, 100)
        ));
        push("insecure_connections", f);
    }

    if let Some(c) = report.certificate_analysis {
        for row in c.certificate_findings {
            let cell = |i: usize| row.get(i).and_then(Text::get).map(str::to_string);
            let (label, text, title) = match row.len() {
                3 => (cell(0), cell(1), cell(2)),
                2 => (cell(0), cell(1), cell(1)),
                _ => continue,
            };
            let Some(title) = title else {
                continue;
            };
            let mut f = new(&title, label.as_deref());
            let mut description = text.unwrap_or_default();
            if let Some(info) = non_empty(c.certificate_info.as_deref()) {
                description.push_str(&format!("\n\nCertificate:\n{info}"));
            }
            f.description = non_empty(Some(&description));
            push("certificate_analysis", f);
        }
    }

    let mut old_manifest = Vec::new();
    match report.manifest_analysis {
        Some(ManifestAnalysis::Dict { manifest_findings }) => {
            for m in manifest_findings.into_iter().flatten() {
                let Some(title) =
                    non_empty(m.title.as_deref()).or_else(|| non_empty(m.name.as_deref()))
                else {
                    continue;
                };
                let mut f = new(&title, m.severity.as_deref());
                f.rule_id = non_empty(m.rule.as_deref());
                let mut description = m.description.map(|d| html_to_text(&d)).unwrap_or_default();
                let component = m.component.map(|c| c.0).unwrap_or_default();
                if !component.is_empty() {
                    description.push_str(&format!("\n\nComponent: {}", component.join(" ")));
                }
                f.description = non_empty(Some(&description));
                push("manifest_analysis", f);
            }
        }
        // Reported last, so that the other sections keep the positions other tools give them.
        Some(ManifestAnalysis::List(items)) => old_manifest = items,
        None => {}
    }

    let code = report.code_analysis.map(|c| c.0).unwrap_or_default();
    for (rule, entry) in code {
        let Some(meta) = entry.metadata else {
            continue;
        };
        let mut f = new(&rule, meta.severity.as_deref());
        f.rule_id = Some(rule);
        classify(
            &mut f,
            meta.cwe.as_deref(),
            meta.owasp_mobile.as_deref(),
            meta.masvs.as_deref(),
        );
        if let Some(r) = meta.reference.as_deref() {
            f.add_reference(r);
        }
        located(&mut f, meta.description.as_deref(), entry.files);
        push("code_analysis", f);
    }

    match report.binary_analysis {
        Some(BinaryAnalysis::List(binaries)) => {
            for binary in binaries {
                let path = binary.0.iter().find_map(|(k, v)| match (k.as_str(), v) {
                    ("name", BinaryValue::Name(name)) => non_empty(Some(name)),
                    _ => None,
                });
                for (key, value) in binary.0 {
                    let BinaryValue::Check {
                        severity,
                        description,
                    } = value
                    else {
                        continue;
                    };
                    let title = description.split('.').next().unwrap_or(&description);
                    let mut f = new(title, Some(&severity));
                    f.rule_id = Some(key);
                    f.description = non_empty(Some(&description));
                    if let Some(path) = &path {
                        f.location.file = Some(FileLocation::new(path.clone(), None));
                    }
                    push("binary_analysis", f);
                }
            }
        }
        Some(BinaryAnalysis::Nested { findings }) | Some(BinaryAnalysis::Flat(findings)) => {
            for (title, b) in findings.0 {
                let Some(detail) = non_empty(b.detailed_desc.as_deref()) else {
                    continue;
                };
                let mut f = new(&detail, b.severity.as_deref());
                f.rule_id = Some(title);
                f.description = Some(detail);
                classify(
                    &mut f,
                    b.cwe.as_deref(),
                    b.owasp_mobile.as_deref(),
                    b.masvs.as_deref(),
                );
                push("binary_analysis", f);
            }
        }
        None => {}
    }

    for (api, entry) in report.android_api.map(|a| a.0).unwrap_or_default() {
        let meta = entry.metadata;
        let description = meta
            .as_ref()
            .and_then(|m| non_empty(m.description.as_deref()));
        let title = description.clone().unwrap_or_else(|| api.clone());
        let mut f = new(&title, meta.as_ref().and_then(|m| m.severity.as_deref()));
        f.rule_id = Some(api.clone());
        located(&mut f, Some(&format!("API: {api}")), entry.files);
        push("android_api", f);
    }

    for m in report.manifest.into_iter().flatten() {
        push_old_manifest(&mut push, m);
    }

    for (title, finding) in report.findings.map(|f| f.0).unwrap_or_default() {
        let mut f = new(&title, finding.level.as_deref());
        let paths = finding.path.map(|p| p.0).unwrap_or_default();
        if let Some(first) = paths.first() {
            f.location.file = Some(FileLocation::new(first.clone(), None));
        }
        let mut description = title.clone();
        if paths.len() > 1 {
            description.push_str(&format!("\n\nFiles:\n{}", bullet_list(&paths, 50)));
        }
        f.description = Some(description);
        push("findings", f);
    }

    for m in old_manifest {
        push_old_manifest(&mut push, m);
    }
    entries
}

fn push_old_manifest(push: &mut impl FnMut(&'static str, Finding), m: OldManifestItem) {
    let Some(title) = non_empty(m.title.as_deref()).or_else(|| non_empty(m.name.as_deref())) else {
        return;
    };
    let mut f = new(&title, m.stat.as_deref());
    f.description = non_empty(m.desc.as_deref()).map(|d| html_to_text(&d));
    push("manifest", f);
}

/// Sets the first file of a `{path: "lines"}` map as the location and lists them all.
fn located(f: &mut Finding, text: Option<&str>, files: Ordered<Text>) {
    let mut description = text.map(str::to_string).unwrap_or_default();
    let places: Vec<String> = files
        .0
        .iter()
        .map(|(path, lines)| match lines.get() {
            Some(lines) => format!("{path}: {lines}"),
            None => path.clone(),
        })
        .collect();
    if let Some((path, lines)) = files.0.into_iter().next() {
        let line = lines
            .get()
            .and_then(|l| l.split(',').next())
            .and_then(|l| l.trim().parse::<u32>().ok());
        f.location.file = Some(FileLocation::new(path, line));
    }
    if !places.is_empty() {
        description.push_str(&format!("\n\nFiles:\n{}", bullet_list(&places, 50)));
    }
    f.description = non_empty(Some(&description));
}

fn list_entries(items: Vec<ListItem>) -> Vec<Entry> {
    items
        .into_iter()
        .filter_map(|item| {
            let title = non_empty(item.name.as_deref())?;
            let mut f = new(&title, item.severity.as_deref());
            let lines = item.line_number.map(|l| l.0).unwrap_or_default();
            if let Some(path) = non_empty(item.file_object.as_deref()) {
                let line = lines.first().and_then(|l| l.parse::<u32>().ok());
                f.location.file = Some(FileLocation::new(path, line));
            }
            let mut description = item.description.unwrap_or_default();
            if let Some(category) = non_empty(item.category.as_deref()) {
                f.tags.push(category);
            }
            let details: Vec<String> = item
                .apk_exploit_dict
                .map(|d| d.0)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(k, v)| v.get().map(|v| format!("{k}: {v}")))
                .collect();
            if !details.is_empty() {
                description.push_str(&format!("\n\n{}", details.join("\n")));
            }
            if !lines.is_empty() {
                description.push_str(&format!("\n\nLine: {}", lines.join(", ")));
            }
            f.description = non_empty(Some(&description));
            Some(Entry {
                section: "list",
                finding: f,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Mobsf.detect(&input));
        Mobsf.parse(&input).unwrap()
    }

    #[test]
    fn mobsfscan_per_file() {
        let parsed = check(
            r#"{"errors": [], "mobsfscan_version": "0.2.0", "results": {
              "android_certificate_transparency": {"metadata": {"cwe": "cwe-295", "description": "No CT.", "masvs": "MSTG-NETWORK-4",
                "owasp-mobile": "M3: Insecure Communication", "reference": "https://example.org/ct", "severity": "INFO"}},
              "android_kotlin_hardcoded": {"files": [
                {"file_path": "app/Signatures.kt", "match_lines": [10, 10], "match_position": [243, 271], "match_string": "key = \"x\""},
                {"file_path": "app/Signatures2.kt", "match_lines": [20, 21], "match_string": "key2 = \"y\""}],
                "metadata": {"cwe": "CWE-798 Use of Hard-coded Credentials", "description": "Hardcoded.", "severity": "WARNING"}}}}"#,
        );
        assert_eq!(parsed.findings.len(), 3);
        let ct = &parsed.findings[0];
        assert_eq!(
            (ct.title.as_str(), ct.severity, ct.cwe()),
            ("android_certificate_transparency", Severity::Low, Some(295))
        );
        let hard = &parsed.findings[2];
        assert_eq!(hard.severity, Severity::Medium);
        assert_eq!(hard.cwe(), Some(798));
        let file = hard.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.end_line),
            ("app/Signatures2.kt", Some(20), Some(21))
        );
        assert_eq!(parsed.tool.as_deref(), Some("mobsfscan 0.2.0"));
        assert_eq!(file.snippet.as_deref(), Some("key2 = \"****\""));
        assert_eq!(
            mask_literals("a = 'AKIAIOSFODNN7EXAMPLE' + \"x"),
            "a = 'AKIA****' + \"****"
        );
    }

    #[test]
    fn android_report() {
        let parsed = check(
            r#"{"version": "v3.1.9 Beta", "title": "StaticAnalysis", "file_name": "diva-beta.apk", "md5": "77a9",
              "timestamp": "2020-11-26T16:03:16.140Z",
              "permissions": {"android.permission.WRITE_EXTERNAL_STORAGE": {"status": "dangerous", "info": "modify storage", "description": "Allows writing."},
                              "android.permission.INTERNET": {"status": "normal", "info": "full Internet access", "description": "Sockets."}},
              "certificate_analysis": {},
              "manifest_analysis": [{"title": "Debug Enabled For App<br>[android:debuggable=true]", "stat": "high", "desc": "Debugging was enabled.", "name": "x", "component": []}],
              "binary_analysis": [{"name": "lib/armeabi-v7a/libdivajni.so",
                "nx": {"is_nx": false, "severity": "high", "description": "The shared object does not have NX bit set. NX bit offer protection."},
                "symbol": {"is_stripped": true, "severity": "info", "description": "Symbols are stripped."}}],
              "code_analysis": {"android_logging": {"files": {"a/LogActivity.java": "23,40", "b/X.java": "7"},
                 "metadata": {"description": "The App logs information.", "severity": "info", "cwe": "CWE-532 Insertion of Sensitive Information into Log File"}}},
              "android_api": {"api_https_connection": {"files": {"c/Net.java": "5"}, "metadata": {"description": "HTTPS Connection", "severity": "info"}}}}"#,
        );
        let titles: Vec<&str> = parsed.findings.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "android.permission.WRITE_EXTERNAL_STORAGE",
                "android.permission.INTERNET",
                "android_logging",
                "The shared object does not have NX bit set",
                "Symbols are stripped",
                "HTTPS Connection",
                "Debug Enabled For App [android:debuggable=true]",
            ]
        );
        assert_eq!(parsed.findings[0].severity, Severity::High);
        assert_eq!(parsed.findings[1].severity, Severity::Info);
        let logging = &parsed.findings[2];
        assert_eq!(logging.cwe(), Some(532));
        let file = logging.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line),
            ("a/LogActivity.java", Some(23))
        );
        assert_eq!(
            parsed.findings[3].location.file.as_ref().unwrap().path,
            "lib/armeabi-v7a/libdivajni.so"
        );
        assert_eq!(parsed.findings[6].severity, Severity::High);
        assert_eq!(
            parsed.scan_time.as_deref(),
            Some("2020-11-26T16:03:16.140Z")
        );
    }

    #[test]
    fn ios_binary_findings_and_qark_list() {
        let ios = check(
            r#"{"version": "v3.7.9 Beta", "file_name": "a.ipa", "md5": "e1", "permissions": {},
              "binary_analysis": {"findings": {"Binary makes use of insecure API(s)": {"detailed_desc": "The binary may contain the following insecure API(s) _memcpy\n, _strlen\n",
                "severity": "high", "cvss": 6, "cwe": "CWE-676: Use of Potentially Dangerous Function"}}, "summary": {"high": 1}},
              "code_analysis": {"findings": {}, "summary": {}}}"#,
        );
        assert_eq!(ios.findings.len(), 1);
        assert_eq!(
            ios.findings[0].title,
            "The binary may contain the following insecure API(s) _memcpy, _strlen"
        );
        assert_eq!(ios.findings[0].cwe(), Some(676));

        let item = |line: u32| {
            format!(
                r#"{{"category": "file", "severity": "INFO", "description": "Check the key.", "name": "Potential API Key found",
                "line_number": [{line}, 0], "file_object": "/b/qark/assets/food.db", "apk_exploit_dict": null}}"#
            )
        };
        let list = check(&format!("[{},{},{}]", item(1), item(1), item(2)));
        assert_eq!(list.findings.len(), 2);
        assert_eq!(list.findings[0].occurrences, 2);
        assert_eq!(
            list.findings[0].location.file.as_ref().unwrap().start_line,
            Some(1)
        );
    }
}
