//! SonarQube: the Web API exports (`/api/issues/search` and `/api/hotspots/search` JSON, or a
//! ZIP of such files), and the reports of the `sonar-report` tool (its HTML "SonarQube
//! Vulnerability Report" and its JSON). <https://docs.sonarsource.com/sonarqube/latest/>,
//! <https://github.com/soprasteria/sonar-report>
//!
//! - API issues keep their key as external id; `BUG` and `CODE_SMELL` issues are quality
//!   findings unless their impacts name security. OWASP Dependency-Check issues (message
//!   `Filename: … | Reference: CVE-… | CVSS Score: …`) are dependency findings with the package,
//!   advisory ids, CVSS score and CWE read from the message. Titles are `rule_key`.
//! - Hotspots are rated by their vulnerability probability.
//! - `sonar-report` lists one row per issue; issues of the same rule in the same file are merged
//!   into one finding (with `occurrences` and the other lines in the description), as
//!   DefectDojo's default mode does. The rule descriptions the report embeds give the
//!   description and CWE ids.
//!
//! Severities: `BLOCKER` critical, `CRITICAL` high, `MAJOR` medium, `MINOR` low, `INFO` info;
//! the newer `HIGH`/`MEDIUM`/`LOW` as written.

use std::collections::HashMap;
use std::io::Read;

use serde::Deserialize;
use ward_core::{
    Category, Cvss, CvssVersion, FileLocation, Finding, PackageLocation, Severity, Status,
};

use super::sast_common::{advisory_ids, cwe_numbers, html_to_text, unescape_html, StrList};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser, Sniff};

/// SonarQube API exports and sonar-report reports.
pub(crate) struct SonarQube;

/// Largest JSON file read out of a ZIP export.
const MAX_ZIP_ENTRY: u64 = 512 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    // API exports.
    issues: Option<Vec<Issue>>,
    hotspots: Option<Vec<Hotspot>>,
    components: Option<Vec<Component>>,
    paging: Option<serde::de::IgnoredAny>,
    // sonar-report JSON.
    #[serde(rename = "sonarBaseURL")]
    sonar_base_url: Option<String>,
    sonar_component: Option<String>,
    rules: Option<HashMap<String, ReportRule>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    key: Option<String>,
    rule: Option<String>,
    severity: Option<String>,
    component: Option<String>,
    project: Option<String>,
    line: Option<u32>,
    text_range: Option<TextRange>,
    status: Option<String>,
    issue_status: Option<String>,
    resolution: Option<String>,
    message: Option<String>,
    tags: Option<StrList>,
    #[serde(rename = "type")]
    kind: Option<String>,
    impacts: Option<Vec<Impact>>,
    // sonar-report only: the rule's name.
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TextRange {
    start_line: Option<u32>,
    end_line: Option<u32>,
    start_offset: Option<u32>,
    end_offset: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Impact {
    software_quality: Option<String>,
    severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hotspot {
    key: Option<String>,
    component: Option<String>,
    project: Option<String>,
    security_category: Option<String>,
    vulnerability_probability: Option<String>,
    status: Option<String>,
    resolution: Option<String>,
    line: Option<u32>,
    message: Option<String>,
    text_range: Option<TextRange>,
    rule_key: Option<String>,
}

#[derive(Deserialize)]
struct Component {
    key: Option<String>,
    path: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportRule {
    name: Option<String>,
    html_desc: Option<String>,
}

impl Parser for SonarQube {
    fn id(&self) -> &'static str {
        "sonarqube"
    }

    fn name(&self) -> &'static str {
        "SonarQube"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["SonarQube Scan", "SonarQube Scan detailed"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        match input.sniff() {
            Sniff::Json(doc) => {
                let Some(doc) = doc.as_object() else {
                    return false;
                };
                let array = |k: &str| doc.get(k).is_some_and(|v| v.is_array());
                let report = doc.contains_key("sonarComponent") || doc.contains_key("sonarBaseURL");
                let api =
                    doc.get("paging").is_some_and(|p| p.is_object())
                        && (array("hotspots")
                            || (array("issues")
                                && doc["issues"].as_array().and_then(|a| a.first()).is_none_or(
                                    |i| i.get("rule").is_some() && i.get("key").is_some(),
                                )));
                (report && array("issues")) || api
            }
            Sniff::Html => {
                let bytes = input.bytes();
                let head = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
                head.contains("SonarQube Vulnerability Report")
            }
            // A ZIP of API exports is the only archive any importer reads; an archive that is
            // not one is rejected by `parse` with a message saying what it holds.
            Sniff::Zip => true,
            _ => false,
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let mut parsed = Parsed {
            tool: Some("SonarQube".into()),
            ..Parsed::default()
        };
        match input.sniff() {
            Sniff::Zip => read_zip(input.bytes(), &mut parsed)?,
            Sniff::Html => read_html(input.text()?, &mut parsed)?,
            _ => {
                let document: Document = de::json(input.bytes())?;
                read_document(document, "", &mut parsed)?;
            }
        }
        Ok(parsed)
    }
}

fn read_zip(bytes: &[u8], parsed: &mut Parsed) -> Result<(), Error> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::Archive(e.to_string()))?;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| Error::Archive(e.to_string()))?;
        let name = entry.name().to_string();
        if entry.is_dir() || !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let mut content = Vec::new();
        (&mut entry)
            .take(MAX_ZIP_ENTRY + 1)
            .read_to_end(&mut content)
            .map_err(|e| Error::Archive(format!("{name}: {e}")))?;
        if content.len() as u64 > MAX_ZIP_ENTRY {
            return Err(Error::Archive(format!(
                "{name}: larger than {MAX_ZIP_ENTRY} bytes once uncompressed"
            )));
        }
        let document: Document =
            de::json(&content).map_err(|e| Error::Archive(format!("{name}: {e}")))?;
        read_document(document, &format!("{name}: "), parsed)?;
    }
    Ok(())
}

