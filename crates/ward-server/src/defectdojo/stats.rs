//! DefectDojo's `statistics` of a test: its findings counted per severity and per status,
//! from one store query ([`ward_store::Store::count_states`]), and the `delta` of an import
//! from what the store says it did ([`ImportOutcome::changes`]).

use ward_store::import::Change;
use ward_store::{FindingFilter, ImportOutcome, TestId};

use super::form::Form;
use super::reply::{Counted, DeltaStatistics, SeverityStatusStatistics};
use crate::error::ApiError;
use crate::{store_error, AppState};

/// The counts of a test's findings: every finding any (re)import of it saw.
pub(crate) async fn of_test(
    state: &AppState,
    test: TestId,
) -> Result<SeverityStatusStatistics, ApiError> {
    let filter = FindingFilter {
        test: Some(test),
        ..FindingFilter::default()
    };
    let states = state
        .store
        .count_states(&filter)
        .await
        .map_err(store_error)?;
    let mut stats = SeverityStatusStatistics::default();
    for s in states {
        stats.add_n(
            Counted {
                severity: s.severity,
                status: s.status,
                verified: s.verified,
            },
            s.active,
            s.n,
        );
    }
    Ok(stats)
}

/// What an import did, as DefectDojo's `statistics.delta` lists it.
pub(crate) fn delta(outcome: &ImportOutcome) -> DeltaStatistics {
    let mut delta = DeltaStatistics::default();
    for c in &outcome.changes {
        let list = match c.change {
            Change::Created => &mut delta.created,
            Change::Closed => &mut delta.closed,
            Change::Reactivated => &mut delta.reactivated,
            Change::Untouched => &mut delta.untouched,
        };
        let counted = Counted {
            severity: c.severity,
            status: c.status,
            verified: c.verified,
        };
        list.add_n(counted, c.active, c.n);
    }
    delta
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
