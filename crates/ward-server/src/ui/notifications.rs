//! `GET/POST /admin/notifications`: notification channels (list, add, delete) and routing
//! rules (list, add, delete), for viewers with the admin scope on every product.
//!
//! A channel is made from the form the way the API makes it from JSON
//! (`notify::prepare_channel`: checked, secrets sealed with the master keyring); its URLs,
//! signing secrets and passwords are never shown back, only `***`, as the API shows them.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde_json::{Map, Value};
use ward_core::Severity;
use ward_notify::routing::{Routes, Rule};
use ward_notify::EventKind;
use ward_store::{RuleId, Scope};

use super::layout::{date, page};
use super::session::{Refusal, Viewer};
use super::{field, pairs, store_refusal};
use crate::notify::{self, secrets};
use crate::AppState;

/// Channel types whose whole configuration is a webhook URL (the webhook type adds a secret).
const URL_TYPES: [&str; 4] = ["slack", "rocketchat", "teams", "webhook"];

/// `GET /admin/notifications`.
pub(crate) async fn show(viewer: Viewer, State(state): State<AppState>) -> Result<Markup, Refusal> {
    viewer.require_global(Scope::Admin)?;
    render(&state, &viewer).await
}

async fn render(state: &AppState, viewer: &Viewer) -> Result<Markup, Refusal> {
    let channels = state.store.list_channels().await.map_err(store_refusal)?;
    let rules = state.store.list_rules().await.map_err(store_refusal)?;
    let can_create = state.notifier.keyring().is_ok();
    Ok(page(
        viewer,
        "Notifications",
        html! {
            h2 { "Channels" }
            @if channels.is_empty() { p { "No channels." } } @else {
                table id="channels" {
                    caption.visually-hidden { "Notification channels" }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Type" } th scope="col" { "Configuration" } th scope="col" { "Updated" } th scope="col" { "Delete" } } }
                    tbody {
                        @for c in &channels {
                            tr {
                                td { (c.name) }
                                td { (c.kind) }
                                td.mono { (config_text(&secrets::redact(&c.config))) }
                                td { (date(c.updated_at)) }
                                td {
                                    form method="post" action={ "/admin/notifications/channels/" (super::overview::urlencode(&c.name)) "/delete" } {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        button.secondary type="submit" aria-label={ "Delete channel " (c.name) " and its rules" } { "Delete" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Add a channel" }
            @if can_create {
                (channel_form(viewer))
            } @else {
                p.notice role="status" {
                    "Channels cannot be added: the server has no master key to seal their secrets with. "
                    "Start it with " code { "WARD_MASTER_KEY" } " or " code { "--master-key-file" } "."
                }
            }
            h2 { "Routing rules" }
            p { "An event goes to every channel with a matching rule; empty fields match everything." }
            @if rules.is_empty() { p { "No rules." } } @else {
                table id="rules" {
                    caption.visually-hidden { "Routing rules" }
                    thead { tr { th scope="col" { "Channel" } th scope="col" { "Events" } th scope="col" { "Products" } th scope="col" { "Engagements" } th scope="col" { "Minimum severity" } th scope="col" { "Delete" } } }
                    tbody {
                        @for r in &rules {
                            @let rule = serde_json::from_str::<Rule>(&r.rule).ok();
                            tr {
                                td { (r.channel) }
                                @if let Some(rule) = &rule {
                                    td { (or_all(&rule.events.iter().map(|e| e.as_str().to_string()).collect::<Vec<_>>())) }
                                    td { (or_all(&rule.products)) }
                                    td { (or_all(&rule.engagements)) }
                                    td { (rule.min_severity.map(|s| s.as_str()).unwrap_or("any")) }
                                } @else {
                                    td colspan="4" { "unreadable rule" }
                                }
                                td {
                                    form method="post" action={ "/admin/notifications/rules/" (r.id) "/delete" } {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        button.secondary type="submit" aria-label={ "Delete rule " (r.id) " of channel " (r.channel) } { "Delete" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Add a rule" }
            @if channels.is_empty() { p { "Add a channel first." } } @else {
                (rule_form(viewer, &channels))
            }
        },
    ))
}

fn channel_form(viewer: &Viewer) -> Markup {
    html! {
        form.stack method="post" action="/admin/notifications/channels" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            div.field { label for="c-name" { "Name" } input id="c-name" name="name" required; }
            div.field { label for="c-type" { "Type" }
                select id="c-type" name="type" {
                    @for t in URL_TYPES { option value=(t) { (t) } }
                    option value="email" { "email" }
                }
            }
            fieldset {
                legend { "Slack, Rocket.Chat, Teams, webhook" }
                div.field { label for="c-url" { "Webhook URL (kept sealed, never shown again)" } input id="c-url" name="url" type="password" autocomplete="off"; }
                div.field { label for="c-secret" { "Signing secret (webhook type only)" } input id="c-secret" name="secret" type="password" autocomplete="off"; }
            }
            fieldset {
                legend { "Email" }
                div.field { label for="c-host" { "SMTP host" } input id="c-host" name="host"; }
                div.field { label for="c-port" { "Port (empty: the security's default)" } input id="c-port" name="port" inputmode="numeric"; }
                div.field { label for="c-security" { "Security" }
                    select id="c-security" name="security" {
                        option value="starttls" { "STARTTLS" }
                        option value="tls" { "TLS" }
                        option value="plain" { "plain (loopback only)" }
                    }
                }
                div.field { label for="c-username" { "SMTP user name" } input id="c-username" name="username" autocomplete="off"; }
                div.field { label for="c-password" { "SMTP password (kept sealed)" } input id="c-password" name="password" type="password" autocomplete="new-password"; }
                div.field { label for="c-from" { "From" } input id="c-from" name="from"; }
                div.field { label for="c-to" { "To (comma-separated)" } input id="c-to" name="to"; }
            }
            button type="submit" { "Add channel" }
        }
    }
}

fn rule_form(viewer: &Viewer, channels: &[ward_store::StoredChannel]) -> Markup {
    html! {
        form.stack method="post" action="/admin/notifications/rules" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            div.field { label for="r-channel" { "Channel" }
                select id="r-channel" name="channel" {
                    @for c in channels { option value=(c.name) { (c.name) } }
                }
            }
            fieldset {
                legend { "Events (none checked: every event)" }
                @for kind in EventKind::ALL {
                    label.check { input type="checkbox" name="event" value=(kind.as_str()); " " (kind.as_str()) }
                }
            }
            div.field { label for="r-products" { "Product globs (comma-separated; empty: every product)" } input id="r-products" name="products"; }
            div.field { label for="r-engagements" { "Engagement globs (comma-separated; empty: every engagement)" } input id="r-engagements" name="engagements"; }
            div.field { label for="r-severity" { "Minimum severity" }
                select id="r-severity" name="min_severity" {
                    option value="" { "any" }
                    @for s in Severity::ALL.iter().rev() { option value=(s.as_str()) { (s.as_str()) } }
                }
            }
            button type="submit" { "Add rule" }
        }
    }
}

/// `POST /admin/notifications/channels`.
pub(crate) async fn create_channel(
    viewer: Viewer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = pairs(&body);
    viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    let name = field(&form, "name").ok_or_else(|| bad("name: a channel needs a name"))?;
    let config = channel_config(&form)?;
    let keyring = state
        .notifier
        .keyring()
        .map_err(|e| Refusal::Status(StatusCode::CONFLICT, e.to_string()))?;
    let channel = notify::prepare_channel(keyring, state.notifier.http(), name, &config).map_err(
        |e| match e {
            notify::ChannelError::Invalid(message) => bad(&format!("channel: {message}")),
            notify::ChannelError::Vault(e) => {
                tracing::error!(error = %e, "sealing a channel's secrets");
                Refusal::Status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the channel's secrets could not be sealed; see the server log".into(),
                )
            }
        },
    )?;
    state
        .store
        .create_channel(&channel)
        .await
        .map_err(store_refusal)?;
    Ok(Redirect::to("/admin/notifications").into_response())
}

/// The channel configuration the form describes, as the API's JSON body would give it.
fn channel_config(form: &[(String, String)]) -> Result<Map<String, Value>, Refusal> {
    let kind = field(form, "type").ok_or_else(|| bad("type: required"))?;
    let mut config = Map::new();
    config.insert("type".into(), kind.into());
    let mut put = |key: &str| {
        if let Some(value) = field(form, key) {
            config.insert(key.into(), value.into());
        }
    };
    if URL_TYPES.contains(&kind) {
        put("url");
        if kind == "webhook" {
            put("secret");
        }
        return Ok(config);
    }
    if kind != "email" {
        return Err(bad(&format!("type: `{kind}` is not a channel type")));
    }
    for key in ["host", "security", "username", "password", "from"] {
        put(key);
    }
    if let Some(port) = field(form, "port") {
        let port: u16 = port
            .parse()
            .map_err(|_| bad("port: a number from 1 to 65535"))?;
        config.insert("port".into(), port.into());
    }
    config.insert("to".into(), list(field(form, "to")).into());
    Ok(config)
}

/// `POST /admin/notifications/channels/{name}/delete`: deletes the channel and its rules.
pub(crate) async fn delete_channel(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, Refusal> {
    viewer.check_csrf(field(&pairs(&body), "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    state
        .store
        .delete_channel(&name)
        .await
        .map_err(store_refusal)?;
    Ok(Redirect::to("/admin/notifications").into_response())
}

/// `POST /admin/notifications/rules`.
pub(crate) async fn create_rule(
    viewer: Viewer,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = pairs(&body);
    viewer.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    let channel = field(&form, "channel").ok_or_else(|| bad("channel: required"))?;
    let events = form
        .iter()
        .filter(|(k, _)| k == "event")
        .map(|(_, v)| {
            EventKind::from_name(v).ok_or_else(|| bad(&format!("event: `{v}` is not an event")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let min_severity = match field(&form, "min_severity") {
        None => None,
        Some(name) => Some(
            Severity::ALL
                .into_iter()
                .find(|s| s.as_str() == name)
                .ok_or_else(|| bad(&format!("min_severity: `{name}` is not a severity")))?,
        ),
    };
    let rule = Rule {
        channel: channel.to_string(),
        events,
        products: list(field(&form, "products")),
        engagements: list(field(&form, "engagements")),
        min_severity,
    };
    Routes::new(std::slice::from_ref(&rule)).map_err(|e| bad(&format!("rule: {}", e.source)))?;
    let json = serde_json::to_string(&rule).map_err(|e| {
        tracing::error!(error = %e, "serialising a routing rule");
        Refusal::Status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the rule could not be saved".into(),
        )
    })?;
    state
        .store
        .create_rule(channel, &json)
        .await
        .map_err(store_refusal)?;
    Ok(Redirect::to("/admin/notifications").into_response())
}

/// `POST /admin/notifications/rules/{id}/delete`.
pub(crate) async fn delete_rule(
    viewer: Viewer,
    State(state): State<AppState>,
    Path(id): Path<RuleId>,
    body: Bytes,
) -> Result<Response, Refusal> {
    viewer.check_csrf(field(&pairs(&body), "csrf").unwrap_or(""))?;
    viewer.require_global(Scope::Admin)?;
    state.store.delete_rule(id).await.map_err(store_refusal)?;
    Ok(Redirect::to("/admin/notifications").into_response())
}

fn bad(message: &str) -> Refusal {
    Refusal::Status(StatusCode::BAD_REQUEST, message.to_string())
}

/// A comma-separated form value as a list.
fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

fn or_all(values: &[String]) -> String {
    if values.is_empty() {
        "all".into()
    } else {
        values.join(", ")
    }
}

/// A redacted configuration as `key: value` pairs, without its `type`.
fn config_text(config: &Value) -> String {
    let Some(map) = config.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "type")
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}: {s}"),
            other => format!("{k}: {other}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_make_the_api_configuration() {
        let webhook = channel_config(&form(&[
            ("type", "webhook"),
            ("url", "https://hooks.example.com/x"),
            ("secret", "s"),
            ("host", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            Value::Object(webhook),
            serde_json::json!({"type": "webhook", "url": "https://hooks.example.com/x", "secret": "s"})
        );
        let email = channel_config(&form(&[
            ("type", "email"),
            ("host", "smtp.example.com"),
            ("port", "2525"),
            ("security", "starttls"),
            ("from", "ward@example.com"),
            ("to", "a@example.com, b@example.com"),
            ("url", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            Value::Object(email),
            serde_json::json!({"type": "email", "host": "smtp.example.com", "port": 2525,
                "security": "starttls", "from": "ward@example.com",
                "to": ["a@example.com", "b@example.com"]})
        );
        assert!(channel_config(&form(&[("type", "pager")])).is_err());
        assert!(channel_config(&form(&[("type", "email"), ("port", "high")])).is_err());
    }

    #[test]
    fn redacted_configurations_read_as_text() {
        let shown = config_text(&secrets::redact(
            r#"{"type":"webhook","url":"sealed-1","secret":"sealed-2"}"#,
        ));
        assert_eq!(shown, "secret: ***; url: ***");
    }
}
