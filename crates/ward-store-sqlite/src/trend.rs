//! Findings opened, closed and reopened per day (see `ward_store::trend`): new findings by
//! `first_seen`, status changes from the audit trail, bucketed by whole UTC days.

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use ward_store::trend::{self, ChangeWindow, DayChanges, SECONDS_PER_DAY};
use ward_store::{codec, FindingId, Result};

use crate::import::id_array;
use crate::rows::db;

pub(crate) async fn by_day(
    conn: &mut SqliteConnection,
    window: &ChangeWindow,
) -> Result<Vec<DayChanges>> {
    let (from, to) = (codec::to_unix(window.from), codec::to_unix(window.to));
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT day, SUM(opened) AS opened, SUM(closed) AS closed, SUM(reopened) AS reopened \
         FROM (SELECT f.first_seen / {SECONDS_PER_DAY} AS day, 1 AS opened, 0 AS closed, \
         0 AS reopened FROM findings f WHERE f.first_seen >= "
    ));
    query
        .push_bind(from)
        .push(" AND f.first_seen < ")
        .push_bind(to);
    push_products(&mut query, window);
    query.push(format!(
        " UNION ALL SELECT a.at / {SECONDS_PER_DAY}, 0, \
         CASE WHEN a.to_status <> 'open' THEN 1 ELSE 0 END, \
         CASE WHEN a.to_status = 'open' THEN 1 ELSE 0 END \
         FROM finding_audit a JOIN findings f ON f.id = a.finding_id \
         WHERE (a.from_status = 'open') <> (a.to_status = 'open') AND a.at >= "
    ));
    query.push_bind(from).push(" AND a.at < ").push_bind(to);
    push_products(&mut query, window);
    query.push(") GROUP BY day ORDER BY day");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(db)?;
    rows.iter()
        .map(|row| {
            Ok(DayChanges {
                day: trend::day_of(row.try_get("day").map_err(db)?),
                opened: trend::count(row.try_get("opened").map_err(db)?),
                closed: trend::count(row.try_get("closed").map_err(db)?),
                reopened: trend::count(row.try_get("reopened").map_err(db)?),
            })
        })
        .collect()
}

fn push_products(query: &mut QueryBuilder<Sqlite>, window: &ChangeWindow) {
    if let Some(products) = &window.products {
        let ids: Vec<FindingId> = products.iter().map(|p| FindingId(p.0)).collect();
        query
            .push(" AND f.product_id IN (SELECT value FROM json_each(")
            .push_bind(id_array(&ids))
            .push("))");
    }
}
