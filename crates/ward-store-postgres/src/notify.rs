//! Notification channels, routing rules and the outbox.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::{
    Attempt, Error, MessageId, MessageState, NewChannel, NewMessage, OutboxMessage, Result, RuleId,
    StoredChannel, StoredRule,
};

use crate::rows::{db, is_unique_violation};

const CHANNEL_COLUMNS: &str = "id, name, kind, config, created_at, updated_at";
const RULE_COLUMNS: &str =
    "r.id AS id, c.name AS channel, r.rule AS rule, r.created_at AS created_at";
const MESSAGE_COLUMNS: &str = "id, channel, kind, event, state, attempts, next_attempt_at, \
     last_error, created_at, sent_at";

pub(crate) async fn create_channel(
    conn: &mut PgConnection,
    channel: &NewChannel,
    now: OffsetDateTime,
) -> Result<StoredChannel> {
    let name = codec::clean_name("name", &channel.name)?;
    let sql = format!(
        "INSERT INTO channels (name, kind, config, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {CHANNEL_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(&name)
        .bind(&channel.kind)
        .bind(&channel.config)
        .bind(codec::to_unix(now))
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| conflict(e, &name))?;
    stored_channel(&row)
}

pub(crate) async fn update_channel(
    conn: &mut PgConnection,
    current: &str,
    channel: &NewChannel,
    now: OffsetDateTime,
) -> Result<StoredChannel> {
    let name = codec::clean_name("name", &channel.name)?;
    let sql = format!(
        "UPDATE channels SET name = $1, kind = $2, config = $3, updated_at = $4 \
         WHERE name = $5 RETURNING {CHANNEL_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(&name)
        .bind(&channel.kind)
        .bind(&channel.config)
        .bind(codec::to_unix(now))
        .bind(current)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| conflict(e, &name))?
        .ok_or_else(|| Error::not_found("channel", current))?;
    stored_channel(&row)
}

pub(crate) async fn channel_by_name(
    conn: &mut PgConnection,
    name: &str,
) -> Result<Option<StoredChannel>> {
    let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE name = $1");
    let row = sqlx::query(&sql)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref().map(stored_channel).transpose()
}

pub(crate) async fn list_channels(conn: &mut PgConnection) -> Result<Vec<StoredChannel>> {
    let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY name");
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db)?;
    rows.iter().map(stored_channel).collect()
}

pub(crate) async fn delete_channel(conn: &mut PgConnection, name: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM channels WHERE name = $1")
        .bind(name)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("channel", name));
    }
    Ok(())
}

pub(crate) async fn create_rule(
    conn: &mut PgConnection,
    channel: &str,
    rule: &str,
    now: OffsetDateTime,
) -> Result<StoredRule> {
    let channel_id: i64 = sqlx::query_scalar("SELECT id FROM channels WHERE name = $1")
        .bind(channel)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found("channel", channel))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notification_rules (channel_id, rule, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(channel_id)
    .bind(rule)
    .bind(codec::to_unix(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    Ok(StoredRule {
        id,
        channel: channel.to_owned(),
        rule: rule.to_owned(),
        created_at: codec::truncate(now),
    })
}

pub(crate) async fn list_rules(conn: &mut PgConnection) -> Result<Vec<StoredRule>> {
    let sql = format!(
        "SELECT {RULE_COLUMNS} FROM notification_rules r JOIN channels c ON c.id = r.channel_id \
         ORDER BY r.id"
    );
    let rows = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(StoredRule {
                id: row.try_get("id").map_err(db)?,
                channel: row.try_get("channel").map_err(db)?,
                rule: row.try_get("rule").map_err(db)?,
                created_at: codec::from_unix(row.try_get("created_at").map_err(db)?)?,
            })
        })
        .collect()
}

pub(crate) async fn delete_rule(conn: &mut PgConnection, id: RuleId) -> Result<()> {
    let done = sqlx::query("DELETE FROM notification_rules WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("notification rule", id));
    }
    Ok(())
}

