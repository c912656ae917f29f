//! Driver errors as store errors; reading rows back into the store's types is shared
//! (`ward_store::records`), re-exported here.

use ward_store::Error;

/// A driver error as a store error (unique and check violations get their own variants
/// where the caller knows what they mean).
pub(crate) fn db(error: sqlx::Error) -> Error {
    if let Some(database) = error.as_database_error() {
        if database.is_check_violation() {
            return Error::invalid(
                "findings",
                "a value exceeds a database limit (fingerprints are at most 256 characters)",
            );
        }
    }
    Error::Database(Box::new(error))
}

/// Whether an error is a unique-constraint violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

pub(crate) use ward_store::records::{
    api_key, audit, engagement, finding, product, source, test, user, Record, API_KEY_COLUMNS,
    ENGAGEMENT_COLUMNS, FINDING_COLUMNS, FINDING_TABLES, PRODUCT_COLUMNS, TEST_COLUMNS,
};
