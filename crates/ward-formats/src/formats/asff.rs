//! AWS Security Finding Format (ASFF) lists: a JSON array of ASFF findings, as Prowler
//! (`-M json-asff`) and other tools write them for import into Security Hub.
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-findings-format-syntax.html>
//!
//! The findings are read in [`super::asff_common`]; the Security Hub export object
//! (`{"Findings": [...]}`) is the separate `awssecurityhub` format.

use super::asff_common;
use crate::util::first_item;
use crate::{Error, Input, Parsed, Parser};

/// AWS Security Finding Format.
pub(crate) struct Asff;

impl Parser for Asff {
    fn id(&self) -> &'static str {
        "asff"
    }

    fn name(&self) -> &'static str {
        "AWS Security Finding Format (ASFF)"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["AWS Security Finding Format (ASFF) Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input
            .json()
            .and_then(first_item)
            .is_some_and(asff_common::is_asff)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let findings = asff_common::read(input)?;
        Ok(asff_common::parsed(findings, None))
    }
}

#[cfg(test)]
mod tests {
    use ward_core::{Category, Severity, Status};

    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Asff.detect(&input), "not detected");
        Asff.parse(&input).unwrap()
    }

    #[test]
    fn prowler_checks() {
        let check_result = |region: &str, status: &str| {
            format!(
                r#"{{"SchemaVersion": "2018-10-08", "Id": "prowler-accessanalyzer_enabled-123456789012-{region}-fb33",
                "ProductArn": "arn:aws:securityhub:{region}::product/prowler/prowler", "RecordState": "ACTIVE",
                "ProductFields": {{"ProviderName": "Prowler", "ProviderVersion": "3.3.0"}},
                "GeneratorId": "prowler-accessanalyzer_enabled", "AwsAccountId": "123456789012", "Types": ["IAM"],
                "Severity": {{"Label": "LOW"}}, "Title": "Check if IAM Access Analyzer is enabled",
                "Description": "IAM Access Analyzer in account 123456789012 is not enabled",
                "Resources": [{{"Type": "Other", "Id": "123456789012", "Partition": "aws", "Region": "{region}"}}],
                "Compliance": {{"Status": "{status}", "RelatedRequirements": ["CIS-1.5 1.20"]}},
                "Remediation": {{"Recommendation": {{"Text": "Enable IAM Access Analyzer.", "Url": "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html"}}}}}}"#
            )
        };
        let parsed = check(&format!(
            "[{}, {}]",
            check_result("eu-west-1", "FAILED"),
            check_result("eu-west-2", "PASSED")
        ));
        assert_eq!(parsed.tool.as_deref(), Some("Prowler"));
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Check if IAM Access Analyzer is enabled - Resource: 123456789012"
        );
        assert_eq!(
            (f.severity, f.category, f.status),
            (Severity::Low, Category::Cloud, Status::Open)
        );
        assert_eq!(
            (f.tool.as_str(), f.rule_id.as_deref()),
            ("Prowler", Some("prowler-accessanalyzer_enabled"))
        );
        assert_eq!(
            f.location.cloud.as_ref().unwrap().region.as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            f.remediation.as_deref(),
            Some("Enable IAM Access Analyzer.")
        );
        assert_eq!(f.references.len(), 1);
        assert_eq!(parsed.findings[1].status, Status::Mitigated);
    }

    #[test]
    fn other_lists_are_not_asff() {
        assert!(!Asff.detect(&Input::new(br#"[{"RuleID": "x", "File": "a"}]"#)));
        assert!(!Asff.detect(&Input::new(br#"{"Findings": []}"#)));
    }
}
