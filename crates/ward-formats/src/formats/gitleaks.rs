//! Gitleaks JSON reports: v8 and later (`RuleID`, `StartLine`, `Secret` …) and the legacy v7
//! shape (`rule`, `lineNumber`, `offender` …). <https://github.com/gitleaks/gitleaks>
//!
//! Gitleaks reports one entry per commit a secret appears in; entries for the same secret at the
//! same file and line are merged into one finding whose `occurrences` counts them.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Secret, Severity};

use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Gitleaks, v7 and v8+.
pub(crate) struct Gitleaks;

/// One entry; both generations' field names, since a report uses one or the other.
#[derive(Deserialize)]
struct Leak {
    // v8+
    #[serde(rename = "RuleID")]
    rule_id: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "File")]
    file_v8: Option<String>,
    #[serde(rename = "StartLine")]
    start_line: Option<u32>,
    #[serde(rename = "EndLine")]
    end_line: Option<u32>,
    #[serde(rename = "StartColumn")]
    start_column: Option<u32>,
    #[serde(rename = "EndColumn")]
    end_column: Option<u32>,
    #[serde(rename = "Match")]
    matched: Option<String>,
    #[serde(rename = "Secret")]
    secret_v8: Option<String>,
    #[serde(rename = "Commit")]
    commit_v8: Option<String>,
    #[serde(rename = "Author")]
    author_v8: Option<String>,
    #[serde(rename = "Date")]
    date_v8: Option<String>,
    #[serde(rename = "Tags")]
    tags_v8: Option<Vec<String>>,
    #[serde(rename = "Fingerprint")]
    fingerprint: Option<String>,
    // v7
    rule: Option<String>,
    file: Option<String>,
    #[serde(rename = "lineNumber")]
    line_number: Option<u32>,
    line: Option<String>,
    offender: Option<String>,
    commit: Option<String>,
    author: Option<String>,
    date: Option<String>,
    tags: Option<String>,
    #[serde(rename = "leakURL")]
    leak_url: Option<String>,
}

impl Parser for Gitleaks {
    fn id(&self) -> &'static str {
        "gitleaks"
    }

    fn name(&self) -> &'static str {
        "Gitleaks"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Gitleaks Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(first) = input.json().and_then(first_item) else {
            return false;
        };
        let has = |k: &str| first.get(k).is_some();
        (has("RuleID") && has("File") && (has("Secret") || has("Match")))
            || (has("offender") && has("rule") && has("file"))
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        // `gitleaks --report-format json` writes `null` when it finds nothing.
        let leaks: Option<Vec<Leak>> = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("Gitleaks".into()),
            ..Parsed::default()
        };
        let mut seen: HashMap<(String, Option<u32>, String, String), usize> = HashMap::new();
        for (index, leak) in leaks.into_iter().flatten().enumerate() {
            let Some(finding) = finding(leak) else {
                parsed
                    .warnings
                    .push(format!("[{index}]: entry names no file; skipped"));
                continue;
            };
            let file = finding
                .location
                .file
                .as_ref()
                .expect("finding() sets a file");
            let key = (
                file.path.clone(),
                file.start_line,
                finding
                    .secret
                    .as_ref()
                    .map(|s| s.sha256.clone())
                    .unwrap_or_default(),
                finding.rule_id.clone().unwrap_or_default(),
            );
            match seen.get(&key) {
                Some(&at) => parsed.findings[at].occurrences += 1,
                None => {
                    seen.insert(key, parsed.findings.len());
                    parsed.findings.push(finding);
                }
            }
        }
        Ok(parsed)
    }
}

