//! API keys and dashboard users: scopes, key generation and hashing, password hashing.
//!
//! A key is `ward_` followed by 32 random bytes in base64url. The store keeps only its SHA-256
//! (keys are high-entropy, so a slow hash adds nothing) and its first characters, the
//! *prefix*, which is shown in listings and used to find the row; the hashes are then
//! compared in constant time. Passwords are low-entropy and get Argon2id.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::model::{ApiKeyId, UserId};

/// What a key or user may do. Ordered: each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read findings, products, counts.
    Read,
    /// Read, and import reports.
    Import,
    /// Import, and change finding status.
    Triage,
    /// Everything, including keys, users and products.
    Admin,
}

impl Scope {
    /// Every scope, least to most.
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Import, Scope::Triage, Scope::Admin];

    /// Whether this scope includes `needed`.
    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }

    /// The lowercase name (`read`, `import`, `triage`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Import => "import",
            Scope::Triage => "triage",
            Scope::Admin => "admin",
        }
    }

    /// Reads a lowercase name.
    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An API key as stored (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Database id.
    pub id: ApiKeyId,
    /// A label for people (`gitlab-ci web`).
    pub name: String,
    /// The key's first characters, for display and lookup.
    pub prefix: String,
    /// What it may do.
    pub scope: Scope,
    /// The product names it may read and write; `None` is every product.
    pub products: Option<Vec<String>>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was revoked; a revoked key no longer authenticates.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiKey {
    /// Whether the key may touch the product named `product`.
    pub fn may_access(&self, product: &str) -> bool {
        self.products
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == product))
    }
}

/// What to create a key with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    /// A label for people.
    pub name: String,
    /// What it may do.
    pub scope: Scope,
    /// Product names it is limited to; `None` is every product.
    #[serde(default)]
    pub products: Option<Vec<String>>,
}

/// A newly created key: the row, and the key itself, which is shown once and never stored.
#[derive(Clone)]
pub struct CreatedApiKey {
    /// The stored row.
    pub key: ApiKey,
    /// The key to hand to the client.
    pub secret: String,
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A freshly generated key, before it is stored.
pub struct GeneratedKey {
    /// The clear key, `ward_…`.
    pub secret: String,
    /// Its first [`KEY_PREFIX_LEN`] characters.
    pub prefix: String,
    /// Hex SHA-256 of the clear key.
    pub hash: String,
}

/// How many leading characters of a key are kept in clear (`ward_` and 8 random characters,
/// 48 bits: enough to find the row, far too few to guess the rest).
pub const KEY_PREFIX_LEN: usize = 13;

const KEY_MARKER: &str = "ward_";

/// Generates a key from 32 bytes of the operating system's randomness.
pub fn generate_key() -> Result<GeneratedKey> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Database(Box::new(e)))?;
    let secret = format!("{KEY_MARKER}{}", URL_SAFE_NO_PAD.encode(bytes));
    let prefix = secret[..KEY_PREFIX_LEN].to_string();
    let hash = hash_key(&secret);
    Ok(GeneratedKey {
        secret,
        prefix,
        hash,
    })
}

/// The lookup prefix of a presented key, or `None` when it cannot be a ward key.
pub fn key_prefix(presented: &str) -> Option<&str> {
    let presented = presented.trim();
    (presented.starts_with(KEY_MARKER) && presented.is_ascii())
        .then(|| presented.get(..KEY_PREFIX_LEN))
        .flatten()
}

/// Hex SHA-256 of a key.
pub fn hash_key(key: &str) -> String {
    let digest = Sha256::digest(key.trim().as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// Compares two key hashes in constant time.
pub fn hashes_match(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// A dashboard user (never the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Database id.
    pub id: UserId,
    /// Unique login name.
    pub username: String,
    /// What the user may do.
    pub scope: Scope,
    /// When the user was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What to create a user with.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique, non-blank login name.
    pub username: String,
    /// The clear password, hashed with Argon2id before it is stored.
    pub password: String,
    /// What the user may do.
    pub scope: Scope,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// Hashes a password with Argon2id and a random salt, as a PHC string. Slow on purpose: call
/// it off the async executor (`spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Database(Box::new(e)))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::invalid("salt", e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::invalid("password", e.to_string()))
}

/// Whether `password` matches a PHC string made by [`hash_password`] (constant time).
pub fn verify_password(password: &str, phc: &str) -> Result<bool> {
    let hash = PasswordHash::new(phc).map_err(|e| Error::corrupt("password hash", e))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok())
}

/// Checks a password against a user's stored hash, or, for an unknown user (`None`),
/// against a fixed hash, so that both answers take the same time.
pub fn verify_user_password(password: &str, stored: Option<&str>) -> Result<bool> {
    static UNKNOWN_USER: OnceLock<String> = OnceLock::new();
    match stored {
        Some(phc) => verify_password(password, phc),
        None => {
            let phc = match UNKNOWN_USER.get() {
                Some(phc) => phc,
                None => {
                    let phc = hash_password("ward: no such user")?;
                    UNKNOWN_USER.get_or_init(|| phc)
                }
            };
            verify_password(password, phc).map(|_| false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_and_prefix() {
        let key = generate_key().unwrap();
        assert!(key.secret.starts_with("ward_"));
        assert_eq!(key.secret.len(), 5 + 43);
        assert_eq!(key_prefix(&key.secret), Some(key.prefix.as_str()));
        assert!(hashes_match(&key.hash, &hash_key(&key.secret)));
        assert!(!hashes_match(&key.hash, &hash_key("ward_other")));
        assert_eq!(key_prefix("Token abc"), None);
        assert_eq!(key_prefix("ward_ab"), None);
        assert_eq!(key_prefix("ward_ééééééééé"), None);
    }

    #[test]
    fn scopes_are_ordered() {
        assert!(Scope::Admin.allows(Scope::Triage));
        assert!(Scope::Import.allows(Scope::Read));
        assert!(!Scope::Import.allows(Scope::Triage));
        assert_eq!(Scope::parse("triage"), Some(Scope::Triage));
    }

    #[test]
    fn passwords_verify() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc).unwrap());
        assert!(!verify_password("wrong", &phc).unwrap());
        assert!(verify_password("x", "not a hash").is_err());
    }
}
