//! trufflehog3 JSON reports (a fork of TruffleHog): the current shape, 3.x (`rule`, `path`,
//! `line`, `secret`, `context` …), and the legacy 2.x shape inherited from TruffleHog v2
//! (`reason`, `path`, `stringsFound`, `commitHash` …). <https://github.com/feeltheajf/trufflehog3>
//!
//! The found value is in clear in both shapes (`secret` and `context`; `stringsFound`): the
//! finding keeps it only masked and hashed, and every text field is cleaned of it.
//!
//! Current entries for the same rule message, file, line, severity and secret (the same value
//! found again in another commit) are merged into one finding (`occurrences`); legacy entries
//! are merged per file and reason, as for TruffleHog v2.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Secret, Severity};

use super::secret_common::{Clears, HARD_CODED_CREDENTIALS, SECRET_REMEDIATION};
use super::trufflehog::{Legacy, LegacyMerger};
use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// trufflehog3, current and legacy shapes.
pub(crate) struct Trufflehog3;

const TOOL: &str = "trufflehog3";

/// One entry of either shape.
#[derive(Deserialize)]
struct Entry {
    path: Option<String>,
    branch: Option<String>,
    date: Option<String>,
    /// Legacy: the commit message. Current: the commit hash.
    commit: Option<String>,
    // legacy
    reason: Option<String>,
    #[serde(rename = "commitHash")]
    commit_hash: Option<String>,
    #[serde(rename = "stringsFound")]
    strings_found: Option<Vec<String>>,
    // current
    rule: Option<Rule>,
    line: Option<LineNumber>,
    secret: Option<String>,
    /// Line number (as text) to line content, around the match.
    context: Option<BTreeMap<String, String>>,
    id: Option<String>,
    /// The commit message.
    message: Option<String>,
    author: Option<String>,
}

#[derive(Deserialize)]
struct Rule {
    id: Option<String>,
    message: Option<String>,
    severity: Option<String>,
}

/// trufflehog3 writes line numbers as strings; a number is accepted too.
#[derive(Deserialize)]
#[serde(untagged)]
enum LineNumber {
    Number(u64),
    Text(String),
}

impl LineNumber {
    fn get(&self) -> Option<u32> {
        match self {
            LineNumber::Number(n) => u32::try_from(*n).ok(),
            LineNumber::Text(t) => t.trim().parse().ok(),
        }
    }
}

impl Parser for Trufflehog3 {
    fn id(&self) -> &'static str {
        "trufflehog3"
    }

    fn name(&self) -> &'static str {
        "trufflehog3"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Trufflehog3 Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(first) = input.json().and_then(first_item) else {
            return false;
        };
        let has = |k: &str| first.get(k).is_some();
        let legacy = has("reason") && has("stringsFound") && has("path");
        let current = first
            .get("rule")
            .is_some_and(|r| r.get("message").is_some() || r.get("id").is_some())
            && has("path")
            && has("secret")
            && (has("context") || has("line"));
        legacy || current
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let entries: Option<Vec<Entry>> = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        let mut legacy = LegacyMerger::new(TOOL, true);
        let mut current: Vec<Finding> = Vec::new();
        let mut seen: HashMap<CurrentKey, usize> = HashMap::new();
        let entries = entries.unwrap_or_default();
        let n_entries = entries.len();
        let mut n_unknown = 0usize;
        for (index, entry) in entries.into_iter().enumerate() {
            if entry.reason.is_some() && entry.strings_found.is_some() {
                let entry = Legacy {
                    path: entry.path,
                    reason: entry.reason,
                    strings_found: entry.strings_found.unwrap_or_default(),
                    commit_message: entry.commit,
                    commit_hash: entry.commit_hash,
                    date: entry.date,
                    branch: entry.branch,
                };
                if let Err(why) = legacy.add(entry) {
                    parsed.warnings.push(format!("[{index}]: {why}; skipped"));
                }
            } else if entry.rule.is_some() && entry.secret.is_some() {
                let Some((key, finding)) = current_finding(&entry) else {
                    parsed
                        .warnings
                        .push(format!("[{index}]: the entry names no path; skipped"));
                    continue;
                };
                match seen.get(&key).and_then(|&at| current.get_mut(at)) {
                    Some(existing) => merge(existing, &finding),
                    None => {
                        seen.insert(key, current.len());
                        current.push(finding);
                    }
                }
            } else {
                n_unknown += 1;
                parsed.warnings.push(format!(
                    "[{index}]: neither a current (`rule`, `secret`) nor a legacy (`reason`, `stringsFound`) entry; skipped"
                ));
            }
        }
        if n_entries > 0 && n_unknown == n_entries {
            return Err(Error::WrongFormat {
                format: "trufflehog3",
                reason: "no entry has trufflehog3's `rule` and `secret` or `reason` and `stringsFound` fields".into(),
            });
        }
        parsed.findings = legacy.finish();
        parsed.findings.extend(current);
        Ok(parsed)
    }
}

