//! Secrets at rest for ward: channel URLs, SMTP passwords, git tokens and webhook secrets are
//! stored encrypted with AES-256-GCM under a master key the operator provides, never in clear.
//!
//! - [`Keyring`] holds one or more master keys (from `WARD_MASTER_KEY` or a key file). The
//!   first key encrypts; every key decrypts, so keys rotate by putting a new key first, running
//!   [`Keyring::rotate`] over the stored values (`ward admin rotate-key`), then dropping the old
//!   key.
//! - A stored value reads `v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id is
//!   derived from the key itself (a short SHA-256 prefix), so it needs no configuration and
//!   tells which key a value needs without trying them all. The `v1:<key id>` header is bound
//!   to the ciphertext as associated data: changing it makes decryption fail.
//! - [`Secret`] wraps a clear value in memory: its `Debug` and `Display` print a placeholder,
//!   it cannot be serialized, and its buffer is wiped when dropped.
//!
//! No configured key is an error ([`VaultError::NoKey`]): a server without a key refuses to
//! start rather than store secrets in clear.
#![warn(missing_docs)]

mod key;
mod keyring;
mod secret;

pub use key::generate_key;
pub use keyring::Keyring;
pub use secret::Secret;

use std::path::PathBuf;

/// The environment variable holding the master key(s).
pub const MASTER_KEY_ENV: &str = "WARD_MASTER_KEY";

/// What went wrong loading keys or opening a stored secret. Messages never contain key
/// material or secret values.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Neither `WARD_MASTER_KEY` nor a key file is configured.
    #[error(
        "no master key configured: set {MASTER_KEY_ENV} or pass --master-key-file \
         (ward refuses to store channel URLs, passwords and tokens in clear); \
         `openssl rand -base64 32` makes a key"
    )]
    NoKey,
    /// Both `WARD_MASTER_KEY` and a key file are configured; which one wins would be a guess.
    #[error("both {MASTER_KEY_ENV} and --master-key-file are set: use one of them")]
    TwoKeySources,
    /// A configured key is not 32 bytes of base64 or hex.
    #[error("master key {origin}: {reason}")]
    BadKey {
        /// Where the key came from: the variable name, or the file and line.
        origin: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same key is configured twice.
    #[error("master key {origin} is listed twice (key id {key_id})")]
    DuplicateKey {
        /// Where the second copy came from.
        origin: String,
        /// The key's id.
        key_id: String,
    },
    /// The key file cannot be read.
    #[error("reading master key file {path}: {source}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A stored value is not in the `v1:<key id>:<data>` format.
    #[error("stored secret is not in ward's encrypted format: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stored value was encrypted under a key that is not configured.
    #[error(
        "stored secret was encrypted with master key {key_id}, which is not configured \
         (add that key after the current one to read it)"
    )]
    UnknownKey {
        /// The key id named in the stored value.
        key_id: String,
    },
    /// Authentication failed: the stored value was altered, or a different key has the same id.
    #[error("stored secret does not decrypt with master key {key_id}: it was altered")]
    Tampered {
        /// The key id named in the stored value.
        key_id: String,
    },
    /// The operating system's random generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
}
