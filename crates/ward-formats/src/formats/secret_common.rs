//! Helpers shared by the secret scanners' parsers (TruffleHog, trufflehog3, detect-secrets,
//! Whispers): redacting several clear values at once, and decoding the base64 that early
//! TruffleHog v3 releases wrote secrets in.

use std::cmp::Reverse;

use ward_core::{mask, Secret};

/// The CWE of every hard-coded credential finding: "Use of Hard-coded Credentials".
pub(super) const HARD_CODED_CREDENTIALS: &str = "798";

/// The advice that fits every leaked secret.
pub(super) const SECRET_REMEDIATION: &str =
    "Revoke and rotate the secret, remove it from the code \
     and the repository history, and load it at run time from a secret store or the environment.";

/// The clear values a report holds for one finding, so that every text field built from the
/// report can be cleaned of all of them.
#[derive(Default)]
pub(super) struct Clears {
    values: Vec<String>,
}

impl Clears {
    /// Remembers a clear value (and its trimmed form). Values under four characters are not
    /// searched for, as [`Secret::redact`] does, since they would mangle unrelated text.
    pub(super) fn add(&mut self, clear: &str) {
        for value in [clear, clear.trim()] {
            if value.chars().count() >= 4 && !self.values.iter().any(|v| v == value) {
                self.values.push(value.to_string());
            }
        }
        // Longest first, so that a value containing another is replaced whole.
        self.values.sort_by_key(|v| Reverse(v.len()));
    }

    /// Remembers a matched text (`secret = 'abc…'`, a whole diff line) and the value-like
    /// parts inside it, since a report may repeat the value without its surroundings. A part is
    /// value-like when it has at least eight characters and is not a plain lower-case word or
    /// snake_case identifier.
    pub(super) fn add_with_parts(&mut self, matched: &str) {
        self.add(matched);
        let separators = [
            ' ', '\t', '\'', '"', '`', '=', ':', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>',
        ];
        for part in matched.split(separators) {
            let plain_word = part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if part.chars().count() >= 8 && !plain_word {
                self.add(part);
            }
        }
    }

    /// The text with every remembered value replaced by its masked form.
    pub(super) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &mask(value));
            }
        }
        out
    }
}

/// `masked (sha256:…)` for a clear value: how a secondary secret is shown in evidence.
pub(super) fn masked_with_hash(clear: &str) -> String {
    let secret = Secret::from_clear(clear);
    format!("{} (sha256:{})", secret.masked, secret.sha256)
}

/// Decodes standard base64 with padding; `None` unless the whole text is valid base64.
pub(super) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    if text.is_empty() {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            decode_base64("QUtJQVlWUDRDSVBQRVJVVklGWEc=").as_deref(),
            Some(&b"AKIAYVP4CIPPERUVIFXG"[..])
        );
        assert_eq!(decode_base64("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(decode_base64("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(decode_base64("YWJj").as_deref(), Some(&b"abc"[..]));
        for bad in ["", "YQ=", "Y===", "YQ==YWJj", "a b=", "ab-_"] {
            assert_eq!(decode_base64(bad), None, "{bad}");
        }
    }

    #[test]
    fn clears_redact_all_values_longest_first() {
        let mut clears = Clears::default();
        clears.add("abc");
        clears.add("hunter2hunter2");
        clears.add("hunter2hunter2-and-more");
        let text = "x hunter2hunter2-and-more y hunter2hunter2 abc";
        let out = clears.redact(text);
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.ends_with("abc"), "short values are left: {out}");

        let mut clears = Clears::default();
        clears.add_with_parts("+  \"password\": \"md5$c77N8n6nJPb1$3b35\",");
        let out = clears.redact("changed password to md5$c77N8n6nJPb1$3b35 today");
        assert_eq!(out, "changed password to md5$**** today");
    }
}
