//! tfsec JSON reports (`tfsec --format json`): the current shape, 1.x (`rule_id`, `long_id`,
//! `links`, `severity` CRITICAL…LOW, `status`, `resource`), and the legacy 0.x shape
//! (`rule_id` like `AWS002`, `link`, `severity` ERROR/WARNING/INFO, `passed`).
//! <https://github.com/aquasecurity/tfsec>
//!
//! Passed checks (`passed: true`, or `status` 1 with `--include-passed`) are not findings;
//! ignored ones (`status` 2, `tfsec:ignore` in code) are, with status accepted. Results for the
//! same rule and range are merged (`occurrences`).

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};
use ward_core::{Category, FileLocation, Finding, Severity, Status};

use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// tfsec, current and legacy.
pub(crate) struct Tfsec;

const TOOL: &str = "tfsec";

#[derive(Deserialize)]
struct Report {
    /// Absent: not a tfsec report; `null`: no results.
    #[serde(default, deserialize_with = "present")]
    results: Option<Option<Vec<TfResult>>>,
}

/// Tells a `null` field (`Some(None)`) from a missing one (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[derive(Deserialize)]
struct TfResult {
    rule_id: Option<String>,
    long_id: Option<String>,
    rule_description: Option<String>,
    rule_provider: Option<String>,
    rule_service: Option<String>,
    impact: Option<String>,
    resolution: Option<String>,
    /// Legacy: `See https://… for more information.`
    link: Option<String>,
    links: Option<Vec<String>>,
    description: Option<String>,
    severity: Option<String>,
    status: Option<i64>,
    passed: Option<bool>,
    resource: Option<String>,
    location: Option<Range>,
}

#[derive(Deserialize)]
struct Range {
    filename: Option<String>,
    start_line: Option<i64>,
    end_line: Option<i64>,
}

/// defsec's result statuses.
const STATUS_PASSED: i64 = 1;
const STATUS_IGNORED: i64 = 2;

impl Parser for Tfsec {
    fn id(&self) -> &'static str {
        "tfsec"
    }

    fn name(&self) -> &'static str {
        TOOL
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["TFSec Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json().and_then(|d| d.as_object()) else {
            return false;
        };
        // tfsec writes `{"results": null}` when it finds nothing; no other tool writes a
        // document whose only key is a null `results`.
        if doc.len() == 1 && doc.get("results").is_some_and(|r| r.is_null()) {
            return true;
        }
        let Some(first) = doc.get("results").and_then(first_item) else {
            return false;
        };
        let has = |k: &str| first.get(k).is_some();
        has("rule_id")
            && first
                .get("location")
                .is_some_and(|l| l.get("filename").is_some())
            && (has("rule_description") || has("rule_provider") || has("link") || has("links"))
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let Some(results) = report.results else {
            return Err(Error::WrongFormat {
                format: "tfsec",
                reason: "the document has no `results`".into(),
            });
        };
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        let mut seen: HashMap<Key, usize> = HashMap::new();
        for (index, result) in results.into_iter().flatten().enumerate() {
            if result.passed == Some(true) || result.status == Some(STATUS_PASSED) {
                continue;
            }
            let Some((key, f)) = finding(result) else {
                parsed.warnings.push(format!(
                    "results[{index}]: the result has neither rule id nor file; skipped"
                ));
                continue;
            };
            match seen.get(&key).and_then(|&at| parsed.findings.get_mut(at)) {
                Some(existing) => existing.occurrences += 1,
                None => {
                    seen.insert(key, parsed.findings.len());
                    parsed.findings.push(f);
                }
            }
        }
        Ok(parsed)
    }
}

/// Provider, rule, file, start and end line, and whether the result is ignored.
type Key = (String, String, String, Option<u32>, Option<u32>, bool);

