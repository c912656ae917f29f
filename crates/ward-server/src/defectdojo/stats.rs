//! DefectDojo's `statistics` of a test: its findings counted per severity and per status.
//!
//! The store counts findings by severity for a filter, so the table is assembled from one
//! count per column: all findings, active ones, verified ones, and one per closed status that
//! occurs (a status the first count does not see, or a test of one severity, needs no query).

use std::collections::BTreeMap;

use ward_core::{Severity, Status};
use ward_store::{Counts, FindingFilter, TestId};

use super::form::Form;
use super::reply::{SeverityStatusStatistics, StatusStatistics};
use crate::error::ApiError;
use crate::{store_error, AppState};

/// Per-severity counts of one column.
type Column = BTreeMap<Severity, u64>;

/// The counts of a test's findings: every finding any (re)import of it saw.
pub(crate) async fn of_test(
    state: &AppState,
    test: TestId,
) -> Result<SeverityStatusStatistics, ApiError> {
    let base = FindingFilter {
        test: Some(test),
        ..FindingFilter::default()
    };
    let store = &state.store;
    let all = store.count_findings(&base).await.map_err(store_error)?;
    if all.total == 0 {
        return Ok(SeverityStatusStatistics::default());
    }
    let column = |filter: FindingFilter| async move {
        store
            .count_findings(&filter)
            .await
            .map(|counts: Counts| counts.by_severity)
            .map_err(store_error)
    };
    let status_column = |status: Status| {
        let all = &all;
        let base = &base;
        async move {
            let n = all.by_status.get(&status).copied().unwrap_or(0);
            match (n, all.by_severity.keys().next()) {
                (0, _) => Ok(Column::new()),
                (n, Some(only)) if all.by_severity.len() == 1 => Ok(Column::from([(*only, n)])),
                _ => {
                    column(FindingFilter {
                        statuses: vec![status],
                        ..base.clone()
                    })
                    .await
                }
            }
        }
    };
    let (active, verified, false_p, mitigated, accepted, out_of_scope) = tokio::try_join!(
        column(FindingFilter {
            active: Some(true),
            ..base.clone()
        }),
        column(FindingFilter {
            verified: Some(true),
            ..base.clone()
        }),
        status_column(Status::FalsePositive),
        status_column(Status::Mitigated),
        status_column(Status::Accepted),
        status_column(Status::OutOfScope),
    )?;
    let row = |severity: Option<Severity>| {
        let n = |column: &Column| match severity {
            Some(s) => column.get(&s).copied().unwrap_or(0),
            None => column.values().sum(),
        };
        StatusStatistics {
            active: n(&active),
            verified: n(&verified),
            duplicate: 0,
            false_p: n(&false_p),
            out_of_scope: n(&out_of_scope),
            is_mitigated: n(&mitigated),
            risk_accepted: n(&accepted),
            total: n(&all.by_severity),
        }
    };
    Ok(SeverityStatusStatistics {
        info: row(Some(Severity::Info)),
        low: row(Some(Severity::Low)),
        medium: row(Some(Severity::Medium)),
        high: row(Some(Severity::High)),
        critical: row(Some(Severity::Critical)),
        total: row(None),
    })
}

/// The test a reimport form will update, if it exists yet: the one named by id, else the
/// latest test of the named engagement with the form's scan type (the store's rule).
pub(crate) async fn reimported_test(
    state: &AppState,
    form: &Form,
) -> Result<Option<TestId>, ApiError> {
    if let Some(id) = form.test {
        return Ok(Some(TestId(id)));
    }
    let (Some(product), Some(engagement)) = (&form.product_name, &form.engagement_name) else {
        return Ok(None);
    };
    let store = &state.store;
    let Some(product) = store.product_by_name(product).await.map_err(store_error)? else {
        return Ok(None);
    };
    let Some(engagement) = store
        .engagement_by_name(product.id, engagement)
        .await
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    let tests = store.list_tests(engagement.id).await.map_err(store_error)?;
    Ok(tests
        .iter()
        .rev()
        .find(|t| t.scan_type == form.scan_type)
        .map(|t| t.id))
}
