//! hadolint JSON reports (`hadolint --format json`: a list of `line`, `column`, `code`,
//! `message`, `file`, `level`). <https://github.com/hadolint/hadolint>
//!
//! `code` is a hadolint rule (`DL3008`) or a ShellCheck rule (`SC2086`) applied to a `RUN`
//! instruction; each links to its wiki page. Repeats of the same rule at the same file, line
//! and column are merged (`occurrences`).

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Severity};

use crate::util::{first_item, first_line, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// hadolint.
pub(crate) struct Hadolint;

const TOOL: &str = "hadolint";

#[derive(Deserialize)]
struct Entry {
    line: Option<i64>,
    column: Option<i64>,
    code: Option<String>,
    message: Option<String>,
    file: Option<String>,
    level: Option<String>,
}

impl Parser for Hadolint {
    fn id(&self) -> &'static str {
        "hadolint"
    }

    fn name(&self) -> &'static str {
        TOOL
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Hadolint Dockerfile check"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(first) = input.json().and_then(first_item) else {
            return false;
        };
        let has = |k: &str| first.get(k).is_some();
        let rule = first
            .get("code")
            .and_then(|c| c.as_str())
            .is_some_and(is_rule);
        rule && has("level") && has("file") && has("line") && has("message")
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let entries: Option<Vec<Entry>> = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        let mut seen: HashMap<(String, Option<u32>, Option<u32>, String), usize> = HashMap::new();
        let entries = entries.unwrap_or_default();
        let n_entries = entries.len();
        for (index, entry) in entries.into_iter().enumerate() {
            let Some(f) = finding(entry) else {
                parsed
                    .warnings
                    .push(format!("[{index}]: the entry has no rule `code`; skipped"));
                continue;
            };
            let file = f.location.file.as_ref();
            let key = (
                file.map(|l| l.path.clone()).unwrap_or_default(),
                file.and_then(|l| l.start_line),
                file.and_then(|l| l.start_column),
                f.rule_id.clone().unwrap_or_default(),
            );
            match seen.get(&key).and_then(|&at| parsed.findings.get_mut(at)) {
                Some(existing) => existing.occurrences += 1,
                None => {
                    seen.insert(key, parsed.findings.len());
                    parsed.findings.push(f);
                }
            }
        }
        if n_entries > 0 && parsed.findings.is_empty() {
            return Err(Error::WrongFormat {
                format: "hadolint",
                reason: "no entry has hadolint's `code` field".into(),
            });
        }
        Ok(parsed)
    }
}

/// `DL` or `SC` and digits.
fn is_rule(code: &str) -> bool {
    let digits = code
        .strip_prefix("DL")
        .or_else(|| code.strip_prefix("SC"))
        .unwrap_or("");
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn finding(entry: Entry) -> Option<Finding> {
    let code = non_empty(entry.code.as_deref())?;
    let message = non_empty(entry.message.as_deref());
    let title = message
        .as_deref()
        .map_or_else(|| code.clone(), |m| first_line(m, 200));
    let mut f = Finding::new(TOOL, Category::Iac, title);
    let level = non_empty(entry.level.as_deref());
    // hadolint's levels: error, warning, info, style (and ignore).
    f.severity = level
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Info);
    f.tool_severity = level;
    let number = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
    if let Some(path) = non_empty(entry.file.as_deref()) {
        f.location.file = Some(FileLocation {
            start_column: number(entry.column),
            ..FileLocation::new(path, number(entry.line))
        });
    }
    f.description = message;
    if code.starts_with("DL") && is_rule(&code) {
        f.add_reference(&format!("https://github.com/hadolint/hadolint/wiki/{code}"));
    } else if code.starts_with("SC") && is_rule(&code) {
        f.add_reference(&format!("https://www.shellcheck.net/wiki/{code}"));
    }
    f.rule_id = Some(code);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Hadolint.detect(&input), "not detected: {json}");
        Hadolint.parse(&input).unwrap()
    }

    #[test]
    fn rules_levels_and_links() {
        let parsed = check(
            r#"[{"line":9,"code":"DL3008","message":"Pin versions in apt get install.","column":1,"file":"django-DefectDojo\\Dockerfile.django","level":"warning"},
                {"line":12,"code":"SC2086","message":"Double quote to prevent globbing and word splitting.","column":1,"file":"Dockerfile","level":"info"},
                {"line":12,"code":"SC2086","message":"Double quote to prevent globbing and word splitting.","column":1,"file":"Dockerfile","level":"info"}]"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Pin versions in apt get install.");
        assert_eq!(f.rule_id.as_deref(), Some("DL3008"));
        assert_eq!((f.severity, f.category), (Severity::Medium, Category::Iac));
        assert_eq!(f.tool_severity.as_deref(), Some("warning"));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(file.path, "django-DefectDojo\\Dockerfile.django");
        assert_eq!((file.start_line, file.start_column), (Some(9), Some(1)));
        assert_eq!(
            f.references,
            ["https://github.com/hadolint/hadolint/wiki/DL3008"]
        );
        let g = &parsed.findings[1];
        assert_eq!((g.severity, g.occurrences), (Severity::Info, 2));
        assert_eq!(g.references, ["https://www.shellcheck.net/wiki/SC2086"]);
    }

    #[test]
    fn foreign_lists_are_not_claimed() {
        let input =
            Input::new(br#"[{"line":1,"code":"X1","message":"m","file":"f","level":"error"}]"#);
        assert!(!Hadolint.detect(&input));
    }
}
