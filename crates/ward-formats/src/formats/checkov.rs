//! Checkov JSON reports (`checkov -o json`, 1.x to 3.x): one `check_type` object (`check_type`,
//! `results.failed_checks`, `summary`), a list of them when several frameworks ran, or only a
//! summary when nothing was scanned. <https://www.checkov.io>
//!
//! Every failed check is a finding; a skipped check (suppressed in code with
//! `checkov:skip=`) is one too, with status accepted. IaC frameworks give `Iac` findings; the
//! `secrets` framework gives `Secret` findings (Checkov masks the values itself), `sca_package`
//! gives `Dependency` and `sca_image` gives `Container` findings with their package and CVE.

use serde::Deserialize;
use serde_json::Value;
use ward_core::{
    Category, Cvss, CvssVersion, FileLocation, Finding, PackageLocation, Severity, Status,
};

use crate::util::{first_item, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Checkov.
pub(crate) struct Checkov;

const TOOL: &str = "Checkov";

/// One framework's results (or, from a scan of nothing, only the summary's fields).
#[derive(Deserialize)]
struct Report {
    check_type: Option<String>,
    results: Option<Results>,
}

#[derive(Deserialize)]
struct Results {
    failed_checks: Option<Vec<Check>>,
    skipped_checks: Option<Vec<Check>>,
}

#[derive(Deserialize)]
struct Check {
    check_id: Option<String>,
    check_name: Option<String>,
    check_result: Option<CheckResult>,
    /// `[line, text]` pairs.
    code_block: Option<Vec<(Value, Option<String>)>>,
    file_path: Option<String>,
    repo_file_path: Option<String>,
    file_line_range: Option<Vec<i64>>,
    resource: Option<String>,
    guideline: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    short_description: Option<String>,
    suppress_comment: Option<String>,
    /// SCA checks: the vulnerability and package (shape varies between releases).
    vulnerability_details: Option<Value>,
}

#[derive(Deserialize)]
struct CheckResult {
    suppress_comment: Option<String>,
}

impl Parser for Checkov {
    fn id(&self) -> &'static str {
        "checkov"
    }

    fn name(&self) -> &'static str {
        TOOL
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Checkov Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json() else {
            return false;
        };
        let framework = |v: &Value| {
            v.get("check_type").is_some_and(Value::is_string)
                && v.get("results").is_some_and(Value::is_object)
        };
        match doc {
            Value::Array(_) => first_item(doc).is_some_and(framework),
            Value::Object(_) => {
                framework(doc)
                    || doc.get("checkov_version").is_some()
                    || doc
                        .get("summary")
                        .is_some_and(|s| s.get("checkov_version").is_some())
            }
            _ => false,
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let bytes = input.bytes();
        let reports: Vec<Report> = if matches!(input.json(), Some(Value::Array(_))) {
            de::json(bytes)?
        } else {
            vec![de::json(bytes)?]
        };
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        for (r, report) in reports.into_iter().enumerate() {
            let check_type = report.check_type.unwrap_or_default();
            let Some(results) = report.results else {
                continue;
            };
            let lists = [
                (results.failed_checks, Status::Open, "failed_checks"),
                (results.skipped_checks, Status::Accepted, "skipped_checks"),
            ];
            for (checks, status, list) in lists {
                for (index, check) in checks.into_iter().flatten().enumerate() {
                    match finding(&check_type, check, status) {
                        Some(f) => parsed.findings.push(f),
                        None => parsed.warnings.push(format!(
                            "[{r}].results.{list}[{index}]: the check has neither id nor name; skipped"
                        )),
                    }
                }
            }
        }
        Ok(parsed)
    }
}

fn category(check_type: &str) -> Category {
    match check_type {
        "secrets" => Category::Secret,
        "sca_package" => Category::Dependency,
        "sca_image" => Category::Container,
        _ => Category::Iac,
    }
}

fn finding(check_type: &str, check: Check, status: Status) -> Option<Finding> {
    let id = non_empty(check.check_id.as_deref());
    let title = non_empty(check.check_name.as_deref()).or_else(|| id.clone())?;
    let mut f = Finding::new(TOOL, category(check_type), title);
    f.rule_id = id;
    f.status = status;
    let tool_severity = non_empty(check.severity.as_deref());
    f.severity = tool_severity
        .as_deref()
        .and_then(Severity::from_label)
        .unwrap_or(Severity::Medium);
    f.tool_severity = tool_severity;

    if let Some(path) = non_empty(
        check
            .file_path
            .as_deref()
            .or(check.repo_file_path.as_deref()),
    ) {
        let range = check.file_line_range.unwrap_or_default();
        let line = |i: usize| range.get(i).and_then(|l| u32::try_from(*l).ok());
        let snippet = check.code_block.filter(|b| !b.is_empty()).map(|block| {
            block
                .into_iter()
                .filter_map(|(_, text)| text)
                .collect::<String>()
                .trim_end()
                .to_string()
        });
        let start = FileLocation::new(path, line(0));
        f.location.file = Some(FileLocation {
            end_line: line(1).filter(|_| start.start_line.is_some()),
            snippet: snippet.filter(|s| !s.is_empty()),
            ..start
        });
    }

    let mut description = Vec::new();
    if let Some(d) = non_empty(check.description.as_deref())
        .or_else(|| non_empty(check.short_description.as_deref()))
    {
        description.push(d);
    }
    if let Some(resource) = non_empty(check.resource.as_deref()) {
        description.push(format!("Resource: {resource}"));
    }
    if !check_type.is_empty() {
        description.push(format!("Check type: {check_type}"));
    }
    let suppressed = check
        .check_result
        .and_then(|r| r.suppress_comment)
        .or(check.suppress_comment);
    if status == Status::Accepted {
        match non_empty(suppressed.as_deref()) {
            Some(why) => description.push(format!("Skipped: {why}")),
            None => description.push("Skipped in code.".into()),
        }
    }
    if let Some(details) = &check.vulnerability_details {
        vulnerability(&mut f, details, &mut description);
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n"));
    }
    if let Some(guideline) = check.guideline.as_deref() {
        f.add_reference(guideline);
    }
    Some(f)
}

