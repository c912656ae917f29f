//! The one error type of every store backend.

use std::error::Error as StdError;

/// What can go wrong in a store call. Backends map their driver errors into these variants,
/// so callers (the server) never see `sqlx` types and can pick an HTTP status from the variant.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named row does not exist (`what` is `product`, `engagement`, `test`, `finding`,
    /// `api key`, `user`).
    #[error("{what} {key} not found")]
    NotFound {
        /// The kind of row.
        what: &'static str,
        /// The id or name asked for.
        key: String,
    },
    /// A row with the same unique name already exists.
    #[error("{what} {key} already exists")]
    Conflict {
        /// The kind of row.
        what: &'static str,
        /// The name that is taken.
        key: String,
    },
    /// The request itself is wrong (an empty name, a finding without fingerprint, a cursor
    /// that was not made by this store); the message says which field.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The request field at fault.
        field: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A stored value could not be read back (a JSON column that no longer parses, an unknown
    /// enum name): the database was changed outside ward or by a newer version.
    #[error("stored {what} cannot be read: {reason}")]
    Corrupt {
        /// The column or value.
        what: &'static str,
        /// The decoding error.
        reason: String,
    },
    /// Applying the schema migrations failed.
    #[error("database migration failed")]
    Migration(#[source] Box<dyn StdError + Send + Sync>),
    /// The database refused or failed a statement, or could not be reached.
    #[error("database error")]
    Database(#[source] Box<dyn StdError + Send + Sync>),
}

impl Error {
    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(what: &'static str, key: impl ToString) -> Error {
        Error::NotFound {
            what,
            key: key.to_string(),
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Corrupt`].
    pub fn corrupt(what: &'static str, reason: impl ToString) -> Error {
        Error::Corrupt {
            what,
            reason: reason.to_string(),
        }
    }
}

/// The result of every store call.
pub type Result<T, E = Error> = std::result::Result<T, E>;
