//! Finding queries, the finding detail, triage and the expiry of risk acceptances.

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use time::OffsetDateTime;
use ward_core::Status;
use ward_store::cursor::{Cursor, NO_SLA_SORT_VALUE};
use ward_store::query::MAX_PAGE_SIZE;
use ward_store::triage::LifecycleState;
use ward_store::{codec, summary};
use ward_store::{
    Error, FindingDetail, FindingFilter, FindingId, FindingQuery, Page, ProductId, Result, SortKey,
    StateCount, Triage,
};

use crate::import::id_array;
use crate::rows::{self, db};

/// Who the store names in the audit trail for changes it makes on its own.
const STORE_ACTOR: &str = "ward";

pub(crate) async fn find<F: rows::Record>(
    conn: &mut SqliteConnection,
    query: &FindingQuery,
) -> Result<Page<F>> {
    let filter = &query.filter;
    let now = codec::to_unix(filter.now());
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let sort_expr = sort_expression(query.sort.key);
    let mut select: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {} FROM {}", F::COLUMNS, F::TABLES));
    push_filter(&mut select, filter, now);
    if let Some(cursor) = &query.cursor {
        let cursor = Cursor::decode(cursor, query.sort)?;
        let comparison = if query.sort.descending { "<" } else { ">" };
        select
            .push(format!(" AND ({sort_expr}, f.id) {comparison} ("))
            .push_bind(cursor.value)
            .push(", ")
            .push_bind(cursor.id)
            .push(")");
    }
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    select
        .push(format!(
            " ORDER BY {sort_expr} {direction}, f.id {direction} LIMIT "
        ))
        .push_bind(i64::from(limit) + 1);
    let found = select.build().fetch_all(&mut *conn).await.map_err(db)?;
    let mut findings = found
        .iter()
        .map(rows::finding::<F>)
        .collect::<Result<Vec<_>>>()?;
    let next_cursor = if findings.len() > limit as usize {
        findings.truncate(limit as usize);
        findings
            .last()
            .map(|last| Cursor::after(last, query.sort.key).encode(query.sort))
    } else {
        None
    };
    Ok(Page {
        findings,
        next_cursor,
    })
}

/// The integer expression a sort key orders by (the same value `cursor::sort_value` computes).
fn sort_expression(key: SortKey) -> String {
    match key {
        SortKey::Severity => "f.severity".to_string(),
        SortKey::FirstSeen => "f.first_seen".to_string(),
        SortKey::LastSeen => {
            "(SELECT s.last_seen FROM finding_seen s WHERE s.finding_id = f.id)".to_string()
        }
        SortKey::SlaDue => format!("COALESCE(f.sla_due, {NO_SLA_SORT_VALUE})"),
        SortKey::Id => "f.id".to_string(),
    }
}

/// The effective status of `f` at the bound time: an expired acceptance is open.
fn push_effective_status(query: &mut QueryBuilder<Sqlite>, now: i64) {
    query
        .push(
            "(CASE WHEN f.status = 'accepted' AND f.risk_accepted_until IS NOT NULL \
             AND f.risk_accepted_until <= ",
        )
        .push_bind(now)
        .push(" THEN 'open' ELSE f.status END)");
}