/// Rule message, path, line, severity and secret hash.
type CurrentKey = (String, String, Option<u32>, String, String);

fn current_finding(entry: &Entry) -> Option<(CurrentKey, Finding)> {
    let path = non_empty(entry.path.as_deref())?;
    let rule = entry.rule.as_ref();
    let message = non_empty(rule.and_then(|r| r.message.as_deref()))
        .or_else(|| non_empty(rule.and_then(|r| r.id.as_deref())))
        .unwrap_or_else(|| "Secret".into());
    let tool_severity = non_empty(rule.and_then(|r| r.severity.as_deref()));
    let line = entry.line.as_ref().and_then(LineNumber::get);

    let mut clears = Clears::default();
    let clear = non_empty(entry.secret.as_deref());
    if let Some(clear) = &clear {
        clears.add(clear);
    }
    let secret = clear.as_deref().map(Secret::from_clear);

    let mut f = Finding::new(
        TOOL,
        Category::Secret,
        clears.redact(&format!("{message} found in {path}")),
    );
    f.severity = tool_severity
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Medium);
    f.tool_severity = tool_severity.clone();
    f.rule_id = non_empty(rule.and_then(|r| r.id.as_deref())).map(|r| clears.redact(&r));
    f.add_cwe(HARD_CODED_CREDENTIALS);
    let snippet = entry.context.as_ref().filter(|c| !c.is_empty()).map(|c| {
        // Keys are line numbers as text: order them as numbers.
        let mut lines: Vec<(u32, &String)> = c
            .iter()
            .map(|(k, v)| (k.trim().parse().unwrap_or(u32::MAX), v))
            .collect();
        lines.sort_by_key(|(n, _)| *n);
        let text: Vec<&str> = lines.iter().map(|(_, v)| v.as_str()).collect();
        clears.redact(&text.join("\n"))
    });
    f.location.file = Some(FileLocation {
        snippet,
        ..FileLocation::new(clears.redact(&path), line)
    });
    f.description = Some(clears.redact(&commit_text(entry)));
    f.remediation = Some(SECRET_REMEDIATION.into());
    f.external_id = non_empty(entry.id.as_deref());
    let key = (
        message,
        path,
        line,
        tool_severity.unwrap_or_default(),
        secret
            .as_ref()
            .map(|s| s.sha256.clone())
            .unwrap_or_default(),
    );
    f.secret = secret;
    Some((key, f))
}

/// Branch, commit, author, date and commit message, one per line.
fn commit_text(entry: &Entry) -> String {
    let mut lines = Vec::new();
    for (label, value) in [
        ("Commit", &entry.commit),
        ("Branch", &entry.branch),
        ("Author", &entry.author),
        ("Date", &entry.date),
    ] {
        if let Some(value) = non_empty(value.as_deref()) {
            lines.push(format!("{label}: {value}"));
        }
    }
    if let Some(message) = non_empty(entry.message.as_deref()) {
        lines.push(format!("Commit message:\n{message}"));
    }
    if lines.is_empty() {
        "Found in the working tree.".into()
    } else {
        lines.join("\n")
    }
}

