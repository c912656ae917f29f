//! The job queue. Many workers claim at once: the claim picks the oldest claimable row with
//! `FOR UPDATE SKIP LOCKED`, so concurrent claimers each lock a different row instead of
//! waiting for (or both taking) the same one.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::jobs::{self, Job, JobFailure, JobFilter, JobId, JobRequest, JobState};
use ward_store::{Error, Result};

use crate::rows::db;

const JOB_COLUMNS: &str = "id, kind, product, payload, result_key, state, attempts, \
     max_attempts, worker, lease_expires_at, not_before, error, result_keys, created_at, \
     started_at, finished_at";

pub(crate) async fn enqueue(conn: &mut PgConnection, request: &JobRequest) -> Result<Job> {
    jobs::validate(request)?;
    let now = codec::to_unix(OffsetDateTime::now_utc());
    let sql = format!(
        "INSERT INTO jobs (kind, product, payload, result_key, max_attempts, not_before, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {JOB_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(&request.kind)
        .bind(&request.product)
        .bind(request.payload.to_string())
        .bind(&request.result_key)
        .bind(i64::from(request.max_attempts))
        .bind(now)
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    job(&row)
}

pub(crate) async fn claim(
    conn: &mut PgConnection,
    worker: &str,
    now: OffsetDateTime,
    lease: time::Duration,
) -> Result<Option<Job>> {
    let now_s = codec::to_unix(now);
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = $1, \
         lease_expires_at = $2, started_at = $3 \
         WHERE id = (SELECT id FROM jobs \
                     WHERE (state = 'queued' AND not_before <= $4) \
                        OR (state = 'running' AND lease_expires_at <= $5) \
                     ORDER BY not_before, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING {JOB_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(worker)
        .bind(codec::to_unix(now + lease))
        .bind(now_s)
        .bind(now_s)
        .bind(now_s)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref().map(job).transpose()
}

pub(crate) async fn extend(
    conn: &mut PgConnection,
    id: JobId,
    worker: &str,
    until: OffsetDateTime,
) -> Result<Job> {
    let sql = format!(
        "UPDATE jobs SET lease_expires_at = $1 WHERE id = $2 AND state = 'running' AND worker = $3 \
         RETURNING {JOB_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(codec::to_unix(until))
        .bind(id.0)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    held(conn, id, row).await
}

pub(crate) async fn complete(
    conn: &mut PgConnection,
    id: JobId,
    worker: &str,
    result_keys: &[String],
    now: OffsetDateTime,
) -> Result<Job> {
    let sql = format!(
        "UPDATE jobs SET state = 'succeeded', lease_expires_at = NULL, finished_at = $1, \
         error = NULL, result_keys = $2 WHERE id = $3 AND state = 'running' AND worker = $4 \
         RETURNING {JOB_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(codec::to_unix(now))
        .bind(codec::list_to_json(result_keys))
        .bind(id.0)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    held(conn, id, row).await
}

/// Locks the row first: the decision to retry reads `attempts`, which a concurrent claim
/// (after the lease ran out) could change.
pub(crate) async fn fail(
    conn: &mut PgConnection,
    id: JobId,
    worker: &str,
    failure: &JobFailure,
    now: OffsetDateTime,
) -> Result<Job> {
    let locked = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1 FOR UPDATE");
    let current = sqlx::query(&locked)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found("job", id))?;
    let current = job(&current)?;
    if current.state != JobState::Running || current.worker.as_deref() != Some(worker) {
        return Err(lost(id));
    }
    let retry = jobs::will_retry(failure, current.attempts, current.max_attempts);
    let (state, not_before, finished_at) = if retry {
        let at = jobs::retry_at(now, current.attempts, failure.backoff);
        (JobState::Queued, codec::to_unix(at), None)
    } else {
        (
            JobState::Failed,
            codec::to_unix(current.not_before),
            Some(codec::to_unix(now)),
        )
    };
    let sql = format!(
        "UPDATE jobs SET state = $1, lease_expires_at = NULL, not_before = $2, finished_at = $3, \
         error = $4 WHERE id = $5 RETURNING {JOB_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(state.name())
        .bind(not_before)
        .bind(finished_at)
        .bind(&failure.error)
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    job(&row)
}

pub(crate) async fn release(conn: &mut PgConnection, id: JobId, worker: &str) -> Result<Job> {
    let sql = format!(
        "UPDATE jobs SET state = 'queued', lease_expires_at = NULL, \
         attempts = GREATEST(attempts - 1, 0) WHERE id = $1 AND state = 'running' AND worker = $2 \
         RETURNING {JOB_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(id.0)
        .bind(worker)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    held(conn, id, row).await
}

pub(crate) async fn by_id(conn: &mut PgConnection, id: JobId) -> Result<Job> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    match row {
        Some(row) => job(&row),
        None => Err(Error::not_found("job", id)),
    }
}

pub(crate) async fn list(conn: &mut PgConnection, filter: &JobFilter) -> Result<Vec<Job>> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1::TEXT IS NULL OR state = $2) \
         AND ($3::TEXT IS NULL OR product = $4) ORDER BY id DESC LIMIT $5"
    );
    let state = filter.state.map(JobState::name);
    let rows = sqlx::query(&sql)
        .bind(state)
        .bind(state)
        .bind(&filter.product)
        .bind(&filter.product)
        .bind(filter.effective_limit())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    rows.iter().map(job).collect()
}

/// The updated row, or why there is none: no such job, or the worker does not hold it.
async fn held(conn: &mut PgConnection, id: JobId, row: Option<PgRow>) -> Result<Job> {
    match row {
        Some(row) => job(&row),
        None => {
            by_id(conn, id).await?;
            Err(lost(id))
        }
    }
}

fn lost(id: JobId) -> Error {
    Error::Conflict {
        what: "job lease",
        key: id.to_string(),
    }
}

fn job(row: &PgRow) -> Result<Job> {
    let get_i64 = |column: &str| -> Result<i64> { row.try_get(column).map_err(db) };
    let get_opt = |column: &str| -> Result<Option<i64>> { row.try_get(column).map_err(db) };
    let get_text = |column: &str| -> Result<String> { row.try_get(column).map_err(db) };
    let get_opt_text = |column: &str| -> Result<Option<String>> { row.try_get(column).map_err(db) };
    let count = |column: &'static str| -> Result<u32> {
        u32::try_from(get_i64(column)?).map_err(|e| Error::corrupt(column, e))
    };
    Ok(Job {
        id: JobId(get_i64("id")?),
        kind: get_text("kind")?,
        product: get_opt_text("product")?,
        payload: serde_json::from_str(&get_text("payload")?)
            .map_err(|e| Error::corrupt("jobs.payload", e))?,
        result_key: get_text("result_key")?,
        state: JobState::from_name(&get_text("state")?)?,
        attempts: count("attempts")?,
        max_attempts: count("max_attempts")?,
        worker: get_opt_text("worker")?,
        lease_expires_at: codec::from_unix_opt(get_opt("lease_expires_at")?)?,
        not_before: codec::from_unix(get_i64("not_before")?)?,
        error: get_opt_text("error")?,
        result_keys: codec::list_from_json(&get_text("result_keys")?)?,
        created_at: codec::from_unix(get_i64("created_at")?)?,
        started_at: codec::from_unix_opt(get_opt("started_at")?)?,
        finished_at: codec::from_unix_opt(get_opt("finished_at")?)?,
    })
}