/// Appends ` WHERE …` for a filter.
fn push_filter(query: &mut QueryBuilder<Sqlite>, filter: &FindingFilter, now: i64) {
    query.push(" WHERE 1 = 1");
    if let Some(allowed) = &filter.allowed_products {
        let ids: Vec<FindingId> = allowed.iter().map(|p| FindingId(p.0)).collect();
        query
            .push(" AND f.product_id IN (SELECT value FROM json_each(")
            .push_bind(id_array(&ids))
            .push("))");
    }
    if let Some(product) = filter.product {
        query.push(" AND f.product_id = ").push_bind(product.0);
    }
    if let Some(name) = &filter.product_name {
        query
            .push(" AND f.product_id = (SELECT p.id FROM products p WHERE p.name = ")
            .push_bind(name.trim().to_string())
            .push(")");
    }
    if let Some(engagement) = filter.engagement {
        query
            .push(
                // `IN`, not a correlated `EXISTS`: SQLite then starts from the engagement's
                // links and looks findings up by id, instead of probing for every finding.
                " AND f.id IN (SELECT ft.finding_id FROM tests t \
                 JOIN finding_tests ft ON ft.test_id = t.id WHERE t.engagement_id = ",
            )
            .push_bind(engagement.0)
            .push(")");
    }
    if let Some(test) = filter.test {
        query
            .push(" AND f.id IN (SELECT ft.finding_id FROM finding_tests ft WHERE ft.test_id = ")
            .push_bind(test.0)
            .push(")");
    }
    if let Some(minimum) = filter.min_severity {
        query
            .push(" AND f.severity >= ")
            .push_bind(codec::severity_rank(minimum));
    }
    if !filter.severities.is_empty() {
        query.push(" AND f.severity IN (");
        let mut list = query.separated(", ");
        for severity in &filter.severities {
            list.push_bind(codec::severity_rank(*severity));
        }
        query.push(")");
    }
    if !filter.categories.is_empty() {
        query.push(" AND f.category IN (");
        let mut list = query.separated(", ");
        for category in &filter.categories {
            list.push_bind(category.as_str());
        }
        query.push(")");
    }
    if !filter.statuses.is_empty() {
        query.push(" AND ");
        push_effective_status(query, now);
        query.push(" IN (");
        let mut list = query.separated(", ");
        for status in &filter.statuses {
            list.push_bind(codec::status_name(*status));
        }
        query.push(")");
    }
    if let Some(active) = filter.active {
        query.push(" AND f.active = ").push_bind(active);
    }
    if let Some(verified) = filter.verified {
        query.push(" AND f.verified = ").push_bind(verified);
    }
    if let Some(tool) = &filter.tool {
        query
            .push(" AND f.tools LIKE ")
            .push_bind(codec::tool_pattern(tool.trim()))
            .push(" ESCAPE '\\'");
    }
    if let Some(identifier) = &filter.identifier {
        query
            .push(
                " AND f.id IN (SELECT i.finding_id FROM finding_identifiers i \
                 WHERE i.value = ",
            )
            .push_bind(identifier.trim().to_uppercase())
            .push(")");
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let pattern = codec::contains_pattern(text);
        query.push(" AND (");
        let mut any = query.separated(" OR ");
        for column in ["f.title", "f.file_path", "f.package", "f.url"] {
            any.push(format!("lower({column}) LIKE "))
                .push_bind_unseparated(pattern.clone())
                .push_unseparated(" ESCAPE '\\'");
        }
        any.push(
            "EXISTS (SELECT 1 FROM finding_data d2 WHERE d2.finding_id = f.id \
             AND lower(d2.description) LIKE ",
        )
        .push_bind_unseparated(pattern)
        .push_unseparated(" ESCAPE '\\')");
        query.push(")");
    }
    if let Some(before) = filter.first_seen_before {
        query
            .push(" AND f.first_seen < ")
            .push_bind(codec::to_unix(before));
    }
    if let Some(after) = filter.first_seen_after {
        query
            .push(" AND f.first_seen >= ")
            .push_bind(codec::to_unix(after));
    }
    if let Some(breached) = filter.sla_breached {
        query.push(if breached { " AND (" } else { " AND NOT (" });
        push_effective_status(query, now);
        query
            .push(" = 'open' AND f.sla_due IS NOT NULL AND f.sla_due < ")
            .push_bind(now)
            .push(")");
    }
    if let Some(assignee) = &filter.assignee {
        query
            .push(" AND f.assignee = ")
            .push_bind(assignee.trim().to_string());
    }
}

