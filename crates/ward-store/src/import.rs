//! Import and reimport requests, their outcome, and the backend-independent planning: which
//! findings are new, unchanged, reopened or closed, and what columns each row gets.
//!
//! A backend runs an import as one transaction: resolve the target, [`prepare`] the report
//! (done before the transaction: it is CPU work), load the stored rows for the report's
//! fingerprints ([`Existing`]) and, when old findings are to be closed, the open findings
//! of the reimported test or engagement ([`ScopeFinding`]), call [`plan`], and write the
//! [`Plan`].

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use ward_core::{Finding, Severity, Status};

use crate::codec;
use crate::error::{Error, Result};
use crate::model::{BuildInfo, Engagement, EngagementId, FindingId, Product, Test, TestId};
use crate::notify::{ImportMessages, Imported, ImportedFinding, NewMessage};
use crate::sla::SlaPolicy;

/// Where an import lands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportTarget {
    /// An existing engagement.
    Engagement(EngagementId),
    /// An existing test (reimport only).
    Test(TestId),
    /// A product and engagement by name, created when missing if `auto_create` is set
    /// (DefectDojo's `auto_create_context`).
    Names {
        /// Product name.
        product: String,
        /// Engagement name.
        engagement: String,
        /// Create them when missing.
        auto_create: bool,
    },
}

/// Import or reimport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// A new test in the engagement.
    #[default]
    Import,
    /// Update a test in place: the given one, else the latest test of the engagement with the
    /// same scan type, else (none yet) a new one as [`ImportMode::Import`] would.
    Reimport,
}

/// One report to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRequest {
    /// Where it goes.
    pub target: ImportTarget,
    /// Import or reimport.
    pub mode: ImportMode,
    /// The scan type (a DefectDojo scan type name, or the ward format id).
    pub scan_type: String,
    /// The tool that wrote the report.
    pub tool: String,
    /// The ward format id it was read as.
    pub format: String,
    /// Test title; `None` uses the scan type.
    pub title: Option<String>,
    /// When the scan ran; `None` is [`ImportRequest::now`].
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub scan_date: Option<OffsetDateTime>,
    /// Findings less severe than this are left out (and never closed because of it).
    pub minimum_severity: Option<Severity>,
    /// DefectDojo's `active` for new findings (default true).
    pub active: bool,
    /// DefectDojo's `verified` for new and seen findings (default false).
    pub verified: bool,
    /// Close open findings of the same test (reimport) or of the engagement's earlier tests
    /// with the same scan type (import) that this report no longer has.
    pub close_old_findings: bool,
    /// With `close_old_findings`: close them in every engagement of the product, not only
    /// this one (DefectDojo's `close_old_findings_product_scope`).
    #[serde(default)]
    pub close_old_product_scope: bool,
    /// Reopen mitigated findings the report has again (the default); false keeps them
    /// closed (DefectDojo's `do_not_reactivate`).
    #[serde(default = "yes")]
    pub reactivate: bool,
    /// Labels for the test.
    pub tags: Vec<String>,
    /// Build metadata for the test.
    pub build: BuildInfo,
    /// Who imports (a key or user name), for the audit trail.
    pub actor: String,
    /// The import's clock; `None` is now. Tests set it to move time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub now: Option<OffsetDateTime>,
    /// The findings, fingerprints assigned ([`ward_core::fingerprint::assign`]).
    pub findings: Vec<Finding>,
    /// Outbox messages about this import, built and queued in its transaction.
    #[serde(skip)]
    pub messages: Option<ImportMessages>,
}

impl ImportRequest {
    /// An import with DefectDojo's defaults (active, not verified, nothing closed) by `ward`.
    pub fn new(target: ImportTarget, scan_type: impl Into<String>, findings: Vec<Finding>) -> Self {
        let scan_type = scan_type.into();
        let tool = findings
            .first()
            .map(|f| f.tool.clone())
            .unwrap_or_else(|| scan_type.clone());
        ImportRequest {
            target,
            mode: ImportMode::Import,
            format: scan_type.clone(),
            scan_type,
            tool,
            title: None,
            scan_date: None,
            minimum_severity: None,
            active: true,
            verified: false,
            close_old_findings: false,
            close_old_product_scope: false,
            reactivate: true,
            tags: Vec::new(),
            build: BuildInfo::default(),
            actor: "ward".to_string(),
            now: None,
            findings,
            messages: None,
        }
    }

