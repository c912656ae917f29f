//! The multipart form of DefectDojo's `import-scan` and `reimport-scan` (API v2), read and
//! validated the way DefectDojo's serializers do: the same field names, defaults, value forms
//! (booleans as `true`/`True`/`1`/`on`…, dates as `YYYY-MM-DD`, tags repeated or
//! comma-separated or a JSON list) and the same wording for a bad value, so a pipeline's error
//! output reads the same. Unknown fields are ignored, as DefectDojo does.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::Multipart;
use time::Date;
use ward_core::Severity;
use ward_formats::Parser;

use crate::error::ApiError;

/// Which of the two DefectDojo endpoints a form was sent to; they differ in defaults
/// (`close_old_findings`) and in the fields they read (`test`, `do_not_reactivate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /api/v2/import-scan/`: always a new test.
    Import,
    /// `POST /api/v2/reimport-scan/`: into an existing test, or a new one with
    /// `auto_create_context`.
    Reimport,
}

/// An uploaded report.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name the client gave, if any.
    pub name: Option<String>,
    /// The report.
    pub bytes: Bytes,
}

/// A validated import-scan or reimport-scan form.
#[derive(Debug, Clone)]
pub struct Form {
    /// `scan_type`, as the client spelled it.
    pub scan_type: String,
    /// The ward parser standing for that scan type.
    pub parser: &'static dyn Parser,
    /// `file`.
    pub file: Upload,
    /// `product_type_name`: ward's owner team of the product.
    pub product_type_name: Option<String>,
    /// `product_name`.
    pub product_name: Option<String>,
    /// `engagement_name`.
    pub engagement_name: Option<String>,
    /// `engagement`: an engagement id (import-scan only).
    pub engagement: Option<i64>,
    /// `test`: a test id (reimport-scan only).
    pub test: Option<i64>,
    /// `test_title`.
    pub test_title: Option<String>,
    /// `engagement_end_date`.
    pub engagement_end_date: Option<Date>,
    /// `source_code_management_uri`.
    pub source_code_management_uri: Option<String>,
    /// `auto_create_context`: create the product and engagement when missing.
    pub auto_create_context: bool,
    /// `deduplication_on_engagement`.
    pub deduplication_on_engagement: bool,
    /// `lead`: a DefectDojo user id; read and echoed, ward has no leads.
    pub lead: Option<i64>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `close_old_findings` (default false for import-scan, true for reimport-scan).
    pub close_old_findings: bool,
    /// `close_old_findings_product_scope`.
    pub close_old_findings_product_scope: bool,
    /// `push_to_jira`: read and echoed; ward has no Jira link.
    pub push_to_jira: bool,
    /// `environment` (default `Development`).
    pub environment: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `build_id`.
    pub build_id: Option<String>,
    /// `branch_tag`.
    pub branch_tag: Option<String>,
    /// `commit_hash`.
    pub commit_hash: Option<String>,
    /// `service`.
    pub service: Option<String>,
    /// `api_scan_configuration`: read and echoed.
    pub api_scan_configuration: Option<i64>,
    /// `endpoint_to_add`: read and echoed.
    pub endpoint_to_add: Option<i64>,
    /// `group_by`: validated and echoed; ward does not group findings.
    pub group_by: Option<String>,
    /// `create_finding_groups_for_all_findings` (default true).
    pub create_finding_groups_for_all_findings: bool,
    /// `apply_tags_to_findings`.
    pub apply_tags_to_findings: bool,
    /// `apply_tags_to_endpoints`.
    pub apply_tags_to_endpoints: bool,
    /// `scan_date`: never in the future.
    pub scan_date: Option<Date>,
    /// `minimum_severity` (default `Info`).
    pub minimum_severity: Severity,
    /// `active`: when given, forces every imported finding active (open) or inactive.
    pub active: Option<bool>,
    /// `verified`: when given, forces every imported finding verified or not.
    pub verified: Option<bool>,
    /// `do_not_reactivate` (reimport-scan): keep closed findings closed when they come back.
    pub do_not_reactivate: bool,
}

/// DefectDojo's `group_by` choices.
const GROUP_BY: [&str; 5] = [
    "component_name",
    "component_name+component_version",
    "file_path",
    "finding_title",
    "vuln_id_from_tool",
];

/// DefectDojo's severity names, as `minimum_severity` takes them.
pub(crate) fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Info",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// DRF's message for a value that is not one of the choices.
fn not_a_choice(value: &str) -> String {
    format!("\"{value}\" is not a valid choice.")
}

const REQUIRED: &str = "This field is required.";

/// Reads the multipart body of an import-scan or reimport-scan request. `limit` is the body
/// limit, for the message when the body is over it.
pub async fn read(
    endpoint: Endpoint,
    mut multipart: Multipart,
    limit: usize,
) -> Result<Form, ApiError> {
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut file: Option<Upload> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::multipart(&e, limit))?
    {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if name == "file" {
            let file_name = field.file_name().map(str::to_string);
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::multipart(&e, limit))?;
            file = Some(Upload {
                name: file_name,
                bytes,
            });
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| ApiError::multipart(&e, limit))?;
            values.entry(name).or_default().push(text);
        }
    }
    Fields { values }.form(endpoint, file)
}