fn read_document(document: Document, context: &str, parsed: &mut Parsed) -> Result<(), Error> {
    let is_report = document.sonar_component.is_some() || document.sonar_base_url.is_some();
    if is_report {
        let rules = document.rules.unwrap_or_default();
        let project = document.sonar_component.as_deref().unwrap_or("");
        let base = document.sonar_base_url.as_deref().unwrap_or("");
        let mut rows = Vec::new();
        for (index, issue) in document.issues.into_iter().flatten().enumerate() {
            let Some(rule) = non_empty(issue.rule.as_deref()) else {
                parsed
                    .warnings
                    .push(format!("{context}issues[{index}]: no rule; skipped"));
                continue;
            };
            let known = rules.get(&rule);
            let link = non_empty(Some(base))
                .map(|b| format!("{}/coding_rules?open={rule}", b.trim_end_matches('/')));
            rows.push(Row {
                title: non_empty(issue.description.as_deref())
                    .or_else(|| known.and_then(|r| non_empty(r.name.as_deref()))),
                severity: non_empty(issue.severity.as_deref()),
                path: issue
                    .component
                    .as_deref()
                    .map(|c| strip_project(c, Some(project)).to_string()),
                line: issue.line,
                message: non_empty(issue.message.as_deref()),
                key: non_empty(issue.key.as_deref()),
                status: non_empty(issue.status.as_deref()),
                rule_html: known.and_then(|r| r.html_desc.clone()),
                link,
                rule,
            });
        }
        aggregate(rows, parsed);
        return Ok(());
    }
    if document.paging.is_none() && document.issues.is_none() && document.hotspots.is_none() {
        return Err(Error::WrongFormat {
            format: "sonarqube",
            reason: format!(
                "{context}neither API `issues`/`hotspots` nor a sonar-report `sonarComponent`"
            ),
        });
    }
    let paths: HashMap<String, String> = document
        .components
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c.key?, c.path?)))
        .collect();
    for (index, issue) in document.issues.into_iter().flatten().enumerate() {
        match api_issue(issue, &paths) {
            Some(f) => parsed.findings.push(f),
            None => parsed
                .warnings
                .push(format!("{context}issues[{index}]: no rule; skipped")),
        }
    }
    for (index, hotspot) in document.hotspots.into_iter().flatten().enumerate() {
        match api_hotspot(hotspot, &paths) {
            Some(f) => parsed.findings.push(f),
            None => parsed
                .warnings
                .push(format!("{context}hotspots[{index}]: no rule; skipped")),
        }
    }
    Ok(())
}