    /// The same request as a reimport.
    pub fn reimport(mut self) -> Self {
        self.mode = ImportMode::Reimport;
        self
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// The product (created if it was missing).
    pub product: Product,
    /// The engagement (created if it was missing).
    pub engagement: Engagement,
    /// The test written (new, or the reimported one).
    pub test: Test,
    /// Whether the test was created by this call.
    pub test_created: bool,
    /// Findings the product did not have.
    pub new: Vec<FindingId>,
    /// Known findings seen again without a status change (including suppressed ones).
    pub unchanged: Vec<FindingId>,
    /// Mitigated findings seen again, now open.
    pub reopened: Vec<FindingId>,
    /// Open findings the report no longer has, now mitigated (`close_old_findings`).
    pub closed: Vec<FindingId>,
    /// The four lists above (and `unchanged` findings' states) counted by severity, status
    /// and verified flag: DefectDojo's `statistics.delta`.
    pub changes: Vec<ChangeCount>,
    /// Findings left out by `minimum_severity`.
    pub n_below_minimum: u64,
    /// Findings merged into another of the same report because they share its fingerprint.
    pub n_repeated: u64,
}

/// Which list of [`ImportOutcome`] a counted finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// New to the product.
    Created,
    /// Closed because the report no longer has it.
    Closed,
    /// Mitigated, seen again, reopened.
    Reactivated,
    /// Seen again, status unchanged.
    Untouched,
}

/// How many findings an import put in one [`Change`] list with one severity, status (after
/// the import) and verified flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCount {
    /// The list.
    pub change: Change,
    /// Their severity.
    pub severity: Severity,
    /// Their status after the import.
    pub status: Status,
    /// Their verified flag after the import.
    pub verified: bool,
    /// Their active flag after the import.
    #[serde(default)]
    pub active: bool,
    /// How many.
    pub n: u64,
}

/// A report finding ready to be written: the finding and every column derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedFinding {
    /// The finding.
    pub finding: Finding,
    /// The finding as ward JSON (the `data` column).
    pub data: String,
    /// Its [`FindingBrief`](crate::FindingBrief) as JSON (the `brief` column lists read).
    pub brief: String,
    /// Hash of `data` (128 bits of SHA-256, hex): an unchanged finding is not rewritten.
    pub content_hash: String,
    /// [`codec::severity_rank`] of its severity.
    pub severity_rank: i16,
    /// Category name.
    pub category: &'static str,
    /// Title, for its column.
    pub title: String,
    /// Description, for its column.
    pub description: Option<String>,
    /// Rule id, for its column.
    pub rule_id: Option<String>,
    /// File path, when it has one.
    pub file_path: Option<String>,
    /// Package name, when it has one.
    pub package: Option<String>,
    /// URL or resource id, when it has one.
    pub url: Option<String>,
    /// Identifier values, upper-cased for case-insensitive lookup.
    pub identifiers: Vec<String>,
    /// Its location as JSON (the link table's `location` column).
    pub location: String,
}

/// A report after validation, minimum-severity filtering and merging of repeated
/// fingerprints.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedReport {
    /// Findings to write, one per fingerprint, in report order.
    pub findings: Vec<PreparedFinding>,
    /// Every fingerprint of the report, including the filtered ones: none of these is closed.
    pub all_fingerprints: HashSet<String>,
    /// Left out by `minimum_severity`.
    pub n_below_minimum: u64,
    /// Merged into an earlier finding of the same fingerprint.
    pub n_repeated: u64,
}

/// Validates and filters a request's findings (taken out of the request, so that they are
/// not copied) and derives their columns. CPU work: backends run it off the async executor.
pub fn prepare(request: &ImportRequest, findings: Vec<Finding>) -> Result<PreparedReport> {
    if request.scan_type.trim().is_empty() {
        return Err(Error::invalid("scan_type", "must not be blank"));
    }
    let mut prepared = Vec::with_capacity(findings.len());
    let mut all_fingerprints = HashSet::with_capacity(findings.len());
    let mut kept = HashSet::with_capacity(findings.len());
    let mut n_below_minimum = 0;
    let mut n_repeated = 0;
    for (index, finding) in findings.into_iter().enumerate() {
        if finding.fingerprint.trim().is_empty() {
            return Err(Error::invalid(
                "findings",
                format!("finding {index} ({}) has no fingerprint", finding.title),
            ));
        }
        if finding.fingerprint.chars().any(char::is_control) {
            return Err(Error::invalid(
                "findings",
                format!(
                    "finding {index} ({}): control characters in its fingerprint",
                    finding.title
                ),
            ));
        }
        all_fingerprints.insert(finding.fingerprint.clone());
        if request
            .minimum_severity
            .is_some_and(|minimum| finding.severity < minimum)
        {
            n_below_minimum += 1;
            continue;
        }
        if !kept.insert(finding.fingerprint.clone()) {
            n_repeated += 1;
            continue;
        }
        prepared.push(prepare_one(finding)?);
    }
    Ok(PreparedReport {
        findings: prepared,
        all_fingerprints,
        n_below_minimum,
        n_repeated,
    })
}