/// The text fields of a form; the last value of a repeated field wins, as in Django, except
/// for `tags`, which collects them all.
struct Fields {
    values: BTreeMap<String, Vec<String>>,
}

impl Fields {
    /// The value of a field, `None` when absent or empty (DRF treats an empty form value of an
    /// optional field as absent).
    fn text(&self, name: &str) -> Option<String> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        let Some(value) = self.text(name) else {
            return Ok(None);
        };
        match value.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" | "y" | "on" => Ok(Some(true)),
            "false" | "f" | "0" | "no" | "n" | "off" => Ok(Some(false)),
            _ => Err(ApiError::field(name, "Must be a valid boolean.")),
        }
    }

    fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let Some(value) = self.text(name) else {
            return Ok(None);
        };
        value
            .parse()
            .map(Some)
            .map_err(|_| ApiError::field(name, "A valid integer is required."))
    }

    fn date(&self, name: &str) -> Result<Option<Date>, ApiError> {
        let Some(value) = self.text(name) else {
            return Ok(None);
        };
        parse_date(&value).map(Some).ok_or_else(|| {
            ApiError::field(
                name,
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            )
        })
    }

    /// Tags as DefectDojo's clients send them: a field per tag, one comma-separated field
    /// (what generated clients send), or a JSON list.
    fn tags(&self) -> Result<Vec<String>, ApiError> {
        let mut tags = Vec::new();
        for value in self.values.get("tags").into_iter().flatten() {
            let value = value.trim();
            if value.starts_with('[') {
                let list: Vec<String> = serde_json::from_str(value).map_err(|_| {
                    ApiError::field(
                        "tags",
                        "Invalid json list. A tag list submitted in string form must be valid json.",
                    )
                })?;
                tags.extend(list);
            } else {
                tags.extend(value.split(',').map(|t| t.trim().to_string()));
            }
        }
        tags.retain(|t| !t.is_empty());
        tags.dedup();
        Ok(tags)
    }

    fn form(&self, endpoint: Endpoint, file: Option<Upload>) -> Result<Form, ApiError> {
        let scan_type = self
            .text("scan_type")
            .ok_or_else(|| ApiError::field("scan_type", REQUIRED))?;
        let parser = dojo_parser(&scan_type)
            .ok_or_else(|| ApiError::field("scan_type", not_a_choice(&scan_type)))?;
        let file = file.ok_or_else(|| {
            ApiError::invalid(format!(
                "Uploading a Report File is required for {scan_type}"
            ))
        })?;
        let minimum_severity = match self.text("minimum_severity") {
            None => Severity::Info,
            Some(value) => Severity::ALL
                .into_iter()
                .find(|s| severity_name(*s) == value)
                .ok_or_else(|| ApiError::field("minimum_severity", not_a_choice(&value)))?,
        };
        let group_by = self.text("group_by");
        if let Some(value) = &group_by {
            if !GROUP_BY.contains(&value.as_str()) {
                return Err(ApiError::field("group_by", not_a_choice(value)));
            }
        }
        let scan_date = self.date("scan_date")?;
        if scan_date.is_some_and(|d| d > time::OffsetDateTime::now_utc().date()) {
            return Err(ApiError::field(
                "scan_date",
                "The scan_date cannot be in the future!",
            ));
        }
        let reimport = endpoint == Endpoint::Reimport;
        Ok(Form {
            scan_type,
            parser,
            file,
            product_type_name: self.text("product_type_name"),
            product_name: self.text("product_name"),
            engagement_name: self.text("engagement_name"),
            engagement: if reimport {
                None
            } else {
                self.int("engagement")?
            },
            test: if reimport { self.int("test")? } else { None },
            test_title: self.text("test_title"),
            engagement_end_date: self.date("engagement_end_date")?,
            source_code_management_uri: self.text("source_code_management_uri"),
            auto_create_context: self.bool("auto_create_context")?.unwrap_or(false),
            deduplication_on_engagement: self.bool("deduplication_on_engagement")?.unwrap_or(false),
            lead: self.int("lead")?,
            tags: self.tags()?,
            close_old_findings: self.bool("close_old_findings")?.unwrap_or(reimport),
            close_old_findings_product_scope: self
                .bool("close_old_findings_product_scope")?
                .unwrap_or(false),
            push_to_jira: self.bool("push_to_jira")?.unwrap_or(false),
            environment: self.text("environment"),
            version: self.text("version"),
            build_id: self.text("build_id"),
            branch_tag: self.text("branch_tag"),
            commit_hash: self.text("commit_hash"),
            service: self.text("service"),
            api_scan_configuration: self.int("api_scan_configuration")?,
            endpoint_to_add: self.int("endpoint_to_add")?,
            group_by,
            create_finding_groups_for_all_findings: self
                .bool("create_finding_groups_for_all_findings")?
                .unwrap_or(true),
            apply_tags_to_findings: self.bool("apply_tags_to_findings")?.unwrap_or(false),
            apply_tags_to_endpoints: self.bool("apply_tags_to_endpoints")?.unwrap_or(false),
            scan_date,
            minimum_severity,
            active: self.bool("active")?,
            verified: self.bool("verified")?,
            do_not_reactivate: reimport && self.bool("do_not_reactivate")?.unwrap_or(false),
        })
    }
}

