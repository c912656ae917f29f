//! What the five GitLab security reports share: the envelope (`version`, `schema`, `scan`),
//! the vulnerability object, identifiers, CVSS vectors, details, and the choice of report
//! type per finding category.
//!
//! Schema: GitLab security report schemas 15.x
//! (<https://gitlab.com/gitlab-org/security-products/security-report-schemas>), checked against
//! the 15.2.1 files in `tests/data/schemas/gitlab/`. Each report type has its own module
//! (`gitlab_sast.rs` …) with its `location` object; a report holds only the findings of its
//! type, and [`gitlab_artifacts`] writes each type to GitLab's standard artifact file.
//!
//! Mapping, so that an importer of these reports gets the ward fields back: `name` = title,
//! `severity` = severity (`Unknown` when the tool said so), the first identifier = the rule id
//! (typed `cve`/`ghsa`/`cwe` when it is one, else `<tool>_rule_id`), then every CVE, GHSA, OSV,
//! CWE, OWASP and vendor id; `description`, `solution` = remediation, `links` = references,
//! `cvss_vectors`, and everything else (tool, rule, fingerprint, confidence, EPSS, package,
//! image, cloud resource, URL, a file the location has no place for, status …) in `details`
//! under fixed ids; `scan.analyzer.id` = `ward` tells ward's GitLab importers to read them
//! back. The vulnerability `id` is a UUID derived from the fingerprint. What does not survive:
//! columns and a missing end line (SAST locations hold lines only, `end_line` defaults to the
//! start line), a secret's hash (only the masked value is written), and what is cut: `name`
//! (255 characters) and `solution` (7000).

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};
use ward_core::{Category, CvssVersion, Finding, IdentifierKind, Report, Status};

use crate::exporters::{
    gitlab_container_scanning, gitlab_dast, gitlab_dependency_scanning, gitlab_sast,
    gitlab_secret_detection,
};
use crate::util::{
    fingerprint, identifier_url, is_web_url, non_blank, severity_title, severity_unknown, slug,
    status_word, tools, truncate, unique_keys, uuid_from,
};
use crate::{Error, Exporter, Options, Outcome};

/// One of GitLab's five security report types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GitlabKind {
    /// Static analysis (also IaC, code quality and cloud posture findings).
    Sast,
    /// Vulnerable dependencies (also licence findings).
    DependencyScanning,
    /// Vulnerable packages in container images.
    ContainerScanning,
    /// Committed secrets.
    SecretDetection,
    /// Dynamic application testing.
    Dast,
}

impl GitlabKind {
    /// All five, in the order GitLab documents them.
    pub const ALL: [GitlabKind; 5] = [
        GitlabKind::Sast,
        GitlabKind::DependencyScanning,
        GitlabKind::ContainerScanning,
        GitlabKind::SecretDetection,
        GitlabKind::Dast,
    ];

    /// The report type a finding of this category goes to. GitLab has no cloud posture or
    /// code quality report among its security reports; those go to SAST, whose location
    /// needs nothing.
    pub fn of(category: Category) -> GitlabKind {
        match category {
            Category::Dependency | Category::License => GitlabKind::DependencyScanning,
            Category::Container => GitlabKind::ContainerScanning,
            Category::Secret => GitlabKind::SecretDetection,
            Category::Dast => GitlabKind::Dast,
            Category::Sast
            | Category::Iac
            | Category::Cloud
            | Category::Quality
            | Category::Performance => GitlabKind::Sast,
        }
    }