fn prepare_one(finding: Finding) -> Result<PreparedFinding> {
    let data =
        serde_json::to_string(&finding).map_err(|e| Error::invalid("findings", e.to_string()))?;
    let location = serde_json::to_string(&finding.location)
        .map_err(|e| Error::invalid("findings", e.to_string()))?;
    let content_hash = hex_sha256(data.as_bytes());
    let brief = serde_json::to_string(&crate::model::FindingBrief::from(&finding))
        .map_err(|e| Error::invalid("findings", e.to_string()))?;
    let loc = &finding.location;
    let clean = |text: &String| codec::clean_text(text);
    let url = loc
        .web
        .as_ref()
        .map(|w| clean(&w.url))
        .or_else(|| loc.cloud.as_ref().map(|c| clean(&c.resource_id)));
    let mut identifiers: Vec<String> = finding
        .identifiers
        .iter()
        .map(|i| codec::clean_text(&i.value.to_uppercase()))
        .collect();
    identifiers.sort();
    identifiers.dedup();
    Ok(PreparedFinding {
        severity_rank: codec::severity_rank(finding.severity),
        category: finding.category.as_str(),
        title: clean(&finding.title),
        description: finding.description.as_ref().map(clean),
        rule_id: finding.rule_id.as_ref().map(clean),
        file_path: loc.file.as_ref().map(|f| clean(&f.path)),
        package: loc.package.as_ref().map(|p| clean(&p.name)),
        url,
        identifiers,
        location,
        data,
        brief,
        content_hash,
        finding,
    })
}

/// The first 128 bits of SHA-256, hex: plenty to notice a change, and a narrow column.
fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A stored finding whose fingerprint is in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// Its id.
    pub id: FindingId,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its status.
    pub status: Status,
    /// Its severity rank.
    pub severity_rank: i16,
    /// When first seen.
    pub first_seen: OffsetDateTime,
    /// Its tools.
    pub tools: Vec<String>,
    /// Hash of its stored data.
    pub content_hash: String,
    /// Its verified flag.
    pub verified: bool,
    /// Its active flag.
    pub active: bool,
}

/// An open finding of the reimported test (or of the engagement's earlier tests of the same
/// scan type), a candidate for closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeFinding {
    /// Its id.
    pub id: FindingId,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its severity rank.
    pub severity_rank: i16,
    /// Its verified flag.
    pub verified: bool,
}

/// Columns of a finding the product did not have.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRow {
    /// Index into [`PreparedReport::findings`].
    pub index: usize,
    /// Initial status (what the report says, open by default).
    pub status: Status,
    /// Active flag.
    pub active: bool,
    /// Verified flag.
    pub verified: bool,
    /// Its one tool.
    pub tools: Vec<String>,
    /// SLA due date.
    pub sla_due: Option<OffsetDateTime>,
    /// Set when the report itself says it is resolved.
    pub mitigated_at: Option<OffsetDateTime>,
}

/// New data for a known finding whose content changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentUpdate {
    /// The finding.
    pub id: FindingId,
    /// Index into [`PreparedReport::findings`].
    pub index: usize,
    /// The tools, with the report's tool added.
    pub tools: Vec<String>,
    /// SLA due date for the (maybe changed) severity.
    pub sla_due: Option<OffsetDateTime>,
    /// The verified flag after this import.
    pub verified: bool,
}

