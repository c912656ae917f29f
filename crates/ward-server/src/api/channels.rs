//! Notification channels and routing rules (admin keys not limited to products). A channel's
//! body is its configuration as `ward_notify::ChannelConfig` reads it (`{"type": "slack",
//! "url": …}`); its secret fields are sealed with the master keyring before they are stored
//! and every answer shows them as `***`. Without a master key, channels cannot be created.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_notify::routing::{Routes, Rule};
use ward_store::{NewChannel, Scope, StoredChannel, StoredRule};

use super::{ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::notify::{self, secrets};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, update_channel, delete_channel))
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(delete_rule))
}

/// A channel to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChannelBody {
    /// Unique name, used by routing rules.
    name: String,
    /// The configuration: `type` (`slack`, `rocketchat`, `teams`, `webhook`, `email`) and
    /// that type's fields.
    #[schema(value_type = Object)]
    config: Map<String, Value>,
}

/// A channel as the API shows it: secrets as `***`.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ChannelView {
    /// Row id.
    id: i64,
    /// Unique name.
    name: String,
    /// Channel type.
    #[serde(rename = "type")]
    kind: String,
    /// The configuration with its secret fields redacted.
    #[schema(value_type = Object)]
    config: Value,
    /// RFC 3339.
    created_at: String,
    /// RFC 3339.
    updated_at: String,
}

impl From<StoredChannel> for ChannelView {
    fn from(channel: StoredChannel) -> ChannelView {
        ChannelView {
            id: channel.id,
            config: secrets::redact(&channel.config),
            name: channel.name,
            kind: channel.kind,
            created_at: super::views::rfc3339(channel.created_at),
            updated_at: super::views::rfc3339(channel.updated_at),
        }
    }
}

/// A routing rule as stored and shown.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RuleView {
    /// Row id.
    id: i64,
    /// The rule: `channel`, `events`, `products`, `engagements`, `min_severity`.
    #[schema(value_type = Object)]
    rule: Value,
    /// RFC 3339.
    created_at: String,
}

impl From<StoredRule> for RuleView {
    fn from(rule: StoredRule) -> RuleView {
        RuleView {
            id: rule.id,
            rule: serde_json::from_str(&rule.rule).unwrap_or(Value::Null),
            created_at: super::views::rfc3339(rule.created_at),
        }
    }
}

/// Every channel.
#[utoipa::path(get, path = "/api/v1/channels", tag = "notifications",
    responses((status = 200, body = Vec<ChannelView>), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_channels(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ChannelView>>, ApiError> {
    caller.require_global(Scope::Admin)?;
    let channels = state.store.list_channels().await.map_err(store_error)?;
    Ok(Json(channels.into_iter().map(Into::into).collect()))
}

/// Creates a channel.
#[utoipa::path(post, path = "/api/v1/channels", tag = "notifications", request_body = ChannelBody,
    responses((status = 201, body = ChannelView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn create_channel(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<(StatusCode, Json<ChannelView>), ApiError> {
    caller.require_global(Scope::Admin)?;
    let channel = sealed(&state, &body)?;
    let created = state
        .store
        .create_channel(&channel)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// A channel.
#[utoipa::path(get, path = "/api/v1/channels/{name}", tag = "notifications",
    params(("name" = String, Path, description = "Channel name")),
    responses((status = 200, body = ChannelView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_channel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ChannelView>, ApiError> {
    caller.require_global(Scope::Admin)?;
    let channel = state
        .store
        .channel_by_name(&name)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::NotFound(format!("channel `{name}` not found")))?;
    Ok(Json(channel.into()))
}

/// Replaces a channel (its rules follow a rename).
#[utoipa::path(put, path = "/api/v1/channels/{name}", tag = "notifications",
    params(("name" = String, Path, description = "Channel name")), request_body = ChannelBody,
    responses((status = 200, body = ChannelView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn update_channel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<Json<ChannelView>, ApiError> {
    caller.require_global(Scope::Admin)?;
    let channel = sealed(&state, &body)?;
    let updated = state
        .store
        .update_channel(&name, &channel)
        .await
        .map_err(store_error)?;
    Ok(Json(updated.into()))
}

/// Deletes a channel and its rules.
#[utoipa::path(delete, path = "/api/v1/channels/{name}", tag = "notifications",
    params(("name" = String, Path, description = "Channel name")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn delete_channel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_global(Scope::Admin)?;
    state
        .store
        .delete_channel(&name)
        .await
        .map_err(store_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every routing rule, oldest first.
#[utoipa::path(get, path = "/api/v1/notification-rules", tag = "notifications",
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RuleView>>, ApiError> {
    caller.require_global(Scope::Admin)?;
    let rules = state.store.list_rules().await.map_err(store_error)?;
    Ok(Json(rules.into_iter().map(Into::into).collect()))
}

/// Adds a routing rule for an existing channel.
#[utoipa::path(post, path = "/api/v1/notification-rules", tag = "notifications",
    request_body(content = Object, description = "`channel`, and optional `events`, `products`, `engagements` (globs), `min_severity`"),
    responses((status = 201, body = RuleView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn create_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(rule): ApiJson<Rule>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    caller.require_global(Scope::Admin)?;
    Routes::new(std::slice::from_ref(&rule))
        .map_err(|e| ApiError::field("rule", e.source.to_string()))?;
    let json = serde_json::to_string(&rule).map_err(ApiError::internal)?;
    let created = state
        .store
        .create_rule(&rule.channel, &json)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Deletes a routing rule.
#[utoipa::path(delete, path = "/api/v1/notification-rules/{id}", tag = "notifications",
    params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_global(Scope::Admin)?;
    state.store.delete_rule(id).await.map_err(store_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks the configuration and seals its secrets; 409 without a master key.
fn sealed(state: &AppState, body: &ChannelBody) -> Result<NewChannel, ApiError> {
    let keyring = state
        .notifier
        .keyring()
        .map_err(|e| ApiError::Conflict(e.to_string()))?;
    notify::prepare_channel(keyring, state.notifier.http(), &body.name, &body.config).map_err(|e| {
        match e {
            notify::ChannelError::Invalid(message) => ApiError::field("config", message),
            notify::ChannelError::Vault(e) => ApiError::internal(e),
        }
    })
}
