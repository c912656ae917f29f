//! The errors of ward-blob.

use std::error::Error as StdError;

/// What went wrong storing, reading or signing an object.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An object name ward does not accept (see [`crate::BlobKey::new`]).
    #[error("invalid object name `{name}`: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A storage location that is neither a folder nor an `s3://` URL, or a folder that
    /// cannot be made.
    #[error("invalid storage location `{location}`: {reason}")]
    InvalidLocation {
        /// The location as given.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A URL-signing key ward does not accept.
    #[error("invalid URL signing key `{key_id}`: {reason}")]
    InvalidSigningKey {
        /// The key id as given.
        key_id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No object has this key.
    #[error("no object `{key}` in {location}")]
    NotFound {
        /// The key, `kind/name`.
        key: String,
        /// The store, as [`crate::BlobStore::location`] names it.
        location: String,
    },
    /// A signed URL was asked of a local folder without a [`crate::UrlSigner`].
    #[error("signed URLs for {location} need a public base URL and a signing key")]
    NoUrlSigner {
        /// The store.
        location: String,
    },
    /// A signed URL was asked for longer than [`crate::MAX_URL_VALIDITY`].
    #[error("a signed URL can be valid for at most {max_seconds} s, not {asked_seconds} s")]
    ValidityTooLong {
        /// The longest validity.
        max_seconds: u64,
        /// The validity asked for.
        asked_seconds: u64,
    },
    /// The store failed (I/O, network, credentials, a missing bucket …).
    #[error("{operation} `{key}` in {location}")]
    Storage {
        /// What was being done: "writing", "reading", "listing" …
        operation: &'static str,
        /// The key or prefix.
        key: String,
        /// The store.
        location: String,
        /// The store's own error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
}
