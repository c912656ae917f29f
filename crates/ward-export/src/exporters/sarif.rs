//! `sarif`: SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>),
//! as GitHub code scanning and most CI viewers read it.
//!
//! One run per producing tool (`tool.driver.name` = the tool), in order of first appearance.
//! Each run lists its rules once (`rules[]`, id = the rule id, or the primary vulnerability id,
//! or `ward.<title>` for findings without either) and links every result to its rule by
//! `ruleId` and `ruleIndex`. So that GitHub can track alerts and an importer gets ward's
//! fields back:
//! - `message.text` = title, `ruleId` = rule id, `level` from the severity;
//! - `partialFingerprints["wardFingerprint/v1"]` = the ward fingerprint, `guid` a UUID from it;
//! - `properties["security-severity"]` (result and rule; the rule holds the highest of its
//!   results) = the CVSS base score when it agrees with the severity, else the middle of the
//!   severity's band, which GitHub maps back to the same severity;
//! - `properties.severity` = ward's severity word, `properties.identifiers` = every
//!   CVE/GHSA/CWE/… id; CWEs also as rule tags `external/cwe/cwe-N`;
//! - file locations as `physicalLocation` (1-based lines and columns), packages and cloud
//!   resources as `logicalLocations`, URLs as `webRequest`; the rest under `properties`;
//! - triage states other than open/mitigated become `suppressions`;
//! - the rule holds the description and remediation of its first result; a result whose own
//!   differ carries them as `properties.description` / `properties.remediation`;
//! - the run's `properties.convertedBy` = `ward <version>` tells ward's SARIF importer that the
//!   result properties hold ward fields, which it then reads back as written. (The masked
//!   secret travels; its SHA-256 does not, so that no export carries a hash of a secret.)

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};
use ward_core::{Finding, Report, Severity, Status};

use crate::exporters::gitlab::version_text;
use crate::options::report_time;
use crate::time::UtcTime;
use crate::util::{
    clean_path, clean_url, fingerprint, non_blank, rule_key, security_severity, status_word, tools,
    unique_keys, uuid_from,
};
use crate::{Error, Exporter, Options, Outcome};

/// SARIF 2.1.0.
pub(crate) struct Sarif;

/// The `partialFingerprints` key holding the ward fingerprint.
pub(crate) const FINGERPRINT_KEY: &str = "wardFingerprint/v1";

impl Exporter for Sarif {
    fn id(&self) -> &'static str {
        "sarif"
    }

    fn name(&self) -> &'static str {
        "SARIF 2.1.0"
    }

    fn extension(&self) -> &'static str {
        "sarif"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let time = options.time(report)?;
        let keys = unique_keys(report);
        let mut tool_names = tools(report);
        if tool_names.is_empty() {
            tool_names.push("ward");
        }
        let runs: Vec<Value> = tool_names
            .iter()
            .map(|tool| run(report, &keys, tool, time, options))
            .collect();
        let document = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": runs,
        });
        serde_json::to_writer_pretty(&mut *out, &document).map_err(Error::json(self.id()))?;
        out.write_all(b"\n").map_err(Error::write(self.id()))?;
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

