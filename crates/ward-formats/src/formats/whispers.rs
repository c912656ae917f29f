//! Whispers JSON reports (`whispers --json`, 2.x: a list of `key`, `value`, `file`, `line`,
//! `rule_id`, `message`, `severity`). <https://github.com/adeptex/whispers>
//!
//! `value` is the secret in clear: the finding keeps it only masked and hashed. Whispers 2.1
//! rates with SonarQube's words (`BLOCKER`, `CRITICAL`, `MAJOR`, `MINOR`, `INFO`), 2.2 and later
//! with `Critical` … `Info`; the two are told apart by their spelling.

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Secret, Severity};

use super::secret_common::{Clears, HARD_CODED_CREDENTIALS, SECRET_REMEDIATION};
use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Whispers.
pub(crate) struct Whispers;

const TOOL: &str = "Whispers";

#[derive(Deserialize)]
struct Entry {
    key: Option<String>,
    value: Option<String>,
    file: Option<String>,
    line: Option<i64>,
    rule_id: Option<String>,
    message: Option<String>,
    severity: Option<String>,
}

impl Parser for Whispers {
    fn id(&self) -> &'static str {
        "whispers"
    }

    fn name(&self) -> &'static str {
        TOOL
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Whispers Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(first) = input.json().and_then(first_item) else {
            return false;
        };
        ["key", "value", "file", "rule_id", "severity"]
            .iter()
            .all(|k| first.get(*k).is_some())
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let entries: Option<Vec<Entry>> = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        let entries = entries.unwrap_or_default();
        let n_entries = entries.len();
        for (index, entry) in entries.into_iter().enumerate() {
            if entry.key.is_none() && entry.value.is_none() && entry.rule_id.is_none() {
                parsed.warnings.push(format!(
                    "[{index}]: the entry has none of `key`, `value`, `rule_id`; skipped"
                ));
                continue;
            }
            match finding(entry) {
                Some(f) => parsed.findings.push(f),
                None => parsed
                    .warnings
                    .push(format!("[{index}]: the entry names no file; skipped")),
            }
        }
        if n_entries > 0 && parsed.findings.is_empty() {
            return Err(Error::WrongFormat {
                format: "whispers",
                reason: "no entry has Whispers' `key`, `value`, `file` and `rule_id` fields".into(),
            });
        }
        Ok(parsed)
    }
}

/// Whispers 2.1's SonarQube words are upper case; 2.2's are capitalised.
fn severity(label: &str) -> Option<Severity> {
    Some(match label.trim() {
        "BLOCKER" => Severity::Critical,
        "CRITICAL" => Severity::High,
        "MAJOR" => Severity::Medium,
        "MINOR" => Severity::Low,
        "INFO" => Severity::Info,
        other => return Severity::from_label(other),
    })
}

fn finding(entry: Entry) -> Option<Finding> {
    let path = non_empty(entry.file.as_deref())?;
    let clear = entry.value.as_deref().filter(|v| !v.trim().is_empty());
    let mut clears = Clears::default();
    if let Some(clear) = clear {
        clears.add(clear);
    }
    let secret = clear.map(Secret::from_clear);
    let key = non_empty(entry.key.as_deref()).map(|k| clears.redact(&k));
    let message = non_empty(entry.message.as_deref())
        .or_else(|| non_empty(entry.rule_id.as_deref()))
        .unwrap_or_else(|| "secret".into());
    let title = match &key {
        Some(key) => format!("Hard-coded {message} \"{key}\" in {path}"),
        None => format!("Hard-coded {message} in {path}"),
    };
    let mut f = Finding::new(TOOL, Category::Secret, clears.redact(&title));
    let tool_severity = non_empty(entry.severity.as_deref());
    f.severity = tool_severity
        .as_deref()
        .and_then(severity)
        .unwrap_or(Severity::Medium);
    f.tool_severity = tool_severity;
    f.rule_id = non_empty(entry.rule_id.as_deref());
    f.add_cwe(HARD_CODED_CREDENTIALS);
    let line = entry.line.and_then(|l| u32::try_from(l).ok());
    f.location.file = Some(FileLocation::new(clears.redact(&path), line));
    // Built from the mask, never by redacting the clear value: short values are not redacted.
    if let (Some(key), Some(secret)) = (&key, &secret) {
        f.evidence = Some(format!("{key} = {}", secret.masked));
    }
    f.description = Some(clears.redact(&format!(
        "Whispers rule `{}` ({message}) matched a hard-coded value{}.",
        entry.rule_id.as_deref().unwrap_or("?"),
        key.as_ref()
            .map(|k| format!(" of `{k}`"))
            .unwrap_or_default(),
    )));
    f.remediation = Some(SECRET_REMEDIATION.into());
    f.secret = secret;
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Whispers.detect(&input), "not detected: {json}");
        Whispers.parse(&input).unwrap()
    }

    #[test]
    fn both_severity_vocabularies_and_masking() {
        let parsed = check(
            r#"[{"key":"01_static_password","value":"hardcoded0","file":"src/config.yml","line":12,"rule_id":"password","message":"Password","severity":"CRITICAL"},
                {"key":"pip password","value":"abc","file":"src/pip.conf","line":2,"rule_id":"pip","message":"pip.conf Password","severity":"High"}]"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Hard-coded Password \"01_static_password\" in src/config.yml"
        );
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.tool_severity.as_deref(), Some("CRITICAL"));
        assert_eq!(f.rule_id.as_deref(), Some("password"));
        assert_eq!(f.location.file.as_ref().unwrap().start_line, Some(12));
        assert_eq!(f.evidence.as_deref(), Some("01_static_password = ha****"));
        assert_eq!(parsed.findings[1].severity, Severity::High);
        assert_eq!(
            parsed.findings[1].evidence.as_deref(),
            Some("pip password = ****")
        );
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("hardcoded0"), "{json}");
        assert!(
            !json.contains("\"abc\"") && !json.contains("= abc"),
            "{json}"
        );
        assert_eq!(severity("BLOCKER"), Some(Severity::Critical));
        assert_eq!(severity("Critical"), Some(Severity::Critical));
    }

    #[test]
    fn empty() {
        assert!(Whispers
            .parse(&Input::new(b"[]"))
            .unwrap()
            .findings
            .is_empty());
        assert!(Whispers
            .parse(&Input::new(b"null"))
            .unwrap()
            .findings
            .is_empty());
    }
}
