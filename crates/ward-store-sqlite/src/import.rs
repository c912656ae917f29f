//! Import and reimport: one `BEGIN IMMEDIATE` transaction on the single writer connection,
//! so imports are serialised and a failure leaves nothing behind.
//!
//! The decisions (new, unchanged, reopened, closed) are `ward_store::import::plan`'s; this
//! module reads what the plan needs and writes what it says, in batches: multi-row inserts,
//! and `json_each` over a JSON array of ids for bulk updates.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use time::OffsetDateTime;
use ward_core::Status;
use ward_store::codec;
use ward_store::import::{self, Existing, NewRow, Plan, PreparedReport, ScopeFinding};
use ward_store::{
    Engagement, Error, FindingId, ImportMode, ImportOutcome, ImportRequest, ImportTarget,
    NewEngagement, NewProduct, Product, Result, Test, TestId,
};

use crate::catalog;
use crate::rows::{self, db};
use crate::SqliteStore;

/// Rows per multi-row INSERT of findings (19 columns: well under SQLite's 32,766 variables).
const FINDING_BATCH: usize = 1000;
/// Rows per multi-row INSERT of links and identifiers.
const LINK_BATCH: usize = 5000;

pub(crate) async fn import(store: &SqliteStore, request: ImportRequest) -> Result<ImportOutcome> {
    let now = codec::truncate(request.now.unwrap_or_else(OffsetDateTime::now_utc));
    let (request, report) = prepare(request).await?;
    let mut tx = store
        .write
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(db)?;
    let (product, engagement, target_test) = resolve(&mut tx, &request, now).await?;
    let (test, test_created) = match target_test {
        Some(test) => (test, false),
        None => (
            create_test(&mut tx, &request, &engagement, now).await?,
            true,
        ),
    };
    let sla = product.sla.unwrap_or(store.options.sla);
    let existing = load_existing(&mut tx, &product, &report).await?;
    let scope = if request.close_old_findings {
        load_scope(&mut tx, &request, &test).await?
    } else {
        Vec::new()
    };
    let plan = import::plan(&request, &report, &existing, &scope, &sla, now);
    let new_ids = insert_new(&mut tx, &product, &report, &plan.new, now).await?;
    write_plan(&mut tx, &request, &report, &plan, &new_ids, &test, now).await?;
    let test = finish_test(&mut tx, &request, &test, &report, now).await?;
    let outcome = ImportOutcome {
        product,
        engagement,
        test,
        test_created,
        new: new_ids,
        unchanged: plan.unchanged,
        reopened: plan.reopened,
        closed: plan.closed,
        changes: plan.changes,
        n_below_minimum: report.n_below_minimum,
        n_repeated: report.n_repeated,
    };
    // The import's notifications commit with it (or not at all).
    let messages = import::messages(&request, &report, &plan.new, &plan.seen, &outcome)?;
    crate::notify::enqueue(&mut tx, &messages, now).await?;
    tx.commit().await.map_err(db)?;
    Ok(outcome)
}

/// [`import::prepare`] on a blocking thread: serialising and hashing 100,000 findings takes
/// a good part of a second.
async fn prepare(mut request: ImportRequest) -> Result<(ImportRequest, PreparedReport)> {
    let findings = std::mem::take(&mut request.findings);
    tokio::task::spawn_blocking(move || {
        let report = import::prepare(&request, findings)?;
        Ok((request, report))
    })
    .await
    .map_err(|e| Error::Database(Box::new(e)))?
}

/// The product, the engagement and, for a reimport, the test to update.
async fn resolve(
    conn: &mut SqliteConnection,
    request: &ImportRequest,
    now: OffsetDateTime,
) -> Result<(Product, Engagement, Option<Test>)> {
    let (engagement, test) = match &request.target {
        ImportTarget::Test(id) => {
            if request.mode == ImportMode::Import {
                return Err(Error::invalid(
                    "target",
                    "an import makes a new test: name an engagement, or reimport into the test",
                ));
            }
            let test = catalog::test_by_id(conn, *id).await?;
            let engagement = catalog::engagement_by_id(conn, test.engagement_id).await?;
            (engagement, Some(test))
        }
        ImportTarget::Engagement(id) => (catalog::engagement_by_id(conn, *id).await?, None),
        ImportTarget::Names {
            product,
            engagement,
            auto_create,
        } => (
            named_engagement(conn, product, engagement, *auto_create, now).await?,
            None,
        ),
    };
    let product = catalog::product_by_id(conn, engagement.product_id).await?;
    let test = match (test, request.mode) {
        (Some(test), _) => Some(test),
        (None, ImportMode::Reimport) => latest_test(conn, &engagement, &request.scan_type).await?,
        (None, ImportMode::Import) => None,
    };
    Ok((product, engagement, test))
}

