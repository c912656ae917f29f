//! AWS Security Hub exports: `{"Findings": [...]}` as `aws securityhub get-findings` writes it
//! (some tools write `findings`), holding ASFF findings from Security Hub controls, AWS Config,
//! GuardDuty, Inspector, Macie and partner products.
//! <https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html>
//!
//! The findings themselves are read in [`super::asff_common`]; a bare list of ASFF findings is
//! the separate `asff` format.

use super::asff_common;
use crate::{Error, Input, Parsed, Parser};

/// AWS Security Hub.
pub(crate) struct AwsSecurityHub;

impl Parser for AwsSecurityHub {
    fn id(&self) -> &'static str {
        "awssecurityhub"
    }

    fn name(&self) -> &'static str {
        "AWS Security Hub"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["AWS Security Hub Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json().and_then(|v| v.as_object()) else {
            return false;
        };
        match doc.get("Findings").or_else(|| doc.get("findings")) {
            Some(serde_json::Value::Array(items)) => match items.first() {
                Some(first) => asff_common::is_asff(first),
                // `get-findings` with no result: only the exact API response shape.
                None => {
                    doc.contains_key("Findings")
                        && doc.keys().all(|k| k == "Findings" || k == "NextToken")
                }
            },
            _ => false,
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let findings = asff_common::read(input)?;
        Ok(asff_common::parsed(
            findings,
            Some("AWS Security Hub".into()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use ward_core::{Category, Severity, Status};

    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(AwsSecurityHub.detect(&input), "not detected");
        AwsSecurityHub.parse(&input).unwrap()
    }

    const GUARDDUTY: &str = r#"{
      "SchemaVersion": "2018-10-08",
      "Id": "arn:aws:guardduty:us-east-1:123456789012:detector/12ab/finding/34cd",
      "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty", "ProductName": "GuardDuty",
      "GeneratorId": "arn:aws:guardduty:us-east-1:123456789012:detector/12ab", "AwsAccountId": "123456789012",
      "Types": ["TTPs/Discovery/IAMUser-AnomalousBehavior"],
      "Severity": {"Product": 2, "Label": "LOW", "Normalized": 40},
      "Title": "User AssumedRole : Admin is anomalously invoking APIs.",
      "SourceUrl": "https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=34cd",
      "Resources": [{"Type": "AwsIamAccessKey", "Id": "AWS::IAM::AccessKey:ASIAEXAMPLE", "Partition": "aws", "Region": "us-east-1"}],
      "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
    }"#;

    #[test]
    fn export_shapes_and_merging() {
        let parsed = check(&format!(r#"{{"Findings": [{GUARDDUTY}, {GUARDDUTY}]}}"#));
        assert_eq!(
            (parsed.findings.len(), parsed.tool.as_deref()),
            (1, Some("AWS Security Hub"))
        );
        let f = &parsed.findings[0];
        assert_eq!(f.occurrences, 2);
        assert_eq!(
            f.title,
            "User AssumedRole : Admin is anomalously invoking APIs. - Resource: ASIAEXAMPLE"
        );
        assert_eq!(
            (f.severity, f.category, f.status),
            (Severity::Low, Category::Cloud, Status::Open)
        );
        assert_eq!(
            f.rule_id.as_deref(),
            Some("TTPs/Discovery/IAMUser-AnomalousBehavior")
        );
        assert_eq!(
            f.location.cloud.as_ref().unwrap().resource_type.as_deref(),
            Some("AwsIamAccessKey")
        );
        assert_eq!(
            check(&format!(r#"{{"findings": [{GUARDDUTY}]}}"#))
                .findings
                .len(),
            1
        );
        assert!(check(r#"{"Findings": [], "NextToken": null}"#)
            .findings
            .is_empty());
    }

    #[test]
    fn a_bare_list_is_not_an_export() {
        let list = format!("[{GUARDDUTY}]");
        assert!(!AwsSecurityHub.detect(&Input::new(list.as_bytes())));
        let inspector2 = r#"{"findings": [{"findingArn": "arn:aws:inspector2:us-east-1:123456789012:finding/ab", "type": "PACKAGE_VULNERABILITY"}]}"#;
        assert!(!AwsSecurityHub.detect(&Input::new(inspector2.as_bytes())));
        assert!(!AwsSecurityHub.detect(&Input::new(br#"{"findings": []}"#)));
    }
}