fn severity(label: Option<&str>) -> Severity {
    match label.map(|l| l.trim().to_ascii_uppercase()).as_deref() {
        Some("BLOCKER") => Severity::Critical,
        Some("CRITICAL" | "HIGH") => Severity::High,
        Some("MAJOR" | "MEDIUM") => Severity::Medium,
        Some("MINOR" | "LOW") => Severity::Low,
        Some("INFO") => Severity::Info,
        _ => Severity::Medium,
    }
}

/// `project:src/a.js` → `src/a.js`; a component that is the project itself names no file.
fn strip_project<'a>(component: &'a str, project: Option<&str>) -> &'a str {
    match project.filter(|p| !p.is_empty()) {
        Some(project) if component == project => "",
        Some(project) => component
            .strip_prefix(project)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(component),
        None => component,
    }
}

fn file_path(
    component: Option<&str>,
    project: Option<&str>,
    paths: &HashMap<String, String>,
) -> Option<String> {
    let component = component?;
    if let Some(path) = paths.get(component) {
        return non_empty(Some(path));
    }
    let path = strip_project(component, project);
    // Without a project to strip, `key:path` still carries the key.
    let path = match (project, path.split_once(':')) {
        (None, Some((_, rest))) if !rest.is_empty() => rest,
        _ => path,
    };
    non_empty(Some(path))
}

fn file_location(path: String, line: Option<u32>, range: Option<&TextRange>) -> FileLocation {
    let start = range.and_then(|r| r.start_line).or(line);
    FileLocation {
        end_line: range.and_then(|r| r.end_line).filter(|e| *e > 0),
        // Offsets are 0-based columns.
        start_column: range
            .and_then(|r| r.start_offset)
            .map(|c| c.saturating_add(1)),
        end_column: range
            .and_then(|r| r.end_offset)
            .map(|c| c.saturating_add(1)),
        ..FileLocation::new(path, start)
    }
}

fn api_status(status: Option<&str>, resolution: Option<&str>) -> Status {
    let upper = |s: Option<&str>| s.map(|s| s.trim().to_ascii_uppercase().replace('_', "-"));
    match (upper(status).as_deref(), upper(resolution).as_deref()) {
        (_, Some("FALSE-POSITIVE" | "SAFE")) | (Some("FALSE-POSITIVE"), _) => Status::FalsePositive,
        (_, Some("WONTFIX" | "ACKNOWLEDGED")) | (Some("ACCEPTED" | "WONTFIX"), _) => {
            Status::Accepted
        }
        (_, Some("FIXED" | "REMOVED")) | (Some("RESOLVED" | "CLOSED" | "FIXED"), _) => {
            Status::Mitigated
        }
        _ => Status::Open,
    }
}

fn api_issue(issue: Issue, paths: &HashMap<String, String>) -> Option<Finding> {
    let rule = non_empty(issue.rule.as_deref())?;
    let key = non_empty(issue.key.as_deref());
    let title = match &key {
        Some(key) => format!("{rule}_{key}"),
        None => rule.clone(),
    };
    let security_impact = issue.impacts.iter().flatten().any(|i| {
        i.software_quality
            .as_deref()
            .is_some_and(|q| q.eq_ignore_ascii_case("SECURITY"))
    });
    let kind = non_empty(issue.kind.as_deref()).unwrap_or_default();
    let category = match kind.as_str() {
        "BUG" | "CODE_SMELL" if !security_impact => Category::Quality,
        _ => Category::Sast,
    };
    let mut f = Finding::new("SonarQube", category, title);
    f.rule_id = Some(rule);
    let level = non_empty(issue.severity.as_deref()).or_else(|| {
        // SonarQube 10 rates impacts; the highest one stands for the issue.
        issue
            .impacts
            .iter()
            .flatten()
            .filter_map(|i| non_empty(i.severity.as_deref()))
            .max_by_key(|s| severity(Some(s)))
    });
    f.severity = severity(level.as_deref());
    f.tool_severity = level;
    let message = non_empty(issue.message.as_deref());
    if let Some(message) = &message {
        if message.contains("Filename:") && message.contains(" | ") {
            dependency_check(&mut f, message);
        }
        f.description = Some(message.clone());
    }
    for tag in issue.tags.iter().flat_map(StrList::iter) {
        for n in cwe_numbers(tag) {
            f.add_cwe(&n.to_string());
        }
    }
    f.tags = issue.tags.map(|t| t.0).unwrap_or_default();
    if !kind.is_empty() {
        f.tags.push(kind);
    }
    if let Some(path) = file_path(issue.component.as_deref(), issue.project.as_deref(), paths) {
        f.location.file = Some(file_location(path, issue.line, issue.text_range.as_ref()));
    }
    f.status = api_status(
        issue.issue_status.as_deref().or(issue.status.as_deref()),
        issue.resolution.as_deref(),
    );
    f.external_id = key;
    Some(f)
}

