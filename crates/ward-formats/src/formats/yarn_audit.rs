//! yarn audit JSON in the three shapes it comes in:
//!
//! - yarn 1 (`yarn audit --json`): JSON Lines of `{"type": …, "data": …}` events, one
//!   `auditAdvisory` per advisory *and dependency path*, then an `auditSummary`;
//! - yarn 2+ (`yarn npm audit --json`): JSON Lines of `{"value": <package>, "children": {"ID",
//!   "Issue", "URL", "Severity", "Vulnerable Versions", "Tree Versions", "Dependents"}}`;
//! - audit-ci's summary of a yarn run (`audit-ci --yarn --report-type full`), which has npm 6's
//!   `advisories` shape. <https://classic.yarnpkg.com/en/docs/cli/audit>
//!
//! yarn 1 repeats an advisory for every path to the vulnerable package; those lines are merged
//! into one finding per advisory and package, whose `occurrences` counts the distinct paths. A
//! report carrying an `error` event (the registry could not be reached …) is refused.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, Finding, PackageLocation};

use super::sca_common::{
    ghsa_in_url, is_yarn_audit_ci_summary, npm_advisory_finding, npm_advisory_id, npm_paths,
    npm_severity, push_unique, Entries, NpmAdvisory, Scalar, Strings,
};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// yarn audit, yarn 1 and yarn 2+.
pub(crate) struct YarnAudit;

const TOOL: &str = "yarn audit";

/// The event types yarn 1 writes with `--json`.
const YARN_EVENTS: &[&str] = &[
    "auditAdvisory",
    "auditSummary",
    "auditAction",
    "info",
    "warning",
    "error",
    "step",
    "success",
    "activityStart",
    "activityTick",
    "activityEnd",
    "progressStart",
    "progressTick",
    "progressFinish",
];

/// The head of a yarn 1 event or of a yarn 2+ entry.
#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    data: Option<Scalar>,
    value: Option<String>,
    children: Option<BerryEntry>,
}

#[derive(Deserialize)]
struct AdvisoryEvent {
    data: AdvisoryData,
}

#[derive(Deserialize)]
struct AdvisoryData {
    advisory: NpmAdvisory,
    resolution: Option<Resolution>,
}

#[derive(Deserialize)]
struct Resolution {
    path: Option<String>,
}

/// One yarn 2+ entry's details.
#[derive(Deserialize)]
struct BerryEntry {
    #[serde(rename = "ID", default)]
    id: Scalar,
    #[serde(rename = "Issue")]
    issue: Option<String>,
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "Severity")]
    severity: Option<String>,
    #[serde(rename = "Vulnerable Versions")]
    vulnerable_versions: Option<String>,
    #[serde(rename = "Tree Versions", default)]
    tree_versions: Strings,
    #[serde(rename = "Dependents", default)]
    dependents: Strings,
}

/// The yarn 1 lines of one advisory and package.
struct Group {
    advisory: NpmAdvisory,
    paths: Vec<String>,
    /// CWEs of the later lines (the first line's are in `advisory`).
    cwes: Vec<String>,
}

/// audit-ci's summary: npm 6's shape.
#[derive(Deserialize)]
struct Summary {
    advisories: Entries<NpmAdvisory>,
}

