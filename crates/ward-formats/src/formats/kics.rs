//! KICS JSON reports (`kics scan --report-formats json`, 1.x and 2.x: `queries`, each with the
//! `files` it matched, plus scan counters). <https://kics.io>
//!
//! One finding per query match. Matches that repeat the same query, file, line, search key and
//! expected/actual values are merged (`occurrences`).

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Severity};

use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// KICS.
pub(crate) struct Kics;

const TOOL: &str = "KICS";

#[derive(Deserialize)]
struct Report {
    start: Option<String>,
    queries: Option<Vec<Query>>,
}

#[derive(Deserialize)]
struct Query {
    query_name: Option<String>,
    query_id: Option<String>,
    query_url: Option<String>,
    severity: Option<String>,
    platform: Option<String>,
    category: Option<String>,
    description: Option<String>,
    cwe: Option<Text>,
    files: Option<Vec<Match>>,
}

#[derive(Deserialize)]
struct Match {
    file_name: Option<String>,
    similarity_id: Option<String>,
    line: Option<i64>,
    resource_type: Option<String>,
    resource_name: Option<String>,
    issue_type: Option<String>,
    search_key: Option<String>,
    expected_value: Option<String>,
    actual_value: Option<String>,
    remediation: Option<String>,
}

/// A value KICS writes as a string or a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Number(u64),
    String(String),
}

impl Text {
    fn text(&self) -> String {
        match self {
            Text::Number(n) => n.to_string(),
            Text::String(s) => s.clone(),
        }
    }
}

impl Parser for Kics {
    fn id(&self) -> &'static str {
        "kics"
    }

    fn name(&self) -> &'static str {
        TOOL
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["KICS Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json() else {
            return false;
        };
        let has = |k: &str| doc.get(k).is_some();
        doc.get("queries").is_some_and(|q| q.is_array())
            && (has("kics_version") || has("queries_total") || has("severity_counters"))
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let scan_time = non_empty(report.start.as_deref());
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            scan_time: scan_time.clone(),
            ..Parsed::default()
        };
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for (q, query) in report.queries.into_iter().flatten().enumerate() {
            let Some(name) = non_empty(query.query_name.as_deref())
                .or_else(|| non_empty(query.query_id.as_deref()))
            else {
                parsed.warnings.push(format!(
                    "queries[{q}]: the query has neither name nor id; skipped"
                ));
                continue;
            };
            for (m, hit) in query.files.iter().flatten().enumerate() {
                let Some(path) = non_empty(hit.file_name.as_deref()) else {
                    parsed.warnings.push(format!(
                        "queries[{q}].files[{m}]: the match names no file; skipped"
                    ));
                    continue;
                };
                let line = hit.line.and_then(|l| u32::try_from(l).ok());
                let key = (
                    query.query_id.clone().unwrap_or_else(|| name.clone()),
                    path.clone(),
                    line,
                    hit.search_key.clone().unwrap_or_default(),
                    hit.expected_value.clone().unwrap_or_default(),
                    hit.actual_value.clone().unwrap_or_default(),
                );
                if let Some(existing) = seen.get(&key).and_then(|&at| parsed.findings.get_mut(at)) {
                    existing.occurrences += 1;
                    continue;
                }
                let mut f = finding(&query, &name, path, line, hit);
                f.scan_time = scan_time.clone();
                seen.insert(key, parsed.findings.len());
                parsed.findings.push(f);
            }
        }
        Ok(parsed)
    }
}

/// Query id (or name), file, line, search key, expected and actual value.
type Key = (String, String, Option<u32>, String, String, String);

