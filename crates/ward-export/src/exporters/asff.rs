//! `asff`: AWS Security Finding Format (schema version 2018-10-08) for Security Hub's
//! `BatchImportFindings` (<https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html>).
//!
//! Output: a JSON array of request bodies, one per `BatchImportFindings` call:
//! `[{"Findings": [… at most 100 …]}, …]`, each body also under 6 MB. Send them one by one,
//! e.g. `jq -c '.[]' asff.json | while read -r body; do aws securityhub batch-import-findings
//! --cli-input-json "$body"; done`. An empty report gives `[]`.
//!
//! Mapping (limits from the Security Hub API model, see `tests/data/schemas/asff.md`):
//! `Id` = `ward/<fingerprint>` (re-sending updates the same finding); `GeneratorId` = the rule
//! id (else the primary vulnerability id, else `ward/<tool>`); `ProductFields` carry the tool,
//! rule, category, fingerprint and the other ward fields (`ward/…` keys);
//! `Severity.Label`/`Original`; `Types` (and `FindingProviderFields`) from the category;
//! `Title` ≤ 256 and `Description` ≤ 1024 characters; `Remediation.Recommendation`;
//! `Resources` (cloud resource, container image, package, file or URL; at least one);
//! `Vulnerabilities` for package and CVE findings (packages, CVSS, EPSS, fix availability);
//! `Workflow.Status`, `RecordState` and `VerificationState` from the triage status.
//!
//! What ward's ASFF importer reads back from a finding with `ProductFields["ward/Fingerprint"]`:
//! the `ward/…` product fields (lists one item a line) and `Details.Other` of the resources
//! (`Package`/`Version`/`Ecosystem`/`Purl`/`FixedVersion`, `Path`/`StartLine`/…/`Snippet`,
//! `Url`/`Method`/`Parameter`, a cloud resource's `Provider`/`Account`, an image's `Os`/`Layer`).
//! Title (256), description (1024), remediation (512) and each detail (1024) are cut to
//! Security Hub's limits; blank values cannot be sent at all.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Map, Value};
use ward_core::{Category, Confidence, Finding, IdentifierKind, Report, Severity, Status};

use crate::exporters::gitlab::version_text;
use crate::time::UtcTime;
use crate::util::{
    fingerprint, is_web_url, non_blank, repo_path, rule_key, status_word, truncate, unique_keys,
};
use crate::{Error, Exporter, Options, Outcome};

/// AWS Security Finding Format.
pub(crate) struct Asff;

/// Findings per `BatchImportFindings` call.
pub(crate) const MAX_BATCH: usize = 100;
/// Bytes per call (the API's limit is 6 MB; JSON framing stays well inside the margin).
const MAX_BATCH_BYTES: usize = 6_000_000 - 64 * 1024;

impl Exporter for Asff {
    fn id(&self) -> &'static str {
        "asff"
    }

    fn name(&self) -> &'static str {
        "AWS Security Finding Format (Security Hub)"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let context = Context {
            product_arn: options.product_arn()?,
            account: options.account_id()?.to_string(),
            region: options.region()?.to_string(),
            time: options.time(report)?,
            ward_version: options.ward_version.clone(),
        };
        let keys = unique_keys(report);
        let mut batches: Vec<Value> = Vec::new();
        let mut batch: Vec<Value> = Vec::new();
        let mut batch_bytes = 0;
        for (finding, key) in report.findings.iter().zip(&keys) {
            let asff = finding_to_asff(finding, key, &context);
            let size = serde_json::to_vec(&asff).map(|v| v.len()).unwrap_or(0) + 2;
            if batch.len() == MAX_BATCH
                || (!batch.is_empty() && batch_bytes + size > MAX_BATCH_BYTES)
            {
                batches.push(json!({"Findings": std::mem::take(&mut batch)}));
                batch_bytes = 0;
            }
            batch.push(asff);
            batch_bytes += size;
        }
        if !batch.is_empty() {
            batches.push(json!({"Findings": batch}));
        }
        serde_json::to_writer_pretty(&mut *out, &batches).map_err(Error::json(self.id()))?;
        out.write_all(b"\n").map_err(Error::write(self.id()))?;
        Ok(Outcome {
            exported: report.findings.len(),
            warnings: Vec::new(),
        })
    }
}