impl Parser for YarnAudit {
    fn id(&self) -> &'static str {
        "yarn-audit"
    }

    fn name(&self) -> &'static str {
        "yarn audit"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Yarn Audit Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(v) = input.json() else {
            return false;
        };
        let Some(object) = v.as_object() else {
            return false;
        };
        // yarn 1 events: exactly `type` and `data`, with one of yarn's event types.
        if object.len() == 2 && object.contains_key("data") {
            if let Some(kind) = object.get("type").and_then(|t| t.as_str()) {
                let lines = matches!(input.sniff(), crate::Sniff::JsonLines(_));
                return YARN_EVENTS.contains(&kind) && (lines || kind.starts_with("audit"));
            }
        }
        // yarn 2+ entries.
        if let (Some(_), Some(children)) = (
            object.get("value").and_then(|v| v.as_str()),
            object.get("children").and_then(|c| c.as_object()),
        ) {
            return children.contains_key("Severity")
                && (children.contains_key("Vulnerable Versions")
                    || children.contains_key("Issue"));
        }
        is_yarn_audit_ci_summary(v)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let mut parsed = Parsed {
            tool: Some("yarn audit".into()),
            ..Parsed::default()
        };
        if input.json().is_some_and(|v| v.get("advisories").is_some()) {
            let summary: Summary = de::json(input.bytes())?;
            for (_, advisory) in &summary.advisories.0 {
                let paths = npm_paths(advisory);
                parsed
                    .findings
                    .push(npm_advisory_finding(TOOL, advisory, &paths));
            }
            return Ok(parsed);
        }

        // yarn 1 merging: (advisory id, module) → index in `groups`.
        let mut index_of: HashMap<(String, String), usize> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut recognised = false;
        for (index, line) in input.text()?.lines().enumerate() {
            let number = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let at_line = |e: Error| Error::Line {
                line: number,
                message: e.to_string(),
            };
            let head: Line = de::json(line.as_bytes()).map_err(at_line)?;
            if let Some(entry) = head.children {
                recognised = true;
                let package = non_empty(head.value.as_deref()).unwrap_or_else(|| "?".into());
                parsed.findings.push(berry_finding(&package, &entry));
                continue;
            }
            let Some(kind) = head.kind.as_deref() else {
                parsed.warnings.push(format!(
                    "line {number}: neither a yarn event nor an audit entry; skipped"
                ));
                continue;
            };
            recognised = true;
            match kind {
                "error" => {
                    let detail = head.data.and_then(|d| d.0).unwrap_or_default();
                    return Err(Error::Line {
                        line: number,
                        message: format!("yarn audit report contains errors: {detail}"),
                    });
                }
                "auditAdvisory" => {
                    let event: AdvisoryEvent = de::json(line.as_bytes()).map_err(at_line)?;
                    let advisory = event.data.advisory;
                    let key = (
                        advisory.id.0.clone().unwrap_or_default(),
                        advisory.module_name.clone().unwrap_or_default(),
                    );
                    let mut paths = npm_paths(&advisory);
                    if let Some(path) = event.data.resolution.and_then(|r| r.path) {
                        push_unique(&mut paths, &path);
                    }
                    match index_of.get(&key) {
                        Some(&at) => {
                            if let Some(group) = groups.get_mut(at) {
                                for path in &paths {
                                    push_unique(&mut group.paths, path);
                                }
                                group.cwes.extend(advisory.cwe.iter().map(str::to_string));
                            }
                        }
                        None => {
                            index_of.insert(key, groups.len());
                            groups.push(Group {
                                advisory,
                                paths,
                                cwes: Vec::new(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        if !recognised {
            return Err(Error::WrongFormat {
                format: "yarn-audit",
                reason: "no yarn event or audit entry".into(),
            });
        }
        for group in groups {
            let mut f = npm_advisory_finding(TOOL, &group.advisory, &group.paths);
            for cwe in &group.cwes {
                f.add_cwe(cwe);
            }
            parsed.findings.push(f);
        }
        Ok(parsed)
    }
}

fn berry_finding(package: &str, entry: &BerryEntry) -> Finding {
    let id = entry.id.0.clone();
    let numeric = id
        .as_deref()
        .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()));
    let range = non_empty(entry.vulnerable_versions.as_deref());
    let issue = non_empty(entry.issue.as_deref());
    let title = match (&id, numeric, &issue) {
        (Some(id), false, _) => id.clone(),
        (_, _, Some(issue)) => match &range {
            Some(range) => format!("{issue} - ({package}, {range})"),
            None => format!("{issue} - ({package})"),
        },
        _ => format!("Vulnerable package {package}"),
    };
    let mut f = Finding::new(TOOL, Category::Dependency, title);
    if let Some(label) = non_empty(entry.severity.as_deref()) {
        f.severity = npm_severity(&label);
        f.tool_severity = Some(label);
    }
    f.rule_id = id.clone();
    if let Some(ghsa) = entry.url.as_deref().and_then(ghsa_in_url) {
        f.add_id(ghsa);
    }
    if let (Some(id), true) = (&id, numeric) {
        f.add_id(&npm_advisory_id(id));
    }
    if let Some(url) = entry.url.as_deref() {
        f.add_reference(url);
    }
    f.location.package = Some(PackageLocation {
        name: package.to_string(),
        version: entry.tree_versions.iter().next().map(str::to_string),
        ecosystem: Some("npm".into()),
        purl: None,
        fixed_version: None,
    });
    let mut lines = Vec::new();
    if let Some(issue) = &issue {
        lines.push(issue.clone());
    }
    if let Some(range) = &range {
        lines.push(format!("Vulnerable versions: {range}"));
    }
    if !entry.tree_versions.0.is_empty() {
        lines.push(format!(
            "Installed versions: {}",
            entry.tree_versions.0.join(", ")
        ));
    }
    if !entry.dependents.0.is_empty() {
        lines.push(format!("Dependents: {}", entry.dependents.0.join(", ")));
    }
    if !lines.is_empty() {
        f.description = Some(lines.join("\n"));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::Severity;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(YarnAudit.detect(&input), "{text}");
        YarnAudit.parse(&input).unwrap()
    }

    fn advisory_line(path: &str, cwe: &str) -> String {
        format!(
            r#"{{"type":"auditAdvisory","data":{{"resolution":{{"id":1028029,"path":"{path}"}},"advisory":{{"findings":[{{"version":"2.6.5","paths":["{path}"]}}],
            "id":1028029,"title":"Exposure of Sensitive Information","module_name":"node-fetch","cves":["CVE-2022-0235"],"vulnerable_versions":"<2.6.7",
            "patched_versions":">=2.6.7","overview":"o","recommendation":"Upgrade to version 2.6.7 or later","references":"","severity":"high",
            "cwe":{cwe},"github_advisory_id":"GHSA-r683-j2x4-v87g","url":"https://github.com/advisories/GHSA-r683-j2x4-v87g"}}}}}}"#
        )
        .replace('\n', "")
    }

    #[test]
    fn yarn1_lines_merge_per_advisory() {
        let text = [
            r#"{"type":"info","data":"No lockfile found."}"#.to_string(),
            advisory_line("a>node-fetch", r#"["CWE-173","CWE-200"]"#),
            advisory_line("b>c>node-fetch", "[]"),
            r#"{"type":"auditSummary","data":{"vulnerabilities":{"high":1}}}"#.to_string(),
        ]
        .join("\n");
        let parsed = check(&text);
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Exposure of Sensitive Information - (node-fetch, <2.6.7)"
        );
        assert_eq!(
            (f.severity, f.occurrences, f.cwe()),
            (Severity::High, 2, Some(173))
        );
        assert!(f.description.as_deref().unwrap().contains("b>c>node-fetch"));
        assert_eq!(
            f.location.package.as_ref().unwrap().version.as_deref(),
            Some("2.6.5")
        );
    }

    #[test]
    fn yarn1_errors_are_refused() {
        let text = "{\"type\":\"warning\",\"data\":\"No license field\"}\n{\"type\":\"error\",\"data\":\"An unexpected error occurred\"}\n";
        let input = Input::new(text.as_bytes());
        assert!(YarnAudit.detect(&input));
        let err = YarnAudit.parse(&input).unwrap_err().to_string();
        assert!(
            err.contains("line 2") && err.contains("unexpected error"),
            "{err}"
        );
    }

    #[test]
    fn yarn2_entries() {
        let text = concat!(
            r#"{"value":"@babel/plugin-proposal-class-properties","children":{"ID":"@babel/plugin-proposal-class-properties (deprecation)","Issue":"Merged into the standard.","Severity":"moderate","Vulnerable Versions":"7.18.6","Tree Versions":["7.18.6"],"Dependents":["x@npm:1"]}}"#,
            "\n",
            r#"{"value":"transformers","children":{"ID":1096536,"Issue":"Deserialization of Untrusted Data","URL":"https://github.com/advisories/GHSA-37q5-v5qm-c9v8","Severity":"low","Vulnerable Versions":"< 4.38.0","Tree Versions":["4.38"],"Dependents":["test@npm:1.13.0"]}}"#,
        );
        let parsed = check(text);
        assert_eq!(
            parsed.findings[0].title,
            "@babel/plugin-proposal-class-properties (deprecation)"
        );
        assert_eq!(parsed.findings[0].severity, Severity::Medium);
        let f = &parsed.findings[1];
        assert_eq!(
            f.title,
            "Deserialization of Untrusted Data - (transformers, < 4.38.0)"
        );
        assert_eq!(f.primary_vulnerability_id(), Some("GHSA-37q5-v5qm-c9v8"));
        assert!(f.identifiers.iter().any(|i| i.value == "NPM-1096536"));
    }

    #[test]
    fn audit_ci_summary() {
        let parsed = check(
            r#"{"actions":[],"advisories":{"1068298":{"findings":[{"version":"1.3.5","paths":["a>ini"]}],"module_name":"ini","severity":"high",
            "cves":["CVE-2020-7788"],"cwe":["CWE-1321"],"id":1068298,"title":"Prototype Pollution","vulnerable_versions":"<1.3.6"}},"muted":[],"metadata":{}}"#,
        );
        assert_eq!(parsed.findings[0].cwe(), Some(1321));
        assert_eq!(
            parsed.findings[0].title,
            "Prototype Pollution - (ini, <1.3.6)"
        );
    }
}
