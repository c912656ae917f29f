//! The notification outbox, for operators: what is pending, what was sent, what is dead
//! (`?state=dead`: messages given up on, with their last error).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_store::{MessageState, OutboxMessage, Scope};

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_outbox))
}

/// Outbox filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct OutboxParams {
    /// `pending`, `sent` or `dead`; absent is all.
    state: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<u32>,
}

/// One outbox message.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct MessageView {
    id: i64,
    channel: String,
    /// The event's kind (`finding.new` …).
    kind: String,
    /// `pending`, `sent` or `dead`.
    state: String,
    /// Failed attempts.
    attempts: u32,
    /// RFC 3339: when it is (or was last) due.
    next_attempt_at: String,
    /// The last failure.
    last_error: Option<String>,
    /// RFC 3339.
    created_at: String,
    /// RFC 3339.
    sent_at: Option<String>,
    /// The event, as the generic webhook sends it.
    #[schema(value_type = Object)]
    event: serde_json::Value,
}

impl From<OutboxMessage> for MessageView {
    fn from(m: OutboxMessage) -> MessageView {
        MessageView {
            id: m.id,
            kind: m.kind,
            state: m.state.as_str().to_owned(),
            attempts: m.attempts,
            next_attempt_at: super::views::rfc3339(m.next_attempt_at),
            last_error: m.last_error,
            created_at: super::views::rfc3339(m.created_at),
            sent_at: m.sent_at.map(super::views::rfc3339),
            event: serde_json::from_str(&m.event).unwrap_or(serde_json::Value::Null),
            channel: m.channel,
        }
    }
}

/// Outbox messages, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "notifications", params(OutboxParams),
    responses((status = 200, body = Vec<MessageView>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_outbox(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<OutboxParams>,
) -> Result<Json<Vec<MessageView>>, ApiError> {
    caller.require_global(Scope::Read)?;
    let wanted = params
        .state
        .as_deref()
        .map(|name| {
            MessageState::from_name(name).ok_or_else(|| {
                ApiError::field(
                    "state",
                    format!("unknown state `{name}`: expected pending, sent or dead"),
                )
            })
        })
        .transpose()?;
    let limit = params.limit.unwrap_or(100).clamp(1, 1000);
    let messages = state
        .store
        .list_messages(wanted, limit)
        .await
        .map_err(store_error)?;
    Ok(Json(messages.into_iter().map(Into::into).collect()))
}
