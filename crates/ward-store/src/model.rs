//! The rows a store keeps: products, engagements, tests, stored findings, their sources and
//! their audit trail, and the ids that name them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use ward_core::{Category, Finding, Identifier, Location, Severity, Status};

use crate::sla::SlaPolicy;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// The database id of a [`Product`].
    ProductId
);
id_type!(
    /// The database id of an [`Engagement`].
    EngagementId
);
id_type!(
    /// The database id of a [`Test`].
    TestId
);
id_type!(
    /// The database id of a [`StoredFinding`].
    FindingId
);
id_type!(
    /// The database id of an [`ApiKey`](crate::ApiKey).
    ApiKeyId
);
id_type!(
    /// The database id of a [`User`](crate::User).
    UserId
);

/// A product: one application or service whose findings are deduplicated together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Database id.
    pub id: ProductId,
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The team that owns it.
    pub team: Option<String>,
    /// Labels, sorted, without repeats.
    pub tags: Vec<String>,
    /// Days to fix per severity for this product, when it differs from the store's default.
    pub sla: Option<SlaPolicy>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A product's stored gate policy: the `ward.toml` text the gate endpoint applies when a
/// request brings no policy of its own. The store keeps the text as given; the server
/// validates it before storing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPolicy {
    /// The `ward.toml` text.
    pub text: String,
    /// When it was last set.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The fields of a product that callers set, at creation and on update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewProduct {
    /// Unique, non-blank name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// The owning team.
    #[serde(default)]
    pub team: Option<String>,
    /// Labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// SLA override; `None` follows the store's default policy.
    #[serde(default)]
    pub sla: Option<SlaPolicy>,
}

impl NewProduct {
    /// A product with only a name.
    pub fn named(name: impl Into<String>) -> NewProduct {
        NewProduct {
            name: name.into(),
            ..NewProduct::default()
        }
    }
}

/// An engagement: a context findings are imported into within a product (a branch, a
/// release, a pipeline). Names are unique per product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engagement {
    /// Database id.
    pub id: EngagementId,
    /// The product it belongs to.
    pub product_id: ProductId,
    /// Name, unique within the product.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was closed (its branch was deleted on the git host).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// The fields of an engagement that callers set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEngagement {
    /// Non-blank name, unique within the product.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

impl NewEngagement {
    /// An engagement with only a name.
    pub fn named(name: impl Into<String>) -> NewEngagement {
        NewEngagement {
            name: name.into(),
            description: None,
        }
    }
}

/// A test: one imported report in an engagement, updated in place by reimports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Test {
    /// Database id.
    pub id: TestId,
    /// Its engagement.
    pub engagement_id: EngagementId,
    /// Its product.
    pub product_id: ProductId,
    /// The title given at import, else the scan type.
    pub title: String,
    /// The tool that produced the report (`Trivy`).
    pub tool: String,
    /// The ward format id the report was read as (`trivy`).
    pub format: String,
    /// The scan type named at import (a DefectDojo scan type such as `Trivy Scan`, or the
    /// format id); reimports without a test id look for the latest test with the same one.
    pub scan_type: String,
    /// When the scan ran.
    #[serde(with = "time::serde::rfc3339")]
    pub scan_date: OffsetDateTime,
    /// Build metadata given at import.
    pub build: BuildInfo,
    /// Labels given at import.
    pub tags: Vec<String>,
    /// Findings in the last (re)import after filtering, deduplicated by fingerprint.
    pub n_findings: u64,
    /// When the first import created it.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the last (re)import touched it.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What a pipeline says about the build it scanned (DefectDojo's import fields of the same
/// names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildInfo {
    /// The version of the product.
    #[serde(default)]
    pub version: Option<String>,
    /// The CI build id.
    #[serde(default)]
    pub build_id: Option<String>,
    /// The commit scanned.
    #[serde(default)]
    pub commit_hash: Option<String>,
    /// The branch or tag scanned.
    #[serde(default)]
    pub branch_tag: Option<String>,
}