struct Context {
    product_arn: String,
    account: String,
    region: String,
    time: UtcTime,
    ward_version: String,
}

fn finding_to_asff(finding: &Finding, key: &str, context: &Context) -> Value {
    let created = finding
        .scan_time
        .as_deref()
        .and_then(UtcTime::parse)
        .unwrap_or(context.time)
        .rfc3339();
    let title = non_blank(Some(&finding.title)).unwrap_or("Untitled finding");
    let description = non_blank(finding.description.as_deref()).unwrap_or(title);
    let severity = json!({
        "Label": label(finding.severity),
        "Original": truncate(
            non_blank(finding.tool_severity.as_deref()).unwrap_or(finding.severity.as_str()),
            64,
        ),
    });
    let types = types(finding);
    let mut asff = json!({
        "SchemaVersion": "2018-10-08",
        "Id": truncate(&format!("ward/{key}"), 512),
        "ProductArn": context.product_arn,
        "ProductName": "ward",
        "CompanyName": "ward",
        "Region": context.region,
        "GeneratorId": truncate(&generator_id(finding), 512),
        "AwsAccountId": context.account,
        "Types": types,
        "CreatedAt": created,
        "UpdatedAt": created,
        "FirstObservedAt": created,
        "LastObservedAt": created,
        "Severity": severity,
        "Title": truncate(title, 256),
        "Description": truncate(description, 1024),
        "Resources": resources(finding),
        "ProductFields": product_fields(finding, context),
        "Workflow": {"Status": workflow(finding.status)},
        "RecordState": if finding.status == Status::Mitigated { "ARCHIVED" } else { "ACTIVE" },
    });
    let mut provider = json!({"Severity": severity, "Types": types});
    if let Some(confidence) = finding.confidence {
        let value = match confidence {
            Confidence::High => 90,
            Confidence::Medium => 60,
            Confidence::Low => 30,
        };
        asff["Confidence"] = json!(value);
        provider["Confidence"] = json!(value);
    }
    asff["FindingProviderFields"] = provider;
    if finding.status == Status::FalsePositive {
        asff["VerificationState"] = json!("FALSE_POSITIVE");
    } else if finding.verified {
        asff["VerificationState"] = json!("TRUE_POSITIVE");
    }
    let url = finding.references.iter().find(|u| is_web_url(u));
    let mut recommendation = Map::new();
    if let Some(text) = non_blank(finding.remediation.as_deref()) {
        recommendation.insert("Text".into(), json!(truncate(text, 512)));
    } else if let Some(fixed) = finding
        .location
        .package
        .as_ref()
        .and_then(|p| non_blank(p.fixed_version.as_deref()).map(|v| (p, v)))
    {
        let text = format!("Upgrade {} to {}.", fixed.0.name, fixed.1);
        asff["ProductFields"]["ward/GeneratedRemediation"] = json!("true");
        recommendation.insert("Text".into(), json!(truncate(&text, 512)));
    }
    if let Some(url) = url {
        recommendation.insert("Url".into(), json!(url));
        asff["SourceUrl"] = json!(url);
    }
    if !recommendation.is_empty() {
        asff["Remediation"] = json!({"Recommendation": recommendation});
    }
    if let Some(vulnerability) = vulnerability(finding) {
        asff["Vulnerabilities"] = json!([vulnerability]);
    }
    asff
}

/// The ASFF severity label.
pub(crate) fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

fn generator_id(finding: &Finding) -> String {
    non_blank(finding.rule_id.as_deref())
        .or_else(|| non_blank(finding.primary_vulnerability_id()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("ward/{}", crate::util::slug(&finding.tool)))
}

fn workflow(status: Status) -> &'static str {
    match status {
        Status::Open => "NEW",
        Status::Mitigated => "RESOLVED",
        Status::FalsePositive | Status::Accepted | Status::OutOfScope => "SUPPRESSED",
    }
}

