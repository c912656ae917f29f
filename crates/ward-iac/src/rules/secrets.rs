//! Recognising plaintext credentials in configuration values, shared by the rules on
//! environment variables and user data. Matches only shapes, never prints a value.

use crate::model::Node;

/// Name fragments that mark a variable as holding a credential.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "access_key",
    "accesskey",
    "private_key",
    "privatekey",
    "credential",
    "auth_key",
];

/// Suffixes that name a pointer to a secret rather than the secret itself.
const POINTER_SUFFIXES: &[&str] = &[
    "_arn",
    "arn",
    "_name",
    "_path",
    "_file",
    "_ref",
    "_id_ref",
    "_secret_name",
];

/// Whether a variable name says it holds a credential (`DB_PASSWORD`, `apiToken`).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
        && !POINTER_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Whether a value is a literal credential-looking string: not empty, not set at deploy
/// time, not a reference (`${…}`, `{{resolve:…}}`, `$VAR`) or an obvious placeholder.
pub(crate) fn is_literal_value(node: &Node) -> bool {
    if node.is_dynamic() {
        return false;
    }
    let Some(value) = node.as_str() else {
        return node.as_i64().is_some();
    };
    let value = value.trim();
    !(value.len() < 4
        || value.contains("${")
        || value.contains("{{")
        || value.starts_with('$')
        || value.starts_with("arn:")
        || matches!(
            value.to_ascii_lowercase().as_str(),
            "changeme" | "placeholder" | "none" | "null" | "true" | "false"
        ))
}

/// Whether text holds an AWS access key id (`AKIA…`/`ASIA…` and 16 upper-case letters or
/// digits).
pub(crate) fn has_aws_key_id(text: &str) -> bool {
    text.match_indices("AKIA")
        .chain(text.match_indices("ASIA"))
        .any(|(at, _)| {
            let tail = text.get(at + 4..).unwrap_or("");
            let key: Vec<u8> = tail.bytes().take(16).collect();
            key.len() == 16
                && key
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && !tail
                    .as_bytes()
                    .get(16)
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        })
}

/// Whether a script assigns a literal value to a credential-named variable
/// (`export AWS_SECRET_ACCESS_KEY=…`, `password: …`), or holds an AWS key id.
pub(crate) fn script_has_secret(script: &str) -> bool {
    has_aws_key_id(script)
        || script.lines().any(|line| {
            let line = line.trim().trim_start_matches("export ").trim();
            let Some((name, value)) = line.split_once(['=', ':']) else {
                return false;
            };
            let name = name.trim().trim_matches(['"', '\'']);
            let value = value.trim().trim_matches(['"', '\'', ';']);
            !name.contains(' ')
                && is_secret_name(name)
                && value.len() >= 8
                && !value.contains('$')
                && !value.contains('(')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_recognised() {
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("secret_key"));
        assert!(!is_secret_name("DB_PASSWORD_ARN"));
        assert!(!is_secret_name("LOG_LEVEL"));
        assert!(has_aws_key_id("key=AKIAIOSFODNN7EXAMPLE"));
        assert!(!has_aws_key_id("AKIA_short"));
        assert!(script_has_secret(
            "#!/bin/sh\nexport DB_PASSWORD=hunter2hunter2\n"
        ));
        assert!(!script_has_secret(
            "export DB_PASSWORD=$(aws ssm get-parameter)\n"
        ));
        assert!(is_literal_value(&Node::str("s3cr3t-value", 1)));
        assert!(!is_literal_value(&Node::str(
            "{{resolve:secretsmanager:x}}",
            1
        )));
    }
}