/// Reads the OWASP Dependency-Check plugin's message: `Filename: pkg:1.2 | Reference: CVE-… |
/// CVSS Score: 6.4 | Category: CWE-120 | …` (or `Highest CVSS Score` and `References`).
fn dependency_check(f: &mut Finding, message: &str) {
    let mut score = None;
    for part in message.split(" | ") {
        let Some((name, value)) = part.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim() {
            "Filename" => {
                let (name, version) = match value.rsplit_once(':') {
                    Some((name, version))
                        if !name.is_empty()
                            && version.bytes().next().is_some_and(|b| b.is_ascii_digit()) =>
                    {
                        (name, Some(version.to_string()))
                    }
                    _ => (value, None),
                };
                if !name.is_empty() {
                    f.category = Category::Dependency;
                    f.location.package = Some(PackageLocation {
                        name: name.to_string(),
                        version,
                        ..PackageLocation::default()
                    });
                }
            }
            "Reference" => f.add_id(value),
            "References" => {
                for id in advisory_ids(value) {
                    f.add_id(&id);
                }
            }
            "CVSS Score" | "Highest CVSS Score" => score = value.parse::<f64>().ok(),
            "Category" => {
                for n in cwe_numbers(value) {
                    f.add_cwe(&n.to_string());
                }
            }
            _ => {}
        }
    }
    if let Some(cvss) = score.and_then(|s| Cvss::from_score(CvssVersion::V3_1, s)) {
        f.cvss.push(cvss);
    }
}

fn api_hotspot(hotspot: Hotspot, paths: &HashMap<String, String>) -> Option<Finding> {
    let rule = non_empty(hotspot.rule_key.as_deref())?;
    let key = non_empty(hotspot.key.as_deref());
    let title = match &key {
        Some(key) => format!("{rule}_{key}"),
        None => rule.clone(),
    };
    let mut f = Finding::new("SonarQube", Category::Sast, title);
    f.rule_id = Some(rule);
    let level = non_empty(hotspot.vulnerability_probability.as_deref());
    f.severity = severity(level.as_deref());
    f.tool_severity = level;
    f.description = non_empty(hotspot.message.as_deref());
    if let Some(category) = non_empty(hotspot.security_category.as_deref()) {
        f.tags.push(category);
    }
    f.tags.push("SECURITY_HOTSPOT".into());
    if let Some(path) = file_path(
        hotspot.component.as_deref(),
        hotspot.project.as_deref(),
        paths,
    ) {
        f.location.file = Some(file_location(
            path,
            hotspot.line,
            hotspot.text_range.as_ref(),
        ));
    }
    f.status = api_status(hotspot.status.as_deref(), hotspot.resolution.as_deref());
    f.external_id = key;
    Some(f)
}

/// One issue of a sonar-report report (HTML or JSON).
struct Row {
    rule: String,
    title: Option<String>,
    severity: Option<String>,
    path: Option<String>,
    line: Option<u32>,
    message: Option<String>,
    key: Option<String>,
    status: Option<String>,
    rule_html: Option<String>,
    link: Option<String>,
}

/// One finding per rule and file; further issues add to `occurrences` and list their lines.
fn aggregate(rows: Vec<Row>, parsed: &mut Parsed) {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut extra_lines: Vec<Vec<u32>> = Vec::new();
    for row in rows {
        let key = (row.rule.clone(), row.path.clone().unwrap_or_default());
        if let Some(&at) = seen.get(&key) {
            if let Some(first) = parsed.findings.get_mut(at) {
                first.occurrences += 1;
                if let (Some(lines), Some(line)) = (extra_lines.get_mut(at), row.line) {
                    lines.push(line);
                }
                continue;
            }
        }
        seen.insert(key, parsed.findings.len());
        extra_lines.push(Vec::new());
        parsed.findings.push(report_finding(row));
    }
    for (f, lines) in parsed.findings.iter_mut().zip(extra_lines) {
        if !lines.is_empty() {
            let lines: Vec<String> = lines.iter().map(u32::to_string).collect();
            let note = format!("Also at line(s) {}", lines.join(", "));
            f.description = Some(match f.description.take() {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            });
        }
    }
}