/// Everything an import writes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// Findings to insert.
    pub new: Vec<NewRow>,
    /// Known findings whose data to rewrite.
    pub content_updates: Vec<ContentUpdate>,
    /// Every known finding the report has, with its index in the prepared report: their
    /// `last_seen` moves and they are linked to the test.
    pub seen: Vec<(FindingId, usize)>,
    /// Known findings seen again without a status change.
    pub unchanged: Vec<FindingId>,
    /// Known mitigated findings to reopen.
    pub reopened: Vec<FindingId>,
    /// Open findings to close as mitigated.
    pub closed: Vec<FindingId>,
    /// The lists counted, for [`ImportOutcome::changes`].
    pub changes: Vec<ChangeCount>,
}

/// The outbox messages of an import, built inside its transaction once the plan is written:
/// `new` are the rows the plan inserted (their ids are `outcome.new`, in order), `seen` the
/// known findings the report has. Empty when the request has no builder.
pub fn messages(
    request: &ImportRequest,
    report: &PreparedReport,
    new: &[NewRow],
    seen: &[(FindingId, usize)],
    outcome: &ImportOutcome,
) -> Result<Vec<NewMessage>> {
    let Some(builder) = &request.messages else {
        return Ok(Vec::new());
    };
    let rows = new
        .iter()
        .zip(&outcome.new)
        .map(|(row, id)| (row.index, *id, true))
        .chain(seen.iter().map(|(id, index)| (*index, *id, false)));
    let mut findings: Vec<(usize, ImportedFinding<'_>)> = rows
        .filter_map(|(index, id, is_new)| {
            let prepared = report.findings.get(index)?;
            Some((
                index,
                ImportedFinding {
                    id,
                    finding: &prepared.finding,
                    is_new,
                },
            ))
        })
        .collect();
    findings.sort_by_key(|(index, _)| *index);
    builder.build(&Imported {
        outcome,
        findings: findings.into_iter().map(|(_, f)| f).collect(),
    })
}

/// Decides what an import does, from the prepared report, the stored rows for its
/// fingerprints, and (with `close_old_findings`) the open findings in scope for closing.
pub fn plan(
    request: &ImportRequest,
    report: &PreparedReport,
    existing: &[Existing],
    scope: &[ScopeFinding],
    sla: &SlaPolicy,
    now: OffsetDateTime,
) -> Plan {
    let by_fingerprint: HashMap<&str, &Existing> = existing
        .iter()
        .map(|e| (e.fingerprint.as_str(), e))
        .collect();
    let mut plan = Plan::default();
    let mut changes: HashMap<(Change, i16, Status, bool, bool), u64> = HashMap::new();
    let mut count = |change, rank, status, verified, active| {
        *changes
            .entry((change, rank, status, verified, active))
            .or_default() += 1;
    };
    for (index, prepared) in report.findings.iter().enumerate() {
        let finding = &prepared.finding;
        let Some(stored) = by_fingerprint.get(finding.fingerprint.as_str()) else {
            let row = new_row(request, index, finding, sla, now);
            count(
                Change::Created,
                prepared.severity_rank,
                row.status,
                row.verified,
                row.active,
            );
            plan.new.push(row);
            continue;
        };
        plan.seen.push((stored.id, index));
        let verified = stored.verified || request.verified || finding.verified;
        let mut tools = stored.tools.clone();
        if !tools.contains(&finding.tool) {
            tools.push(finding.tool.clone());
            tools.sort();
        }
        if stored.content_hash != prepared.content_hash
            || tools != stored.tools
            || verified != stored.verified
        {
            plan.content_updates.push(ContentUpdate {
                id: stored.id,
                index,
                sla_due: sla.due(finding.severity, stored.first_seen),
                tools,
                verified,
            });
        }
        if stored.status == Status::Mitigated
            && finding.status == Status::Open
            && request.reactivate
        {
            count(
                Change::Reactivated,
                prepared.severity_rank,
                Status::Open,
                verified,
                true,
            );
            plan.reopened.push(stored.id);
        } else {
            count(
                Change::Untouched,
                prepared.severity_rank,
                stored.status,
                verified,
                stored.active,
            );
            plan.unchanged.push(stored.id);
        }
    }
    if request.close_old_findings {
        let mut closed: Vec<&ScopeFinding> = scope
            .iter()
            .filter(|s| !report.all_fingerprints.contains(&s.fingerprint))
            .collect();
        closed.sort_by_key(|s| s.id);
        closed.dedup_by_key(|s| s.id);
        for s in &closed {
            count(
                Change::Closed,
                s.severity_rank,
                Status::Mitigated,
                s.verified,
                false,
            );
        }
        plan.closed = closed.into_iter().map(|s| s.id).collect();
    }
    let mut changes: Vec<ChangeCount> = changes
        .into_iter()
        .filter_map(|((change, rank, status, verified, active), n)| {
            Some(ChangeCount {
                change,
                severity: codec::severity_from_rank(i64::from(rank)).ok()?,
                status,
                verified,
                active,
                n,
            })
        })
        .collect();
    changes.sort_by_key(|c| (c.change, c.severity, c.status, c.verified, c.active));
    plan.changes = changes;
    plan
}

fn yes() -> bool {
    true
}

fn new_row(
    request: &ImportRequest,
    index: usize,
    finding: &Finding,
    sla: &SlaPolicy,
    now: OffsetDateTime,
) -> NewRow {
    let status = finding.status;
    NewRow {
        index,
        status,
        active: request.active && status == Status::Open,
        verified: request.verified || finding.verified,
        tools: vec![finding.tool.clone()],
        sla_due: sla.due(finding.severity, now),
        mitigated_at: (status == Status::Mitigated).then_some(now),
    }
}

#[cfg(test)]
mod tests {
    use ward_core::Category;

    use super::*;

    fn finding(fingerprint: &str, severity: Severity) -> Finding {
        let mut f = Finding::new(
            "Trivy",
            Category::Dependency,
            format!("issue {fingerprint}"),
        );
        f.fingerprint = fingerprint.to_string();
        f.severity = severity;
        f
    }

    fn request(findings: Vec<Finding>) -> ImportRequest {
        let target = ImportTarget::Engagement(EngagementId(1));
        ImportRequest::new(target, "Trivy Scan", findings)
    }

    fn existing(id: i64, report: &PreparedReport, index: usize, status: Status) -> Existing {
        Existing {
            id: FindingId(id),
            fingerprint: report.findings[index].finding.fingerprint.clone(),
            status,
            severity_rank: report.findings[index].severity_rank,
            first_seen: OffsetDateTime::UNIX_EPOCH,
            tools: vec!["Trivy".into()],
            content_hash: report.findings[index].content_hash.clone(),
            verified: false,
            active: status == Status::Open,
        }
    }

    #[test]
    fn prepare_filters_and_merges() {
        let mut req = request(vec![
            finding("a", Severity::High),
            finding("a", Severity::High),
            finding("b", Severity::Low),
        ]);
        req.minimum_severity = Some(Severity::Medium);
        let report = prepare(&req, req.findings.clone()).unwrap();
        assert_eq!(report.findings.len(), 1);
        assert_eq!((report.n_repeated, report.n_below_minimum), (1, 1));
        assert!(report.all_fingerprints.contains("b"));
        let req = request(vec![finding("", Severity::High)]);
        assert!(matches!(
            prepare(&req, req.findings.clone()),
            Err(Error::Invalid {
                field: "findings",
                ..
            })
        ));
    }

    #[test]
    fn plan_sorts_findings_into_lists() {
        let mut req = request(vec![
            finding("new", Severity::High),
            finding("same", Severity::High),
            finding("back", Severity::High),
            finding("fp", Severity::High),
            finding("low", Severity::Low),
        ]);
        req.close_old_findings = true;
        req.minimum_severity = Some(Severity::Medium);
        let report = prepare(&req, req.findings.clone()).unwrap();
        let stored = vec![
            existing(1, &report, 1, Status::Open),
            existing(2, &report, 2, Status::Mitigated),
            existing(3, &report, 3, Status::FalsePositive),
        ];
        let scope = vec![
            ScopeFinding {
                id: FindingId(1),
                fingerprint: "same".into(),
                severity_rank: 4,
                verified: false,
            },
            ScopeFinding {
                id: FindingId(4),
                fingerprint: "gone".into(),
                severity_rank: 4,
                verified: false,
            },
            ScopeFinding {
                id: FindingId(5),
                fingerprint: "low".into(),
                severity_rank: 4,
                verified: false,
            },
        ];
        let now = OffsetDateTime::UNIX_EPOCH;
        let plan = plan(&req, &report, &stored, &scope, &SlaPolicy::default(), now);
        assert_eq!(plan.new.len(), 1);
        assert_eq!(plan.unchanged, [FindingId(1), FindingId(3)]);
        assert_eq!(plan.reopened, [FindingId(2)]);
        assert_eq!(plan.closed, [FindingId(4)]);
        assert!(plan.content_updates.is_empty());
        assert_eq!(plan.seen.len(), 3);
    }
}
