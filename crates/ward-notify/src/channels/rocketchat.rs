//! Rocket.Chat: a message with one attachment POSTed to an incoming webhook integration.
//!
//! Format: <https://docs.rocket.chat/docs/integrations> (incoming webhook: `text` plus
//! `attachments` with `title`, `title_link`, `text`, `color` and `fields` of `title`/`value`/
//! `short`). The message `text` holds only ward's own words, so a finding title or a product
//! name cannot @-mention a room through it; names, titles, locations and errors go into the
//! attachment.

use serde_json::{json, Value};
use ward_core::Severity;
use ward_vault::Secret;

use super::{check_url, ConfigError};
use crate::render::{self, MAX_FINDINGS};
use crate::{Channel, DeliveryError, Event, HttpClient};

/// A Rocket.Chat incoming webhook.
#[derive(Debug)]
pub struct RocketChat {
    url: Secret,
    http: HttpClient,
}

impl RocketChat {
    /// A channel posting to the webhook `url`.
    pub fn new(url: Secret, http: HttpClient) -> Result<RocketChat, ConfigError> {
        check_url("rocketchat", &url)?;
        Ok(RocketChat { url, http })
    }

    /// The message body for `event`.
    pub fn message(event: &Event) -> Value {
        let mut text = render::summary(event);
        for line in render::details(event) {
            text.push_str(&format!("\n• {line}"));
        }
        let mut fields: Vec<Value> = Vec::new();
        if render::shows_findings(event) {
            fields.extend(Severity::ALL.into_iter().map(|s| {
                json!({
                    "short": true,
                    "title": render::severity_label(s),
                    "value": event.counts.get(s).to_string(),
                })
            }));
            if !event.top_findings.is_empty() {
                text.push_str("\n\nTop findings:");
                for finding in event.top_findings.iter().take(MAX_FINDINGS) {
                    text.push_str(&format!(
                        "\n• [{}] {} — {}",
                        render::severity_label(finding.severity),
                        finding.title,
                        finding.location
                    ));
                }
                let unlisted = render::n_unlisted(event);
                if unlisted > 0 {
                    text.push_str(&format!("\n… and {unlisted} more"));
                }
            }
        }
        let mut attachment = json!({
            "title": render::scope(event),
            "text": text,
            "color": render::tone(event).hex(),
            "fields": fields,
        });
        if let Some(url) = &event.url {
            attachment["title_link"] = json!(url);
        }
        json!({
            "text": format!("*ward: {}* ({})", render::what(event.kind()), render::when(event)),
            "attachments": [attachment],
        })
    }
}

#[async_trait::async_trait]
impl Channel for RocketChat {
    fn kind(&self) -> &'static str {
        "rocketchat"
    }

    async fn send(&self, event: &Event) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(&RocketChat::message(event))
            .expect("a JSON value always serializes");
        self.http
            .post_json("rocketchat", self.url.expose(), body, &[])
            .await
    }
}
