//! What the native API answers: the store's rows as JSON objects with documented fields, so
//! the API does not change shape when a storage row does.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use ward_store::{
    ApiKey, AuditEntry, Counts, Engagement, FindingBrief, FindingDetail, FindingSource, Product,
    SlaPolicy, StoredFinding, Test,
};

pub(crate) fn rfc3339(time: OffsetDateTime) -> String {
    time.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Days to fix per severity; null means no SLA for that severity.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct SlaView {
    /// Critical.
    pub critical: Option<u32>,
    /// High.
    pub high: Option<u32>,
    /// Medium.
    pub medium: Option<u32>,
    /// Low.
    pub low: Option<u32>,
    /// Info.
    pub info: Option<u32>,
}

impl From<SlaPolicy> for SlaView {
    fn from(p: SlaPolicy) -> SlaView {
        SlaView {
            critical: p.critical,
            high: p.high,
            medium: p.medium,
            low: p.low,
            info: p.info,
        }
    }
}

impl From<SlaView> for SlaPolicy {
    fn from(v: SlaView) -> SlaPolicy {
        SlaPolicy {
            critical: v.critical,
            high: v.high,
            medium: v.medium,
            low: v.low,
            info: v.info,
        }
    }
}

/// A product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductView {
    /// Id.
    pub id: i64,
    /// Unique name (used in paths).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The owning team.
    pub team: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// The product's SLA, when it has its own.
    pub sla: Option<SlaView>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Product> for ProductView {
    fn from(p: Product) -> ProductView {
        ProductView {
            id: p.id.0,
            name: p.name,
            description: p.description,
            team: p.team,
            tags: p.tags,
            sla: p.sla.map(SlaView::from),
            created_at: rfc3339(p.created_at),
        }
    }
}

/// An engagement: a branch, a release or a pipeline context within a product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EngagementView {
    /// Id.
    pub id: i64,
    /// Its product's id.
    pub product_id: i64,
    /// Name, unique within the product (used in paths).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when its branch was deleted on the git host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
}

impl From<Engagement> for EngagementView {
    fn from(e: Engagement) -> EngagementView {
        EngagementView {
            id: e.id.0,
            product_id: e.product_id.0,
            name: e.name,
            description: e.description,
            created_at: rfc3339(e.created_at),
            closed_at: e.closed_at.map(rfc3339),
        }
    }
}

/// A test: one imported report, updated in place by reimports.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TestView {
    /// Id.
    pub id: i64,
    /// Its engagement's id.
    pub engagement_id: i64,
    /// Its product's id.
    pub product_id: i64,
    /// Title.
    pub title: String,
    /// The tool that wrote the report.
    pub tool: String,
    /// The ward format id it was read as.
    pub format: String,
    /// The scan type it is filed under (reimports match on it).
    pub scan_type: String,
    /// When the scan ran (RFC 3339).
    pub scan_date: String,
    /// Build version.
    pub version: Option<String>,
    /// CI build id.
    pub build_id: Option<String>,
    /// Commit scanned.
    pub commit_hash: Option<String>,
    /// Branch or tag scanned.
    pub branch_tag: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// Findings in the last (re)import.
    pub n_findings: u64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Test> for TestView {
    fn from(t: Test) -> TestView {
        TestView {
            id: t.id.0,
            engagement_id: t.engagement_id.0,
            product_id: t.product_id.0,
            title: t.title,
            tool: t.tool,
            format: t.format,
            scan_type: t.scan_type,
            scan_date: rfc3339(t.scan_date),
            version: t.build.version,
            build_id: t.build.build_id,
            commit_hash: t.build.commit_hash,
            branch_tag: t.build.branch_tag,
            tags: t.tags,
            n_findings: t.n_findings,
            created_at: rfc3339(t.created_at),
            updated_at: rfc3339(t.updated_at),
        }
    }
}

/// A stored finding: one per fingerprint and product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingView {
    /// Id.
    pub id: i64,
    /// Its product's id.
    pub product_id: i64,
    /// The deduplication key.
    pub fingerprint: String,
    /// `open`, `false_positive`, `mitigated`, `accepted` or `out_of_scope` (an acceptance past
    /// its date reads `open`).
    #[schema(value_type = String)]
    pub status: ward_core::Status,
    /// DefectDojo's active flag.
    pub active: bool,
    /// Confirmed by the tool or a person.
    pub verified: bool,
    /// `critical` … `info`.
    #[schema(value_type = String)]
    pub severity: ward_core::Severity,
    /// `sast`, `dependency`, `secret`, …
    #[schema(value_type = String)]
    pub category: ward_core::Category,
    /// Title.
    pub title: String,
    /// Every tool that reported it.
    pub tools: Vec<String>,
    /// RFC 3339.
    pub first_seen: String,
    /// RFC 3339.
    pub last_seen: String,
    /// When it must be fixed by (RFC 3339); null without an SLA.
    pub sla_due: Option<String>,
    /// Whether it is open past its SLA date.
    pub sla_breached: bool,
    /// End of the risk acceptance (RFC 3339).
    pub risk_accepted_until: Option<String>,
    /// When it was closed as mitigated (RFC 3339).
    pub mitigated_at: Option<String>,
    /// Who works on it.
    pub assignee: Option<String>,
    /// The tool's rule or check id.
    pub rule_id: Option<String>,
    /// CVE, GHSA, CWE … ids.
    pub identifiers: Vec<String>,
    /// Where it is (file and lines, package and version, image, URL, cloud resource).
    #[schema(value_type = Object)]
    pub location: ward_core::Location,
    /// The whole finding in ward's model (ward JSON), as the latest report gave it: in a
    /// finding's detail, and in lists with `full=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub finding: Option<ward_core::Finding>,
}

