//! Products' stored gate policies.

use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::{ProductId, ProductPolicy, Result};

use crate::rows::db;

pub(crate) async fn set(
    conn: &mut PgConnection,
    product: ProductId,
    text: &str,
    now: OffsetDateTime,
) -> Result<ProductPolicy> {
    crate::catalog::product_by_id(conn, product).await?;
    sqlx::query(
        "INSERT INTO product_policies (product_id, policy, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (product_id) DO UPDATE SET policy = excluded.policy, \
         updated_at = excluded.updated_at",
    )
    .bind(product.0)
    .bind(text)
    .bind(codec::to_unix(now))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(ProductPolicy {
        text: text.to_string(),
        updated_at: codec::truncate(now),
    })
}

pub(crate) async fn get(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Option<ProductPolicy>> {
    let row = sqlx::query("SELECT policy, updated_at FROM product_policies WHERE product_id = $1")
        .bind(product.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(ProductPolicy {
        text: row.try_get("policy").map_err(db)?,
        updated_at: codec::from_unix(row.try_get("updated_at").map_err(db)?)?,
    }))
}

pub(crate) async fn delete(conn: &mut PgConnection, product: ProductId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM product_policies WHERE product_id = $1")
        .bind(product.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(done.rows_affected() > 0)
}