/// `namespace/category/classifier` finding types from the ASFF taxonomy; custom classifiers
/// name the kind of analysis.
fn types(finding: &Finding) -> Vec<String> {
    const VULNERABILITIES: &str = "Software and Configuration Checks/Vulnerabilities";
    let has_cve = finding
        .identifiers
        .iter()
        .any(|i| i.kind == IdentifierKind::Cve);
    let is_aws = finding.location.cloud.as_ref().is_some_and(|c| {
        c.resource_id.starts_with("arn:aws")
            || c.provider
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case("aws"))
    });
    let kind = match finding.category {
        Category::Dependency | Category::Container if has_cve => format!("{VULNERABILITIES}/CVE"),
        Category::Dependency => format!("{VULNERABILITIES}/Dependency"),
        Category::Container => format!("{VULNERABILITIES}/Container"),
        Category::Sast => format!("{VULNERABILITIES}/SAST"),
        Category::Dast => format!("{VULNERABILITIES}/DAST"),
        Category::Secret => "Sensitive Data Identifications/Passwords".to_string(),
        Category::Cloud if is_aws => {
            "Software and Configuration Checks/AWS Security Best Practices".to_string()
        }
        Category::Iac
        | Category::Cloud
        | Category::Quality
        | Category::Performance
        | Category::License => "Software and Configuration Checks".to_string(),
    };
    let mut types = vec![kind];
    if has_cve && !types[0].ends_with("/CVE") {
        types.push(format!("{VULNERABILITIES}/CVE"));
    }
    types
}

/// The resources the finding is about; at least one, at most 32 (here at most 4).
fn resources(finding: &Finding) -> Vec<Value> {
    let location = &finding.location;
    let mut resources = Vec::new();
    if let Some(cloud) = location
        .cloud
        .as_ref()
        .filter(|c| !c.resource_id.trim().is_empty())
    {
        let mut resource = json!({
            "Type": truncate(non_blank(cloud.resource_type.as_deref()).unwrap_or("Other"), 256),
            "Id": cloud.resource_id,
        });
        let partition = ["aws-cn", "aws-us-gov", "aws"]
            .into_iter()
            .find(|p| cloud.resource_id.starts_with(&format!("arn:{p}:")));
        if let Some(partition) = partition {
            resource["Partition"] = json!(partition);
        }
        if let Some(region) = non_blank(cloud.region.as_deref()).filter(|r| r.len() <= 16) {
            resource["Region"] = json!(region);
        }
        let mut other = BTreeMap::new();
        if let Some(provider) = non_blank(cloud.provider.as_deref()) {
            other.insert("Provider", provider.to_string());
        }
        if let Some(account) = non_blank(cloud.account.as_deref()) {
            other.insert("Account", account.to_string());
        }
        if !other.is_empty() {
            resource["Details"] = json!({"Other": details_other(other)});
        }
        resources.push(resource);
    }
    if let Some(image) = location
        .image
        .as_ref()
        .filter(|i| !i.name.trim().is_empty())
    {
        let mut container = json!({"ImageName": image.name});
        if let Some(digest) = non_blank(image.digest.as_deref()) {
            container["ImageId"] = json!(digest);
        }
        let mut details = json!({"Container": container});
        let mut other = BTreeMap::new();
        for (key, value) in [("Os", &image.os), ("Layer", &image.layer)] {
            if let Some(value) = non_blank(value.as_deref()) {
                other.insert(key, value.to_string());
            }
        }
        if !other.is_empty() {
            details["Other"] = details_other(other);
        }
        resources.push(json!({"Type": "Container", "Id": image.name, "Details": details}));
    }
    if let Some(package) = location
        .package
        .as_ref()
        .filter(|p| !p.name.trim().is_empty())
    {
        let id = non_blank(package.purl.as_deref())
            .map(str::to_string)
            .unwrap_or_else(|| match non_blank(package.version.as_deref()) {
                Some(version) => format!("{}@{version}", package.name),
                None => package.name.clone(),
            });
        let mut other = BTreeMap::new();
        other.insert("Package", package.name.clone());
        for (key, value) in [
            ("Version", &package.version),
            ("Ecosystem", &package.ecosystem),
            ("Purl", &package.purl),
            ("FixedVersion", &package.fixed_version),
        ] {
            if let Some(value) = non_blank(value.as_deref()) {
                other.insert(key, value.to_string());
            }
        }
        resources
            .push(json!({"Type": "Other", "Id": id, "Details": {"Other": details_other(other)}}));
    }
    if let Some(file) = location.file.as_ref().filter(|f| !f.path.trim().is_empty()) {
        let path = repo_path(&file.path);
        let mut other = BTreeMap::new();
        other.insert("Path", path.clone());
        for (key, value) in [
            ("StartLine", file.start_line),
            ("EndLine", file.end_line),
            ("StartColumn", file.start_column),
            ("EndColumn", file.end_column),
        ] {
            if let Some(value) = value {
                other.insert(key, value.to_string());
            }
        }
        if let Some(snippet) = non_blank(file.snippet.as_deref()) {
            other.insert("Snippet", snippet.to_string());
        }
        resources
            .push(json!({"Type": "Other", "Id": path, "Details": {"Other": details_other(other)}}));
    }
    if let Some(web) = location.web.as_ref().filter(|w| !w.url.trim().is_empty()) {
        let mut other = BTreeMap::new();
        other.insert("Url", web.url.clone());
        if let Some(method) = non_blank(web.method.as_deref()) {
            other.insert("Method", method.to_string());
        }
        if let Some(parameter) = non_blank(web.parameter.as_deref()) {
            other.insert("Parameter", parameter.to_string());
        }
        resources.push(
            json!({"Type": "Other", "Id": web.url, "Details": {"Other": details_other(other)}}),
        );
    }
    if resources.is_empty() {
        let id = non_blank(Some(&finding.tool)).unwrap_or("unknown");
        resources.push(json!({"Type": "Other", "Id": id}));
    }
    resources
}

