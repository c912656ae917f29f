//! [`Secret`]: a clear secret value in memory that does not leak through formatting.

use std::fmt;

use zeroize::Zeroizing;

/// A secret held in clear in memory (a channel URL, a password, a token).
///
/// `Debug` prints `Secret("[redacted]")` and `Display` prints `[redacted]`, so the value cannot
/// reach a log line or an error message by accident; the only way to read it is
/// [`Secret::expose`], which is easy to find in review. It implements `Deserialize` (for
/// configuration) but not `Serialize`, so it cannot be written into a response or a database
/// row without going through [`crate::Keyring::encrypt`]. The buffer is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a clear value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    /// The clear value. Call it where the secret is used, never to print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&"[redacted]").finish()
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret::new(value)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), r#"Secret("[redacted]")"#);
        assert_eq!(format!("{secret}"), "[redacted]");
        assert!(!format!("{secret:#?}").contains("hunter2"));

        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // read through Debug only
        struct Smtp {
            user: String,
            password: Secret,
        }
        let config: Smtp = serde_json::from_str(r#"{"user":"ward","password":"hunter2"}"#).unwrap();
        let debug = format!("{config:?}");
        assert!(
            debug.contains("ward") && !debug.contains("hunter2"),
            "{debug}"
        );
        assert_eq!(config.password.expose(), "hunter2");
    }
}