fn finding(result: TfResult) -> Option<(Key, Finding)> {
    let rule =
        non_empty(result.rule_id.as_deref()).or_else(|| non_empty(result.long_id.as_deref()));
    let location = result.location.as_ref();
    let path = non_empty(location.and_then(|l| l.filename.as_deref()));
    if rule.is_none() && path.is_none() {
        return None;
    }
    let line = |l: Option<i64>| l.and_then(|l| u32::try_from(l).ok()).filter(|l| *l > 0);
    let start = line(location.and_then(|l| l.start_line));
    let end = line(location.and_then(|l| l.end_line));
    let title = non_empty(result.rule_description.as_deref())
        .or_else(|| non_empty(result.long_id.as_deref()))
        .or_else(|| rule.clone())
        .unwrap_or_else(|| "tfsec finding".into());
    let mut f = Finding::new(TOOL, Category::Iac, title);
    let tool_severity = non_empty(result.severity.as_deref());
    f.severity = tool_severity
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Low);
    f.tool_severity = tool_severity;
    f.rule_id = rule.clone();
    if result.status == Some(STATUS_IGNORED) {
        f.status = Status::Accepted;
    }
    if let Some(path) = &path {
        f.location.file = Some(FileLocation {
            end_line: end.filter(|_| start.is_some()),
            ..FileLocation::new(path.clone(), start)
        });
    }

    let mut description = Vec::new();
    if let Some(d) = non_empty(result.description.as_deref()) {
        description.push(d);
    }
    if let Some(impact) = non_empty(result.impact.as_deref()) {
        description.push(format!("Impact: {impact}"));
    }
    if let Some(resource) = non_empty(result.resource.as_deref()) {
        description.push(format!("Resource: {resource}"));
    }
    let rule_name = [&result.rule_provider, &result.rule_service]
        .into_iter()
        .filter_map(|s| non_empty(s.as_deref()))
        .collect::<Vec<_>>()
        .join("/");
    match (non_empty(result.long_id.as_deref()), rule_name.is_empty()) {
        (Some(long_id), true) => description.push(format!("Rule: {long_id}")),
        (Some(long_id), false) => description.push(format!("Rule: {long_id} ({rule_name})")),
        (None, false) => description.push(format!("Provider: {rule_name}")),
        (None, true) => {}
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n"));
    }
    f.remediation = non_empty(result.resolution.as_deref());
    for link in result.links.iter().flatten() {
        f.add_reference(link);
    }
    if let Some(link) = result.link.as_deref() {
        // Legacy: "See https://tfsec.dev/docs/… for more information."
        for word in link.split_whitespace() {
            if word.starts_with("http://") || word.starts_with("https://") {
                f.add_reference(word);
            }
        }
    }
    let key = (
        result.rule_provider.unwrap_or_default(),
        rule.unwrap_or_default(),
        path.unwrap_or_default(),
        start,
        end,
        f.status == Status::Accepted,
    );
    Some((key, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Tfsec.detect(&input), "not detected: {json}");
        Tfsec.parse(&input).unwrap()
    }

    #[test]
    fn legacy_skips_passed_checks() {
        let parsed = check(
            r#"{"results":[
            {"rule_id":"GCP008","rule_description":"Legacy auth","rule_provider":"google","link":"See https://tfsec.dev/docs/google/GCP008/ for more information.",
             "location":{"filename":"cluster.tf","start_line":52,"end_line":92},"description":"d","severity":"ERROR","passed":true},
            {"rule_id":"GEN003","rule_description":"Potentially sensitive data stored in block attribute.","rule_provider":"general",
             "link":"See https://tfsec.dev/docs/general/GEN003/ for more information.","location":{"filename":"identity.tf","start_line":226,"end_line":226},
             "description":"Block 'x' includes a potentially sensitive attribute","impact":"Could leak","resolution":"Don't","severity":"WARNING","passed":false}]}"#,
        );
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Potentially sensitive data stored in block attribute."
        );
        assert_eq!((f.severity, f.category), (Severity::Medium, Category::Iac));
        assert_eq!(f.tool_severity.as_deref(), Some("WARNING"));
        assert_eq!(f.rule_id.as_deref(), Some("GEN003"));
        assert_eq!(f.references, ["https://tfsec.dev/docs/general/GEN003/"]);
        assert_eq!(f.remediation.as_deref(), Some("Don't"));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!((file.start_line, file.end_line), (Some(226), Some(226)));
    }

    #[test]
    fn current_shape_with_statuses() {
        let result = |status: u8| {
            format!(
                r#"{{"rule_id":"AVD-AWS-0088","long_id":"aws-s3-enable-bucket-encryption","rule_description":"Unencrypted S3 bucket.",
                "rule_provider":"aws","rule_service":"s3","impact":"i","resolution":"Configure bucket encryption","links":["https://aquasecurity.github.io/tfsec/latest/checks/aws/s3/enable-bucket-encryption/"],
                "description":"Bucket does not have encryption enabled","severity":"HIGH","warning":false,"status":{status},"resource":"aws_s3_bucket.b",
                "location":{{"filename":"/src/main.tf","start_line":1,"end_line":4}}}}"#
            )
        };
        let parsed = check(&format!(
            r#"{{"results":[{},{},{},{}]}}"#,
            result(0),
            result(1),
            result(2),
            result(0)
        ));
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!((f.occurrences, f.status), (2, Status::Open));
        assert_eq!(parsed.findings[1].status, Status::Accepted);
        assert!(f
            .description
            .as_ref()
            .unwrap()
            .contains("aws-s3-enable-bucket-encryption (aws/s3)"));
    }

    #[test]
    fn empty_and_foreign() {
        assert!(Tfsec
            .parse(&Input::new(br#"{"results": null}"#))
            .unwrap()
            .findings
            .is_empty());
        assert!(Tfsec.parse(&Input::new(br#"{"other": []}"#)).is_err());
    }
}