fn report_finding(row: Row) -> Finding {
    // Some reports write `/` where the rule has no name.
    let title = row
        .title
        .clone()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .or_else(|| row.message.clone())
        .unwrap_or_else(|| row.rule.clone());
    let mut f = Finding::new("SonarQube", Category::Sast, title);
    f.severity = severity(row.severity.as_deref());
    f.tool_severity = row.severity;
    let rule_text = row.rule_html.as_deref().map(html_to_text);
    let mut description = Vec::new();
    if let Some(message) = row.message {
        description.push(message);
    }
    if let Some(text) = rule_text.filter(|t| !t.is_empty()) {
        for n in cwe_numbers(&text) {
            f.add_cwe(&n.to_string());
        }
        description.push(text);
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n\n"));
    }
    if let Some(link) = row.link.as_deref() {
        f.add_reference(link);
    }
    if let Some(path) = row.path.filter(|p| !p.is_empty()) {
        f.location.file = Some(FileLocation::new(path, row.line));
    }
    f.status = api_status(row.status.as_deref(), None);
    f.external_id = row.key;
    f.rule_id = Some(row.rule);
    f
}

/// The sonar-report HTML: the "Detail of the Detected Vulnerabilities" table, and the rule
/// descriptions of its "Known Security Rules" table.
fn read_html(text: &str, parsed: &mut Parsed) -> Result<(), Error> {
    let lower = text.to_ascii_lowercase();
    let Some(detail) = lower.find("detail of the detected") else {
        return Err(Error::WrongFormat {
            format: "sonarqube",
            reason: "an HTML page without sonar-report's \"Detail of the Detected\" table".into(),
        });
    };
    let known = lower[detail..]
        .find("known security rules")
        .map(|i| detail + i);
    let rules = known
        .map(|at| known_rules(text, &lower, at))
        .unwrap_or_default();
    let table_end = known.unwrap_or(text.len());
    let table = &text[detail..table_end];
    let table_lower = &lower[detail..table_end];

    // Column positions from the header, so that reports with other columns still read.
    let headers: Vec<String> = cells(table, table_lower, "th")
        .into_iter()
        .map(|h| html_to_text(h).trim().to_ascii_lowercase())
        .collect();
    let column =
        |name: &str, default: usize| headers.iter().position(|h| h == name).unwrap_or(default);
    let (c_rule, c_severity, c_component, c_line, c_description, c_message, c_key, c_status) = (
        column("rule", 0),
        column("severity", 1),
        column("component", 2),
        column("line", 3),
        column("description", 4),
        column("message", 5),
        column("key", 6),
        headers.iter().position(|h| h == "status"),
    );
    let body_start = table_lower.find("<tbody").unwrap_or(0);
    let body = &table[body_start..];
    let body_lower = &table_lower[body_start..];
    let mut rows = Vec::new();
    for (index, (row, row_lower)) in elements(body, body_lower, "tr").into_iter().enumerate() {
        let cells = cells(row, row_lower, "td");
        if cells.is_empty() {
            continue;
        }
        let cell = |i: usize| {
            cells
                .get(i)
                .map(|c| html_to_text(c).trim().to_string())
                .filter(|c| !c.is_empty())
        };
        let Some(rule) = cell(c_rule) else {
            parsed
                .warnings
                .push(format!("detail table row {}: no rule; skipped", index + 1));
            continue;
        };
        let link = cells.get(c_rule).and_then(|c| href(c));
        rows.push(Row {
            title: cell(c_description),
            severity: cell(c_severity),
            path: cell(c_component),
            line: cell(c_line).and_then(|l| l.parse().ok()),
            message: cell(c_message),
            key: cell(c_key),
            status: c_status.and_then(cell),
            rule_html: rules.get(&rule).map(|h| h.to_string()),
            link,
            rule,
        });
    }
    aggregate(rows, parsed);
    Ok(())
}

