//! Found secrets: kept only masked and hashed, never in clear.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A secret a scanner found, reduced to what is safe to store: a masked form for people and a
/// SHA-256 for matching the same secret across reports and tools.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Secret {
    /// A few leading characters and asterisks, e.g. `AKIA****`.
    pub masked: String,
    /// Lower-case hex SHA-256 of the clear value.
    pub sha256: String,
}

impl Secret {
    /// Masks and hashes a clear value. The clear value is not kept.
    pub fn from_clear(clear: &str) -> Secret {
        Secret {
            masked: mask(clear),
            sha256: hex(&Sha256::digest(clear.as_bytes())),
        }
    }

    /// Replaces every occurrence of `clear` in `text` with the masked form.
    ///
    /// Used on the fields a tool copies the secret into (a matched line, a title). Blank or
    /// very short secrets are not searched for, since they would mangle unrelated text.
    pub fn redact(&self, text: &str, clear: &str) -> String {
        if clear.trim().chars().count() < 4 || !text.contains(clear) {
            return text.to_string();
        }
        text.replace(clear, &self.masked)
    }
}

// The masked value is safe to show, but a Debug that prints only it keeps log lines short
// and avoids implying there is more to see.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked)
    }
}

/// Masks a secret: up to four leading characters stay (fewer for short values, none for very
/// short ones), the rest becomes a fixed `****` so the length is not revealed either.
pub fn mask(clear: &str) -> String {
    let clear = clear.trim();
    let n_chars = clear.chars().count();
    let keep = match n_chars {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    };
    let mut masked: String = clear.chars().take(keep).collect();
    masked.push_str("****");
    masked
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_little() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA****");
        assert_eq!(mask("hunter22"), "hu****");
        assert_eq!(mask("abc"), "****");
        assert_eq!(mask(""), "****");
    }

    #[test]
    fn hash_and_redact() {
        let clear = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let s = Secret::from_clear(clear);
        assert_eq!(s.sha256.len(), 64);
        assert!(!format!("{s:?}").contains(clear));
        let line = format!("aws_secret_access_key = {clear}");
        assert_eq!(s.redact(&line, clear), "aws_secret_access_key = wJal****");
        assert!(!serde_json::to_string(&s).unwrap().contains(clear));
    }
}