    /// GitLab's standard artifact file name (`gl-sast-report.json` …).
    pub fn file_name(self) -> &'static str {
        match self {
            GitlabKind::Sast => "gl-sast-report.json",
            GitlabKind::DependencyScanning => "gl-dependency-scanning-report.json",
            GitlabKind::ContainerScanning => "gl-container-scanning-report.json",
            GitlabKind::SecretDetection => "gl-secret-detection-report.json",
            GitlabKind::Dast => "gl-dast-report.json",
        }
    }

    /// The `scan.type` value.
    pub fn scan_type(self) -> &'static str {
        match self {
            GitlabKind::Sast => "sast",
            GitlabKind::DependencyScanning => "dependency_scanning",
            GitlabKind::ContainerScanning => "container_scanning",
            GitlabKind::SecretDetection => "secret_detection",
            GitlabKind::Dast => "dast",
        }
    }

    /// The schema file name in GitLab's schema repository.
    pub fn schema_file(self) -> &'static str {
        match self {
            GitlabKind::Sast => "sast-report-format.json",
            GitlabKind::DependencyScanning => "dependency-scanning-report-format.json",
            GitlabKind::ContainerScanning => "container-scanning-report-format.json",
            GitlabKind::SecretDetection => "secret-detection-report-format.json",
            GitlabKind::Dast => "dast-report-format.json",
        }
    }

    /// The exporter writing this report type.
    pub fn exporter(self) -> &'static dyn Exporter {
        match self {
            GitlabKind::Sast => &gitlab_sast::GitlabSast,
            GitlabKind::DependencyScanning => &gitlab_dependency_scanning::GitlabDependencyScanning,
            GitlabKind::ContainerScanning => &gitlab_container_scanning::GitlabContainerScanning,
            GitlabKind::SecretDetection => &gitlab_secret_detection::GitlabSecretDetection,
            GitlabKind::Dast => &gitlab_dast::GitlabDast,
        }
    }

    fn label(self) -> &'static str {
        match self {
            GitlabKind::Sast => "SAST",
            GitlabKind::DependencyScanning => "dependency scanning",
            GitlabKind::ContainerScanning => "container scanning",
            GitlabKind::SecretDetection => "secret detection",
            GitlabKind::Dast => "DAST",
        }
    }

    fn location(self, finding: &Finding) -> Value {
        match self {
            GitlabKind::Sast => gitlab_sast::location(finding),
            GitlabKind::DependencyScanning => gitlab_dependency_scanning::location(finding),
            GitlabKind::ContainerScanning => gitlab_container_scanning::location(finding),
            GitlabKind::SecretDetection => gitlab_secret_detection::location(finding),
            GitlabKind::Dast => gitlab_dast::location(finding),
        }
    }
}

/// One GitLab artifact file: its standard name, its bytes, and how many findings it holds.
#[derive(Debug, Clone)]
pub struct GitlabArtifact {
    /// The report type.
    pub kind: GitlabKind,
    /// `gl-sast-report.json` …
    pub file_name: &'static str,
    /// The report.
    pub bytes: Vec<u8>,
    /// Findings in it.
    pub n_findings: usize,
}

/// The report split into GitLab's report types by finding category, one artifact per type
/// that has findings, or all five when `all` is set (GitLab then shows "no findings" rather
/// than "no report").
pub fn gitlab_artifacts(
    report: &Report,
    options: &Options,
    all: bool,
) -> Result<Vec<GitlabArtifact>, Error> {
    let mut artifacts = Vec::new();
    for kind in GitlabKind::ALL {
        let n_findings = report
            .findings
            .iter()
            .filter(|f| GitlabKind::of(f.category) == kind)
            .count();
        if n_findings == 0 && !all {
            continue;
        }
        let mut bytes = Vec::new();
        write(kind, report, options, &mut bytes)?;
        artifacts.push(GitlabArtifact {
            kind,
            file_name: kind.file_name(),
            bytes,
            n_findings,
        });
    }
    Ok(artifacts)
}

