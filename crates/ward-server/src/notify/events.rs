//! The events the server raises: `scan.completed` and `finding.new` after an import,
//! `gate.passed` / `gate.failed` after a verdict.

use std::collections::HashSet;

use time::OffsetDateTime;
use ward_core::{Finding, Severity};
use ward_notify::{Event, EventDetail, FindingSummary, SeverityCounts};
use ward_store::{FindingFilter, FindingQuery, ImportOutcome, Sort, SortKey, Store};

/// Findings a message lists.
const TOP: usize = 5;

/// Events for an import: `scan.completed` always, `finding.new` when the import added findings
/// at or above `threshold`.
pub async fn for_import(
    store: &dyn Store,
    outcome: &ImportOutcome,
    public_url: Option<&str>,
    threshold: Severity,
) -> ward_store::Result<Vec<Event>> {
    let now = OffsetDateTime::now_utc();
    let product = &outcome.product.name;
    let engagement = &outcome.engagement.name;
    let url = public_url.map(|base| {
        format!(
            "{}/api/v1/products/{product}/engagements/{engagement}",
            base.trim_end_matches('/')
        )
    });
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

    // Every finding of the test at or above the threshold, most severe first; those the import
    // created make `finding.new`.
    let new: HashSet<_> = outcome.new.iter().copied().collect();
    let mut new_counts = SeverityCounts::default();
    let mut new_top = Vec::new();
    let mut query = FindingQuery {
        filter: FindingFilter {
            test: Some(outcome.test.id),
            min_severity: Some(threshold),
            ..FindingFilter::default()
        },
        sort: Sort {
            key: SortKey::Severity,
            descending: true,
        },
        limit: ward_store::query::MAX_PAGE_SIZE,
        cursor: None,
    };
    let mut all_top = Vec::new();
    if !new.is_empty() {
        loop {
            let page = store.find_findings(&query).await?;
            for stored in page.findings.iter().filter(|f| new.contains(&f.id)) {
                new_counts.add(stored.finding.severity);
                if new_top.len() < TOP {
                    new_top.push(summary(&stored.id.to_string(), &stored.finding));
                }
            }
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => break,
            }
        }
    }

    // The test's counts and its most severe findings, for `scan.completed`.
    let counts = store
        .count_findings(&FindingFilter {
            test: Some(outcome.test.id),
            ..FindingFilter::default()
        })
        .await?;
    let mut test_counts = SeverityCounts::default();
    for (severity, n) in &counts.by_severity {
        let slot = match severity {
            Severity::Critical => &mut test_counts.critical,
            Severity::High => &mut test_counts.high,
            Severity::Medium => &mut test_counts.medium,
            Severity::Low => &mut test_counts.low,
            Severity::Info => &mut test_counts.info,
        };
        *slot = *n;
    }
    query.filter.min_severity = None;
    query.limit = TOP as u32;
    query.cursor = None;
    let page = store.find_findings(&query).await?;
    all_top.extend(
        page.findings
            .iter()
            .map(|f| summary(&f.id.to_string(), &f.finding)),
    );

    let mut events = vec![base(
        EventDetail::ScanCompleted {
            tools: vec![outcome.test.tool.clone()],
            n_findings: counts.total,
            n_new: outcome.new.len() as u64,
        },
        test_counts,
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
    Ok(events)
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
