//! SLA breach notifications: open findings past their due date that were not notified for
//! that due date, queued as messages and marked notified in one transaction.
//! The rows are locked (`SKIP LOCKED`) so two servers checking at once never notify a
//! breach twice.

use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::{FindingId, MessageBuilder, ProductId, Result, SlaBreach};

use crate::rows::db;

pub(crate) async fn notify_breaches(
    conn: &mut PgConnection,
    now: OffsetDateTime,
    build: &MessageBuilder<'_, [SlaBreach]>,
) -> Result<Vec<SlaBreach>> {
    let rows = sqlx::query(
        "SELECT f.id, f.product_id, p.name AS product, f.severity, f.title, \
         COALESCE(f.file_path, f.package, f.url) AS location, f.sla_due \
         FROM findings f JOIN products p ON p.id = f.product_id \
         LEFT JOIN sla_notifications n ON n.finding_id = f.id \
         WHERE f.status = 'open' AND f.sla_due IS NOT NULL AND f.sla_due < $1 \
         AND (n.finding_id IS NULL OR n.sla_due <> f.sla_due) \
         ORDER BY p.name, f.severity DESC, f.sla_due, f.id \
         FOR UPDATE OF f SKIP LOCKED",
    )
    .bind(codec::to_unix(now))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut breaches = Vec::with_capacity(rows.len());
    for row in &rows {
        breaches.push(SlaBreach {
            id: FindingId(row.try_get("id").map_err(db)?),
            product_id: ProductId(row.try_get("product_id").map_err(db)?),
            product: row.try_get("product").map_err(db)?,
            severity: codec::severity_from_rank(i64::from(
                row.try_get::<i16, _>("severity").map_err(db)?,
            ))?,
            title: row.try_get("title").map_err(db)?,
            location: row.try_get("location").map_err(db)?,
            sla_due: codec::from_unix(row.try_get("sla_due").map_err(db)?)?,
        });
    }
    if breaches.is_empty() {
        return Ok(breaches);
    }
    let messages = build(&breaches)?;
    crate::notify::enqueue(&mut *conn, &messages, now).await?;
    for breach in &breaches {
        sqlx::query(
            "INSERT INTO sla_notifications (finding_id, sla_due, notified_at) VALUES ($1, $2, $3) \
             ON CONFLICT (finding_id) DO UPDATE SET sla_due = excluded.sla_due, \
             notified_at = excluded.notified_at",
        )
        .bind(breach.id.0)
        .bind(codec::to_unix(breach.sla_due))
        .bind(codec::to_unix(now))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(breaches)
}