/// Writes the report of one type, holding the findings whose category maps to it.
pub(crate) fn write(
    kind: GitlabKind,
    report: &Report,
    options: &Options,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let id = kind.exporter().id();
    let version = options.gitlab_version()?;
    let time = options.time(report)?.naive();
    let keys = unique_keys(report);
    let mut vulnerabilities = Vec::new();
    let mut left_out: BTreeMap<GitlabKind, usize> = BTreeMap::new();
    let mut findings = Vec::new();
    for (finding, key) in report.findings.iter().zip(&keys) {
        let finding_kind = GitlabKind::of(finding.category);
        if finding_kind != kind {
            *left_out.entry(finding_kind).or_default() += 1;
            continue;
        }
        vulnerabilities.push(vulnerability(kind, finding, key));
        findings.push(finding);
    }
    let mut scan = json!({
        "analyzer": {
            "id": "ward",
            "name": "ward",
            "vendor": {"name": "ward"},
            "version": non_blank(Some(&options.ward_version)).unwrap_or("unknown"),
        },
        "scanner": scanner(report, &findings),
        "type": kind.scan_type(),
        "start_time": time,
        "end_time": time,
        "status": "success",
    });
    if kind == GitlabKind::Dast {
        scan["scanned_resources"] = gitlab_dast::scanned_resources(&findings);
    }
    let document = json!({
        "version": version,
        "schema": format!(
            "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{version}/dist/{}",
            kind.schema_file()
        ),
        "scan": scan,
        "vulnerabilities": vulnerabilities,
    });
    serde_json::to_writer_pretty(&mut *out, &document).map_err(Error::json(id))?;
    out.write_all(b"\n").map_err(Error::write(id))?;
    let mut warnings = Vec::new();
    if !left_out.is_empty() {
        let n: usize = left_out.values().sum();
        let parts: Vec<String> = left_out
            .iter()
            .map(|(kind, n)| format!("{} {n}", kind.label()))
            .collect();
        warnings.push(format!(
            "left out {n} findings that belong in other GitLab report types ({})",
            parts.join(", ")
        ));
    }
    Ok(Outcome {
        exported: findings.len(),
        warnings,
    })
}

/// The scanner: the one tool of the findings, else ward standing for several.
fn scanner(report: &Report, findings: &[&Finding]) -> Value {
    let mut names: Vec<&str> = Vec::new();
    for finding in findings {
        if !names.contains(&finding.tool.as_str()) {
            names.push(&finding.tool);
        }
    }
    if findings.is_empty() {
        names = tools(report);
    }
    let names: Vec<&str> = names.into_iter().filter(|n| !n.trim().is_empty()).collect();
    match names.as_slice() {
        [one] => json!({
            "id": slug(one),
            "name": one,
            "vendor": {"name": one},
            "version": "unknown",
        }),
        _ => {
            let name = if names.is_empty() {
                "ward".to_string()
            } else {
                format!("ward ({})", names.join(", "))
            };
            json!({"id": "ward", "name": name, "vendor": {"name": "ward"}, "version": "unknown"})
        }
    }
}

fn vulnerability(kind: GitlabKind, finding: &Finding, key: &str) -> Value {
    let mut v = Map::new();
    v.insert("id".into(), json!(uuid_from(key)));
    v.insert("name".into(), json!(truncate(&finding.title, 255)));
    if let Some(description) = non_blank(finding.description.as_deref()) {
        v.insert(
            "description".into(),
            json!(truncate(description, 1_048_576)),
        );
    }
    let severity = if severity_unknown(finding) {
        "Unknown"
    } else {
        severity_title(finding.severity)
    };
    v.insert("severity".into(), json!(severity));
    if let Some(solution) = solution(finding) {
        v.insert("solution".into(), json!(truncate(&solution, 7000)));
    }
    v.insert("identifiers".into(), Value::Array(identifiers(finding)));
    let vectors = cvss_vectors(finding);
    if !vectors.is_empty() {
        v.insert("cvss_vectors".into(), Value::Array(vectors));
    }
    let mut links = Vec::new();
    for url in &finding.references {
        if is_web_url(url) && !links.contains(&json!({"url": url})) {
            links.push(json!({"url": url}));
        }
    }
    // References that are no web URL have no place in links: the details keep them all.
    if !links.is_empty() {
        v.insert("links".into(), Value::Array(links));
    }
    v.insert("details".into(), Value::Object(details(kind, finding, key)));
    if finding.status == Status::FalsePositive {
        v.insert(
            "flags".into(),
            json!([{
                "type": "flagged-as-likely-false-positive",
                "origin": non_blank(Some(&finding.tool)).unwrap_or("ward"),
                "description": "The scanner or a reviewer marked this finding a false positive.",
            }]),
        );
    }
    v.insert("location".into(), kind.location(finding));
    match kind {
        GitlabKind::Sast => {
            let snippet = finding
                .location
                .file
                .as_ref()
                .and_then(|f| f.snippet.as_deref());
            if let Some(snippet) = non_blank(snippet) {
                v.insert("raw_source_code_extract".into(), json!(snippet));
            }
        }
        GitlabKind::Dast => {
            if let Some(evidence) = non_blank(finding.evidence.as_deref()) {
                v.insert("evidence".into(), json!({"summary": evidence}));
            }
        }
        _ => {}
    }
    Value::Object(v)
}

