//! Microsoft Teams: an Adaptive Card in the message envelope that Teams workflow webhooks
//! ("Post to a channel when a webhook request is received") and the older incoming webhooks
//! accept.
//!
//! Format: `{"type": "message", "attachments": [{"contentType":
//! "application/vnd.microsoft.card.adaptive", "content": <card>}]}`, card schema 1.4
//! (<https://adaptivecards.io/explorer/>, supported by Teams). Workflow webhooks answer
//! `202 Accepted`. Untrusted text goes into `TextBlock`s; Teams renders a small Markdown subset
//! there, which cannot run scripts.

use serde_json::{json, Value};
use ward_core::Severity;
use ward_vault::Secret;

use super::{check_url, ConfigError};
use crate::render::{self, Tone, MAX_FINDINGS};
use crate::{Channel, DeliveryError, Event, HttpClient};

/// A Teams workflow or incoming webhook URL.
#[derive(Debug)]
pub struct Teams {
    url: Secret,
    http: HttpClient,
}

impl Teams {
    /// A channel posting to `url`.
    pub fn new(url: Secret, http: HttpClient) -> Result<Teams, ConfigError> {
        check_url("teams", &url)?;
        Ok(Teams { url, http })
    }

    /// The message body for `event`.
    pub fn message(event: &Event) -> Value {
        let colour = match render::tone(event) {
            Tone::Good => "Good",
            Tone::Warning => "Warning",
            Tone::Danger => "Attention",
        };
        let mut body = vec![
            json!({
                "type": "TextBlock",
                "text": render::headline(event),
                "size": "Large",
                "weight": "Bolder",
                "color": colour,
                "wrap": true,
            }),
            json!({
                "type": "TextBlock",
                "text": render::summary(event),
                "wrap": true,
            }),
        ];
        body.extend(render::details(event).into_iter().map(|line| {
            json!({ "type": "TextBlock", "text": format!("- {line}"), "wrap": true, "spacing": "None" })
        }));
        let mut facts = vec![json!({ "title": "Product", "value": event.product })];
        if let Some(engagement) = &event.engagement {
            facts.push(json!({ "title": "Engagement", "value": engagement }));
        }
        if render::shows_findings(event) {
            facts.extend(Severity::ALL.into_iter().map(|s| {
                json!({ "title": render::severity_label(s), "value": event.counts.get(s).to_string() })
            }));
        }
        body.push(json!({ "type": "FactSet", "facts": facts }));
        if render::shows_findings(event) && !event.top_findings.is_empty() {
            body.push(json!({
                "type": "TextBlock",
                "text": "Top findings",
                "weight": "Bolder",
                "separator": true,
            }));
            body.extend(event.top_findings.iter().take(MAX_FINDINGS).map(|finding| {
                json!({
                    "type": "TextBlock",
                    "text": format!(
                        "**{}** {} — {}",
                        render::severity_label(finding.severity),
                        finding.title,
                        finding.location
                    ),
                    "wrap": true,
                    "spacing": "Small",
                })
            }));
            let unlisted = render::n_unlisted(event);
            if unlisted > 0 {
                body.push(json!({
                    "type": "TextBlock",
                    "text": format!("… and {unlisted} more"),
                    "isSubtle": true,
                }));
            }
        }
        body.push(json!({
            "type": "TextBlock",
            "text": format!("ward · {} · {}", event.kind(), render::when(event)),
            "isSubtle": true,
            "size": "Small",
        }));
        let mut card = json!({
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "msteams": { "width": "Full" },
            "body": body,
        });
        if let Some(url) = &event.url {
            card["actions"] =
                json!([{ "type": "Action.OpenUrl", "title": "Open in ward", "url": url }]);
        }
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": card,
            }],
        })
    }
}

#[async_trait::async_trait]
impl Channel for Teams {
    fn kind(&self) -> &'static str {
        "teams"
    }

    async fn send(&self, event: &Event) -> Result<(), DeliveryError> {
        let body =
            serde_json::to_vec(&Teams::message(event)).expect("a JSON value always serializes");
        self.http
            .post_json("teams", self.url.expose(), body, &[])
            .await
    }
}