/// The CVE, package, CVSS and fix of an SCA check.
fn vulnerability(f: &mut Finding, details: &Value, description: &mut Vec<String>) {
    let text = |key: &str| match details.get(key) {
        Some(Value::String(s)) => non_empty(Some(s)),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    if let Some(id) = text("id") {
        f.add_id(&id);
    }
    if let Some(name) = text("package_name") {
        f.location.package = Some(PackageLocation {
            name,
            version: text("package_version"),
            fixed_version: text("fixed_version").or_else(|| text("lowest_fixed_version")),
            ..PackageLocation::default()
        });
    }
    let score = details.get("cvss").and_then(Value::as_f64);
    let cvss = match text("vector") {
        Some(vector) => Cvss::from_vector(&vector, score),
        None => score.and_then(|s| Cvss::from_score(CvssVersion::V3_1, s)),
    };
    if let Some(cvss) = cvss {
        f.cvss.push(cvss);
    }
    if f.tool_severity.is_none() {
        if let Some(label) = text("severity") {
            if let Some(severity) = Severity::from_label(&label) {
                f.severity = severity;
            }
            f.tool_severity = Some(label);
        }
    }
    if let Some(d) = text("description") {
        description.push(d);
    }
    if let Some(link) = text("link") {
        f.add_reference(&link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Checkov.detect(&input), "not detected: {json}");
        Checkov.parse(&input).unwrap()
    }

    const TERRAFORM: &str = r#"{"check_type":"terraform","results":{"passed_checks":[],"failed_checks":[
        {"check_id":"CKV_AWS_161","check_name":"Ensure RDS database has IAM authentication enabled","check_result":{"result":"FAILED"},
         "code_block":[[1,"resource \"aws_db_instance\" \"default\" {\n"],[2,"}\n"]],"file_path":"/aws/db-app.tf","file_line_range":[1,2],
         "resource":"aws_db_instance.default","guideline":"https://docs.bridgecrew.io/docs/x"}],
        "skipped_checks":[{"check_id":"CKV_AWS_16","check_name":"Ensure encryption","check_result":{"result":"SKIPPED","suppress_comment":"dev only"},
         "file_path":"/aws/db-app.tf","file_line_range":[1,2],"resource":"aws_db_instance.default","severity":"HIGH"}],"parsing_errors":[]},
        "summary":{"passed":0,"failed":1,"skipped":1,"parsing_errors":0,"checkov_version":"2.0.209"}}"#;

    #[test]
    fn single_framework_failed_and_skipped() {
        let parsed = check(TERRAFORM);
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Ensure RDS database has IAM authentication enabled"
        );
        assert_eq!(f.rule_id.as_deref(), Some("CKV_AWS_161"));
        assert_eq!((f.category, f.severity), (Category::Iac, Severity::Medium));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line, file.end_line),
            ("/aws/db-app.tf", Some(1), Some(2))
        );
        assert_eq!(
            file.snippet.as_deref(),
            Some("resource \"aws_db_instance\" \"default\" {\n}")
        );
        assert!(f
            .description
            .as_ref()
            .unwrap()
            .contains("aws_db_instance.default"));
        let skipped = &parsed.findings[1];
        assert_eq!(skipped.status, Status::Accepted);
        assert_eq!(skipped.severity, Severity::High);
        assert!(skipped.description.as_ref().unwrap().contains("dev only"));
    }

    #[test]
    fn list_of_frameworks_sca_and_empty_summary() {
        let sca = r#"{"check_type":"sca_package","results":{"failed_checks":[{"check_id":"CKV_CVE_2021_23337","check_name":"SCA package scan",
            "file_path":"/package-lock.json","file_line_range":[0,0],"resource":"package-lock.json.lodash",
            "vulnerability_details":{"id":"CVE-2021-23337","package_name":"lodash","package_version":"4.17.19","fixed_version":"4.17.21",
            "cvss":7.2,"vector":"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H","severity":"high","link":"https://nvd.nist.gov/vuln/detail/CVE-2021-23337"}}]}}"#;
        let parsed = check(&format!("[{TERRAFORM},{sca}]"));
        assert_eq!(parsed.findings.len(), 3);
        let f = &parsed.findings[2];
        assert_eq!(f.category, Category::Dependency);
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2021-23337"));
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.fixed_version.as_deref(), Some("4.17.21"));
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.cvss[0].score, Some(7.2));
        assert_eq!(f.location.file.as_ref().unwrap().start_line, None);

        let empty = check(
            r#"{"passed":0,"failed":0,"skipped":0,"parsingerrors":0,"resourcecount":0,"checkov_version":"2.1.269"}"#,
        );
        assert!(empty.findings.is_empty());
    }
}
