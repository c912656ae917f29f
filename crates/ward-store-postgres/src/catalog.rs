//! Products, engagements and tests.

use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_store::codec;
use ward_store::{
    Engagement, EngagementId, Error, NewEngagement, NewProduct, Product, ProductId, Result,
    SlaPolicy, Test, TestId,
};

use crate::rows::{self, db, is_unique_violation};

pub(crate) async fn create_product(
    conn: &mut PgConnection,
    product: &NewProduct,
    now: OffsetDateTime,
) -> Result<Product> {
    let name = codec::clean_name("name", &product.name)?;
    let sql = format!(
        "INSERT INTO products (name, description, team, tags, sla, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {}",
        rows::PRODUCT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(&name)
        .bind(product.description.as_deref())
        .bind(product.team.as_deref())
        .bind(codec::list_to_json(&codec::normalize_tags(&product.tags)))
        .bind(sla_json(product.sla.as_ref()))
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| conflict_or(e, "product", &name))?;
    rows::product(&row)
}

pub(crate) async fn update_product(
    conn: &mut PgConnection,
    id: ProductId,
    product: &NewProduct,
    default_sla: &SlaPolicy,
) -> Result<Product> {
    let name = codec::clean_name("name", &product.name)?;
    let before = product_by_id(conn, id).await?;
    let sql = format!(
        "UPDATE products SET name = $1, description = $2, team = $3, tags = $4, sla = $5 \
         WHERE id = $6 RETURNING {}",
        rows::PRODUCT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(&name)
        .bind(product.description.as_deref())
        .bind(product.team.as_deref())
        .bind(codec::list_to_json(&codec::normalize_tags(&product.tags)))
        .bind(sla_json(product.sla.as_ref()))
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| conflict_or(e, "product", &name))?;
    let after = rows::product(&row)?;
    let policy = after.sla.unwrap_or(*default_sla);
    if before.sla.unwrap_or(*default_sla) != policy {
        recompute_sla(conn, id, &policy).await?;
    }
    Ok(after)
}