/// Rule key → description HTML, from the `<details>` that follow each `rule_key=` link.
fn known_rules<'a>(text: &'a str, lower: &str, from: usize) -> HashMap<String, &'a str> {
    let mut rules = HashMap::new();
    let mut at = from;
    while let Some(link) = lower[at..].find("rule_key=") {
        let start = at + link + "rule_key=".len();
        let end = lower[start..]
            .find(['"', '\'', '>', '&'])
            .map_or(lower.len(), |e| start + e);
        let rule = unescape_html(&text[start..end]);
        at = end;
        let next_link = lower[at..].find("rule_key=").map(|i| at + i);
        let Some(open) = lower[at..].find("<details").map(|i| at + i) else {
            break;
        };
        if next_link.is_some_and(|n| n < open) {
            continue;
        }
        let Some(body) = lower[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        let close = lower[body..]
            .find("</details")
            .map_or(lower.len(), |i| body + i);
        rules.entry(rule).or_insert(&text[body..close]);
        at = close;
    }
    rules
}

/// The `<tag …>…</tag>` elements of a fragment (not nested in each other), with their
/// lower-cased twins.
fn elements<'a>(text: &'a str, lower: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&open) {
        let start = at + i;
        // `<tr` but not `<track`.
        let after = lower.as_bytes().get(start + open.len());
        if !matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            at = start + open.len();
            continue;
        }
        let Some(content) = lower[start..].find('>').map(|e| start + e + 1) else {
            break;
        };
        let end = lower[content..]
            .find(&close)
            .map_or(lower.len(), |e| content + e);
        out.push((&text[content..end], &lower[content..end]));
        at = end;
    }
    out
}

