//! ward's object storage: the reports a scan job writes, the failure reports written in their
//! place when a scan fails, and the archives pipelines upload to be scanned.
//!
//! [`BlobStore`] keeps them through the `object_store` crate in a local folder (the default)
//! or in S3 or any S3-compatible store (`s3://bucket/prefix`, endpoint and credentials from
//! the usual `AWS_*` environment variables). Every object has a [`BlobKey`]: a [`Kind`], which
//! is its key prefix and decides its [`Retention`], and a name. Objects are handed out by
//! signed URLs: S3 presigned URLs, or for the local folder ward URLs signed with HMAC-SHA256
//! by a [`UrlSigner`], which the server checks with [`UrlSigner::verify`].
#![warn(missing_docs)]

mod error;
mod key;
mod retention;
mod signing;
mod store;

pub use error::Error;
pub use key::{BlobKey, Kind};
pub use retention::Retention;
pub use signing::{SignatureError, UrlSigner, MAX_URL_VALIDITY, WARD_URL_PREFIX};
pub use store::{Blob, BlobMeta, BlobStore};