/// The finding counts by state a filter matches: from the summary table when the filter
/// names only its columns (see [`ward_store::summary`]), else from the findings.
pub(crate) async fn count_states(
    conn: &mut SqliteConnection,
    filter: &FindingFilter,
) -> Result<Vec<StateCount>> {
    let now = codec::to_unix(filter.now());
    if summary::summarized(filter) {
        let scope = summary::without_statuses(filter);
        let mut stored: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT f.severity, f.category, f.status, f.active, f.verified, \
             SUM(f.n) AS n FROM finding_state_counts f",
        );
        push_filter(&mut stored, &scope, now);
        stored.push(" GROUP BY 1, 2, 3, 4, 5");
        let stored = stored.build().fetch_all(&mut *conn).await.map_err(db)?;
        let expired = expired_states(conn, &scope, now, false).await?;
        return summary::states(&stored, expired, &filter.statuses);
    }
    if summary::breach_count(filter) {
        // Open findings past their due date, from the index of open findings by due date;
        // expired acceptances past it are open too.
        let scope = FindingFilter {
            sla_breached: None,
            ..summary::without_statuses(filter)
        };
        let mut open: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT f.severity, f.category, f.status, f.active, f.verified, COUNT(*) AS n \
             FROM findings f",
        );
        push_filter(&mut open, &scope, now);
        push_open_past_due(&mut open, now);
        open.push(" GROUP BY 1, 2, 3, 4, 5");
        let open = open.build().fetch_all(&mut *conn).await.map_err(db)?;
        let expired = expired_states(conn, &scope, now, true).await?;
        return summary::states(&open, expired, &filter.statuses);
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT f.severity, f.category, ");
    push_effective_status(&mut query, now);
    query.push(" AS state, f.active, f.verified, COUNT(*) AS n FROM findings f");
    push_filter(&mut query, filter, now);
    query.push(" GROUP BY 1, 2, 3, 4, 5");
    let found = query.build().fetch_all(&mut *conn).await.map_err(db)?;
    found
        .iter()
        .map(|row| {
            let (severity, category, active, verified) = summary::state_key(row)?;
            let n: i64 = row.try_get("n").map_err(db)?;
            Ok(StateCount {
                severity,
                category,
                status: codec::status_from_name(row.try_get("state").map_err(db)?)?,
                active,
                verified,
                n: u64::try_from(n).unwrap_or(0),
            })
        })
        .collect()
}

/// How many findings a filter matches: from the summary when it covers the filter; SLA
/// breaches (with only summary columns besides) are two counts from the partial indexes of
/// open and of accepted findings; anything else one `COUNT(*)`, without grouping.
pub(crate) async fn count_total(
    conn: &mut SqliteConnection,
    filter: &FindingFilter,
) -> Result<u64> {
    if summary::summarized(filter) {
        return Ok(count_states(conn, filter).await?.iter().map(|s| s.n).sum());
    }
    if !summary::breach_count(filter) {
        let now = codec::to_unix(filter.now());
        let mut query: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT COUNT(*) AS n FROM findings f");
        push_filter(&mut query, filter, now);
        let n = fetch_count(conn, &mut query).await?;
        return Ok(u64::try_from(n).unwrap_or(0));
    }
    if !filter.statuses.is_empty() && !filter.statuses.contains(&Status::Open) {
        return Ok(0);
    }
    let now = codec::to_unix(filter.now());
    let scope = FindingFilter {
        sla_breached: None,
        ..summary::without_statuses(filter)
    };
    let mut open: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT COUNT(*) AS n FROM findings f");
    push_filter(&mut open, &scope, now);
    push_open_past_due(&mut open, now);
    let open = fetch_count(conn, &mut open).await?;
    let mut expired: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT COUNT(*) AS n FROM findings f INDEXED BY findings_accepted");
    push_filter(&mut expired, &scope, now);
    push_expired(&mut expired, now, true);
    let expired = fetch_count(conn, &mut expired).await?;
    Ok(u64::try_from(open + expired).unwrap_or(0))
}

/// The `n` of a one-row count query.
async fn fetch_count(
    conn: &mut SqliteConnection,
    query: &mut QueryBuilder<'_, Sqlite>,
) -> Result<i64> {
    query
        .build()
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?
        .try_get("n")
        .map_err(db)
}

