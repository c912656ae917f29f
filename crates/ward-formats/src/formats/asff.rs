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

    #[test]
    fn ward_findings_give_back_their_fields() {
        let finding = |id: &str| {
            format!(
                r#"{{"SchemaVersion": "2018-10-08", "Id": "ward/{id}", "GeneratorId": "SNYK-1",
                "ProductArn": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
                "ProductName": "ward", "AwsAccountId": "123456789012", "Types": ["Software and Configuration Checks"],
                "Severity": {{"Label": "HIGH", "Original": "high"}}, "Title": "Title", "Description": "Title",
                "Remediation": {{"Recommendation": {{"Text": "Upgrade lodash to 2.0."}}}},
                "ProductFields": {{"ProviderName": "ward", "ward/Tool": "Snyk", "ward/Category": "container",
                  "ward/Severity": "high", "ward/Fingerprint": "{id}", "ward/Status": "accepted",
                  "ward/RuleId": "SNYK-1", "ward/ExternalId": "T-1", "ward/GeneratedRemediation": "true",
                  "ward/Identifiers": "CVE-2020-1\nCWE-79\nSNYK id 1", "ward/EpssPercentile": "0.9",
                  "ward/References": "not a url\nhttps://x.example/a"}},
                "Resources": [
                  {{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b", "Region": "eu-west-1",
                    "Details": {{"Other": {{"Provider": "aws"}}}}}},
                  {{"Type": "Container", "Id": "alpine:3", "Details": {{"Container": {{"ImageName": "alpine:3",
                    "ImageId": "sha256:1"}}, "Other": {{"Os": "alpine 3.17"}}}}}},
                  {{"Type": "Other", "Id": "pkg:npm/lodash@1.0", "Details": {{"Other": {{"Package": "lodash",
                    "Version": "1.0", "Purl": "pkg:npm/lodash@1.0", "FixedVersion": "2.0"}}}}}},
                  {{"Type": "Other", "Id": "a.py", "Details": {{"Other": {{"Path": "a.py", "StartLine": "3"}}}}}},
                  {{"Type": "Other", "Id": "https://x/y", "Details": {{"Other": {{"Url": "https://x/y",
                    "Method": "POST"}}}}}}],
                "Vulnerabilities": [{{"Id": "CVE-2020-1", "Vendor": {{"Name": "Snyk"}}, "EpssScore": 0.5,
                  "Cvss": [{{"Version": "3.1", "BaseScore": 5.0, "BaseVector": "not/a:vector"}}],
                  "VulnerablePackages": [{{"Name": "lodash", "SourceLayerHash": "sha256:2"}}]}}]}}"#
            )
        };
        let parsed = check(&format!("[{}, {}]", finding("f1"), finding("f2")));
        assert_eq!(parsed.findings.len(), 2);
        assert_eq!(parsed.tool.as_deref(), Some("Snyk"));
        let f = &parsed.findings[0];
        assert_eq!(
            (f.title.as_str(), f.description.as_deref()),
            ("Title", None)
        );
        assert_eq!((f.tool.as_str(), f.category), ("Snyk", Category::Container));
        assert_eq!((f.severity, f.status), (Severity::High, Status::Accepted));
        assert_eq!(f.rule_id.as_deref(), Some("SNYK-1"));
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(ids, ["CVE-2020-1", "CWE-79", "SNYK id 1"]);
        assert_eq!(f.references, ["not a url", "https://x.example/a"]);
        assert_eq!(f.remediation, None);
        assert_eq!(f.cvss[0].version, ward_core::CvssVersion::V3_1);
        assert_eq!(f.epss.unwrap().percentile, Some(0.9));
        let location = &f.location;
        let cloud = location.cloud.as_ref().unwrap();
        assert_eq!(
            (cloud.resource_type.as_deref(), cloud.account.as_deref()),
            (Some("AwsS3Bucket"), None)
        );
        let image = location.image.as_ref().unwrap();
        assert_eq!(
            (image.os.as_deref(), image.layer.as_deref()),
            (Some("alpine 3.17"), Some("sha256:2"))
        );
        let package = location.package.as_ref().unwrap();
        assert_eq!(package.purl.as_deref(), Some("pkg:npm/lodash@1.0"));
        assert_eq!(location.file.as_ref().unwrap().start_line, Some(3));
        assert_eq!(
            location.web.as_ref().unwrap().method.as_deref(),
            Some("POST")
        );
    }
}