async fn named_engagement(
    conn: &mut SqliteConnection,
    product_name: &str,
    engagement_name: &str,
    auto_create: bool,
    now: OffsetDateTime,
) -> Result<Engagement> {
    let product_name = codec::clean_name("product_name", product_name)?;
    let engagement_name = codec::clean_name("engagement_name", engagement_name)?;
    let product = match catalog::product_by_name(conn, &product_name).await? {
        Some(product) => product,
        None if auto_create => {
            catalog::create_product(conn, &NewProduct::named(&product_name), now).await?
        }
        None => return Err(Error::not_found("product", product_name)),
    };
    match catalog::engagement_by_name(conn, product.id, &engagement_name).await? {
        Some(engagement) => Ok(engagement),
        None if auto_create => {
            let new = NewEngagement::named(&engagement_name);
            catalog::create_engagement(conn, product.id, &new, now).await
        }
        None => Err(Error::not_found(
            "engagement",
            format!("{product_name}/{engagement_name}"),
        )),
    }
}

async fn latest_test(
    conn: &mut SqliteConnection,
    engagement: &Engagement,
    scan_type: &str,
) -> Result<Option<Test>> {
    let sql = format!(
        "SELECT {} FROM tests WHERE engagement_id = ? AND scan_type = ? ORDER BY id DESC LIMIT 1",
        rows::TEST_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(engagement.id.0)
        .bind(scan_type.trim())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.as_ref().map(rows::test).transpose()
}

async fn create_test(
    conn: &mut SqliteConnection,
    request: &ImportRequest,
    engagement: &Engagement,
    now: OffsetDateTime,
) -> Result<Test> {
    let scan_type = request.scan_type.trim();
    let title = request
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(scan_type);
    let scan_date = request.scan_date.map_or(now, codec::truncate);
    let sql = format!(
        "INSERT INTO tests (engagement_id, product_id, title, tool, format, scan_type, \
         scan_date, version, build_id, commit_hash, branch_tag, tags, n_findings, created_at, \
         updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING {}",
        rows::TEST_COLUMNS
    );
    let build = &request.build;
    let row = sqlx::query(&sql)
        .bind(engagement.id.0)
        .bind(engagement.product_id.0)
        .bind(codec::clean_text(title))
        .bind(codec::clean_text(&request.tool))
        .bind(codec::clean_text(&request.format))
        .bind(codec::clean_text(scan_type))
        .bind(codec::to_unix(scan_date))
        .bind(build.version.as_deref())
        .bind(build.build_id.as_deref())
        .bind(build.commit_hash.as_deref())
        .bind(build.branch_tag.as_deref())
        .bind(codec::list_to_json(&codec::normalize_tags(&request.tags)))
        .bind(codec::to_unix(now))
        .bind(codec::to_unix(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    rows::test(&row)
}

/// The stored findings of the product whose fingerprints the report has.
async fn load_existing(
    conn: &mut SqliteConnection,
    product: &Product,
    report: &PreparedReport,
) -> Result<Vec<Existing>> {
    let mut existing = Vec::new();
    for chunk in report.findings.chunks(10_000) {
        let fingerprints: Vec<&str> = chunk
            .iter()
            .map(|p| p.finding.fingerprint.as_str())
            .collect();
        let found = sqlx::query(
            // CROSS JOIN keeps json_each the outer loop: one index probe per fingerprint,
            // whatever the planner's statistics say.
            "SELECT f.id, f.fingerprint, f.status, f.severity, f.first_seen, f.tools, \
             f.content_hash, f.verified, f.active FROM json_each(?) AS j CROSS JOIN findings f \
             WHERE f.product_id = ? AND f.fingerprint = j.value",
        )
        .bind(json_array(&fingerprints))
        .bind(product.id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for row in found {
            let severity: i64 = row.try_get("severity").map_err(db)?;
            existing.push(Existing {
                id: FindingId(row.try_get("id").map_err(db)?),
                fingerprint: row.try_get("fingerprint").map_err(db)?,
                status: codec::status_from_name(row.try_get("status").map_err(db)?)?,
                severity_rank: i16::try_from(severity)
                    .map_err(|e| Error::corrupt("findings.severity", e))?,
                first_seen: codec::from_unix(row.try_get("first_seen").map_err(db)?)?,
                tools: codec::tools_from_text(row.try_get("tools").map_err(db)?),
                content_hash: row.try_get("content_hash").map_err(db)?,
                verified: row.try_get("verified").map_err(db)?,
                active: row.try_get("active").map_err(db)?,
            });
        }
    }
    Ok(existing)
}

/// Open findings a reimport (of this test) or an import (earlier tests of the engagement
/// with the same scan type) may close; with `close_old_product_scope`, those of every test of
/// the product with the same scan type.
async fn load_scope(
    conn: &mut SqliteConnection,
    request: &ImportRequest,
    test: &Test,
) -> Result<Vec<ScopeFinding>> {
    const COLUMNS: &str =
        "SELECT DISTINCT f.id, f.fingerprint, f.severity, f.verified FROM findings f \
         JOIN finding_tests ft ON ft.finding_id = f.id";
    let product_scope = request.close_old_product_scope;
    let sql = match (product_scope, request.mode) {
        (true, _) => format!(
            "{COLUMNS} JOIN tests t ON t.id = ft.test_id \
             WHERE t.product_id = ? AND t.scan_type = ? AND f.status = 'open'"
        ),
        (false, ImportMode::Reimport) => {
            format!("{COLUMNS} WHERE ft.test_id = ? AND f.status = 'open'")
        }
        (false, ImportMode::Import) => format!(
            "{COLUMNS} JOIN tests t ON t.id = ft.test_id \
             WHERE t.engagement_id = ? AND t.scan_type = ? AND t.id <> ? \
             AND f.status = 'open'"
        ),
    };
    let query = sqlx::query(&sql);
    let query = match (product_scope, request.mode) {
        (true, _) => query.bind(test.product_id.0).bind(test.scan_type.as_str()),
        (false, ImportMode::Reimport) => query.bind(test.id.0),
        (false, ImportMode::Import) => query
            .bind(test.engagement_id.0)
            .bind(test.scan_type.as_str())
            .bind(test.id.0),
    };
    let found = query.fetch_all(&mut *conn).await.map_err(db)?;
    found
        .iter()
        .map(|row| {
            Ok(ScopeFinding {
                id: FindingId(row.try_get("id").map_err(db)?),
                fingerprint: row.try_get("fingerprint").map_err(db)?,
                severity_rank: row.try_get("severity").map_err(db)?,
                verified: row.try_get("verified").map_err(db)?,
            })
        })
        .collect()
}

/// Inserts the new findings; returns their ids in plan order.
async fn insert_new(
    conn: &mut SqliteConnection,
    product: &Product,
    report: &PreparedReport,
    new: &[NewRow],
    now: OffsetDateTime,
) -> Result<Vec<FindingId>> {
    let now = codec::to_unix(now);
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(new.len());
    for chunk in new.chunks(FINDING_BATCH) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO findings (product_id, fingerprint, status, active, verified, severity, \
             category, title, tools, rule_id, file_path, package, url, first_seen, sla_due, \
             risk_accepted_until, mitigated_at, content_hash, brief) ",
        );
        insert.push_values(chunk, |mut values, row| {
            let prepared = &report.findings[row.index];
            values
                .push_bind(product.id.0)
                .push_bind(prepared.finding.fingerprint.as_str())
                .push_bind(codec::status_name(row.status))
                .push_bind(row.active)
                .push_bind(row.verified)
                .push_bind(prepared.severity_rank)
                .push_bind(prepared.category)
                .push_bind(prepared.title.as_str())
                .push_bind(codec::tools_to_text(&row.tools))
                .push_bind(prepared.rule_id.as_deref())
                .push_bind(prepared.file_path.as_deref())
                .push_bind(prepared.package.as_deref())
                .push_bind(prepared.url.as_deref())
                .push_bind(now)
                .push_bind(row.sla_due.map(codec::to_unix))
                .push_bind(None::<i64>)
                .push_bind(row.mitigated_at.map(codec::to_unix))
                .push_bind(prepared.content_hash.as_str())
                .push_bind(prepared.brief.as_str());
        });
        // The unique index is the last word on duplicates; imports are serialised, so a
        // conflict here would only mean a fingerprint the lookup missed, and it is merged.
        insert.push(
            " ON CONFLICT (product_id, fingerprint) DO UPDATE SET fingerprint = excluded.fingerprint \
             RETURNING id, fingerprint",
        );
        let returned = insert.build().fetch_all(&mut *conn).await.map_err(db)?;
        for row in returned {
            ids.insert(
                row.try_get("fingerprint").map_err(db)?,
                row.try_get("id").map_err(db)?,
            );
        }
    }
    let new_ids = new
        .iter()
        .map(|row| {
            let fingerprint = &report.findings[row.index].finding.fingerprint;
            ids.get(fingerprint)
                .map(|id| FindingId(*id))
                .ok_or_else(|| Error::corrupt("findings", "an inserted finding has no id"))
        })
        .collect::<Result<Vec<_>>>()?;
    let rows: Vec<(FindingId, usize)> = new_ids
        .iter()
        .zip(new)
        .map(|(id, row)| (*id, row.index))
        .collect();
    write_data(conn, report, &rows).await?;
    Ok(new_ids)
}

/// Writes (or replaces) the wide part of findings: `(id, index into the report)`.
async fn write_data(
    conn: &mut SqliteConnection,
    report: &PreparedReport,
    rows: &[(FindingId, usize)],
) -> Result<()> {
    for chunk in rows.chunks(LINK_BATCH) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO finding_data (finding_id, description, data) ");
        insert.push_values(chunk, |mut values, (id, index)| {
            let prepared = &report.findings[*index];
            values
                .push_bind(id.0)
                .push_bind(prepared.description.as_deref())
                .push_bind(prepared.data.as_str());
        });
        insert.push(
            " ON CONFLICT (finding_id) DO UPDATE SET description = excluded.description, \
             data = excluded.data",
        );
        insert.build().execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

/// Writes everything but the inserts: content updates, last seen, reopen and close with
/// their audit entries, links to the test, identifiers.
async fn write_plan(
    conn: &mut SqliteConnection,
    request: &ImportRequest,
    report: &PreparedReport,
    plan: &Plan,
    new_ids: &[FindingId],
    test: &Test,
    now: OffsetDateTime,
) -> Result<()> {
    let now_unix = codec::to_unix(now);
    for update in &plan.content_updates {
        let prepared = &report.findings[update.index];
        sqlx::query(
            "UPDATE findings SET severity = ?, category = ?, title = ?, tools = ?, rule_id = ?, \
             file_path = ?, package = ?, url = ?, sla_due = ?, verified = ?, content_hash = ?, \
             brief = ? WHERE id = ?",
        )
        .bind(prepared.severity_rank)
        .bind(prepared.category)
        .bind(prepared.title.as_str())
        .bind(codec::tools_to_text(&update.tools))
        .bind(prepared.rule_id.as_deref())
        .bind(prepared.file_path.as_deref())
        .bind(prepared.package.as_deref())
        .bind(prepared.url.as_deref())
        .bind(update.sla_due.map(codec::to_unix))
        .bind(update.verified)
        .bind(prepared.content_hash.as_str())
        .bind(prepared.brief.as_str())
        .bind(update.id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    let changed: Vec<(FindingId, usize)> = plan
        .content_updates
        .iter()
        .map(|update| (update.id, update.index))
        .collect();
    write_data(conn, report, &changed).await?;
    let seen: Vec<FindingId> = plan.seen.iter().map(|(id, _)| *id).collect();
    for chunk in seen.chunks(50_000) {
        sqlx::query(
            "UPDATE finding_seen SET last_seen = ? \
             WHERE finding_id IN (SELECT value FROM json_each(?))",
        )
        .bind(now_unix)
        .bind(id_array(chunk))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    let how = match request.mode {
        ImportMode::Import => "import",
        ImportMode::Reimport => "reimport",
    };
    let reopen_reason = format!("{how} into test {}: seen again", test.id);
    change_status(
        conn,
        &plan.reopened,
        (Status::Mitigated, Status::Open),
        &request.actor,
        &reopen_reason,
        now_unix,
    )
    .await?;
    let close_reason = format!("{how} into test {}: not in the report", test.id);
    change_status(
        conn,
        &plan.closed,
        (Status::Open, Status::Mitigated),
        &request.actor,
        &close_reason,
        now_unix,
    )
    .await?;
    // Links: every finding of the report to this test.
    let mut links: Vec<(i64, &str)> = Vec::with_capacity(new_ids.len() + plan.seen.len());
    for (row, id) in plan.new.iter().zip(new_ids) {
        links.push((id.0, report.findings[row.index].location.as_str()));
    }
    for (id, index) in &plan.seen {
        links.push((id.0, report.findings[*index].location.as_str()));
    }
    for chunk in links.chunks(LINK_BATCH) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO finding_tests (finding_id, test_id, first_seen, location) ",
        );
        insert.push_values(chunk, |mut values, (id, location)| {
            values
                .push_bind(*id)
                .push_bind(test.id.0)
                .push_bind(now_unix)
                .push_bind(*location);
        });
        insert.push(" ON CONFLICT (finding_id, test_id) DO NOTHING");
        insert.build().execute(&mut *conn).await.map_err(db)?;
    }
    // Identifiers of new and changed findings (a second tool may add a GHSA to a CVE).
    let mut identifiers: Vec<(i64, &str)> = Vec::new();
    for (row, id) in plan.new.iter().zip(new_ids) {
        for value in &report.findings[row.index].identifiers {
            identifiers.push((id.0, value));
        }
    }
    for update in &plan.content_updates {
        for value in &report.findings[update.index].identifiers {
            identifiers.push((update.id.0, value));
        }
    }
    for chunk in identifiers.chunks(LINK_BATCH) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO finding_identifiers (finding_id, value) ");
        insert.push_values(chunk, |mut values, (id, value)| {
            values.push_bind(*id).push_bind(*value);
        });
        insert.push(" ON CONFLICT (finding_id, value) DO NOTHING");
        insert.build().execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

/// Moves findings from one status to another (open ↔ mitigated) with an audit entry each.
async fn change_status(
    conn: &mut SqliteConnection,
    ids: &[FindingId],
    (from, to): (Status, Status),
    actor: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    for chunk in ids.chunks(50_000) {
        let ids = id_array(chunk);
        let mitigated_at = (to == Status::Mitigated).then_some(now);
        sqlx::query(
            "UPDATE findings SET status = ?, active = ?, mitigated_at = ? \
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(codec::status_name(to))
        .bind(to == Status::Open)
        .bind(mitigated_at)
        .bind(&ids)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO finding_audit (finding_id, from_status, to_status, actor, at, reason) \
             SELECT value, ?, ?, ?, ?, ? FROM json_each(?)",
        )
        .bind(codec::status_name(from))
        .bind(codec::status_name(to))
        .bind(actor)
        .bind(now)
        .bind(reason)
        .bind(&ids)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Records the import on the test and reads it back.
async fn finish_test(
    conn: &mut SqliteConnection,
    request: &ImportRequest,
    test: &Test,
    report: &PreparedReport,
    now: OffsetDateTime,
) -> Result<Test> {
    let tags = codec::normalize_tags(&request.tags);
    let build = &request.build;
    let scan_date = request.scan_date.map_or(now, codec::truncate);
    let n_findings = i64::try_from(report.findings.len()).unwrap_or(i64::MAX);
    sqlx::query(
        "UPDATE tests SET scan_date = ?, n_findings = ?, updated_at = ?, tool = ?, format = ?, \
         version = COALESCE(?, version), build_id = COALESCE(?, build_id), \
         commit_hash = COALESCE(?, commit_hash), branch_tag = COALESCE(?, branch_tag), \
         tags = CASE WHEN ? THEN tags ELSE ? END WHERE id = ?",
    )
    .bind(codec::to_unix(scan_date))
    .bind(n_findings)
    .bind(codec::to_unix(now))
    .bind(codec::clean_text(&request.tool))
    .bind(codec::clean_text(&request.format))
    .bind(build.version.as_deref())
    .bind(build.build_id.as_deref())
    .bind(build.commit_hash.as_deref())
    .bind(build.branch_tag.as_deref())
    .bind(tags.is_empty())
    .bind(codec::list_to_json(&tags))
    .bind(test.id.0)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    catalog::test_by_id(conn, TestId(test.id.0)).await
}

/// A JSON array of strings, for `json_each(?)`.
fn json_array(values: &[&str]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_string())
}

/// A JSON array of ids, for `json_each(?)`.
pub(crate) fn id_array(ids: &[FindingId]) -> String {
    let mut text = String::with_capacity(ids.len() * 8 + 2);
    text.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&id.0.to_string());
    }
    text.push(']');
    text
}