/// Accepted findings matching `scope` whose acceptance has ended at `now` (and, with
/// `breached`, whose due date has passed), by state key: read from the index of accepted
/// findings, named, since SQLite's planner may otherwise pick an index for the filter's
/// other columns and scan a fifth of a million rows.
async fn expired_states(
    conn: &mut SqliteConnection,
    scope: &FindingFilter,
    now: i64,
    breached: bool,
) -> Result<Vec<(summary::StateKey, i64)>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT f.severity, f.category, f.active, f.verified, COUNT(*) AS n FROM findings f \
         INDEXED BY findings_accepted",
    );
    push_filter(&mut query, scope, now);
    push_expired(&mut query, now, breached);
    query.push(" GROUP BY 1, 2, 3, 4");
    let found = query.build().fetch_all(&mut *conn).await.map_err(db)?;
    summary::expired_by_state(&found)
}

/// ` AND` the finding is stored open and past its due date: the literal status lets the
/// planner read the partial index `findings_open_sla`.
fn push_open_past_due(query: &mut QueryBuilder<Sqlite>, now: i64) {
    query
        .push(" AND f.status = 'open' AND f.sla_due IS NOT NULL AND f.sla_due < ")
        .push_bind(now);
}

/// ` AND` the finding is an acceptance that has ended at `now` (and is past its due date).
fn push_expired(query: &mut QueryBuilder<Sqlite>, now: i64, breached: bool) {
    query
        .push(" AND f.status = 'accepted' AND f.risk_accepted_until <= ")
        .push_bind(now);
    if breached {
        query
            .push(" AND f.sla_due IS NOT NULL AND f.sla_due < ")
            .push_bind(now);
    }
}

/// Findings a filter matches per product.
pub(crate) async fn count_by_product(
    conn: &mut SqliteConnection,
    filter: &FindingFilter,
) -> Result<Vec<(ProductId, u64)>> {
    let now = codec::to_unix(filter.now());
    if summary::summarized(filter) {
        let scope = summary::without_statuses(filter);
        let mut stored: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT f.product_id, f.status, SUM(f.n) AS n FROM finding_state_counts f",
        );
        push_filter(&mut stored, &scope, now);
        stored.push(" GROUP BY 1, 2");
        let stored = stored.build().fetch_all(&mut *conn).await.map_err(db)?;
        let mut expired: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT f.product_id, COUNT(*) AS n FROM findings f INDEXED BY findings_accepted",
        );
        push_filter(&mut expired, &scope, now);
        push_expired(&mut expired, now, false);
        expired.push(" GROUP BY 1");
        let expired = expired.build().fetch_all(&mut *conn).await.map_err(db)?;
        return summary::by_product(&stored, &expired, &filter.statuses);
    }
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT f.product_id, COUNT(*) AS n FROM findings f");
    push_filter(&mut query, filter, now);
    query.push(" GROUP BY f.product_id");
    let found = query.build().fetch_all(&mut *conn).await.map_err(db)?;
    found
        .iter()
        .map(|row| {
            let n: i64 = row.try_get("n").map_err(db)?;
            Ok((
                ProductId(row.try_get("product_id").map_err(db)?),
                u64::try_from(n).unwrap_or(0),
            ))
        })
        .collect()
}

pub(crate) async fn detail(conn: &mut SqliteConnection, id: FindingId) -> Result<FindingDetail> {
    let sql = format!(
        "SELECT {} FROM {} WHERE f.id = ?",
        rows::FINDING_COLUMNS,
        rows::FINDING_TABLES
    );
    let row = sqlx::query(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let finding = row
        .as_ref()
        .map(rows::finding)
        .ok_or_else(|| Error::not_found("finding", id))??;
    let sources = sqlx::query(
        "SELECT ft.test_id, t.title, t.engagement_id, e.name AS engagement_name, t.tool, \
         t.scan_type, ft.first_seen, ft.location FROM finding_tests ft \
         JOIN tests t ON t.id = ft.test_id JOIN engagements e ON e.id = t.engagement_id \
         WHERE ft.finding_id = ? ORDER BY ft.first_seen, ft.test_id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let history = sqlx::query(
        "SELECT finding_id, from_status, to_status, actor, at, reason, risk_accepted_until, \
         assignee FROM finding_audit WHERE finding_id = ? ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    Ok(FindingDetail {
        finding,
        sources: sources.iter().map(rows::source).collect::<Result<_>>()?,
        history: history.iter().map(rows::audit).collect::<Result<_>>()?,
    })
}