/// The contents of a row's `<td>` (or `<th>`) cells.
fn cells<'a>(row: &'a str, lower: &'a str, tag: &str) -> Vec<&'a str> {
    elements(row, lower, tag)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// The first `href` in a fragment.
fn href(fragment: &str) -> Option<String> {
    let at = fragment.find("href=")? + "href=".len();
    let rest = &fragment[at..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = rest[1..].find(quote)?;
    non_empty(Some(&unescape_html(&rest[1..1 + end])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(SonarQube.detect(&input), "not detected: {text}");
        SonarQube.parse(&input).unwrap()
    }

    #[test]
    fn api_issues_and_dependency_check() {
        let parsed = check(
            r#"{"total":2,"p":1,"ps":100,"paging":{"pageIndex":1,"pageSize":100,"total":2},"issues":[
              {"key":"k1","rule":"OWASP:UsingComponentWithKnownVulnerability","severity":"MAJOR","component":"app",
               "project":"app","status":"OPEN","type":"VULNERABILITY","tags":["cwe-937"],
               "message":"Filename: package:1.1.2 | Reference: CVE-2024-2529 | CVSS Score: 6.4 | Category: CWE-120 | text"},
              {"key":"k2","rule":"typescript:S1533","severity":"MINOR","component":"app:src/a.ts","project":"app",
               "line":15,"textRange":{"startLine":15,"endLine":15,"startOffset":4,"endOffset":9},
               "status":"RESOLVED","resolution":"FALSE-POSITIVE","message":"Replace this.","type":"CODE_SMELL"}],
              "components":[{"key":"app:src/a.ts","path":"src/a.ts"}]}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(f.title, "OWASP:UsingComponentWithKnownVulnerability_k1");
        assert_eq!(
            (f.severity, f.category),
            (Severity::Medium, Category::Dependency)
        );
        assert_eq!(f.cwe(), Some(120));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2024-2529"));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(
            (package.name.as_str(), package.version.as_deref()),
            ("package", Some("1.1.2"))
        );
        assert_eq!(f.best_cvss().and_then(|c| c.score), Some(6.4));
        assert!(f.location.file.is_none());
        let g = &parsed.findings[1];
        assert_eq!(
            (g.category, g.status, g.severity),
            (Category::Quality, Status::FalsePositive, Severity::Low)
        );
        let file = g.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.start_column),
            ("src/a.ts", Some(15), Some(5))
        );
    }

    #[test]
    fn hotspots() {
        let parsed = check(
            r#"{"paging":{"pageIndex":1,"pageSize":100,"total":1},"hotspots":[{"key":"h1","component":"p:src/x.ts",
              "project":"p","securityCategory":"xss","vulnerabilityProbability":"HIGH","status":"TO_REVIEW","line":47,
              "message":"Make sure this is safe.","ruleKey":"typescript:S6268"}],"components":[]}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(
            (f.title.as_str(), f.severity),
            ("typescript:S6268_h1", Severity::High)
        );
        assert_eq!(f.location.file.as_ref().unwrap().path, "src/x.ts");
    }

    #[test]
    fn sonar_report_json_aggregates_per_rule_and_file() {
        let parsed = check(
            r#"{"date":"x","projectName":"p","sonarBaseURL":"https://sonar.example","sonarComponent":"p",
              "rules":{"python:S4792":{"name":"Configuring loggers is security-sensitive","htmlDesc":"<p>See <a>MITRE, CWE-117</a></p>","severity":"MINOR"}},
              "issues":[
               {"rule":"python:S4792","severity":"MINOR","status":"TO_REVIEW","component":"app.py","line":24,
                "description":"Configuring loggers is security-sensitive","message":"Make sure it is safe.","key":"a"},
               {"rule":"python:S4792","severity":"MINOR","status":"TO_REVIEW","component":"app.py","line":49,
                "description":"Configuring loggers is security-sensitive","message":"Make sure it is safe.","key":"b"}],
              "hotspotKeys":["a","b"]}"#,
        );
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(
            (f.title.as_str(), f.occurrences),
            ("Configuring loggers is security-sensitive", 2)
        );
        assert_eq!((f.cwe(), f.external_id.as_deref()), (Some(117), Some("a")));
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .ends_with("Also at line(s) 49"));
        assert_eq!(
            f.references,
            ["https://sonar.example/coding_rules?open=python:S4792"]
        );
    }

    #[test]
    fn sonar_report_html() {
        let html = r#"<!DOCTYPE html><html><head><title>SonarQube Vulnerability Report</title></head><body>
          <h2>Detail of the Detected Vulnerabilities</h2><table><thead><tr><th>Rule</th><th>Severity</th>
          <th>Component</th><th>Line</th><th>Description</th><th>Message</th><th style="display:none;">Key</th></tr></thead>
          <tbody><tr><td><a href="https://sonarcloud.io/coding_rules#rule_key=squid:S2068">squid:S2068</a></td>
          <td>BLOCKER</td><td class="component">src/User.java</td><td>38</td>
          <td>Credentials should not be hard-coded</td><td>&#39;password&#39; detected</td><td style="display:none;">AW1</td></tr>
          <tr><td><a href="x#rule_key=squid:S2068">squid:S2068</a></td><td>BLOCKER</td><td class="component">src/User.java</td>
          <td>40</td><td>Credentials should not be hard-coded</td><td>again</td><td style="display:none;">AW2</td></tr></tbody></table>
          <h3>Known Security Rules</h3><table><tbody><tr><td><a href="y#rule_key=squid:S2068">squid:S2068</a></td>
          <td><details><p>Hard-coded credentials.</p><table><tr><td>x</td></tr></table><ul><li>MITRE, CWE-798</li></ul></details></td></tr>
          </tbody></table></body></html>"#;
        let parsed = check(html);
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Credentials should not be hard-coded");
        assert_eq!(
            (f.severity, f.occurrences, f.cwe()),
            (Severity::Critical, 2, Some(798))
        );
        assert_eq!(f.location.file.as_ref().unwrap().start_line, Some(38));
        assert_eq!(f.external_id.as_deref(), Some("AW1"));
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .starts_with("'password' detected"));
        assert_eq!(
            f.references,
            ["https://sonarcloud.io/coding_rules#rule_key=squid:S2068"]
        );
    }

    #[test]
    fn zip_of_api_exports() {
        use std::io::Write;
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            zip.add_directory("dir/", options).unwrap();
            zip.start_file("dir/issues.json", options).unwrap();
            zip.write_all(br#"{"paging":{},"issues":[{"key":"k","rule":"java:S1","severity":"INFO","component":"p","project":"p"}]}"#)
                .unwrap();
            zip.finish().unwrap();
        }
        let bytes = buffer.into_inner();
        let parsed = SonarQube.parse(&Input::new(&bytes)).unwrap();
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings[0].severity, Severity::Info);
    }
}
