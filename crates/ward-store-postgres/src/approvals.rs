//! Gate approvals: requested with their messages in one transaction, decided once.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::{
    Approval, ApprovalId, ApprovalState, Decision, EngagementId, Error, MessageBuilder,
    NewApproval, ProductId, Result,
};

use crate::rows::db;

const COLUMNS: &str = "id, product_id, engagement_id, state, verdict, requested_by, decided_by, \
                       reason, created_at, decided_at";

pub(crate) async fn create(
    conn: &mut PgConnection,
    approval: &NewApproval,
    build: &MessageBuilder<'_, Approval>,
    now: OffsetDateTime,
) -> Result<Approval> {
    let sql = format!(
        "INSERT INTO approvals (product_id, engagement_id, state, verdict, requested_by, \
         created_at) VALUES ($1, $2, 'pending', $3, $4, $5) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(approval.product.0)
        .bind(approval.engagement.0)
        .bind(&approval.verdict)
        .bind(&approval.requested_by)
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    let created = stored(&row)?;
    let messages = build(&created)?;
    crate::notify::enqueue(&mut *conn, &messages, now).await?;
    Ok(created)
}

pub(crate) async fn by_id(conn: &mut PgConnection, id: ApprovalId) -> Result<Approval> {
    let sql = format!("SELECT {COLUMNS} FROM approvals WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::not_found("approval", id))?;
    stored(&row)
}

pub(crate) async fn decide(
    conn: &mut PgConnection,
    id: ApprovalId,
    decision: &Decision,
) -> Result<Approval> {
    if decision.state == ApprovalState::Pending {
        return Err(Error::invalid("decision", "must approve or refuse"));
    }
    let sql = format!(
        "UPDATE approvals SET state = $1, decided_by = $2, reason = $3, decided_at = $4 \
         WHERE id = $5 AND state = 'pending' RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(decision.state.as_str())
        .bind(&decision.actor)
        .bind(&decision.reason)
        .bind(codec::to_unix(decision.now))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    match row {
        Some(row) => stored(&row),
        None => {
            let current = by_id(conn, id).await?;
            Err(Error::Conflict {
                what: "approval",
                key: format!("{id} (already {})", current.state.as_str()),
            })
        }
    }
}

fn stored(row: &PgRow) -> Result<Approval> {
    Ok(Approval {
        id: row.try_get("id").map_err(db)?,
        product: ProductId(row.try_get("product_id").map_err(db)?),
        engagement: EngagementId(row.try_get("engagement_id").map_err(db)?),
        state: ApprovalState::from_name(row.try_get("state").map_err(db)?)?,
        verdict: row.try_get("verdict").map_err(db)?,
        requested_by: row.try_get("requested_by").map_err(db)?,
        decided_by: row.try_get("decided_by").map_err(db)?,
        reason: row.try_get("reason").map_err(db)?,
        created_at: codec::from_unix(row.try_get("created_at").map_err(db)?)?,
        decided_at: codec::from_unix_opt(row.try_get("decided_at").map_err(db)?)?,
    })
}
