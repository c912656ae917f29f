//! The channels, one module each, and [`ChannelConfig`], the registry that builds any of them
//! from its configuration (config file, API or CLI).

mod email;
mod rocketchat;
mod slack;
mod teams;
mod webhook;

pub use email::{Email, EmailConfig, SmtpSecurity};
pub use rocketchat::RocketChat;
pub use slack::Slack;
pub use teams::Teams;
pub use webhook::{sign, verify, VerifyError, Webhook, SIGNATURE_HEADER, TIMESTAMP_HEADER};

use serde::Deserialize;
use ward_vault::Secret;

use crate::{Channel, HttpClient};

/// A channel's configuration, tagged by `type`:
///
/// ```json
/// {"type": "slack", "url": "https://hooks.slack.com/services/…"}
/// {"type": "webhook", "url": "https://siem.example/ward", "secret": "…"}
/// {"type": "email", "host": "smtp.example.com", "security": "starttls", "from": "ward@example.com", "to": ["sec@example.com"]}
/// ```
///
/// URLs, passwords and signing secrets are [`Secret`]s: the caller stores this configuration
/// encrypted with `ward_vault`, and it never prints.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChannelConfig {
    /// A Slack incoming webhook.
    Slack {
        /// The webhook URL (it carries its token).
        url: Secret,
    },
    /// A Rocket.Chat incoming webhook integration.
    #[serde(rename = "rocketchat")]
    RocketChat {
        /// The webhook URL (it carries its token).
        url: Secret,
    },
    /// A Microsoft Teams workflow (or legacy incoming webhook) URL.
    Teams {
        /// The workflow URL (it carries its signature).
        url: Secret,
    },
    /// Any HTTP endpoint taking ward's event JSON, signed with HMAC-SHA256.
    Webhook {
        /// The endpoint.
        url: Secret,
        /// The signing secret shared with the receiver.
        secret: Secret,
    },
    /// Email over SMTP.
    Email(EmailConfig),
}

impl ChannelConfig {
    /// The channel type's name (`slack`, `rocketchat`, `teams`, `webhook`, `email`).
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Slack { .. } => "slack",
            ChannelConfig::RocketChat { .. } => "rocketchat",
            ChannelConfig::Teams { .. } => "teams",
            ChannelConfig::Webhook { .. } => "webhook",
            ChannelConfig::Email(_) => "email",
        }
    }

    /// Checks the configuration and builds the channel. HTTP channels share `http`.
    pub fn build(self, http: &HttpClient) -> Result<Box<dyn Channel>, ConfigError> {
        Ok(match self {
            ChannelConfig::Slack { url } => Box::new(Slack::new(url, http.clone())?),
            ChannelConfig::RocketChat { url } => Box::new(RocketChat::new(url, http.clone())?),
            ChannelConfig::Teams { url } => Box::new(Teams::new(url, http.clone())?),
            ChannelConfig::Webhook { url, secret } => {
                Box::new(Webhook::new(url, secret, http.clone())?)
            }
            ChannelConfig::Email(config) => Box::new(Email::new(config)?),
        })
    }
}

/// A channel configuration that cannot work. Never contains the secret values.
#[derive(Debug, thiserror::Error)]
#[error("{channel} channel: {reason}")]
pub struct ConfigError {
    /// The channel type.
    pub channel: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// Checks that a webhook URL is an absolute `http` or `https` URL with a host, without
/// printing it (it is a secret).
fn check_url(channel: &'static str, url: &Secret) -> Result<(), ConfigError> {
    let parsed = reqwest::Url::parse(url.expose()).map_err(|e| ConfigError {
        channel,
        reason: format!("the URL is not valid: {e}"),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(ConfigError {
            channel,
            reason: "the URL must be http:// or https:// with a host".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_read_by_type_and_build() {
        let http = HttpClient::new(std::time::Duration::from_secs(5)).unwrap();
        for (json, kind) in [
            (
                r#"{"type":"slack","url":"https://hooks.slack.com/services/T/B/x"}"#,
                "slack",
            ),
            (
                r#"{"type":"rocketchat","url":"https://chat.example/hooks/a/b"}"#,
                "rocketchat",
            ),
            (
                r#"{"type":"teams","url":"https://example.logic.azure.com/workflows/x"}"#,
                "teams",
            ),
            (
                r#"{"type":"webhook","url":"http://127.0.0.1:9/x","secret":"s3cr3t"}"#,
                "webhook",
            ),
            (
                r#"{"type":"email","host":"smtp.example.com","security":"starttls",
                    "from":"ward@example.com","to":["sec@example.com"]}"#,
                "email",
            ),
        ] {
            let config: ChannelConfig = serde_json::from_str(json).unwrap();
            assert_eq!(config.kind(), kind);
            let debug = format!("{config:?}");
            assert!(
                !debug.contains("hooks") && !debug.contains("s3cr3t"),
                "{debug}"
            );
            assert_eq!(config.build(&http).unwrap().kind(), kind);
        }
    }

    #[test]
    fn bad_configs_are_refused_without_echoing_secrets() {
        let http = HttpClient::new(std::time::Duration::from_secs(5)).unwrap();
        for json in [
            r#"{"type":"slack","url":"hooks.slack.com/services/T/B/secret-token"}"#,
            r#"{"type":"slack","url":"ftp://hooks.slack.com/services/T/B/secret-token"}"#,
            r#"{"type":"webhook","url":"https://siem.example/x","secret":""}"#,
        ] {
            let config: ChannelConfig = serde_json::from_str(json).unwrap();
            let err = config.build(&http).err().expect(json);
            assert!(!err.to_string().contains("secret-token"), "{err}");
        }
        assert!(serde_json::from_str::<ChannelConfig>(r#"{"type":"fax","url":"x"}"#).is_err());
    }
}
