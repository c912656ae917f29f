//! Yelp detect-secrets baseline JSON (`detect-secrets scan` output, 0.x and 1.x: `results` keyed
//! by file, `plugins_used`, `generated_at`). <https://github.com/Yelp/detect-secrets>
//!
//! A baseline never holds a secret's value, only its SHA-1 (`hashed_secret`), which is kept in
//! the finding's evidence and description. Audit marks carry over: `is_secret: false` makes the
//! finding a false positive, `is_verified` makes it verified. Repeated entries (same type, file,
//! line and hash) are merged.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, Severity, Status};

use super::secret_common::{HARD_CODED_CREDENTIALS, SECRET_REMEDIATION};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// detect-secrets baselines.
pub(crate) struct DetectSecrets;

const TOOL: &str = "detect-secrets";

#[derive(Deserialize)]
struct Baseline {
    version: Option<String>,
    plugins_used: Option<serde::de::IgnoredAny>,
    generated_at: Option<String>,
    /// File name to its secrets, in report order.
    #[serde(default, deserialize_with = "ordered_results")]
    results: Vec<(String, Vec<Entry>)>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: Option<String>,
    filename: Option<String>,
    hashed_secret: Option<String>,
    is_verified: Option<bool>,
    line_number: Option<u32>,
    is_secret: Option<bool>,
}

/// The `results` object as a list, keeping the report's order of files.
fn ordered_results<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, Vec<Entry>)>, D::Error> {
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = Vec<(String, Vec<Entry>)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of file names to lists of secrets")
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((file, entries)) = map.next_entry::<String, Option<Vec<Entry>>>()? {
                out.push((file, entries.unwrap_or_default()));
            }
            Ok(out)
        }
    }
    deserializer.deserialize_any(Ordered)
}

impl Parser for DetectSecrets {
    fn id(&self) -> &'static str {
        "detect-secrets"
    }

    fn name(&self) -> &'static str {
        "detect-secrets"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Detect-secrets Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json() else {
            return false;
        };
        doc.get("results").is_some_and(|r| r.is_object())
            && doc.get("plugins_used").is_some_and(|p| p.is_array())
            && (doc.get("generated_at").is_some() || doc.get("version").is_some())
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let baseline: Baseline = de::json(input.bytes())?;
        if baseline.plugins_used.is_none()
            && baseline.version.is_none()
            && baseline.generated_at.is_none()
        {
            return Err(Error::WrongFormat {
                format: "detect-secrets",
                reason: "the document has none of a baseline's `plugins_used`, `version` and \
                         `generated_at` fields"
                    .into(),
            });
        }
        let scan_time = non_empty(baseline.generated_at.as_deref());
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            scan_time: scan_time.clone(),
            ..Parsed::default()
        };
        let mut seen: HashMap<(String, String, Option<u32>, String), usize> = HashMap::new();
        for (file, entries) in baseline.results {
            for (index, entry) in entries.into_iter().enumerate() {
                let Some(path) = non_empty(entry.filename.as_deref().or(Some(file.as_str())))
                else {
                    parsed.warnings.push(format!(
                        "results[{file:?}][{index}]: the entry names no file; skipped"
                    ));
                    continue;
                };
                let kind = non_empty(entry.kind.as_deref());
                let hash = non_empty(entry.hashed_secret.as_deref());
                if kind.is_none() && hash.is_none() {
                    parsed.warnings.push(format!(
                        "results[{file:?}][{index}]: the entry has neither `type` nor `hashed_secret`; skipped"
                    ));
                    continue;
                }
                let kind = kind.unwrap_or_else(|| "Secret".into());
                let key = (
                    kind.clone(),
                    path.clone(),
                    entry.line_number,
                    hash.clone().unwrap_or_default(),
                );
                if let Some(existing) = seen.get(&key).and_then(|&at| parsed.findings.get_mut(at)) {
                    existing.occurrences += 1;
                    continue;
                }
                let mut f = Finding::new(TOOL, Category::Secret, kind.clone());
                f.severity = Severity::High;
                f.rule_id = Some(kind.clone());
                f.add_cwe(HARD_CODED_CREDENTIALS);
                f.location.file = Some(FileLocation::new(path, entry.line_number));
                f.verified = entry.is_verified.unwrap_or(false);
                if entry.is_secret == Some(false) {
                    f.status = Status::FalsePositive;
                }
                let mut description = format!("detect-secrets found a possible {kind}.");
                if let Some(hash) = &hash {
                    description.push_str(&format!(
                        " The baseline keeps only the SHA-1 of the value: {hash}."
                    ));
                    f.evidence = Some(format!("hashed_secret (SHA-1): {hash}"));
                }
                match entry.is_secret {
                    Some(true) => description.push_str(" Audited: a real secret."),
                    Some(false) => description.push_str(" Audited: not a secret."),
                    None => {}
                }
                f.description = Some(description);
                f.remediation = Some(SECRET_REMEDIATION.into());
                f.scan_time = scan_time.clone();
                seen.insert(key, parsed.findings.len());
                parsed.findings.push(f);
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(DetectSecrets.detect(&input), "not detected: {json}");
        DetectSecrets.parse(&input).unwrap()
    }

    #[test]
    fn baseline_keeps_order_hash_and_audit_marks() {
        let parsed = check(
            r#"{"version":"1.0.3","plugins_used":[{"name":"KeywordDetector"}],"filters_used":[],
            "results":{
              "z.py":[{"type":"Secret Keyword","filename":"z.py","hashed_secret":"bd564db5d5cc358eb0e3523d3e03041739f230d5","is_verified":false,"line_number":151},
                      {"type":"Secret Keyword","filename":"z.py","hashed_secret":"bd564db5d5cc358eb0e3523d3e03041739f230d5","is_verified":false,"line_number":151}],
              "a.go":[{"type":"AWS Access Key","filename":"a.go","hashed_secret":"b732fb611fd46a38e8667f9972e0cde777fbe37f","is_verified":true,"line_number":112,"is_secret":false}]
            },"generated_at":"2021-05-19T10:40:18Z"}"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        assert_eq!(parsed.scan_time.as_deref(), Some("2021-05-19T10:40:18Z"));
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Secret Keyword");
        assert_eq!(f.occurrences, 2);
        assert_eq!(f.location.file.as_ref().unwrap().path, "z.py");
        assert_eq!(f.location.file.as_ref().unwrap().start_line, Some(151));
        assert!(f
            .evidence
            .as_ref()
            .unwrap()
            .contains("bd564db5d5cc358eb0e3523d3e03041739f230d5"));
        assert_eq!((f.status, f.verified), (Status::Open, false));
        let g = &parsed.findings[1];
        assert_eq!((g.status, g.verified), (Status::FalsePositive, true));
        assert_eq!(g.cwe(), Some(798));
    }

    #[test]
    fn empty_baseline() {
        let parsed =
            check(r#"{"version":"0.12.2","plugins_used":[],"results":{},"generated_at":"x"}"#);
        assert!(parsed.findings.is_empty());
        assert!(!DetectSecrets.detect(&Input::new(br#"{"results":{}}"#)));
    }
}
