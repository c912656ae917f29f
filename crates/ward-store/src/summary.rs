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

use ward_core::{Category, Severity, Status};

use crate::query::FindingFilter;
use crate::records::Columns;
use crate::{codec, ProductId, Result, StateCount};

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

/// Severity, category, active and verified flag: what a state count is keyed by besides
/// its status.
pub type StateKey = (Severity, Category, bool, bool);

/// The [`StateKey`] of a count row (columns `severity`, `category`, `active`, `verified`).
pub fn state_key(row: &impl Columns) -> Result<StateKey> {
    Ok((
        codec::severity_from_rank(row.small("severity")?)?,
        codec::category_from_name(&row.text("category")?)?,
        row.flag("active")?,
        row.flag("verified")?,
    ))
}

/// Expired acceptances per state key, from rows of a state key and `n`.
pub fn expired_by_state(rows: &[impl Columns]) -> Result<Vec<(StateKey, i64)>> {
    rows.iter()
        .map(|row| Ok((state_key(row)?, row.int("n")?)))
        .collect()
}

/// Effective state counts from summary rows (a state key, the stored `status` and `n`) and
/// the expired acceptances per state key.
pub fn states(
    stored: &[impl Columns],
    expired: Vec<(StateKey, i64)>,
    statuses: &[Status],
) -> Result<Vec<StateCount>> {
    let stored = stored
        .iter()
        .map(|row| {
            Ok((
                state_key(row)?,
                codec::status_from_name(&row.text("status")?)?,
                row.int("n")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(effective(stored, expired, statuses)
        .into_iter()
        .map(
            |((severity, category, active, verified), status, n)| StateCount {
                severity,
                category,
                status,
                active,
                verified,
                n,
            },
        )
        .collect())
}

/// Effective counts per product from summary rows (`product_id`, stored `status`, `n`) and
/// expired acceptances per product (`product_id`, `n`).
pub fn by_product(
    stored: &[impl Columns],
    expired: &[impl Columns],
    statuses: &[Status],
) -> Result<Vec<(ProductId, u64)>> {
    let stored = stored
        .iter()
        .map(|row| {
            Ok((
                ProductId(row.int("product_id")?),
                codec::status_from_name(&row.text("status")?)?,
                row.int("n")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let expired = expired
        .iter()
        .map(|row| Ok((ProductId(row.int("product_id")?), row.int("n")?)))
        .collect::<Result<Vec<_>>>()?;
    let mut counts: BTreeMap<ProductId, u64> = BTreeMap::new();
    for (product, _, n) in effective(stored, expired, statuses) {
        *counts.entry(product).or_default() += n;
    }
    Ok(counts.into_iter().collect())
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
