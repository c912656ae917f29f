//! Dashboard counts from the summary tables the stores keep current with triggers.
//!
//! Both stores keep `finding_state_counts` (findings by product, severity, category, stored
//! status and flags) and `finding_day_counts` (findings first seen, closed and reopened per
//! product and UTC day). A count whose filter names only those columns is read from them:
//! a few hundred rows instead of every matching finding.
//!
//! The summary knows stored statuses. A risk acceptance whose date has passed counts as open
//! before the expiry sweep rewrites it, so a store reads those few findings from its index of
//! accepted findings and [`effective`] moves them from accepted to open.

use std::collections::BTreeMap;

use ward_core::Status;

use crate::query::FindingFilter;

/// Whether [`FindingFilter`] names only what the state summary counts by: products,
/// severity, category, status and the active and verified flags.
pub fn summarized(filter: &FindingFilter) -> bool {
    let FindingFilter {
        allowed_products: _,
        product: _,
        product_name: _,
        engagement,
        test,
        min_severity: _,
        severities: _,
        categories: _,
        statuses: _,
        active: _,
        verified: _,
        tool,
        identifier,
        text,
        first_seen_before,
        first_seen_after,
        sla_breached,
        assignee,
        as_of: _,
    } = filter;
    engagement.is_none()
        && test.is_none()
        && tool.is_none()
        && identifier.is_none()
        && text.as_deref().is_none_or(|t| t.trim().is_empty())
        && first_seen_before.is_none()
        && first_seen_after.is_none()
        && sla_breached.is_none()
        && assignee.is_none()
}

/// Whether a filter asks for SLA breaches and otherwise names only summary columns: the
/// stores count those from their index of open findings by due date.
pub fn breach_count(filter: &FindingFilter) -> bool {
    filter.sla_breached == Some(true)
        && summarized(&FindingFilter {
            sla_breached: None,
            ..filter.clone()
        })
}

/// The filter without its statuses: what the summary rows and the expired acceptances are
/// selected by before [`effective`] applies the statuses.
pub fn without_statuses(filter: &FindingFilter) -> FindingFilter {
    FindingFilter {
        statuses: Vec::new(),
        ..filter.clone()
    }
}

/// Effective counts per key and status, keeping `statuses` (all when empty).
///
/// `stored` are summary counts by stored status; `expired` the accepted findings whose
/// acceptance has ended, per key: they are taken from `accepted` and counted as `open`.
pub fn effective<K: Ord + Copy>(
    stored: impl IntoIterator<Item = (K, Status, i64)>,
    expired: impl IntoIterator<Item = (K, i64)>,
    statuses: &[Status],
) -> Vec<(K, Status, u64)> {
    let mut counts: BTreeMap<(K, Status), i64> = BTreeMap::new();
    for (key, status, n) in stored {
        *counts.entry((key, status)).or_default() += n;
    }
    for (key, n) in expired {
        *counts.entry((key, Status::Accepted)).or_default() -= n;
        *counts.entry((key, Status::Open)).or_default() += n;
    }
    counts
        .into_iter()
        .filter(|((_, status), _)| statuses.is_empty() || statuses.contains(status))
        .filter_map(|((key, status), n)| {
            Some((key, status, u64::try_from(n).ok().filter(|n| *n > 0)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_acceptances_count_as_open() {
        let stored = [
            ("a", Status::Open, 3),
            ("a", Status::Accepted, 2),
            ("b", Status::Accepted, 1),
            ("b", Status::Mitigated, 0),
        ];
        let expired = [("a", 1), ("b", 1)];
        assert_eq!(
            effective(stored, expired, &[]),
            vec![
                ("a", Status::Open, 4),
                ("a", Status::Accepted, 1),
                ("b", Status::Open, 1),
            ]
        );
        assert_eq!(
            effective(stored, expired, &[Status::Accepted]),
            vec![("a", Status::Accepted, 1)]
        );
    }

    #[test]
    fn only_summary_columns_are_summarized() {
        let mut filter = FindingFilter {
            statuses: vec![Status::Open],
            severities: vec![ward_core::Severity::High],
            ..FindingFilter::default()
        };
        assert!(summarized(&filter));
        assert!(!breach_count(&filter));
        filter.sla_breached = Some(true);
        assert!(!summarized(&filter));
        assert!(breach_count(&filter));
        filter.tool = Some("trivy".into());
        assert!(!breach_count(&filter));
        assert!(summarized(&FindingFilter {
            text: Some("  ".into()),
            ..FindingFilter::default()
        }));
    }
}