/// `Details.Other`: a string map; values kept short so a finding stays far under 240 KB.
fn details_other(map: BTreeMap<&str, String>) -> Value {
    let map: Map<String, Value> = map
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_string(), json!(truncate(&v, 1024))))
        .collect();
    Value::Object(map)
}

/// `ProductFields`: at most 50 pairs, keys ≤ 128 and values ≤ 2048 characters.
fn product_fields(finding: &Finding, context: &Context) -> Value {
    let mut fields: BTreeMap<&str, String> = BTreeMap::new();
    fields.insert("ProviderName", "ward".into());
    fields.insert("ProviderVersion", context.ward_version.clone());
    fields.insert("ward/Tool", finding.tool.clone());
    fields.insert("ward/Category", finding.category.as_str().into());
    fields.insert("ward/Severity", finding.severity.as_str().into());
    fields.insert("ward/Fingerprint", fingerprint(finding).into_owned());
    fields.insert("ward/Status", status_word(finding.status).into());
    let optional = [
        ("ward/RuleId", finding.rule_id.clone()),
        ("ward/ToolSeverity", finding.tool_severity.clone()),
        (
            "ward/Confidence",
            finding.confidence.map(|c| format!("{c:?}").to_lowercase()),
        ),
        ("ward/ExternalId", finding.external_id.clone()),
        ("ward/ScanTime", finding.scan_time.clone()),
        (
            "ward/Occurrences",
            (finding.occurrences > 1).then(|| finding.occurrences.to_string()),
        ),
        (
            "ward/Identifiers",
            (!finding.identifiers.is_empty()).then(|| {
                let ids: Vec<&str> = finding
                    .identifiers
                    .iter()
                    .map(|i| i.value.as_str())
                    .collect();
                ids.join("\n")
            }),
        ),
        (
            "ward/Tags",
            (!finding.tags.is_empty()).then(|| finding.tags.join(", ")),
        ),
        (
            "ward/References",
            (!finding.references.is_empty()).then(|| finding.references.join("\n")),
        ),
        ("ward/Evidence", finding.evidence.clone()),
        (
            "ward/EpssPercentile",
            finding
                .epss
                .and_then(|e| e.percentile)
                .map(|p| p.to_string()),
        ),
        (
            "ward/MaskedSecret",
            finding.secret.as_ref().map(|s| s.masked.clone()),
        ),
        (
            "ward/Verified",
            finding.verified.then(|| "true".to_string()),
        ),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            fields.insert(key, value);
        }
    }
    let map: Map<String, Value> = fields
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .take(50)
        .map(|(k, v)| (k.to_string(), json!(truncate(&v, 2048))))
        .collect();
    Value::Object(map)
}

