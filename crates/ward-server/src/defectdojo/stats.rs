//! DefectDojo's `statistics` of a test: its findings counted per severity and per status.
//!
//! The store counts findings by severity for a filter, so the table is assembled from one
//! count per column (all, active, verified, and one per closed status), run concurrently.

use ward_core::{Severity, Status};
use ward_store::{Counts, FindingFilter, TestId};

use super::form::Form;
use super::reply::{SeverityStatusStatistics, StatusStatistics};
use crate::error::ApiError;
use crate::{store_error, AppState};

/// The counts of a test's findings: every finding any (re)import of it saw.
pub(crate) async fn of_test(
    state: &AppState,
    test: TestId,
) -> Result<SeverityStatusStatistics, ApiError> {
    let base = FindingFilter {
        test: Some(test),
        ..FindingFilter::default()
    };
    let with_status = |status: Status| FindingFilter {
        statuses: vec![status],
        ..base.clone()
    };
    let active = FindingFilter {
        active: Some(true),
        ..base.clone()
    };
    let verified = FindingFilter {
        verified: Some(true),
        ..base.clone()
    };
    let (fp, mitigated, accepted, out_of_scope) = (
        with_status(Status::FalsePositive),
        with_status(Status::Mitigated),
        with_status(Status::Accepted),
        with_status(Status::OutOfScope),
    );
    let store = &state.store;
    let (total, active, verified, fp, mitigated, accepted, out_of_scope) = tokio::try_join!(
        store.count_findings(&base),
        store.count_findings(&active),
        store.count_findings(&verified),
        store.count_findings(&fp),
        store.count_findings(&mitigated),
        store.count_findings(&accepted),
        store.count_findings(&out_of_scope),
    )
    .map_err(store_error)?;
    let row = |severity: Option<Severity>| {
        let n = |counts: &Counts| match severity {
            Some(s) => counts.by_severity.get(&s).copied().unwrap_or(0),
            None => counts.total,
        };
        StatusStatistics {
            active: n(&active),
            verified: n(&verified),
            duplicate: 0,
            false_p: n(&fp),
            out_of_scope: n(&out_of_scope),
            is_mitigated: n(&mitigated),
            risk_accepted: n(&accepted),
            total: n(&total),
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