pub(crate) async fn enqueue(
    conn: &mut PgConnection,
    messages: &[NewMessage],
    now: OffsetDateTime,
) -> Result<Vec<MessageId>> {
    let mut ids = Vec::with_capacity(messages.len());
    for message in messages {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (channel, kind, event, state, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id",
        )
        .bind(&message.channel)
        .bind(&message.kind)
        .bind(&message.event)
        .bind(codec::to_unix(now))
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        ids.push(id);
    }
    Ok(ids)
}

/// `SKIP LOCKED`: concurrent senders (several servers on one database) take disjoint rows.
pub(crate) async fn claim(
    conn: &mut PgConnection,
    now: OffsetDateTime,
    limit: u32,
    lease_until: OffsetDateTime,
) -> Result<Vec<OutboxMessage>> {
    let sql = format!(
        "UPDATE outbox SET next_attempt_at = $1 WHERE id IN ( \
             SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $2 \
             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING {MESSAGE_COLUMNS}"
    );
    let rows = sqlx::query(&sql)
        .bind(codec::to_unix(lease_until))
        .bind(codec::to_unix(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut claimed = rows.iter().map(message).collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|m| (m.created_at, m.id));
    Ok(claimed)
}

pub(crate) async fn record_attempt(
    conn: &mut PgConnection,
    id: MessageId,
    attempt: &Attempt,
) -> Result<()> {
    let query = match attempt {
        Attempt::Sent(at) => sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $1, last_error = NULL \
             WHERE id = $2 AND state = 'pending'",
        )
        .bind(codec::to_unix(*at)),
        Attempt::Retry {
            error,
            next_attempt_at,
        } => sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 \
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(error)
        .bind(codec::to_unix(*next_attempt_at)),
        Attempt::Dead { error } => sqlx::query(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = $1 \
             WHERE id = $2 AND state = 'pending'",
        )
        .bind(error),
    };
    query.bind(id).execute(&mut *conn).await.map_err(db)?;
    Ok(())
}

pub(crate) async fn list_messages(
    conn: &mut PgConnection,
    state: Option<MessageState>,
    limit: u32,
) -> Result<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE ($1::TEXT IS NULL OR state = $2) \
         ORDER BY id DESC LIMIT $3"
    );
    let state = state.map(MessageState::as_str);
    let rows = sqlx::query(&sql)
        .bind(state)
        .bind(state)
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    rows.iter().map(message).collect()
}

fn conflict(error: sqlx::Error, name: &str) -> Error {
    if is_unique_violation(&error) {
        Error::Conflict {
            what: "channel",
            key: name.to_owned(),
        }
    } else {
        db(error)
    }
}

fn stored_channel(row: &PgRow) -> Result<StoredChannel> {
    Ok(StoredChannel {
        id: row.try_get("id").map_err(db)?,
        name: row.try_get("name").map_err(db)?,
        kind: row.try_get("kind").map_err(db)?,
        config: row.try_get("config").map_err(db)?,
        created_at: codec::from_unix(row.try_get("created_at").map_err(db)?)?,
        updated_at: codec::from_unix(row.try_get("updated_at").map_err(db)?)?,
    })
}

fn message(row: &PgRow) -> Result<OutboxMessage> {
    let state: String = row.try_get("state").map_err(db)?;
    let attempts: i64 = row.try_get("attempts").map_err(db)?;
    Ok(OutboxMessage {
        id: row.try_get("id").map_err(db)?,
        channel: row.try_get("channel").map_err(db)?,
        kind: row.try_get("kind").map_err(db)?,
        event: row.try_get("event").map_err(db)?,
        state: MessageState::from_name(&state)
            .ok_or_else(|| Error::corrupt("outbox state", &state))?,
        attempts: u32::try_from(attempts).map_err(|e| Error::corrupt("outbox attempts", e))?,
        next_attempt_at: codec::from_unix(row.try_get("next_attempt_at").map_err(db)?)?,
        last_error: row.try_get("last_error").map_err(db)?,
        created_at: codec::from_unix(row.try_get("created_at").map_err(db)?)?,
        sent_at: codec::from_unix_opt(row.try_get("sent_at").map_err(db)?)?,
    })
}