/// The remediation, or for a package with a fixed version, the upgrade to make.
fn solution(finding: &Finding) -> Option<String> {
    if let Some(remediation) = non_blank(finding.remediation.as_deref()) {
        return Some(remediation.to_string());
    }
    let package = finding.location.package.as_ref()?;
    let fixed = non_blank(package.fixed_version.as_deref())?;
    Some(format!("Upgrade {} to {fixed}.", package.name))
}

/// The rule id first (GitLab's primary identifier), then every other id.
fn identifiers(finding: &Finding) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    if let Some(rule) = non_blank(finding.rule_id.as_deref()) {
        match ward_core::Identifier::parse(rule) {
            Some(id) if id.kind != IdentifierKind::Vendor && id.value == rule.trim() => {
                push_unique(&mut out, identifier(&id, &finding.tool));
            }
            _ => {
                let tool = slug(&finding.tool).replace('-', "_");
                push_unique(
                    &mut out,
                    json!({
                        "type": format!("{tool}_rule_id"),
                        "name": format!("{} rule {rule}", finding.tool.trim()).trim().to_string(),
                        "value": rule,
                    }),
                );
            }
        }
    }
    for id in &finding.identifiers {
        push_unique(&mut out, identifier(id, &finding.tool));
    }
    if out.is_empty() {
        let fingerprint = fingerprint(finding);
        push_unique(
            &mut out,
            json!({
                "type": "ward_fingerprint",
                "name": format!("ward fingerprint {fingerprint}"),
                "value": fingerprint,
            }),
        );
    }
    out
}

fn push_unique(out: &mut Vec<Value>, value: Value) {
    let same = |a: &Value| a["type"] == value["type"] && a["value"] == value["value"];
    if !out.iter().any(same) {
        out.push(value);
    }
}

fn identifier(id: &ward_core::Identifier, tool: &str) -> Value {
    let (kind, value) = match id.kind {
        IdentifierKind::Cve => ("cve".to_string(), id.value.clone()),
        IdentifierKind::Ghsa => ("ghsa".to_string(), id.value.clone()),
        IdentifierKind::Osv => ("osv".to_string(), id.value.clone()),
        IdentifierKind::Cwe => (
            "cwe".to_string(),
            id.cwe_number()
                .map(|n| n.to_string())
                .unwrap_or_else(|| id.value.clone()),
        ),
        IdentifierKind::Owasp => ("owasp".to_string(), id.value.clone()),
        IdentifierKind::Vendor => {
            let prefix = id.value.split(['-', '_', ':']).next().unwrap_or_default();
            let kind = if prefix.len() >= 2
                && prefix.len() < id.value.len()
                && prefix.bytes().all(|b| b.is_ascii_alphabetic())
            {
                prefix.to_ascii_lowercase()
            } else {
                format!("{}_id", slug(tool).replace('-', "_"))
            };
            (kind, id.value.clone())
        }
    };
    let mut out = json!({"type": kind, "name": id.value, "value": value});
    if let Some(url) = identifier_url(id) {
        out["url"] = json!(url);
    }
    out
}