/// `Vulnerabilities[0]` for findings about a package or naming a vulnerability id.
fn vulnerability(finding: &Finding) -> Option<Value> {
    let package = finding.location.package.as_ref();
    let ids: Vec<&str> = finding
        .vulnerability_ids()
        .map(|i| i.value.as_str())
        .collect();
    if package.is_none() && ids.is_empty() {
        return None;
    }
    let id = non_blank(finding.primary_vulnerability_id())
        .map(str::to_string)
        .unwrap_or_else(|| rule_key(finding));
    let mut v = json!({"Id": id});
    let related: Vec<&str> = ids.iter().copied().filter(|i| *i != id).collect();
    if !related.is_empty() {
        v["RelatedVulnerabilities"] = json!(related);
    }
    if let Some(package) = package {
        let mut p = json!({"Name": package.name});
        for (key, value) in [
            ("Version", &package.version),
            ("PackageManager", &package.ecosystem),
            ("FixedInVersion", &package.fixed_version),
        ] {
            if let Some(value) = non_blank(value.as_deref()) {
                p[key] = json!(value);
            }
        }
        if let Some(file) = &finding.location.file {
            p["FilePath"] = json!(repo_path(&file.path));
        }
        if let Some(layer) = finding
            .location
            .image
            .as_ref()
            .and_then(|i| non_blank(i.layer.as_deref()))
        {
            p["SourceLayerHash"] = json!(layer);
        }
        v["VulnerablePackages"] = json!([p]);
        v["FixAvailable"] = json!(if package.fixed_version.is_some() {
            "YES"
        } else {
            "NO"
        });
    }
    let cvss: Vec<Value> = finding
        .cvss
        .iter()
        .map(|c| {
            let mut r = json!({"Version": version_text(c.version)});
            if let Some(score) = c.score {
                r["BaseScore"] = json!(score);
            }
            if let Some(vector) = non_blank(c.vector.as_deref()) {
                r["BaseVector"] = json!(vector);
            }
            if let Some(source) = non_blank(c.source.as_deref()) {
                r["Source"] = json!(source);
            }
            r
        })
        .collect();
    if !cvss.is_empty() {
        v["Cvss"] = json!(cvss);
    }
    if let Some(epss) = finding.epss {
        v["EpssScore"] = json!(epss.score);
    }
    let urls: Vec<&String> = finding
        .references
        .iter()
        .filter(|u| is_web_url(u))
        .collect();
    if !urls.is_empty() {
        v["ReferenceUrls"] = json!(urls);
    }
    let mut vendor = json!({"Name": non_blank(Some(&finding.tool)).unwrap_or("unknown")});
    if let Some(severity) = non_blank(finding.tool_severity.as_deref()) {
        vendor["VendorSeverity"] = json!(severity);
    }
    v["Vendor"] = vendor;
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    fn findings(report: &Report) -> Vec<Value> {
        let json: Value = serde_json::from_str(&testing::export(&Asff, report)).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["Findings"].as_array().unwrap().clone())
            .collect()
    }

    #[test]
    fn required_fields_and_mapping() {
        let all = findings(&testing::report());
        let sast = &all[0];
        assert_eq!(sast["SchemaVersion"], "2018-10-08");
        assert_eq!(sast["Id"], "ward/0123456789abcdef0123456789abcdef");
        assert_eq!(
            sast["ProductArn"],
            "arn:aws:securityhub:us-east-1:000000000000:product/000000000000/default"
        );
        assert_eq!(sast["GeneratorId"], "python.lang.security.eval");
        assert_eq!(
            sast["Severity"],
            json!({"Label": "HIGH", "Original": "ERROR"})
        );
        assert_eq!(
            sast["Types"],
            json!(["Software and Configuration Checks/Vulnerabilities/SAST"])
        );
        assert_eq!(sast["CreatedAt"], "2024-05-01T12:00:00Z");
        assert_eq!(sast["Resources"][0]["Id"], "app/views.py");
        assert_eq!(sast["Resources"][0]["Details"]["Other"]["StartLine"], "42");
        assert_eq!(
            sast["ProductFields"]["ward/RuleId"],
            "python.lang.security.eval"
        );
        assert_eq!(
            sast["Remediation"]["Recommendation"]["Text"],
            "Do not call eval() on input."
        );
        assert_eq!(sast["Workflow"]["Status"], "NEW");

        let dependency = &all[1];
        assert_eq!(
            dependency["Types"][0],
            "Software and Configuration Checks/Vulnerabilities/CVE"
        );
        let v = &dependency["Vulnerabilities"][0];
        assert_eq!(v["Id"], "CVE-2021-23337");
        assert_eq!(v["RelatedVulnerabilities"], json!(["GHSA-35jh-r3h4-6jhm"]));
        assert_eq!(v["VulnerablePackages"][0]["FixedInVersion"], "4.17.21");
        assert_eq!(v["Cvss"][0]["BaseScore"], 9.1);
        assert_eq!(v["EpssScore"], 0.0123);
        assert_eq!(v["FixAvailable"], "YES");

        let container = &all[2];
        assert_eq!(container["Workflow"]["Status"], "SUPPRESSED");
        assert_eq!(container["Resources"][0]["Type"], "Container");
        let secret = &all[3];
        assert_eq!(
            secret["Types"][0],
            "Sensitive Data Identifications/Passwords"
        );
        assert_eq!(secret["VerificationState"], "TRUE_POSITIVE");
        assert_eq!(secret["ProductFields"]["ward/MaskedSecret"], "AKIA****");
        assert_eq!(all[4]["VerificationState"], "FALSE_POSITIVE");
        let bare = &all[5];
        assert_eq!(bare["Description"], bare["Title"]);
        assert_eq!(bare["Severity"]["Label"], "INFORMATIONAL");
    }

    #[test]
    fn batches_of_at_most_100() {
        let mut report = Report::default();
        for i in 0..250 {
            let mut finding = testing::sast();
            finding.fingerprint = format!("{i:032x}");
            report.findings.push(finding);
        }
        let json: Value = serde_json::from_str(&testing::export(&Asff, &report)).unwrap();
        let sizes: Vec<usize> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["Findings"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(testing::export(&Asff, &Report::default()), "[]\n");
    }

    #[test]
    fn long_text_is_cut_to_the_limits() {
        let mut finding = testing::sast();
        finding.title = "t".repeat(300);
        finding.description = Some("d".repeat(2000));
        let report = Report {
            findings: vec![finding],
            sources: Vec::new(),
        };
        let asff = &findings(&report)[0];
        assert_eq!(asff["Title"].as_str().unwrap().chars().count(), 256);
        assert_eq!(asff["Description"].as_str().unwrap().chars().count(), 1024);
    }

    #[test]
    fn options_are_checked() {
        let options = Options {
            aws_account_id: "abc".into(),
            ..Options::default()
        };
        assert!(Asff.export(&testing::report(), &options).is_err());
        let options = Options {
            asff_product_arn: Some(
                "arn:aws:securityhub:eu-west-1:123456789012:product/acme/scanner".into(),
            ),
            aws_account_id: "123456789012".into(),
            aws_region: "eu-west-1".into(),
            ..Options::default()
        };
        let text = testing::export_with(&Asff, &testing::report(), &options);
        assert!(text.contains("product/acme/scanner"));
        assert!(text.contains("\"AwsAccountId\": \"123456789012\""));
    }
}
