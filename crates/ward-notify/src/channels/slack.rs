//! Slack: a Block Kit message POSTed to an incoming webhook.
//!
//! Format: <https://api.slack.com/messaging/webhooks> and
//! <https://api.slack.com/reference/block-kit/blocks>. Limits kept: header text 150
//! characters, section text 3000, at most 10 fields per section, button URLs 3000. `text` is
//! the fallback shown in notifications. Untrusted text (titles, locations, errors) is escaped
//! for mrkdwn (`&`, `<`, `>`), so a finding title cannot mention `<!channel>` or forge a link.

use serde_json::{json, Value};
use ward_core::Severity;
use ward_vault::Secret;

use super::{check_url, ConfigError};
use crate::render::{self, MAX_FINDINGS};
use crate::{Channel, DeliveryError, Event, HttpClient};

const HEADER_MAX: usize = 150;
const TEXT_MAX: usize = 3000;

/// A Slack incoming webhook.
#[derive(Debug)]
pub struct Slack {
    url: Secret,
    http: HttpClient,
}

impl Slack {
    /// A channel posting to the webhook `url`.
    pub fn new(url: Secret, http: HttpClient) -> Result<Slack, ConfigError> {
        check_url("slack", &url)?;
        Ok(Slack { url, http })
    }

    /// The message body for `event`.
    pub fn message(event: &Event) -> Value {
        let mut blocks = vec![json!({
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": render::truncate(&render::headline(event), HEADER_MAX),
                "emoji": true,
            },
        })];
        let mut summary = escape(&render::summary(event));
        for line in render::details(event) {
            summary.push_str(&format!("\n• {}", escape(&line)));
        }
        blocks.push(section(&summary));
        if render::shows_findings(event) {
            let fields: Vec<Value> = Severity::ALL
                .into_iter()
                .map(|s| {
                    json!({
                        "type": "mrkdwn",
                        "text": format!("*{}*\n{}", render::severity_label(s), event.counts.get(s)),
                    })
                })
                .collect();
            blocks.push(json!({ "type": "section", "fields": fields }));
        }
        if render::shows_findings(event) && !event.top_findings.is_empty() {
            let mut text = "*Top findings*".to_owned();
            for finding in event.top_findings.iter().take(MAX_FINDINGS) {
                text.push_str(&format!(
                    "\n• *{}* {} — {}",
                    render::severity_label(finding.severity),
                    escape(&finding.title),
                    escape(&finding.location),
                ));
            }
            let unlisted = render::n_unlisted(event);
            if unlisted > 0 {
                text.push_str(&format!("\n… and {unlisted} more"));
            }
            blocks.push(section(&text));
        }
        blocks.push(json!({
            "type": "context",
            "elements": [{
                "type": "mrkdwn",
                "text": format!("ward · {} · {}", event.kind(), render::when(event)),
            }],
        }));
        if let Some(url) = &event.url {
            blocks.push(json!({
                "type": "actions",
                "elements": [{
                    "type": "button",
                    "text": { "type": "plain_text", "text": "Open in ward" },
                    "url": render::truncate(url, TEXT_MAX),
                }],
            }));
        }
        json!({
            "text": escape(&render::headline(event)),
            "blocks": blocks,
        })
    }
}

#[async_trait::async_trait]
impl Channel for Slack {
    fn kind(&self) -> &'static str {
        "slack"
    }

    async fn send(&self, event: &Event) -> Result<(), DeliveryError> {
        let body =
            serde_json::to_vec(&Slack::message(event)).expect("a JSON value always serializes");
        self.http
            .post_json("slack", self.url.expose(), body, &[])
            .await
    }
}

fn section(text: &str) -> Value {
    json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": render::truncate(text, TEXT_MAX) },
    })
}

/// Escapes the three characters Slack's mrkdwn reserves for links and mentions.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_links_in_untrusted_text_are_escaped() {
        assert_eq!(
            escape("<!channel> & <https://evil|click>"),
            "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"
        );
    }
}