/// The ward parser for a DefectDojo scan type. Only DefectDojo's names are accepted here (as
/// DefectDojo's own choice list does, case and all), not ward's format ids.
pub fn dojo_parser(scan_type: &str) -> Option<&'static dyn Parser> {
    ward_formats::PARSERS
        .iter()
        .copied()
        .find(|p| p.scan_types().contains(&scan_type))
}

/// `YYYY-MM-DD` (Django's `parse_date` also takes one-digit months and days).
fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() > 2 || day.len() > 2 {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            values.entry(k.to_string()).or_default().push(v.to_string());
        }
        Fields { values }
    }

    fn upload() -> Option<Upload> {
        Some(Upload {
            name: Some("r.json".into()),
            bytes: Bytes::from_static(b"{}"),
        })
    }

    fn check_error(endpoint: Endpoint, pairs: &[(&str, &str)], field: Option<&str>, message: &str) {
        let err = fields(pairs).form(endpoint, upload()).unwrap_err();
        match err {
            ApiError::Invalid {
                field: f,
                message: m,
            } => {
                assert_eq!(f.as_deref(), field);
                assert_eq!(m, message);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn defaults_follow_the_endpoint() {
        let pairs = [("scan_type", "Trivy Scan")];
        let import = fields(&pairs).form(Endpoint::Import, upload()).unwrap();
        assert!(!import.close_old_findings);
        assert_eq!(import.minimum_severity, Severity::Info);
        assert!(import.create_finding_groups_for_all_findings);
        assert_eq!(import.active, None);
        let reimport = fields(&pairs).form(Endpoint::Reimport, upload()).unwrap();
        assert!(reimport.close_old_findings);
        assert_eq!(reimport.parser.id(), "trivy");
    }

    #[test]
    fn values_in_the_forms_clients_send() {
        let form = fields(&[
            ("scan_type", "Gitleaks Scan"),
            ("active", "True"),
            ("verified", "false"),
            ("auto_create_context", "1"),
            ("tags", "a,b"),
            ("tags", "c"),
            ("scan_date", "2024-01-05"),
            ("minimum_severity", "High"),
            ("engagement", "7"),
        ])
        .form(Endpoint::Import, upload())
        .unwrap();
        assert_eq!(form.active, Some(true));
        assert_eq!(form.verified, Some(false));
        assert!(form.auto_create_context);
        assert_eq!(form.tags, ["a", "b", "c"]);
        assert_eq!(
            form.scan_date.map(|d| d.to_string()).as_deref(),
            Some("2024-01-05")
        );
        assert_eq!(form.minimum_severity, Severity::High);
        assert_eq!(form.engagement, Some(7));
        let json_tags = fields(&[("scan_type", "Gitleaks Scan"), ("tags", r#"["x y","z"]"#)])
            .form(Endpoint::Import, upload())
            .unwrap();
        assert_eq!(json_tags.tags, ["x y", "z"]);
    }

    #[test]
    fn bad_values_get_defectdojo_wording() {
        let import = Endpoint::Import;
        check_error(import, &[], Some("scan_type"), "This field is required.");
        check_error(
            import,
            &[("scan_type", "Nope Scan")],
            Some("scan_type"),
            "\"Nope Scan\" is not a valid choice.",
        );
        // ward's own format ids are not DefectDojo scan types.
        check_error(
            import,
            &[("scan_type", "trivy")],
            Some("scan_type"),
            "\"trivy\" is not a valid choice.",
        );
        check_error(
            import,
            &[("scan_type", "Trivy Scan"), ("active", "maybe")],
            Some("active"),
            "Must be a valid boolean.",
        );
        check_error(
            import,
            &[("scan_type", "Trivy Scan"), ("minimum_severity", "high")],
            Some("minimum_severity"),
            "\"high\" is not a valid choice.",
        );
        check_error(
            import,
            &[("scan_type", "Trivy Scan"), ("scan_date", "05/01/2024")],
            Some("scan_date"),
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        );
        check_error(
            import,
            &[("scan_type", "Trivy Scan"), ("scan_date", "2999-01-01")],
            Some("scan_date"),
            "The scan_date cannot be in the future!",
        );
        check_error(
            import,
            &[("scan_type", "Trivy Scan"), ("engagement", "x")],
            Some("engagement"),
            "A valid integer is required.",
        );
        let err = fields(&[("scan_type", "Trivy Scan")])
            .form(import, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Uploading a Report File is required for Trivy Scan"
        );
    }

    #[test]
    fn every_parser_scan_type_is_accepted() {
        for parser in ward_formats::PARSERS {
            for scan_type in parser.scan_types() {
                assert_eq!(dojo_parser(scan_type).map(|p| p.id()), Some(parser.id()));
            }
        }
    }
}