/// The CVSS v2 and v3 vectors, in the forms the 15.x schema accepts (it has no v4).
fn cvss_vectors(finding: &Finding) -> Vec<Value> {
    let mut out = Vec::new();
    for cvss in &finding.cvss {
        let Some(vector) = non_blank(cvss.vector.as_deref()) else {
            continue;
        };
        let vector = match cvss.version {
            CvssVersion::V2 => vector
                .strip_prefix("CVSS:2.0/")
                .unwrap_or(vector)
                .to_string(),
            CvssVersion::V3_0 | CvssVersion::V3_1 if vector.starts_with("CVSS:3.") => {
                vector.to_string()
            }
            CvssVersion::V3_0 => format!("CVSS:3.0/{vector}"),
            CvssVersion::V3_1 => format!("CVSS:3.1/{vector}"),
            CvssVersion::V4 => continue,
        };
        if !valid_vector(&vector) {
            continue;
        }
        let vendor = non_blank(cvss.source.as_deref()).unwrap_or("unknown");
        let entry = json!({"vendor": vendor, "vector": vector});
        if !out.contains(&entry) && out.len() < 10 {
            out.push(entry);
        }
    }
    out
}

/// Whether a vector is made only of the metrics the GitLab schema's patterns allow.
fn valid_vector(vector: &str) -> bool {
    const V2: &[(&str, &str)] = &[
        ("AV", "NAL"),
        ("AC", "LMH"),
        ("Au", "MSN"),
        ("C", "NPC"),
        ("I", "NPC"),
        ("A", "NPC"),
    ];
    const V2_LONG: &[(&str, &[&str])] = &[
        ("E", &["U", "POC", "F", "H", "ND"]),
        ("RL", &["OF", "TF", "W", "U", "ND"]),
        ("RC", &["UC", "UR", "C", "ND"]),
        ("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
        ("TD", &["N", "L", "M", "H", "ND"]),
        ("CR", &["L", "M", "H", "ND"]),
        ("IR", &["L", "M", "H", "ND"]),
        ("AR", &["L", "M", "H", "ND"]),
    ];
    const V3: &[(&str, &str)] = &[
        ("AV", "NALP"),
        ("AC", "LH"),
        ("PR", "NLH"),
        ("UI", "NR"),
        ("S", "UC"),
        ("C", "NLH"),
        ("I", "NLH"),
        ("A", "NLH"),
        ("E", "XUPFH"),
        ("RL", "XOTWU"),
        ("RC", "XURC"),
        ("CR", "XLMH"),
        ("IR", "XLMH"),
        ("AR", "XLMH"),
        ("MAV", "XNALP"),
        ("MAC", "XLH"),
        ("MPR", "XNLH"),
        ("MUI", "XNR"),
        ("MS", "XUC"),
        ("MC", "XNLH"),
        ("MI", "XNLH"),
        ("MA", "XNLH"),
    ];
    let (body, v3, min_len) = match vector
        .strip_prefix("CVSS:3.1/")
        .or_else(|| vector.strip_prefix("CVSS:3.0/"))
    {
        Some(body) => (body, true, 32),
        None => (vector, false, 16),
    };
    if !(min_len..=128).contains(&vector.len()) || body.is_empty() {
        return false;
    }
    body.split('/').all(|metric| {
        let Some((key, value)) = metric.split_once(':') else {
            return false;
        };
        if v3 {
            V3.iter()
                .any(|(k, values)| *k == key && value.len() == 1 && values.contains(value))
        } else {
            V2.iter()
                .any(|(k, values)| *k == key && value.len() == 1 && values.contains(value))
                || V2_LONG
                    .iter()
                    .any(|(k, values)| *k == key && values.contains(&value))
        }
    })
}

/// Everything without a dedicated GitLab field, as a GitLab `named-list` of details, under ids
/// ward's GitLab importers read back (`scan.analyzer.id` = `ward` tells them).
fn details(kind: GitlabKind, finding: &Finding, key: &str) -> Map<String, Value> {
    let mut details = Map::new();
    let mut text = |id: &str, name: &str, value: &str| {
        if !value.trim().is_empty() {
            details.insert(
                id.into(),
                json!({"name": name, "type": "text", "value": value}),
            );
        }
    };
    text("tool", "Tool", &finding.tool);
    text("category", "Category", finding.category.as_str());
    // The identifiers lead with the rule id, but a rule id that is a CVE or CWE looks like any
    // other identifier there: this says which one is the rule.
    if let Some(rule) = non_blank(finding.rule_id.as_deref()) {
        text("rule_id", "Rule", rule);
    }
    text("fingerprint", "ward fingerprint", &fingerprint(finding));
    if key.contains('#') {
        text("ward_key", "ward key", key);
    }
    if let Some(severity) = &finding.tool_severity {
        text("tool_severity", "Tool severity", severity);
    }
    if let Some(confidence) = finding.confidence {
        text(
            "confidence",
            "Confidence",
            &format!("{confidence:?}").to_lowercase(),
        );
    }
    if finding.status != Status::Open {
        text("status", "Status", status_word(finding.status));
    }
    if finding.verified {
        text("verified", "Verified", "true");
    }
    if let Some(external_id) = &finding.external_id {
        text("external_id", "Tool finding id", external_id);
    }
    if let Some(time) = &finding.scan_time {
        text("scan_time", "Scan time", time);
    }
    if !finding.tags.is_empty() {
        text("tags", "Tags", &finding.tags.join(", "));
    }
    if non_blank(finding.remediation.as_deref()).is_none() && solution(finding).is_some() {
        text(
            "generated_solution",
            "Solution",
            "written by ward from the fixed version",
        );
    }
    if finding.references.iter().any(|r| !is_web_url(r)) {
        text("references", "References", &finding.references.join("\n"));
    }
    if let Some(secret) = &finding.secret {
        text("secret", "Secret (masked)", &secret.masked);
    }
    let location = &finding.location;
    // SAST and secret detection locations hold the file; the other types have no place for it
    // (dependency scanning writes a stand-in when the tool named none).
    if let Some(file) = &location.file {
        if !matches!(kind, GitlabKind::Sast | GitlabKind::SecretDetection) {
            text("file", "File", &crate::util::repo_path(&file.path));
            if let Some(line) = file.start_line {
                text("line", "Line", &line.to_string());
            }
        }
    }
    if let Some(package) = &location.package {
        text("package", "Package", &package.name);
        if let Some(version) = &package.version {
            text("version", "Version", version);
        }
        if let Some(ecosystem) = &package.ecosystem {
            text("ecosystem", "Ecosystem", ecosystem);
        }
        if let Some(purl) = &package.purl {
            text("purl", "Package URL", purl);
        }
        if let Some(fixed) = &package.fixed_version {
            text("fixed_version", "Fixed version", fixed);
        }
    }
    if let Some(image) = &location.image {
        text("image", "Image", &image.name);
        if let Some(digest) = &image.digest {
            text("image_digest", "Image digest", digest);
        }
        if let Some(layer) = &image.layer {
            text("image_layer", "Layer", layer);
        }
        if let Some(os) = &image.os {
            text("image_os", "Operating system", os);
        }
    }
    if let Some(cloud) = &location.cloud {
        text("resource", "Cloud resource", &cloud.resource_id);
        for (id, name, value) in [
            ("resource_type", "Resource type", &cloud.resource_type),
            ("provider", "Cloud provider", &cloud.provider),
            ("account", "Cloud account", &cloud.account),
            ("region", "Region", &cloud.region),
        ] {
            if let Some(value) = value {
                text(id, name, value);
            }
        }
    }
    if let Some(web) = &location.web {
        text("url", "URL", &web.url);
        if let Some(method) = &web.method {
            text("http_method", "HTTP method", method);
        }
        if let Some(parameter) = &web.parameter {
            text("parameter", "Parameter", parameter);
        }
    }
    for (i, cvss) in finding.cvss.iter().enumerate() {
        let mut parts = vec![format!("CVSS {}", version_text(cvss.version))];
        if let Some(score) = cvss.score {
            parts.push(score.to_string());
        }
        if let Some(vector) = &cvss.vector {
            parts.push(vector.clone());
        }
        if let Some(source) = &cvss.source {
            parts.push(format!("({source})"));
        }
        text(&format!("cvss_{i}"), "CVSS", &parts.join(" "));
    }
    if let Some(epss) = finding.epss {
        let mut value = format!("{}", epss.score);
        if let Some(percentile) = epss.percentile {
            value.push_str(&format!(" (percentile {percentile})"));
        }
        text("epss", "EPSS", &value);
    }
    if finding.occurrences > 1 {
        text(
            "occurrences",
            "Occurrences",
            &finding.occurrences.to_string(),
        );
    }
    if let Some(evidence) = non_blank(finding.evidence.as_deref()) {
        details.insert(
            "evidence".into(),
            json!({"name": "Evidence", "type": "code", "value": evidence}),
        );
    }
    details
}

pub(crate) fn version_text(version: CvssVersion) -> &'static str {
    match version {
        CvssVersion::V2 => "2.0",
        CvssVersion::V3_0 => "3.0",
        CvssVersion::V3_1 => "3.1",
        CvssVersion::V4 => "4.0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn categories_pick_report_types() {
        assert_eq!(GitlabKind::of(Category::Iac), GitlabKind::Sast);
        assert_eq!(
            GitlabKind::of(Category::License),
            GitlabKind::DependencyScanning
        );
        assert_eq!(
            GitlabKind::of(Category::Container),
            GitlabKind::ContainerScanning
        );
        for kind in GitlabKind::ALL {
            assert!(kind.exporter().id().starts_with("gitlab-"));
            assert!(kind.file_name().starts_with("gl-"));
        }
    }

    #[test]
    fn artifacts_only_for_types_with_findings_unless_all() {
        let mut report = testing::report();
        report.findings.retain(|f| f.category == Category::Secret);
        let some = gitlab_artifacts(&report, &Options::default(), false).unwrap();
        let names: Vec<_> = some.iter().map(|a| a.file_name).collect();
        assert_eq!(names, ["gl-secret-detection-report.json"]);
        assert_eq!(some[0].n_findings, 1);
        let all = gitlab_artifacts(&report, &Options::default(), true).unwrap();
        assert_eq!(all.len(), 5);
    }

    #[test]
    fn identifiers_put_the_rule_first() {
        let ids = identifiers(&testing::sast());
        assert_eq!(ids[0]["type"], "semgrep_rule_id");
        assert_eq!(ids[0]["value"], "python.lang.security.eval");
        assert_eq!(ids[1]["type"], "cwe");
        assert_eq!(ids[1]["value"], "95");
        assert_eq!(ids[1]["name"], "CWE-95");
        assert_eq!(ids[2]["type"], "owasp");
        let ids = identifiers(&testing::dependency());
        let values: Vec<_> = ids.iter().map(|i| i["value"].as_str().unwrap()).collect();
        assert_eq!(values, ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", "94"]);
        let ids = identifiers(&testing::bare());
        assert_eq!(ids[0]["type"], "ward_fingerprint");
    }

    #[test]
    fn vectors_the_schema_accepts() {
        assert!(valid_vector("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"));
        assert!(valid_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P"));
        assert!(valid_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF"));
        assert!(!valid_vector("CVSS:3.1/AV:Q"));
        assert!(!valid_vector(
            "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H/"
        ));
        assert!(!valid_vector("AV:N"));
    }

    #[test]
    fn bad_schema_version_is_an_error() {
        let options = Options {
            gitlab_schema_version: "latest".into(),
            ..Options::default()
        };
        let error = write(
            GitlabKind::Sast,
            &testing::report(),
            &options,
            &mut Vec::new(),
        );
        assert!(matches!(error, Err(Error::InvalidOption { .. })));
    }
}
