//! Retire.js JSON (`retire --outputformat json`): the JavaScript libraries found in files, with
//! the known vulnerabilities of each library version. Both the current report (`{"version",
//! "start", "data": [...], "messages", "errors"}`) and the bare list of early releases are read.
//! <https://github.com/RetireJS/retire.js>
//!
//! One finding per vulnerability of a library in a file. Retire.js sometimes lists one issue
//! twice for a library, with the same summary and fix but one CVE each (jQuery's htmlPrefilter
//! XSS, CVE-2020-11022 and CVE-2020-11023); those are merged, keeping both CVEs, and
//! `occurrences` counts them.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, Finding, PackageLocation, Severity};

use super::sca_common::{urls_in, Strings};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Retire.js.
pub(crate) struct RetireJs;

#[derive(Deserialize)]
struct Report {
    start: Option<String>,
    #[serde(default)]
    data: Vec<FileResult>,
}

#[derive(Deserialize)]
struct FileResult {
    file: Option<String>,
    #[serde(default)]
    results: Vec<Component>,
}

#[derive(Deserialize)]
struct Component {
    component: Option<String>,
    version: Option<String>,
    detection: Option<String>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(default)]
    info: Strings,
    below: Option<String>,
    #[serde(rename = "atOrAbove")]
    at_or_above: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    identifiers: Identifiers,
    #[serde(default)]
    cwe: Strings,
}

#[derive(Deserialize, Default)]
struct Identifiers {
    summary: Option<String>,
    #[serde(rename = "CVE", default)]
    cve: Strings,
    #[serde(rename = "githubID", default)]
    github_id: Strings,
    #[serde(default)]
    osvdb: Strings,
}

impl Parser for RetireJs {
    fn id(&self) -> &'static str {
        "retirejs"
    }

    fn name(&self) -> &'static str {
        "Retire.js"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Retire.js Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(v) = input.json() else {
            return false;
        };
        let file_result = |item: &serde_json::Value| {
            item.get("results").is_some_and(|r| {
                r.as_array().is_some_and(|list| {
                    list.first()
                        .is_none_or(|c| c.get("component").is_some() && c.get("version").is_some())
                })
            })
        };
        match v {
            serde_json::Value::Array(items) => items
                .first()
                .is_some_and(|i| i.get("file").is_some() && file_result(i)),
            serde_json::Value::Object(o) => {
                let data = o.get("data").and_then(|d| d.as_array());
                match data.and_then(|d| d.first()) {
                    Some(first) => file_result(first),
                    // An empty report: Retire.js's own envelope.
                    None => {
                        data.is_some()
                            && crate::util::has_keys(v, &["version", "start", "messages", "errors"])
                    }
                }
            }
            _ => false,
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let bare = matches!(input.json(), Some(serde_json::Value::Array(_)));
        let report = if bare {
            Report {
                start: None,
                data: de::json(input.bytes())?,
            }
        } else {
            de::json(input.bytes())?
        };
        let mut parsed = Parsed {
            tool: Some("Retire.js".into()),
            scan_time: report.start.clone(),
            ..Parsed::default()
        };
        // (file, component, version, title) → index in findings.
        let mut seen: HashMap<(String, String, String, String), usize> = HashMap::new();
        for file in &report.data {
            for component in &file.results {
                let Some(name) = non_empty(component.component.as_deref()) else {
                    continue;
                };
                for v in &component.vulnerabilities {
                    let mut f = finding(file.file.as_deref(), &name, component, v);
                    f.scan_time = report.start.clone();
                    let key = (
                        file.file.clone().unwrap_or_default(),
                        name.clone(),
                        component.version.clone().unwrap_or_default(),
                        f.title.clone(),
                    );
                    match seen.get(&key) {
                        Some(&at) => {
                            if let Some(first) = parsed.findings.get_mut(at) {
                                first.occurrences += 1;
                                for id in f.identifiers {
                                    first.add_identifier(id);
                                }
                                for url in &f.references {
                                    first.add_reference(url);
                                }
                                if f.severity > first.severity {
                                    first.severity = f.severity;
                                    first.tool_severity = f.tool_severity;
                                }
                            }
                        }
                        None => {
                            seen.insert(key, parsed.findings.len());
                            parsed.findings.push(f);
                        }
                    }
                }
            }
        }
        Ok(parsed)
    }
}

