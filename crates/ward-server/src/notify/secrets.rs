//! Channel configurations at rest: the secret fields (URLs, signing secrets, SMTP passwords)
//! are encrypted with the master keyring before the store sees them, and shown as `***` in
//! every API answer.

use serde_json::{Map, Value};
use ward_vault::{Keyring, VaultError};

/// The configuration keys that hold secrets, in every channel type.
const SECRET_FIELDS: [&str; 3] = ["url", "secret", "password"];

/// What API answers show instead of a secret.
pub const REDACTED: &str = "***";

/// Encrypts the secret fields of a clear configuration object.
pub fn seal(keyring: &Keyring, config: &Map<String, Value>) -> Result<String, VaultError> {
    let mut sealed = config.clone();
    for field in SECRET_FIELDS {
        if let Some(Value::String(clear)) = sealed.get_mut(field) {
            *clear = keyring.encrypt(clear)?;
        }
    }
    Ok(Value::Object(sealed).to_string())
}

/// Decrypts a stored configuration back to its clear JSON, for building the channel.
pub fn open(keyring: &Keyring, stored: &str) -> Result<Value, OpenError> {
    let mut config = parse(stored)?;
    for field in SECRET_FIELDS {
        if let Some(Value::String(sealed)) = config.get_mut(field) {
            *sealed = keyring.decrypt(sealed)?.expose().to_owned();
        }
    }
    Ok(Value::Object(config))
}

/// A stored configuration re-encrypted under the keyring's newest key; `None` when every
/// secret already uses it.
pub fn rotate(keyring: &Keyring, stored: &str) -> Result<Option<String>, OpenError> {
    let mut config = parse(stored)?;
    let mut changed = false;
    for field in SECRET_FIELDS {
        if let Some(Value::String(sealed)) = config.get_mut(field) {
            if let Some(rotated) = keyring.rotate(sealed)? {
                *sealed = rotated;
                changed = true;
            }
        }
    }
    Ok(changed.then(|| Value::Object(config).to_string()))
}

/// A stored configuration as the API shows it: secrets replaced by `***`.
pub fn redact(stored: &str) -> Value {
    let mut config = parse(stored).unwrap_or_default();
    for field in SECRET_FIELDS {
        if let Some(value) = config.get_mut(field) {
            *value = Value::String(REDACTED.to_owned());
        }
    }
    Value::Object(config)
}

fn parse(stored: &str) -> Result<Map<String, Value>, OpenError> {
    match serde_json::from_str(stored) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(OpenError::Corrupt),
    }
}

/// A stored configuration that cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Not a JSON object: changed outside ward.
    #[error("the stored channel configuration is not a JSON object")]
    Corrupt,
    /// A secret does not decrypt (unknown key id, altered value).
    #[error(transparent)]
    Vault(#[from] VaultError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_redact_round_trip() {
        let keyring = Keyring::load(Some(&"ab".repeat(32)), None).unwrap();
        let clear: Map<String, Value> = serde_json::from_str(
            r#"{"type":"webhook","url":"http://127.0.0.1:9/hook-token","secret":"s3cr3t"}"#,
        )
        .unwrap();
        let sealed = seal(&keyring, &clear).unwrap();
        assert!(
            !sealed.contains("hook-token") && !sealed.contains("s3cr3t"),
            "{sealed}"
        );
        assert_eq!(open(&keyring, &sealed).unwrap(), Value::Object(clear));
        assert_eq!(
            redact(&sealed),
            serde_json::json!({"type":"webhook","url":"***","secret":"***"})
        );
        assert_eq!(rotate(&keyring, &sealed).unwrap(), None);
    }
}