pub(crate) async fn triage(
    conn: &mut SqliteConnection,
    ids: &[FindingId],
    triage: &Triage,
) -> Result<Vec<FindingId>> {
    let at = codec::truncate(triage.at.unwrap_or_else(OffsetDateTime::now_utc));
    let actor = codec::clean_name("actor", &triage.actor)?;
    let mut changed = Vec::new();
    for id in ids {
        let row = sqlx::query(
            "SELECT product_id, status, active, risk_accepted_until, mitigated_at, assignee \
             FROM findings WHERE id = ?",
        )
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Err(Error::not_found("finding", id));
        };
        let product: i64 = row.try_get("product_id").map_err(db)?;
        if let Some(allowed) = &triage.allowed_products {
            if !allowed.iter().any(|p| p.0 == product) {
                return Err(Error::not_found("finding", id));
            }
        }
        let before = LifecycleState {
            status: codec::status_from_name(row.try_get("status").map_err(db)?)?,
            active: row.try_get("active").map_err(db)?,
            risk_accepted_until: codec::from_unix_opt(
                row.try_get("risk_accepted_until").map_err(db)?,
            )?,
            mitigated_at: codec::from_unix_opt(row.try_get("mitigated_at").map_err(db)?)?,
            assignee: row.try_get("assignee").map_err(db)?,
        };
        let after = before.after(&triage.action, at);
        if after == before {
            continue;
        }
        write_state(conn, *id, &after).await?;
        audit(
            conn,
            *id,
            &before,
            &after,
            &actor,
            at,
            triage.reason.as_deref(),
        )
        .await?;
        changed.push(*id);
    }
    Ok(changed)
}

async fn write_state(
    conn: &mut SqliteConnection,
    id: FindingId,
    state: &LifecycleState,
) -> Result<()> {
    sqlx::query(
        "UPDATE findings SET status = ?, active = ?, risk_accepted_until = ?, mitigated_at = ?, \
         assignee = ? WHERE id = ?",
    )
    .bind(codec::status_name(state.status))
    .bind(state.active)
    .bind(state.risk_accepted_until.map(codec::to_unix))
    .bind(state.mitigated_at.map(codec::to_unix))
    .bind(state.assignee.as_deref())
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn audit(
    conn: &mut SqliteConnection,
    id: FindingId,
    before: &LifecycleState,
    after: &LifecycleState,
    actor: &str,
    at: OffsetDateTime,
    reason: Option<&str>,
) -> Result<()> {
    let assignee =
        (after.assignee != before.assignee).then(|| after.assignee.clone().unwrap_or_default());
    sqlx::query(
        "INSERT INTO finding_audit (finding_id, from_status, to_status, actor, at, reason, \
         risk_accepted_until, assignee) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.0)
    .bind(codec::status_name(before.status))
    .bind(codec::status_name(after.status))
    .bind(actor)
    .bind(codec::to_unix(at))
    .bind(reason.map(str::trim).filter(|r| !r.is_empty()))
    .bind(after.risk_accepted_until.map(codec::to_unix))
    .bind(assignee)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn expire(
    conn: &mut SqliteConnection,
    now: OffsetDateTime,
) -> Result<Vec<FindingId>> {
    let now = codec::to_unix(now);
    let expired = sqlx::query(
        "UPDATE findings SET status = 'open', active = 1, risk_accepted_until = NULL \
         WHERE status = 'accepted' AND risk_accepted_until IS NOT NULL \
         AND risk_accepted_until <= ? RETURNING id",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut ids = expired
        .iter()
        .map(|row| row.try_get("id").map(FindingId).map_err(db))
        .collect::<Result<Vec<_>>>()?;
    ids.sort();
    for chunk in ids.chunks(50_000) {
        sqlx::query(
            "INSERT INTO finding_audit (finding_id, from_status, to_status, actor, at, reason) \
             SELECT value, ?, ?, ?, ?, 'risk acceptance expired' FROM json_each(?)",
        )
        .bind(codec::status_name(Status::Accepted))
        .bind(codec::status_name(Status::Open))
        .bind(STORE_ACTOR)
        .bind(now)
        .bind(id_array(chunk))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(ids)
}
