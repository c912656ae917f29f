//! API keys and dashboard users.

use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::auth::{self, ApiKey, CreatedApiKey, NewApiKey, NewUser, User};
use ward_store::codec;
use ward_store::{ApiKeyId, Error, Result};

use crate::rows::{self, db, is_unique_violation};

pub(crate) async fn create_key(conn: &mut PgConnection, key: &NewApiKey) -> Result<CreatedApiKey> {
    let name = codec::clean_name("name", &key.name)?;
    let products = key
        .products
        .as_ref()
        .map(|names| {
            names
                .iter()
                .map(|n| codec::clean_name("products", n))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .map(|names| codec::list_to_json(&codec::normalize_tags(&names)));
    let generated = auth::generate_key()?;
    let sql = format!(
        "INSERT INTO api_keys (name, prefix, hash, scope, products, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {}",
        rows::API_KEY_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(&name)
        .bind(&generated.prefix)
        .bind(&generated.hash)
        .bind(codec::scope_name(key.scope))
        .bind(products)
        .bind(codec::to_unix(OffsetDateTime::now_utc()))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    Ok(CreatedApiKey {
        key: rows::api_key(&row)?,
        secret: generated.secret,
    })
}

pub(crate) async fn key_by_secret(
    conn: &mut PgConnection,
    presented: &str,
) -> Result<Option<ApiKey>> {
    let Some(prefix) = auth::key_prefix(presented) else {
        return Ok(None);
    };
    let presented_hash = auth::hash_key(presented);
    let sql = format!(
        "SELECT {} FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL",
        rows::API_KEY_COLUMNS
    );
    let candidates = sqlx::query(&sql)
        .bind(prefix)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    for row in &candidates {
        let stored: String = row.try_get("hash").map_err(db)?;
        if auth::hashes_match(&stored, &presented_hash) {
            return rows::api_key(row).map(Some);
        }
    }
    Ok(None)
}

pub(crate) async fn list_keys(conn: &mut PgConnection) -> Result<Vec<ApiKey>> {
    let sql = format!("SELECT {} FROM api_keys ORDER BY id", rows::API_KEY_COLUMNS);
    let found = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db)?;
    found.iter().map(rows::api_key).collect()
}

pub(crate) async fn revoke_key(conn: &mut PgConnection, id: ApiKeyId) -> Result<()> {
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
            .bind(codec::to_unix(OffsetDateTime::now_utc()))
            .bind(id.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(Error::not_found("api key", id));
    }
    Ok(())
}

/// Checks a new user and hashes its password (slow: before the write transaction).
pub(crate) async fn prepare_user(user: &NewUser) -> Result<(String, String)> {
    let username = codec::clean_name("username", &user.username)?;
    if user.password.is_empty() {
        return Err(Error::invalid("password", "must not be empty"));
    }
    let password = user.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::Database(Box::new(e)))??;
    Ok((username, hash))
}

pub(crate) async fn create_user(
    conn: &mut PgConnection,
    (username, hash): (String, String),
    user: &NewUser,
) -> Result<User> {
    let row = sqlx::query(
        "INSERT INTO users (username, password_hash, scope, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, username, scope, created_at",
    )
    .bind(&username)
    .bind(hash)
    .bind(codec::scope_name(user.scope))
    .bind(codec::to_unix(OffsetDateTime::now_utc()))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::Conflict {
                what: "user",
                key: username.clone(),
            }
        } else {
            db(e)
        }
    })?;
    rows::user(&row)
}

pub(crate) async fn verify_user(
    conn: &mut PgConnection,
    username: &str,
    password: &str,
) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT id, username, scope, created_at, password_hash FROM users WHERE username = $1",
    )
    .bind(username.trim())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let stored: Option<String> = row
        .as_ref()
        .map(|r| r.try_get("password_hash").map_err(db))
        .transpose()?;
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || {
        auth::verify_user_password(&password, stored.as_deref())
    })
    .await
    .map_err(|e| Error::Database(Box::new(e)))??;
    match (matches, row) {
        (true, Some(row)) => rows::user(&row).map(Some),
        _ => Ok(None),
    }
}

pub(crate) async fn list_users(conn: &mut PgConnection) -> Result<Vec<User>> {
    let found = sqlx::query("SELECT id, username, scope, created_at FROM users ORDER BY username")
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    found.iter().map(rows::user).collect()
}