fn run(report: &Report, keys: &[String], tool: &str, time: UtcTime, options: &Options) -> Value {
    let findings: Vec<(&Finding, &String)> = report
        .findings
        .iter()
        .zip(keys)
        .filter(|(f, _)| f.tool == tool)
        .collect();
    // The run's own time when its inputs say, else the report's.
    let own_time = report_time(&Report {
        findings: Vec::new(),
        sources: report
            .sources
            .iter()
            .filter(|s| s.tool == tool)
            .cloned()
            .collect(),
    })
    .filter(|_| options.scan_time.is_none())
    .unwrap_or(time);
    let mut rule_ids: Vec<String> = Vec::new();
    let mut rule_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut rule_findings: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    let mut results = Vec::new();
    for (finding, key) in &findings {
        let rule = rule_key(finding);
        let index = *rule_index.entry(rule.clone()).or_insert_with(|| {
            rule_ids.push(rule.clone());
            rule_ids.len() - 1
        });
        let same_rule = rule_findings.entry(rule.clone()).or_default();
        same_rule.push(finding);
        let first = same_rule.first().copied().unwrap_or(finding);
        results.push(result(finding, first, key, &rule, index));
    }
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            rule(
                id,
                rule_findings.get(id).map(Vec::as_slice).unwrap_or_default(),
            )
        })
        .collect();
    let name = non_blank(Some(tool)).unwrap_or("unknown");
    let mut driver = json!({"name": name, "rules": rules});
    if name == "ward" {
        driver["version"] = json!(options.ward_version);
    }
    json!({
        "tool": {"driver": driver},
        "invocations": [{
            "executionSuccessful": true,
            "startTimeUtc": own_time.rfc3339(),
            "endTimeUtc": own_time.rfc3339(),
        }],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"convertedBy": format!("ward {}", options.ward_version)},
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule(id: &str, findings: &[&Finding]) -> Value {
    let Some(first) = findings.first() else {
        return json!({"id": id});
    };
    let worst = findings
        .iter()
        .max_by(|a, b| {
            security_severity(a)
                .partial_cmp(&security_severity(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(first);
    let mut rule = json!({
        "id": id,
        "shortDescription": {"text": first.title},
        "defaultConfiguration": {"level": level(worst.severity)},
    });
    if let Some(description) = non_blank(first.description.as_deref()) {
        rule["fullDescription"] = json!({"text": description});
    }
    if let Some(remediation) = non_blank(first.remediation.as_deref()) {
        rule["help"] = json!({"text": remediation});
    }
    if let Some(url) = first.references.iter().find(|u| clean_url(u)) {
        rule["helpUri"] = json!(url);
    }
    let mut tags: Vec<String> = Vec::new();
    if crate::util::is_security(first.category) {
        tags.push("security".into());
    }
    tags.push(first.category.as_str().into());
    for finding in findings {
        for cwe in finding.identifiers.iter().filter_map(|i| i.cwe_number()) {
            for tag in [format!("external/cwe/cwe-{cwe}"), format!("CWE-{cwe}")] {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
    }
    let mut properties = json!({
        "tags": tags,
        "security-severity": format!("{:.1}", security_severity(worst)),
    });
    if let Some(confidence) = first.confidence {
        let precision = match confidence {
            ward_core::Confidence::High => "high",
            ward_core::Confidence::Medium => "medium",
            ward_core::Confidence::Low => "low",
        };
        properties["precision"] = json!(precision);
    }
    rule["properties"] = properties;
    rule
}

/// A result; `first` is the first finding of its rule, whose description and remediation the
/// rule holds.
fn result(finding: &Finding, first: &Finding, key: &str, rule: &str, rule_index: usize) -> Value {
    let mut result = json!({
        "ruleId": rule,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": finding.title},
        "guid": uuid_from(key),
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    });
    let location = location(finding);
    if !location.is_empty() {
        result["locations"] = json!([location]);
    }
    if let Some(web) = &finding.location.web {
        let mut request = json!({"target": web.url});
        if let Some(method) = non_blank(web.method.as_deref()) {
            request["method"] = json!(method);
        }
        result["webRequest"] = request;
    }
    if finding.occurrences > 1 {
        result["occurrenceCount"] = json!(finding.occurrences);
    }
    let justification = match finding.status {
        Status::FalsePositive => Some("false positive"),
        Status::Accepted => Some("risk accepted"),
        Status::OutOfScope => Some("out of scope"),
        Status::Open | Status::Mitigated => None,
    };
    if let Some(justification) = justification {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": justification,
        }]);
    }
    let mut properties = properties(finding);
    for (name, own, rules) in [
        ("description", &finding.description, &first.description),
        ("remediation", &finding.remediation, &first.remediation),
    ] {
        let own = non_blank(own.as_deref());
        if own.is_some() && own != non_blank(rules.as_deref()) {
            properties.insert(name.into(), json!(own));
        }
    }
    result["properties"] = Value::Object(properties);
    result
}

fn location(finding: &Finding) -> Map<String, Value> {
    let mut location = Map::new();
    if let Some(file) = &finding.location.file {
        let mut physical = json!({"artifactLocation": {"uri": uri(&file.path)}});
        if let Some(start) = file.start_line {
            let mut region = json!({"startLine": start});
            let end = file.end_line.filter(|end| *end >= start);
            if let Some(end) = end {
                region["endLine"] = json!(end);
            }
            if let Some(column) = file.start_column.filter(|c| *c >= 1) {
                region["startColumn"] = json!(column);
                let same_line = end.is_none_or(|end| end == start);
                if let Some(end_column) = file
                    .end_column
                    .filter(|e| *e >= 1 && (!same_line || *e >= column))
                {
                    region["endColumn"] = json!(end_column);
                }
            }
            if let Some(snippet) = non_blank(file.snippet.as_deref()) {
                region["snippet"] = json!({"text": snippet});
            }
            physical["region"] = region;
        }
        location.insert("physicalLocation".into(), physical);
    }
    let mut logical = Vec::new();
    if let Some(package) = &finding.location.package {
        let qualified = package
            .purl
            .clone()
            .unwrap_or_else(|| match &package.version {
                Some(version) => format!("{}@{version}", package.name),
                None => package.name.clone(),
            });
        logical
            .push(json!({"name": package.name, "fullyQualifiedName": qualified, "kind": "module"}));
    }
    if let Some(cloud) = &finding.location.cloud {
        logical.push(json!({"fullyQualifiedName": cloud.resource_id, "kind": "resource"}));
    }
    if !logical.is_empty() {
        location.insert("logicalLocations".into(), Value::Array(logical));
    }
    location
}

/// A file path as a URI reference: percent-encoded where URIs need it; Windows drive paths
/// become `file:///C:/…` so the drive letter is not read as a scheme.
pub(crate) fn uri(path: &str) -> String {
    let path = clean_path(path);
    let mut out = String::with_capacity(path.len());
    let bytes = path.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if windows_drive {
        out.push_str("file:///");
    }
    for (i, &b) in bytes.iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            || (b == b':' && (windows_drive || i > 0 && path[..i].contains('/')));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.is_empty() {
        out.push_str("unknown");
    }
    out
}

/// Every ward field SARIF has no place for, under camelCase names.
fn properties(finding: &Finding) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert(
        "security-severity".into(),
        json!(format!("{:.1}", security_severity(finding))),
    );
    p.insert("severity".into(), json!(finding.severity));
    p.insert("category".into(), json!(finding.category));
    if let Some(severity) = &finding.tool_severity {
        p.insert("toolSeverity".into(), json!(severity));
    }
    if let Some(confidence) = finding.confidence {
        p.insert("confidence".into(), json!(confidence));
    }
    if !finding.identifiers.is_empty() {
        let ids: Vec<&str> = finding
            .identifiers
            .iter()
            .map(|i| i.value.as_str())
            .collect();
        p.insert("identifiers".into(), json!(ids));
    }
    if !finding.cvss.is_empty() {
        let cvss: Vec<Value> = finding
            .cvss
            .iter()
            .map(|c| {
                let mut v = json!({"version": version_text(c.version)});
                if let Some(vector) = &c.vector {
                    v["vector"] = json!(vector);
                }
                if let Some(score) = c.score {
                    v["score"] = json!(score);
                }
                if let Some(source) = &c.source {
                    v["source"] = json!(source);
                }
                v
            })
            .collect();
        p.insert("cvss".into(), Value::Array(cvss));
    }
    if let Some(epss) = finding.epss {
        p.insert("epss".into(), json!(epss));
    }
    let location = &finding.location;
    if let Some(package) = &location.package {
        let mut v = json!({"name": package.name});
        for (key, value) in [
            ("version", &package.version),
            ("ecosystem", &package.ecosystem),
            ("purl", &package.purl),
            ("fixedVersion", &package.fixed_version),
        ] {
            if let Some(value) = value {
                v[key] = json!(value);
            }
        }
        p.insert("package".into(), v);
    }
    if let Some(image) = &location.image {
        p.insert("image".into(), json!(image));
    }
    if let Some(web) = &location.web {
        p.insert("web".into(), json!(web));
    }
    if let Some(cloud) = &location.cloud {
        p.insert("cloud".into(), json!(cloud));
    }
    if let Some(evidence) = non_blank(finding.evidence.as_deref()) {
        p.insert("evidence".into(), json!(evidence));
    }
    if let Some(secret) = &finding.secret {
        p.insert("maskedSecret".into(), json!(secret.masked));
    }
    // A region needs a start line: a snippet without one waits here.
    if let Some(file) = location.file.as_ref().filter(|f| f.start_line.is_none()) {
        if let Some(snippet) = non_blank(file.snippet.as_deref()) {
            p.insert("snippet".into(), json!(snippet));
        }
    }
    if !finding.references.is_empty() {
        p.insert("references".into(), json!(finding.references));
    }
    if finding.status != Status::Open {
        p.insert("status".into(), json!(status_word(finding.status)));
    }
    if finding.verified {
        p.insert("verified".into(), json!(true));
    }
    if let Some(id) = &finding.external_id {
        p.insert("externalId".into(), json!(id));
    }
    if let Some(time) = &finding.scan_time {
        p.insert("scanTime".into(), json!(time));
    }
    if !finding.tags.is_empty() {
        p.insert("tags".into(), json!(finding.tags));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn one_run_per_tool_with_linked_rules() {
        let mut report = testing::report();
        let mut second = testing::sast();
        second.location.file.as_mut().unwrap().start_line = Some(50);
        second.severity = Severity::Critical;
        report.findings.push(second);
        let json = testing::export_json(&Sarif, &report);
        assert_eq!(json["version"], "2.1.0");
        let runs = json["runs"].as_array().unwrap();
        let drivers: Vec<_> = runs
            .iter()
            .map(|r| r["tool"]["driver"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            drivers,
            ["Semgrep", "Trivy", "Grype", "Gitleaks", "ZAP", "Checkov"]
        );
        let semgrep = &runs[0];
        assert_eq!(
            semgrep["tool"]["driver"]["rules"].as_array().unwrap().len(),
            1
        );
        let rule = &semgrep["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "python.lang.security.eval");
        assert_eq!(rule["properties"]["security-severity"], "9.5");
        assert!(rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("external/cwe/cwe-95")));
        let results = semgrep["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let result = &results[0];
        assert_eq!(result["ruleId"], "python.lang.security.eval");
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(result["message"]["text"], "Use of eval() <script>");
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["partialFingerprints"][FINGERPRINT_KEY],
            "0123456789abcdef0123456789abcdef"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"],
            json!({
                "artifactLocation": {"uri": "app/views.py"},
                "region": {"startLine": 42, "endLine": 43, "startColumn": 5, "endColumn": 30,
                           "snippet": {"text": "eval(request.args['q'])"}}
            })
        );
        assert_eq!(result["properties"]["security-severity"], "8.0");
        assert_eq!(
            result["properties"]["identifiers"],
            json!(["CWE-95", "A03:2021"])
        );
        assert_eq!(
            semgrep["invocations"][0]["startTimeUtc"],
            "2024-05-01T12:00:00Z"
        );
    }

    #[test]
    fn cvss_score_feeds_security_severity_when_it_agrees() {
        let json = testing::export_json(&Sarif, &testing::report());
        let trivy = &json["runs"][1];
        let result = &trivy["results"][0];
        assert_eq!(result["properties"]["security-severity"], "9.1");
        assert_eq!(result["properties"]["package"]["fixedVersion"], "4.17.21");
        assert_eq!(
            result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "pkg:npm/lodash@4.17.20"
        );
        // Grype's CVSS v2 7.5 says high, the tool said medium: the tool wins.
        let grype = &json["runs"][2]["results"][0];
        assert_eq!(grype["properties"]["security-severity"], "5.5");
        assert_eq!(grype["suppressions"][0]["justification"], "risk accepted");
        let zap = &json["runs"][4]["results"][0];
        assert_eq!(zap["webRequest"]["method"], "POST");
        assert!(zap.get("locations").is_none());
        let checkov = &json["runs"][5];
        assert_eq!(checkov["results"][0]["ruleId"], "ward.hyperlink-http-x");
    }

    #[test]
    fn uris() {
        assert_eq!(uri("./src/a b.py"), "src/a%20b.py");
        assert_eq!(uri("C:\\src\\x.py"), "file:///C:/src/x.py");
        assert_eq!(uri("/abs/x:y"), "/abs/x:y");
        assert_eq!(uri("a:b"), "a%3Ab");
        assert_eq!(uri("é"), "%C3%A9");
    }

    #[test]
    fn empty_report_has_one_ward_run() {
        let json = testing::export_json(&Sarif, &Report::default());
        assert_eq!(json["runs"][0]["tool"]["driver"]["name"], "ward");
        assert_eq!(json["runs"][0]["results"], json!([]));
    }
}
