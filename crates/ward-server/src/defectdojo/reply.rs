//! The JSON reply of DefectDojo's `import-scan` and `reimport-scan`: the form's values echoed
//! back, the ids of the test, engagement, product and product type, and `statistics` (per
//! severity and status, before, after, and what the import changed).

use serde::Serialize;
use utoipa::ToSchema;
use ward_core::Severity;

use super::form::{severity_name, Form};

/// How many findings have each status, one severity's worth (or all of them in `total`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatusStatistics {
    /// Open.
    pub active: u64,
    /// Confirmed by the tool or a person.
    pub verified: u64,
    /// Duplicates of another finding; always 0, ward merges duplicates into one finding.
    pub duplicate: u64,
    /// False positives.
    pub false_p: u64,
    /// Out of scope.
    pub out_of_scope: u64,
    /// Mitigated.
    pub is_mitigated: u64,
    /// Risk accepted.
    pub risk_accepted: u64,
    /// All of them.
    pub total: u64,
}

/// [`StatusStatistics`] for each severity and in total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct SeverityStatusStatistics {
    /// Info findings.
    pub info: StatusStatistics,
    /// Low findings.
    pub low: StatusStatistics,
    /// Medium findings.
    pub medium: StatusStatistics,
    /// High findings.
    pub high: StatusStatistics,
    /// Critical findings.
    pub critical: StatusStatistics,
    /// Every finding.
    pub total: StatusStatistics,
}

/// The state of one finding, as the statistics count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Its severity.
    pub severity: Severity,
    /// Its status.
    pub status: ward_core::Status,
    /// Whether it is verified.
    pub verified: bool,
}

impl SeverityStatusStatistics {
    /// Counts `n` findings in one state; `active` is DefectDojo's flag (an open finding
    /// imported with `active=false` is open but not active).
    pub fn add_n(&mut self, finding: Counted, active: bool, n: u64) {
        let row = match finding.severity {
            Severity::Info => &mut self.info,
            Severity::Low => &mut self.low,
            Severity::Medium => &mut self.medium,
            Severity::High => &mut self.high,
            Severity::Critical => &mut self.critical,
        };
        for row in [row, &mut self.total] {
            use ward_core::Status;
            row.total += n;
            if finding.verified {
                row.verified += n;
            }
            if active {
                row.active += n;
            }
            match finding.status {
                Status::Open => {}
                Status::FalsePositive => row.false_p += n,
                Status::Mitigated => row.is_mitigated += n,
                Status::Accepted => row.risk_accepted += n,
                Status::OutOfScope => row.out_of_scope += n,
            }
        }
    }
}

/// What an import did, per severity and status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeltaStatistics {
    /// Findings new to the test.
    pub created: SeverityStatusStatistics,
    /// Findings the import closed (they vanished from the report).
    pub closed: SeverityStatusStatistics,
    /// Closed findings the report brought back.
    pub reactivated: SeverityStatusStatistics,
    /// Findings that were there and still are.
    pub untouched: SeverityStatusStatistics,
}

/// `statistics` of the reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportStatistics {
    /// The test's findings before a reimport (absent for a new test).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<SeverityStatusStatistics>,
    /// What a reimport changed (absent for a new test).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<DeltaStatistics>,
    /// The test's findings after the import.
    pub after: SeverityStatusStatistics,
}

/// The reply of `import-scan` and `reimport-scan` (HTTP 201).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportScanReply {
    /// The test the report went into (kept by DefectDojo for older clients).
    pub test: i64,
    /// The same.
    pub test_id: i64,
    /// Its engagement.
    pub engagement_id: i64,
    /// Its product.
    pub product_id: i64,
    /// DefectDojo's product type; null, as ward's owner team is a name, not a row.
    pub product_type_id: Option<i64>,
    /// Finding counts.
    pub statistics: ImportStatistics,
    /// The form's `scan_type`.
    pub scan_type: String,
    /// The form's `minimum_severity`.
    pub minimum_severity: &'static str,
    /// The form's `active` (false when not given, as DefectDojo echoes it).
    pub active: bool,
    /// The form's `verified` (false when not given).
    pub verified: bool,
    /// Always null: DefectDojo answers null for an uploaded file.
    pub file: Option<String>,
    /// The form's `product_type_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type_name: Option<String>,
    /// The form's `product_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// The form's `engagement_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engagement_name: Option<String>,
    /// The form's `engagement`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engagement: Option<i64>,
    /// The form's `engagement_end_date`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engagement_end_date: Option<String>,
    /// The form's `source_code_management_uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_code_management_uri: Option<String>,
    /// The form's `test_title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_title: Option<String>,
    /// The form's `auto_create_context`.
    pub auto_create_context: bool,
    /// The form's `deduplication_on_engagement`.
    pub deduplication_on_engagement: bool,
    /// The form's `lead`.
    pub lead: Option<i64>,
    /// The form's `tags`.
    pub tags: Vec<String>,
    /// The form's `close_old_findings`.
    pub close_old_findings: bool,
    /// The form's `close_old_findings_product_scope`.
    pub close_old_findings_product_scope: bool,
    /// The form's `push_to_jira`.
    pub push_to_jira: bool,
    /// The form's `environment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The form's `version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The form's `build_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// The form's `branch_tag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch_tag: Option<String>,
    /// The form's `commit_hash`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_hash: Option<String>,
    /// The form's `service`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The form's `api_scan_configuration`.
    pub api_scan_configuration: Option<i64>,
    /// The form's `endpoint_to_add`.
    pub endpoint_to_add: Option<i64>,
    /// The form's `group_by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<String>,
    /// The form's `create_finding_groups_for_all_findings`.
    pub create_finding_groups_for_all_findings: bool,
    /// The form's `apply_tags_to_findings`.
    pub apply_tags_to_findings: bool,
    /// The form's `apply_tags_to_endpoints`.
    pub apply_tags_to_endpoints: bool,
    /// The form's `scan_date`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_date: Option<String>,
    /// The form's `do_not_reactivate` (reimport-scan only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub do_not_reactivate: Option<bool>,
}

