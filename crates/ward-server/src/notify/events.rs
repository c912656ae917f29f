//! The events the server raises: `scan.completed` and `finding.new` for an import (built
//! inside its transaction from what it wrote), `gate.passed` / `gate.failed` after a
//! verdict, `approval.required` for a gate waiting for a person, `sla.breached` per product
//! from the SLA check.

use time::OffsetDateTime;
use ward_core::{Finding, Severity};
use ward_notify::{Event, EventDetail, FindingSummary, SeverityCounts};
use ward_store::{Imported, SlaBreach};

/// Findings a message lists.
const TOP: usize = 5;

/// Events for an import: `scan.completed` always, `finding.new` when the import added findings
/// at or above `threshold`. Pure: `imported` is what the import's transaction wrote.
pub fn for_import(
    imported: &Imported<'_>,
    public_url: Option<&str>,
    threshold: Severity,
) -> Vec<Event> {
    let outcome = imported.outcome;
    let product = &outcome.product.name;
    let engagement = &outcome.engagement.name;
    let url = public_url.map(|base| {
        format!(
            "{}/api/v1/products/{product}/engagements/{engagement}",
            base.trim_end_matches('/')
        )
    });
    let now = OffsetDateTime::now_utc();
    let base = |detail, counts, top_findings| Event {
        id: event_id(),
        occurred_at: now,
        product: product.clone(),
        engagement: Some(engagement.clone()),
        url: url.clone(),
        counts,
        top_findings,
        detail,
    };
    // Most severe first; report order among equals.
    let mut findings: Vec<_> = imported.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.finding.severity));
    let mut all_counts = SeverityCounts::default();
    let mut new_counts = SeverityCounts::default();
    let mut new_top = Vec::new();
    for imported in &findings {
        all_counts.add(imported.finding.severity);
        if imported.is_new && imported.finding.severity >= threshold {
            new_counts.add(imported.finding.severity);
            if new_top.len() < TOP {
                new_top.push(summary(&imported.id.to_string(), imported.finding));
            }
        }
    }
    let all_top = findings
        .iter()
        .take(TOP)
        .map(|f| summary(&f.id.to_string(), f.finding))
        .collect();
    let mut events = vec![base(
        EventDetail::ScanCompleted {
            tools: vec![outcome.test.tool.clone()],
            n_findings: findings.len() as u64,
            n_new: outcome.new.len() as u64,
        },
        all_counts,
        all_top,
    )];
    if new_counts.total() > 0 {
        events.push(base(
            EventDetail::FindingNew {
                n_new: new_counts.total(),
                min_severity: threshold,
            },
            new_counts,
            new_top,
        ));
    }
    events
}

/// One `sla.breached` event per product for newly breached findings (`breaches` ordered by
/// product, most severe first, as the store gives them).
pub fn for_sla(
    breaches: &[SlaBreach],
    now: OffsetDateTime,
    public_url: Option<&str>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for group in breaches.chunk_by(|a, b| a.product_id == b.product_id) {
        let Some(first) = group.first() else {
            continue;
        };
        let mut counts = SeverityCounts::default();
        let mut max_days_overdue = 0;
        for breach in group {
            counts.add(breach.severity);
            let overdue = (now - breach.sla_due).whole_days().max(0) as u64;
            max_days_overdue = max_days_overdue.max(overdue);
        }
        events.push(Event {
            id: event_id(),
            occurred_at: now,
            product: first.product.clone(),
            engagement: None,
            url: public_url.map(|base| {
                format!(
                    "{}/api/v1/products/{}/findings?sla_breached=true",
                    base.trim_end_matches('/'),
                    first.product
                )
            }),
            counts,
            top_findings: group
                .iter()
                .take(TOP)
                .map(|b| FindingSummary {
                    id: b.id.to_string(),
                    title: b.title.clone(),
                    severity: b.severity,
                    location: b.location.clone().unwrap_or_default(),
                })
                .collect(),
            detail: EventDetail::SlaBreached {
                n_overdue: group.len() as u64,
                max_days_overdue,
            },
        });
    }
    events
}

/// The `approval.required` event of a gate waiting for a person: the gate's event with the
/// approval's id, why it waits, and a link to the approval.
pub fn for_approval(
    gate: &Event,
    approval_id: i64,
    reason: &str,
    public_url: Option<&str>,
) -> Event {
    Event {
        id: event_id(),
        url: public_url.map(|base| {
            format!(
                "{}/api/v1/approvals/{approval_id}",
                base.trim_end_matches('/')
            )
        }),
        detail: EventDetail::ApprovalRequired {
            approval_id: approval_id.to_string(),
            reason: reason.to_owned(),
        },
        ..gate.clone()
    }
}

/// The event for a gate verdict on an engagement.
pub fn for_gate(
    product: &str,
    engagement: &str,
    verdict: &ward_policy::Verdict,
    findings: &[Finding],
) -> Event {
    let mut counts = SeverityCounts::default();
    for finding in findings {
        counts.add(finding.severity);
    }
    let mut top: Vec<&Finding> = findings.iter().collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let detail = if verdict.passed {
        EventDetail::GatePassed {}
    } else {
        EventDetail::GateFailed {
            violations: verdict.violations.iter().map(|v| v.rule.clone()).collect(),
        }
    };
    Event {
        id: event_id(),
        occurred_at: OffsetDateTime::now_utc(),
        product: product.to_owned(),
        engagement: Some(engagement.to_owned()),
        url: None,
        counts,
        top_findings: top
            .into_iter()
            .take(TOP)
            .map(|f| summary(&f.fingerprint, f))
            .collect(),
        detail,
    }
}

fn summary(id: &str, finding: &Finding) -> FindingSummary {
    FindingSummary {
        id: id.to_owned(),
        title: finding.title.clone(),
        severity: finding.severity,
        location: location(finding),
    }
}

/// One line saying where a finding is.
fn location(finding: &Finding) -> String {
    let l = &finding.location;
    if let Some(file) = &l.file {
        return match file.start_line {
            Some(line) => format!("{}:{line}", file.path),
            None => file.path.clone(),
        };
    }
    if let Some(package) = &l.package {
        return match &package.version {
            Some(version) => format!("{}@{version}", package.name),
            None => package.name.clone(),
        };
    }
    if let Some(web) = &l.web {
        return web.url.clone();
    }
    l.image.as_ref().map(|i| i.name.clone()).unwrap_or_default()
}

/// A random event id (128 bits, hex), the same on every delivery of the event.
pub(crate) fn event_id() -> String {
    let mut bytes = [0u8; 16];
    // The id only lets receivers drop duplicates: a clock-based fallback will do.
    if getrandom::fill(&mut bytes).is_err() {
        bytes = OffsetDateTime::now_utc()
            .unix_timestamp_nanos()
            .to_le_bytes();
    }
    hex::encode(bytes)
}
