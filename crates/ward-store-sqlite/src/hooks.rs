//! Git-host webhook settings per product, and the triggers they record.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::{
    JobId, NewTrigger, ProductHook, ProductId, RecordedTrigger, Result, StoredTrigger,
};

use crate::rows::db;

const TRIGGER_COLUMNS: &str =
    "id, product_id, provider, kind, branch, commit_sha, clone_url, data, job_id, created_at";

pub(crate) async fn set_hook(
    conn: &mut SqliteConnection,
    product: ProductId,
    hook: &ProductHook,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_hooks (product_id, secret, branches, scanners, git_token, \
         updated_at) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (product_id) DO UPDATE SET secret = excluded.secret, \
         branches = excluded.branches, scanners = excluded.scanners, \
         git_token = excluded.git_token, updated_at = excluded.updated_at",
    )
    .bind(product.0)
    .bind(&hook.secret)
    .bind(codec::list_to_json(&hook.branches))
    .bind(hook.scanners.as_deref().map(codec::list_to_json))
    .bind(&hook.git_token)
    .bind(codec::to_unix(now))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn hook(
    conn: &mut SqliteConnection,
    product: ProductId,
) -> Result<Option<ProductHook>> {
    let row = sqlx::query(
        "SELECT secret, branches, scanners, git_token FROM product_hooks WHERE product_id = ?",
    )
    .bind(product.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let branches: String = row.try_get("branches").map_err(db)?;
    let scanners: Option<String> = row.try_get("scanners").map_err(db)?;
    Ok(Some(ProductHook {
        secret: row.try_get("secret").map_err(db)?,
        branches: codec::list_from_json(&branches)?,
        scanners: scanners.as_deref().map(codec::list_from_json).transpose()?,
        git_token: row.try_get("git_token").map_err(db)?,
    }))
}

pub(crate) async fn record(
    conn: &mut SqliteConnection,
    trigger: &NewTrigger,
    now: OffsetDateTime,
) -> Result<RecordedTrigger> {
    let job = match &trigger.job {
        Some(request) => Some(crate::jobs::enqueue(&mut *conn, request).await?.id),
        None => None,
    };
    let sql = format!(
        "INSERT INTO triggers (product_id, provider, kind, branch, commit_sha, clone_url, data, \
         job_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {TRIGGER_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(trigger.product.0)
        .bind(&trigger.provider)
        .bind(&trigger.kind)
        .bind(&trigger.branch)
        .bind(&trigger.commit_sha)
        .bind(&trigger.clone_url)
        .bind(&trigger.data)
        .bind(job.map(|id| id.0))
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let mut closed_engagement = false;
    if trigger.kind == "delete_branch" {
        let done = sqlx::query(
            "UPDATE engagements SET closed_at = ? \
             WHERE product_id = ? AND name = ? AND closed_at IS NULL",
        )
        .bind(codec::to_unix(now))
        .bind(trigger.product.0)
        .bind(&trigger.branch)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        closed_engagement = done.rows_affected() > 0;
    }
    Ok(RecordedTrigger {
        trigger: stored(&row)?,
        closed_engagement,
    })
}

pub(crate) async fn list(
    conn: &mut SqliteConnection,
    product: ProductId,
) -> Result<Vec<StoredTrigger>> {
    let sql = format!("SELECT {TRIGGER_COLUMNS} FROM triggers WHERE product_id = ? ORDER BY id");
    let rows = sqlx::query(&sql)
        .bind(product.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    rows.iter().map(stored).collect()
}

fn stored(row: &SqliteRow) -> Result<StoredTrigger> {
    Ok(StoredTrigger {
        id: row.try_get("id").map_err(db)?,
        product: ProductId(row.try_get("product_id").map_err(db)?),
        provider: row.try_get("provider").map_err(db)?,
        kind: row.try_get("kind").map_err(db)?,
        branch: row.try_get("branch").map_err(db)?,
        commit_sha: row.try_get("commit_sha").map_err(db)?,
        clone_url: row.try_get("clone_url").map_err(db)?,
        data: row.try_get("data").map_err(db)?,
        job: row
            .try_get::<Option<i64>, _>("job_id")
            .map_err(db)?
            .map(JobId),
        created_at: codec::from_unix(row.try_get("created_at").map_err(db)?)?,
    })
}