/// Where an import landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landed {
    /// The test id.
    pub test: i64,
    /// The engagement id.
    pub engagement: i64,
    /// The product id.
    pub product: i64,
    /// The product type id (ward has none).
    pub product_type: Option<i64>,
}

impl ImportScanReply {
    /// The reply to `form`, whose import landed at `landed` with `statistics`.
    pub fn new(
        form: &Form,
        landed: Landed,
        statistics: ImportStatistics,
        reimport: bool,
    ) -> ImportScanReply {
        ImportScanReply {
            test: landed.test,
            test_id: landed.test,
            engagement_id: landed.engagement,
            product_id: landed.product,
            product_type_id: landed.product_type,
            statistics,
            scan_type: form.scan_type.clone(),
            minimum_severity: severity_name(form.minimum_severity),
            active: form.active.unwrap_or(false),
            verified: form.verified.unwrap_or(false),
            file: None,
            product_type_name: form.product_type_name.clone(),
            product_name: form.product_name.clone(),
            engagement_name: form.engagement_name.clone(),
            engagement: form.engagement,
            engagement_end_date: form.engagement_end_date.map(|d| d.to_string()),
            source_code_management_uri: form.source_code_management_uri.clone(),
            test_title: form.test_title.clone(),
            auto_create_context: form.auto_create_context,
            deduplication_on_engagement: form.deduplication_on_engagement,
            lead: form.lead,
            tags: form.tags.clone(),
            close_old_findings: form.close_old_findings,
            close_old_findings_product_scope: form.close_old_findings_product_scope,
            push_to_jira: form.push_to_jira,
            environment: form.environment.clone(),
            version: form.version.clone(),
            build_id: form.build_id.clone(),
            branch_tag: form.branch_tag.clone(),
            commit_hash: form.commit_hash.clone(),
            service: form.service.clone(),
            api_scan_configuration: form.api_scan_configuration,
            endpoint_to_add: form.endpoint_to_add,
            group_by: form.group_by.clone(),
            create_finding_groups_for_all_findings: form.create_finding_groups_for_all_findings,
            apply_tags_to_findings: form.apply_tags_to_findings,
            apply_tags_to_endpoints: form.apply_tags_to_endpoints,
            scan_date: form.scan_date.map(|d| d.to_string()),
            do_not_reactivate: reimport.then_some(form.do_not_reactivate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::Status;

    #[test]
    fn counts_by_severity_and_status() {
        let mut stats = SeverityStatusStatistics::default();
        for (finding, n) in [
            (
                Counted {
                    severity: Severity::High,
                    status: Status::Open,
                    verified: true,
                },
                1,
            ),
            (
                Counted {
                    severity: Severity::High,
                    status: Status::Mitigated,
                    verified: false,
                },
                1,
            ),
            (
                Counted {
                    severity: Severity::Low,
                    status: Status::FalsePositive,
                    verified: false,
                },
                1,
            ),
        ] {
            stats.add_n(finding, finding.status == Status::Open, n);
        }
        assert_eq!(stats.high.total, 2);
        assert_eq!(stats.high.active, 1);
        assert_eq!(stats.high.verified, 1);
        assert_eq!(stats.high.is_mitigated, 1);
        assert_eq!(stats.low.false_p, 1);
        assert_eq!(stats.total.total, 3);
        let json = serde_json::to_value(stats).unwrap();
        let keys: Vec<&str> = json["info"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "active",
                "duplicate",
                "false_p",
                "is_mitigated",
                "out_of_scope",
                "risk_accepted",
                "total",
                "verified"
            ]
        );
    }
}