fn finding(file: Option<&str>, name: &str, component: &Component, v: &Vulnerability) -> Finding {
    let version = non_empty(component.version.as_deref());
    let ids = &v.identifiers;
    let summary = non_empty(ids.summary.as_deref())
        .or_else(|| (!ids.cve.0.is_empty()).then(|| ids.cve.0.join(", ")))
        .or_else(|| (!ids.github_id.0.is_empty()).then(|| ids.github_id.0.join(", ")))
        .or_else(|| (!ids.osvdb.0.is_empty()).then(|| ids.osvdb.0.join(", ")))
        .unwrap_or_else(|| format!("Vulnerable {name}"));
    let title = format!(
        "{summary} ({name}, {})",
        version.as_deref().unwrap_or("unknown version")
    );
    let mut f = Finding::new("Retire.js", Category::Dependency, title);
    if let Some(label) = non_empty(v.severity.as_deref()) {
        f.severity = Severity::from_label(&label).unwrap_or(Severity::Medium);
        f.tool_severity = Some(label);
    } else {
        f.severity = Severity::Medium;
    }
    for id in ids.cve.iter().chain(ids.github_id.iter()) {
        f.add_id(id);
    }
    for cwe in v.cwe.iter() {
        f.add_cwe(cwe);
    }
    for info in v.info.iter() {
        for url in urls_in(info) {
            f.add_reference(url);
        }
    }
    let fixed = non_empty(v.below.as_deref());
    f.location.package = Some(PackageLocation {
        name: name.to_string(),
        version: version.clone(),
        ecosystem: None,
        purl: None,
        fixed_version: fixed.clone(),
    });
    if let Some(path) = non_empty(file) {
        f.location.file = Some(ward_core::FileLocation::new(path, None));
    }
    let mut lines = vec![summary];
    match (non_empty(v.at_or_above.as_deref()), &fixed) {
        (Some(low), Some(high)) => lines.push(format!("Affected versions: >= {low}, < {high}")),
        (None, Some(high)) => lines.push(format!("Affected versions: < {high}")),
        (Some(low), None) => lines.push(format!("Affected versions: >= {low}")),
        (None, None) => {}
    }
    if let Some(detection) = non_empty(component.detection.as_deref()) {
        lines.push(format!("Detected by: {detection}"));
    }
    f.description = Some(lines.join("\n"));
    if let Some(fixed) = &fixed {
        f.remediation = Some(format!("Upgrade {name} to version {fixed} or later."));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(RetireJs.detect(&input));
        RetireJs.parse(&input).unwrap()
    }

    #[test]
    fn current_report_merges_same_issue() {
        let parsed = check(
            r#"{"version":"2.2.4","start":"2021-04-26T13:47:03.100Z","data":[{"file":"/app/js/jquery-1.8.0.min.js","results":[{"version":"1.8.0","component":"jquery","detection":"filename","vulnerabilities":[
            {"info":["https://blog.jquery.com/2020/04/10/jquery-3-5-0-released/"],"below":"3.5.0","severity":"medium","identifiers":{"CVE":["CVE-2020-11022"],"summary":"Regex in its jQuery.htmlPrefilter sometimes may introduce XSS"}},
            {"info":["https://blog.jquery.com/2020/04/10/jquery-3-5-0-released/"],"below":"3.5.0","severity":"medium","identifiers":{"CVE":["CVE-2020-11023"],"summary":"Regex in its jQuery.htmlPrefilter sometimes may introduce XSS"}},
            {"info":["https://bugs.jquery.com/ticket/11290"],"below":"1.9.0b1","severity":"high","cwe":["CWE-79"],"identifiers":{"CVE":["CVE-2012-6708"],"githubID":"GHSA-2pqj-h3vj-pqgw","bug":"11290","summary":"Selector interpreted as HTML"}}
            ]}]}],"messages":[],"errors":[],"time":1.8}"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Regex in its jQuery.htmlPrefilter sometimes may introduce XSS (jquery, 1.8.0)"
        );
        assert_eq!(f.occurrences, 2);
        assert_eq!(f.vulnerability_ids().count(), 2);
        assert_eq!(
            f.location.file.as_ref().unwrap().path,
            "/app/js/jquery-1.8.0.min.js"
        );
        assert_eq!(
            f.location
                .package
                .as_ref()
                .unwrap()
                .fixed_version
                .as_deref(),
            Some("3.5.0")
        );
        assert_eq!(
            parsed.scan_time.as_deref(),
            Some("2021-04-26T13:47:03.100Z")
        );
        let g = &parsed.findings[1];
        assert_eq!((g.severity, g.cwe()), (Severity::High, Some(79)));
        assert_eq!(g.primary_vulnerability_id(), Some("CVE-2012-6708"));
    }

    #[test]
    fn bare_list_and_empty_report() {
        let parsed = check(
            r#"[{"file":"a.js","results":[{"component":"handlebars","version":"1.0.0","vulnerabilities":[{"info":[],"severity":"low","identifiers":{"summary":"Prototype pollution"}}]}]}]"#,
        );
        assert_eq!(parsed.findings[0].severity, Severity::Low);
        assert!(check(
            r#"{"version":"4.0.0","start":"x","data":[],"messages":[],"errors":[],"time":0.1}"#
        )
        .findings
        .is_empty());
    }
}