fn finding(leak: Leak) -> Option<Finding> {
    let v8 = leak.rule_id.is_some() || leak.file_v8.is_some();
    let path = non_empty(leak.file_v8.as_deref().or(leak.file.as_deref()))?;
    let clear = non_empty(leak.secret_v8.as_deref().or(leak.offender.as_deref()));
    // `gitleaks --redact` writes REDACTED in place of the value: there is nothing to hash.
    let secret = clear
        .as_deref()
        .filter(|c| *c != "REDACTED")
        .map(Secret::from_clear);
    let redact = |text: &str| match (&secret, &clear) {
        (Some(secret), Some(clear)) => secret.redact(text, clear),
        _ => text.to_string(),
    };

    let (title, rule) = if v8 {
        let description = non_empty(leak.description.as_deref())
            .or_else(|| leak.rule_id.clone())
            .unwrap_or_else(|| "secret".into());
        (
            format!("Hard coded {description} found in {path}"),
            leak.rule_id.clone(),
        )
    } else {
        let rule = non_empty(leak.rule.as_deref()).unwrap_or_else(|| "secret".into());
        (format!("Hard Coded {rule}"), Some(rule))
    };
    let mut f = Finding::new("Gitleaks", Category::Secret, redact(&title));
    f.severity = Severity::High;
    f.rule_id = rule;
    f.location.file = Some(FileLocation {
        end_line: leak.end_line,
        start_column: leak.start_column,
        end_column: leak.end_column,
        snippet: leak
            .matched
            .as_deref()
            .or(leak.line.as_deref())
            .map(&redact),
        ..FileLocation::new(path, leak.start_line.or(leak.line_number))
    });
    f.external_id = leak.fingerprint;
    let mut description = Vec::new();
    if let Some(d) = non_empty(leak.description.as_deref()) {
        description.push(redact(&d));
    }
    if let Some(commit) = non_empty(leak.commit_v8.as_deref().or(leak.commit.as_deref())) {
        description.push(format!("Commit: {commit}"));
    }
    if let Some(author) = non_empty(leak.author_v8.as_deref().or(leak.author.as_deref())) {
        description.push(format!("Author: {author}"));
    }
    if let Some(date) = non_empty(leak.date_v8.as_deref().or(leak.date.as_deref())) {
        description.push(format!("Date: {date}"));
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n"));
    }
    f.secret = secret;
    if let Some(url) = leak.leak_url.as_deref() {
        f.add_reference(url);
    }
    f.tags = match (leak.tags_v8, leak.tags) {
        (Some(tags), _) => tags,
        (None, Some(tags)) => tags.split(',').filter_map(|t| non_empty(Some(t))).collect(),
        (None, None) => Vec::new(),
    };
    // The commit as a tag, as `ward scan --git-history` writes it: the secret fingerprint
    // tells history findings apart by it (ARCHITECTURE.md, fingerprints).
    if let Some(commit) = non_empty(leak.commit_v8.as_deref().or(leak.commit.as_deref())) {
        f.tags.push(format!("commit:{commit}"));
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Gitleaks.detect(&input) || json.trim() == "null");
        Gitleaks.parse(&input).unwrap()
    }

    #[test]
    fn v8_entries_merge_per_secret_and_line_and_are_masked() {
        let entry = |commit: &str| {
            format!(
                r#"{{"RuleID":"aws-access-token","Description":"AWS","File":"a.tf","StartLine":2,"EndLine":2,
                "Match":"key = AKIAIOSFODNN7EXAMPLE","Secret":"AKIAIOSFODNN7EXAMPLE","Commit":"{commit}","Tags":[]}}"#
            )
        };
        let parsed = check(&format!("[{},{}]", entry("a1"), entry("b2")));
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(f.occurrences, 2);
        assert_eq!(f.title, "Hard coded AWS found in a.tf");
        let json = serde_json::to_string(f).unwrap();
        assert!(!json.contains("AKIAIOSFODNN7EXAMPLE"), "{json}");
        assert_eq!(f.secret.as_ref().unwrap().masked, "AKIA****");
        assert_eq!(f.tags, ["commit:a1"], "the first commit names the finding");
    }

    #[test]
    fn legacy_and_empty() {
        let parsed = check(
            r#"[{"rule":"AWS Access Key","file":"x.yml","lineNumber":3,"offender":"REDACTED","line":"k = REDACTED","tags":"key, AWS"}]"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(
            (f.title.as_str(), f.secret.is_none()),
            ("Hard Coded AWS Access Key", true)
        );
        assert_eq!(f.tags, ["key", "AWS"]);
        assert!(check("null").findings.is_empty());
    }
}