/// A finding as the store keeps it: one per fingerprint and product, whatever number of
/// tools, engagements and reports saw it.
///
/// `F` is how much of the finding's own record comes with it: the whole [`Finding`] by
/// default, or a [`FindingBrief`] for lists, which skips decoding the wide fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFinding<F = Finding> {
    /// Database id.
    pub id: FindingId,
    /// Its product.
    pub product_id: ProductId,
    /// The deduplication key ([`ward_core::fingerprint`]).
    pub fingerprint: String,
    /// Triage state as stored. A risk acceptance past its date still reads
    /// [`Status::Accepted`] here until [`Store::expire_risk_acceptances`](crate::Store::expire_risk_acceptances)
    /// runs; [`StoredFinding::effective_status`] and every query already treat it as open.
    pub status: Status,
    /// DefectDojo's `active`: false when the import asked for inactive findings, or once the
    /// finding is closed, suppressed or accepted.
    pub active: bool,
    /// DefectDojo's `verified`: the import or the tool said the finding is confirmed.
    pub verified: bool,
    /// Severity from the latest report that saw it.
    pub severity: Severity,
    /// Category from the latest report.
    pub category: Category,
    /// Title from the latest report.
    pub title: String,
    /// Every tool that reported it, sorted.
    pub tools: Vec<String>,
    /// When a report first saw it.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// When a report last saw it.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
    /// When it must be fixed by, from its severity and the SLA policy; `None` for severities
    /// without an SLA.
    #[serde(with = "time::serde::rfc3339::option")]
    pub sla_due: Option<OffsetDateTime>,
    /// Until when the risk is accepted (status [`Status::Accepted`]); `None` is indefinitely.
    #[serde(with = "time::serde::rfc3339::option")]
    pub risk_accepted_until: Option<OffsetDateTime>,
    /// When it was last closed as mitigated.
    #[serde(with = "time::serde::rfc3339::option")]
    pub mitigated_at: Option<OffsetDateTime>,
    /// Who is working on it.
    pub assignee: Option<String>,
    /// The finding itself, as the latest report gave it (or its [`FindingBrief`]).
    pub finding: F,
}

/// The part of a finding's record that lists show beside the stored columns: read from the
/// same stored JSON as the whole [`Finding`], skipping (not decoding) everything else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingBrief {
    /// The tool's rule or check id.
    #[serde(default)]
    pub rule_id: Option<String>,
    /// CVE, GHSA, CWE … ids.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Where it is.
    #[serde(default)]
    pub location: Location,
}

impl From<&Finding> for FindingBrief {
    fn from(finding: &Finding) -> FindingBrief {
        FindingBrief {
            rule_id: finding.rule_id.clone(),
            identifiers: finding.identifiers.clone(),
            location: finding.location.clone(),
        }
    }
}

impl StoredFinding {
    /// The same finding with its brief, and the whole record beside it.
    pub fn split(self) -> (StoredFinding<FindingBrief>, Finding) {
        let brief = FindingBrief::from(&self.finding);
        self.with_finding(brief)
    }
}

impl<F> StoredFinding<F> {
    /// The same stored columns with another record; returns the old one beside it.
    pub fn with_finding<G>(self, finding: G) -> (StoredFinding<G>, F) {
        (
            StoredFinding {
                id: self.id,
                product_id: self.product_id,
                fingerprint: self.fingerprint,
                status: self.status,
                active: self.active,
                verified: self.verified,
                severity: self.severity,
                category: self.category,
                title: self.title,
                tools: self.tools,
                first_seen: self.first_seen,
                last_seen: self.last_seen,
                sla_due: self.sla_due,
                risk_accepted_until: self.risk_accepted_until,
                mitigated_at: self.mitigated_at,
                assignee: self.assignee,
                finding,
            },
            self.finding,
        )
    }

    /// The status queries use: an accepted risk whose date has passed is open again.
    pub fn effective_status(&self, now: OffsetDateTime) -> Status {
        match (self.status, self.risk_accepted_until) {
            (Status::Accepted, Some(until)) if until <= now => Status::Open,
            (status, _) => status,
        }
    }

    /// Whether the SLA date has passed while the finding is still open at `now`.
    pub fn sla_breached(&self, now: OffsetDateTime) -> bool {
        self.effective_status(now) == Status::Open && self.sla_due.is_some_and(|due| due < now)
    }
}

/// One report that saw a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingSource {
    /// The test (report).
    pub test_id: TestId,
    /// Its title.
    pub test_title: String,
    /// Its engagement.
    pub engagement_id: EngagementId,
    /// The engagement's name.
    pub engagement_name: String,
    /// The tool of that report.
    pub tool: String,
    /// Its scan type.
    pub scan_type: String,
    /// When that report first saw the finding.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// Where that report placed it.
    pub location: Location,
}

/// One status change or assignment, as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The finding changed.
    pub finding_id: FindingId,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Who: a user, an API key's name, or `ward` for imports and expiries.
    pub actor: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Why, as given (imports say what they did: `reimport of test 3: not in the report`).
    pub reason: Option<String>,
    /// The accepted-until date of a risk acceptance.
    #[serde(with = "time::serde::rfc3339::option")]
    pub risk_accepted_until: Option<OffsetDateTime>,
    /// For assignments: the new assignee, empty when the assignment was cleared.
    pub assignee: Option<String>,
}

/// A finding with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingDetail {
    /// The finding.
    pub finding: StoredFinding,
    /// Every report that saw it, oldest first.
    pub sources: Vec<FindingSource>,
    /// Its audit trail, oldest first.
    pub history: Vec<AuditEntry>,
}