impl FindingView {
    /// The view of a stored finding judged at `now`, with the whole record when given.
    pub fn new(
        f: StoredFinding<FindingBrief>,
        now: OffsetDateTime,
        whole: Option<ward_core::Finding>,
    ) -> FindingView {
        let status = f.effective_status(now);
        let sla_breached = f.sla_breached(now);
        FindingView {
            rule_id: f.finding.rule_id,
            identifiers: f.finding.identifiers.into_iter().map(|i| i.value).collect(),
            location: f.finding.location,
            status,
            sla_breached,
            id: f.id.0,
            product_id: f.product_id.0,
            fingerprint: f.fingerprint,
            active: f.active,
            verified: f.verified,
            severity: f.severity,
            category: f.category,
            title: f.title,
            tools: f.tools,
            first_seen: rfc3339(f.first_seen),
            last_seen: rfc3339(f.last_seen),
            sla_due: f.sla_due.map(rfc3339),
            risk_accepted_until: f.risk_accepted_until.map(rfc3339),
            mitigated_at: f.mitigated_at.map(rfc3339),
            assignee: f.assignee,
            finding: whole,
        }
    }
}

/// A report that saw a finding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceView {
    /// The test.
    pub test_id: i64,
    /// Its title.
    pub test_title: String,
    /// Its engagement.
    pub engagement_id: i64,
    /// The engagement's name.
    pub engagement_name: String,
    /// The report's tool.
    pub tool: String,
    /// Its scan type.
    pub scan_type: String,
    /// When that report first saw the finding (RFC 3339).
    pub first_seen: String,
    /// Where that report placed it.
    #[schema(value_type = Object)]
    pub location: ward_core::Location,
}

impl From<FindingSource> for SourceView {
    fn from(s: FindingSource) -> SourceView {
        SourceView {
            test_id: s.test_id.0,
            test_title: s.test_title,
            engagement_id: s.engagement_id.0,
            engagement_name: s.engagement_name,
            tool: s.tool,
            scan_type: s.scan_type,
            first_seen: rfc3339(s.first_seen),
            location: s.location,
        }
    }
}

/// One status change or assignment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditView {
    /// Status before.
    #[schema(value_type = String)]
    pub from: ward_core::Status,
    /// Status after.
    #[schema(value_type = String)]
    pub to: ward_core::Status,
    /// Who: a user, `key:<name>`, or `ward` for imports and expiries.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why.
    pub reason: Option<String>,
    /// End of a risk acceptance (RFC 3339).
    pub risk_accepted_until: Option<String>,
    /// The assignee set, for assignments.
    pub assignee: Option<String>,
}

impl From<AuditEntry> for AuditView {
    fn from(a: AuditEntry) -> AuditView {
        AuditView {
            from: a.from,
            to: a.to,
            actor: a.actor,
            at: rfc3339(a.at),
            reason: a.reason,
            risk_accepted_until: a.risk_accepted_until.map(rfc3339),
            assignee: a.assignee,
        }
    }
}

/// A finding with every report that saw it and its audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingDetailView {
    /// The finding.
    #[serde(flatten)]
    pub finding: FindingView,
    /// Every report that saw it, oldest first.
    pub sources: Vec<SourceView>,
    /// Status changes, oldest first.
    pub history: Vec<AuditView>,
}

impl FindingDetailView {
    /// The view of a finding's detail judged at `now`.
    pub fn new(detail: FindingDetail, now: OffsetDateTime) -> FindingDetailView {
        FindingDetailView {
            finding: {
                let (brief, whole) = detail.finding.split();
                FindingView::new(brief, now, Some(whole))
            },
            sources: detail.sources.into_iter().map(SourceView::from).collect(),
            history: detail.history.into_iter().map(AuditView::from).collect(),
        }
    }
}

/// One page of findings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingPage {
    /// The findings.
    pub findings: Vec<FindingView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Finding counts for dashboards.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountsView {
    /// Every matching finding.
    pub total: u64,
    /// By severity.
    pub by_severity: BTreeMap<String, u64>,
    /// By category.
    pub by_category: BTreeMap<String, u64>,
    /// By status (an acceptance past its date counts as open).
    pub by_status: BTreeMap<String, u64>,
}

impl From<Counts> for CountsView {
    fn from(c: Counts) -> CountsView {
        let names = |value: serde_json::Value| match value {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        CountsView {
            total: c.total,
            by_severity: c
                .by_severity
                .into_iter()
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            by_category: c
                .by_category
                .into_iter()
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            by_status: c
                .by_status
                .into_iter()
                .map(|(k, n)| (names(serde_json::to_value(k).unwrap_or_default()), n))
                .collect(),
        }
    }
}

/// An API key as listed (never the key itself).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// Id.
    pub id: i64,
    /// Label.
    pub name: String,
    /// The key's first characters.
    pub prefix: String,
    /// `read`, `import`, `triage` or `admin`.
    pub scope: String,
    /// The products it is limited to; null is every product.
    pub products: Option<Vec<String>>,
    /// RFC 3339.
    pub created_at: String,
    /// When it was revoked (RFC 3339).
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> ApiKeyView {
        ApiKeyView {
            id: k.id.0,
            name: k.name,
            prefix: k.prefix,
            scope: k.scope.as_str().to_string(),
            products: k.products,
            created_at: rfc3339(k.created_at),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}
