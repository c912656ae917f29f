//! Findings opened, closed and reopened per day (see `ward_store::trend`), from the
//! `finding_day_counts` summary that triggers keep per product and UTC day.

use sqlx::{PgConnection, Postgres, QueryBuilder};
use ward_store::trend::{self, ChangeWindow, DayChanges};
use ward_store::Result;

use crate::rows::db;

pub(crate) async fn by_day(
    conn: &mut PgConnection,
    window: &ChangeWindow,
) -> Result<Vec<DayChanges>> {
    let (from, to) = trend::day_range(window);
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT f.day, SUM(f.opened)::BIGINT AS opened, SUM(f.closed)::BIGINT AS closed, \
         SUM(f.reopened)::BIGINT AS reopened FROM finding_day_counts f WHERE f.day >= ",
    );
    query.push_bind(from).push(" AND f.day < ").push_bind(to);
    if let Some(products) = &window.products {
        let ids: Vec<i64> = products.iter().map(|p| p.0).collect();
        query
            .push(" AND f.product_id = ANY(")
            .push_bind(ids)
            .push(")");
    }
    query.push(
        " GROUP BY f.day HAVING SUM(f.opened) <> 0 OR SUM(f.closed) <> 0 \
         OR SUM(f.reopened) <> 0 ORDER BY f.day",
    );
    let rows = query.build().fetch_all(&mut *conn).await.map_err(db)?;
    trend::from_rows(&rows)
}