/// How many further sightings a merged finding's description lists.
const LIST_MAX: u32 = 20;

/// Counts another sighting of the same secret, listing its commit in the description.
fn merge(existing: &mut Finding, again: &Finding) {
    existing.occurrences += 1;
    if existing.occurrences > LIST_MAX + 1 {
        return;
    }
    if let Some(more) = &again.description {
        let description = existing.description.get_or_insert_with(String::new);
        description.push_str("\n\nAlso found in:\n");
        description.push_str(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Trufflehog3.detect(&input), "not detected: {json}");
        Trufflehog3.parse(&input).unwrap()
    }

    #[test]
    fn current_entries_merge_and_are_masked() {
        let entry = |sign: &str, severity: &str| {
            format!(
                r##"{{"rule":{{"id":"high-entropy","message":"High Entropy","severity":"{severity}"}},"path":"env-file.txt","line":"10",
                "secret":"44c45225cf94e58d0c86f0a31051eb7c52c8f78f","context":{{"10":"{sign}DD_API_KEY=44c45225cf94e58d0c86f0a31051eb7c52c8f78f","9":"# keys"}},
                "id":"6ac0ab3b","branch":"main","message":"add key 44c45225cf94e58d0c86f0a31051eb7c52c8f78f","author":"a <a@b.c>","commit":"9c3f4d6","date":"2021-10-08T20:14:27+02:00"}}"##
            )
        };
        let parsed = check(&format!(
            "[{},{},{}]",
            entry("+", "LOW"),
            entry("-", "LOW"),
            entry("+", "HIGH")
        ));
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "High Entropy found in env-file.txt");
        assert_eq!((f.severity, f.occurrences), (Severity::Low, 2));
        assert_eq!(f.tool_severity.as_deref(), Some("LOW"));
        assert_eq!(f.rule_id.as_deref(), Some("high-entropy"));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(file.start_line, Some(10));
        assert_eq!(
            file.snippet.as_deref(),
            Some("# keys\n+DD_API_KEY=44c4****")
        );
        assert_eq!(f.external_id.as_deref(), Some("6ac0ab3b"));
        assert_eq!(parsed.findings[1].severity, Severity::High);
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("44c45225cf94e58d"), "{json}");
    }

    #[test]
    fn legacy_entries_merge_per_file_and_reason() {
        let entry = |hash: &str| {
            format!(
                r#"{{"date":"2018-05-28 03:24:03","path":"fixtures/users.json","branch":"origin/master","commit":"Update users.json","commitHash":"{hash}","reason":"High entropy",
                "stringsFound":["+      \"password\": \"md5$c77N8n6nJPb1$3b35343aac5e46740f6e673521aa53dc\",","-      \"password\": \"md5$oAKvI66ce0Xq$a5c1836db3d6dedff5deca630a358d8b\","]}}"#
            )
        };
        let parsed = check(&format!("[{},{}]", entry("3e2d1f5"), entry("41b2c3d")));
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!((f.occurrences, f.severity), (2, Severity::High));
        assert_eq!(f.cwe(), Some(798));
        assert_eq!(
            f.location.file.as_ref().unwrap().path,
            "fixtures/users.json"
        );
        assert_eq!(f.secret.as_ref().unwrap().masked, "\"pas****");
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("3b35343aac5e4674"), "{json}");
        assert!(!json.contains("a5c1836db3d6dedf"), "{json}");
        assert!(
            json.contains("3e2d1f5") && json.contains("41b2c3d"),
            "{json}"
        );
    }

    #[test]
    fn empty_and_foreign() {
        let empty = Trufflehog3.parse(&Input::new(b"[]")).unwrap();
        assert!(empty.findings.is_empty());
        assert!(!Trufflehog3.detect(&Input::new(b"[]")));
        assert!(Trufflehog3.parse(&Input::new(b"[{\"a\":1}]")).is_err());
    }
}