/// Sets every due date of a product's findings from its first-seen time and severity.
async fn recompute_sla(conn: &mut PgConnection, id: ProductId, policy: &SlaPolicy) -> Result<()> {
    for severity in ward_core::Severity::ALL {
        let days = policy.days(severity).map(|d| i64::from(d) * 86_400);
        sqlx::query(
            "UPDATE findings SET sla_due = CASE WHEN $1 IS NULL THEN NULL ELSE first_seen + $2 END \
             WHERE product_id = $3 AND severity = $4",
        )
        .bind(days)
        .bind(days)
        .bind(id.0)
        .bind(codec::severity_rank(severity))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

fn sla_json(sla: Option<&SlaPolicy>) -> Option<String> {
    sla.and_then(|s| serde_json::to_string(s).ok())
}

fn conflict_or(error: sqlx::Error, what: &'static str, key: &str) -> Error {
    if is_unique_violation(&error) {
        Error::Conflict {
            what,
            key: key.to_string(),
        }
    } else {
        db(error)
    }
}

/// Deletes a product once imports into it are done (it takes their lock): its jobs (which
/// name it) explicitly, everything else by the schema's `ON DELETE CASCADE` from `products`;
/// keys limited to it forget it.
pub(crate) async fn delete_product(conn: &mut PgConnection, id: ProductId) -> Result<()> {
    crate::import::lock_product(conn, id).await?;
    let product = product_by_id(conn, id).await?;
    sqlx::query("DELETE FROM jobs WHERE product = $1")
        .bind(&product.name)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    sqlx::query("DELETE FROM products WHERE id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    forget_in_keys(conn, &product.name, OffsetDateTime::now_utc()).await
}

/// Unrevoked keys limited to products lose the deleted one; a key left with none is revoked,
/// so that a new product of the same name is not open to it.
async fn forget_in_keys(conn: &mut PgConnection, name: &str, now: OffsetDateTime) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, products FROM api_keys WHERE products IS NOT NULL AND revoked_at IS NULL",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    for row in rows {
        let key: i64 = row.try_get("id").map_err(db)?;
        let products: String = row.try_get("products").map_err(db)?;
        let products = codec::list_from_json(&products)?;
        if !products.iter().any(|p| p == name) {
            continue;
        }
        let rest: Vec<String> = products.into_iter().filter(|p| p != name).collect();
        let update = if rest.is_empty() {
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2")
                .bind(codec::to_unix(now))
        } else {
            sqlx::query("UPDATE api_keys SET products = $1 WHERE id = $2")
                .bind(codec::list_to_json(&rest))
        };
        update.bind(key).execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

pub(crate) async fn product_by_id(conn: &mut PgConnection, id: ProductId) -> Result<Product> {
    let sql = format!(
        "SELECT {} FROM products WHERE id = $1",
        rows::PRODUCT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref()
        .map(rows::product)
        .ok_or_else(|| Error::not_found("product", id))?
}

pub(crate) async fn product_by_name(
    conn: &mut PgConnection,
    name: &str,
) -> Result<Option<Product>> {
    let sql = format!(
        "SELECT {} FROM products WHERE name = $1",
        rows::PRODUCT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref().map(rows::product).transpose()
}

pub(crate) async fn list_products(conn: &mut PgConnection) -> Result<Vec<Product>> {
    let sql = format!(
        "SELECT {} FROM products ORDER BY name",
        rows::PRODUCT_COLUMNS
    );
    let found = sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(db)?;
    found.iter().map(rows::product).collect()
}

pub(crate) async fn create_engagement(
    conn: &mut PgConnection,
    product: ProductId,
    engagement: &NewEngagement,
    now: OffsetDateTime,
) -> Result<Engagement> {
    let name = codec::clean_name("name", &engagement.name)?;
    product_by_id(conn, product).await?;
    let sql = format!(
        "INSERT INTO engagements (product_id, name, description, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING {}",
        rows::ENGAGEMENT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(product.0)
        .bind(&name)
        .bind(engagement.description.as_deref())
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| conflict_or(e, "engagement", &name))?;
    rows::engagement(&row)
}

pub(crate) async fn engagement_by_id(
    conn: &mut PgConnection,
    id: EngagementId,
) -> Result<Engagement> {
    let sql = format!(
        "SELECT {} FROM engagements WHERE id = $1",
        rows::ENGAGEMENT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref()
        .map(rows::engagement)
        .ok_or_else(|| Error::not_found("engagement", id))?
}

pub(crate) async fn engagement_by_name(
    conn: &mut PgConnection,
    product: ProductId,
    name: &str,
) -> Result<Option<Engagement>> {
    let sql = format!(
        "SELECT {} FROM engagements WHERE product_id = $1 AND name = $2",
        rows::ENGAGEMENT_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(product.0)
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref().map(rows::engagement).transpose()
}

pub(crate) async fn list_engagements(
    conn: &mut PgConnection,
    product: ProductId,
) -> Result<Vec<Engagement>> {
    product_by_id(conn, product).await?;
    let sql = format!(
        "SELECT {} FROM engagements WHERE product_id = $1 ORDER BY name",
        rows::ENGAGEMENT_COLUMNS
    );
    let found = sqlx::query(&sql)
        .bind(product.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    found.iter().map(rows::engagement).collect()
}

pub(crate) async fn test_by_id(conn: &mut PgConnection, id: TestId) -> Result<Test> {
    let sql = format!("SELECT {} FROM tests WHERE id = $1", rows::TEST_COLUMNS);
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref()
        .map(rows::test)
        .ok_or_else(|| Error::not_found("test", id))?
}

pub(crate) async fn list_tests(
    conn: &mut PgConnection,
    engagement: EngagementId,
) -> Result<Vec<Test>> {
    engagement_by_id(conn, engagement).await?;
    let sql = format!(
        "SELECT {} FROM tests WHERE engagement_id = $1 ORDER BY id",
        rows::TEST_COLUMNS
    );
    let found = sqlx::query(&sql)
        .bind(engagement.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    found.iter().map(rows::test).collect()
}