fn finding(query: &Query, name: &str, path: String, line: Option<u32>, hit: &Match) -> Finding {
    let category = non_empty(query.category.as_deref());
    let title = match &category {
        Some(category) => format!("{category}: {name}"),
        None => name.to_string(),
    };
    let mut f = Finding::new(TOOL, Category::Iac, title);
    let tool_severity = non_empty(query.severity.as_deref());
    f.severity = match tool_severity.as_deref() {
        Some(s) if s.eq_ignore_ascii_case("trace") => Severity::Info,
        Some(s) => Severity::from_label(s).unwrap_or(Severity::Medium),
        None => Severity::Medium,
    };
    f.tool_severity = tool_severity;
    f.rule_id = non_empty(query.query_id.as_deref());
    if let Some(cwe) = &query.cwe {
        f.add_cwe(&cwe.text());
    }
    f.location.file = Some(FileLocation::new(path, line));

    let mut description = Vec::new();
    if let Some(d) = non_empty(query.description.as_deref()) {
        description.push(d);
    }
    let resource = [&hit.resource_type, &hit.resource_name]
        .into_iter()
        .filter_map(|s| non_empty(s.as_deref()))
        .collect::<Vec<_>>()
        .join(" ");
    let labelled = [
        ("Platform", non_empty(query.platform.as_deref())),
        ("Category", category),
        ("Issue type", non_empty(hit.issue_type.as_deref())),
        ("Resource", non_empty(Some(&resource))),
        ("Search key", non_empty(hit.search_key.as_deref())),
        ("Expected", non_empty(hit.expected_value.as_deref())),
        ("Actual", non_empty(hit.actual_value.as_deref())),
        ("Similarity id", non_empty(hit.similarity_id.as_deref())),
    ];
    for (label, value) in labelled {
        if let Some(value) = value {
            description.push(format!("{label}: {value}"));
        }
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n"));
    }
    f.evidence = non_empty(hit.actual_value.as_deref());
    f.remediation =
        non_empty(hit.remediation.as_deref()).or_else(|| non_empty(hit.expected_value.as_deref()));
    if let Some(url) = query.query_url.as_deref() {
        f.add_reference(url);
    }
    f.tags = [&query.platform, &query.category]
        .into_iter()
        .filter_map(|s| non_empty(s.as_deref()))
        .collect();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Kics.detect(&input), "not detected: {json}");
        Kics.parse(&input).unwrap()
    }

    #[test]
    fn one_finding_per_distinct_match() {
        let hit = |expected: &str| {
            format!(
                r#"{{"file_name":"rbac.yaml","similarity_id":"493c","line":20,"issue_type":"IncorrectValue","search_key":"metadata.name={{{{example}}}}.rules",
                "search_value":"","expected_value":"{expected}","actual_value":"contains '*'","value":null}}"#
            )
        };
        let parsed = check(&format!(
            r#"{{"kics_version":"v1.5.1","files_scanned":1,"queries_total":2,"start":"2022-01-01T10:00:00Z",
            "queries":[{{"query_name":"RBAC Wildcard In Rule","query_id":"6b896afb","query_url":"https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
            "severity":"LOW","platform":"Kubernetes","category":"Access Control","cwe":"284","description":"Roles should not use wildcards",
            "files":[{},{},{}]}}],"severity_counters":{{"LOW":3}},"total_counter":3}}"#,
            hit("apiGroups has no '*'"),
            hit("verbs has no '*'"),
            hit("verbs has no '*'")
        ));
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Access Control: RBAC Wildcard In Rule");
        assert_eq!((f.severity, f.category), (Severity::Low, Category::Iac));
        assert_eq!(f.tool_severity.as_deref(), Some("LOW"));
        assert_eq!(f.rule_id.as_deref(), Some("6b896afb"));
        assert_eq!(f.cwe(), Some(284));
        assert_eq!(f.location.file.as_ref().unwrap().start_line, Some(20));
        assert_eq!(f.remediation.as_deref(), Some("apiGroups has no '*'"));
        assert_eq!(f.tags, ["Kubernetes", "Access Control"]);
        assert_eq!(f.scan_time.as_deref(), Some("2022-01-01T10:00:00Z"));
        assert_eq!(parsed.findings[1].occurrences, 2);
    }

    #[test]
    fn no_findings() {
        let parsed =
            check(r#"{"files_scanned":1,"queries_total":235,"queries":[],"severity_counters":{}}"#);
        assert!(parsed.findings.is_empty());
    }
}
