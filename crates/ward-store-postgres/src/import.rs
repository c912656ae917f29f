//! Import and reimport: one transaction, serialised per product by an advisory lock taken
//! before the product's findings are read, so a failure leaves nothing behind and concurrent
//! imports never decide on stale rows.
//!
//! The decisions (new, unchanged, reopened, closed) are `ward_store::import::plan`'s; this
//! module reads what the plan needs and writes what it says, in batches: one statement per
//! batch of up to 10,000 rows, its columns bound as arrays and read with `UNNEST`.

use std::collections::HashMap;

use sqlx::{PgConnection, Row};
use time::OffsetDateTime;
use ward_core::Status;
use ward_store::codec;
use ward_store::import::{
    self, ContentUpdate, Existing, NewRow, Plan, PreparedReport, ScopeFinding,
};
use ward_store::{
    Engagement, Error, FindingId, ImportMode, ImportOutcome, ImportRequest, ImportTarget, Product,
    ProductId, Result, Test, TestId,
};

use crate::catalog;
use crate::rows::{self, db};
use crate::PgStore;

/// Rows per INSERT of findings.
const FINDING_BATCH: usize = 10_000;
/// Rows per INSERT of links and identifiers, and per UPDATE of changed findings.
const LINK_BATCH: usize = 20_000;

/// The advisory lock namespace of imports (`ward` in ASCII); the second key is the product.
const IMPORT_LOCK: i32 = 0x7761_7264;

pub(crate) async fn import(store: &PgStore, request: ImportRequest) -> Result<ImportOutcome> {
    let now = codec::truncate(request.now.unwrap_or_else(OffsetDateTime::now_utc));
    let (request, report) = prepare(request).await?;
    let mut tx = store.pool.begin().await.map_err(db)?;
    let outcome = write(&mut tx, store, &request, &report, now).await;
    crate::finish(tx, outcome).await
}

/// The import's writes, in the caller's transaction.
async fn write(
    tx: &mut PgConnection,
    store: &PgStore,
    request: &ImportRequest,
    report: &PreparedReport,
    now: OffsetDateTime,
) -> Result<ImportOutcome> {
    let (product, engagement, target_test) = resolve(tx, request, now).await?;
    let (test, test_created) = match target_test {
        Some(test) => (test, false),
        None => (create_test(tx, request, &engagement, now).await?, true),
    };
    let sla = product.sla.unwrap_or(store.options.sla);
    let existing = load_existing(tx, &product, report).await?;
    let scope = if request.close_old_findings {
        load_scope(tx, request, &test).await?
    } else {
        Vec::new()
    };
    let plan = import::plan(request, report, &existing, &scope, &sla, now);
    let new_ids = insert_new(tx, &product, report, &plan.new, now).await?;
    write_plan(tx, request, report, &plan, &new_ids, &test, now).await?;
    let test = finish_test(tx, request, &test, report, now).await?;
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
    let messages = import::messages(request, report, &plan.new, &plan.seen, &outcome)?;
    crate::notify::enqueue(tx, &messages, now).await?;
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
    conn: &mut PgConnection,
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
    lock_product(conn, engagement.product_id).await?;
    let product = catalog::product_by_id(conn, engagement.product_id).await?;
    // Read again under the lock: a concurrent reimport may have changed it.
    let test = match test {
        Some(test) => Some(catalog::test_by_id(conn, test.id).await?),
        None => None,
    };
    let test = match (test, request.mode) {
        (Some(test), _) => Some(test),
        (None, ImportMode::Reimport) => latest_test(conn, &engagement, &request.scan_type).await?,
        (None, ImportMode::Import) => None,
    };
    Ok((product, engagement, test))
}

/// Waits for the product's import lock, held until the transaction ends.
pub(crate) async fn lock_product(conn: &mut PgConnection, product: ProductId) -> Result<()> {
    // The two-key form takes 32-bit keys; products past 2^31 share locks, which only
    // serialises a little more.
    let key = (product.0 & 0x7fff_ffff) as i32;
    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
        .bind(IMPORT_LOCK)
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn named_engagement(
    conn: &mut PgConnection,
    product_name: &str,
    engagement_name: &str,
    auto_create: bool,
    now: OffsetDateTime,
) -> Result<Engagement> {
    let product_name = codec::clean_name("product_name", product_name)?;
    let engagement_name = codec::clean_name("engagement_name", engagement_name)?;
    // Concurrent imports may create the same product or engagement: `ON CONFLICT DO
    // NOTHING` waits for the other transaction and then finds its row.
    if auto_create {
        sqlx::query(
            "INSERT INTO products (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&product_name)
        .bind(codec::to_unix(now))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    let Some(product) = catalog::product_by_name(conn, &product_name).await? else {
        return Err(Error::not_found("product", product_name));
    };
    if auto_create {
        sqlx::query(
            "INSERT INTO engagements (product_id, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (product_id, name) DO NOTHING",
        )
        .bind(product.id.0)
        .bind(&engagement_name)
        .bind(codec::to_unix(now))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    catalog::engagement_by_name(conn, product.id, &engagement_name)
        .await?
        .ok_or_else(|| Error::not_found("engagement", format!("{product_name}/{engagement_name}")))
}

async fn latest_test(
    conn: &mut PgConnection,
    engagement: &Engagement,
    scan_type: &str,
) -> Result<Option<Test>> {
    let sql = format!(
        "SELECT {} FROM tests WHERE engagement_id = $1 AND scan_type = $2 ORDER BY id DESC LIMIT 1",
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
    conn: &mut PgConnection,
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
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14) RETURNING {}",
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
    conn: &mut PgConnection,
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
            // A join on UNNEST, not `= ANY($2)`: a cached generic plan may scan the table and
            // compare every row with every element of the array.
            "SELECT f.id, f.fingerprint, f.status, f.severity, f.first_seen, f.tools, \
             f.content_hash, f.verified, f.active FROM UNNEST($2::TEXT[]) AS r (fingerprint) \
             JOIN findings f ON f.product_id = $1 AND f.fingerprint = r.fingerprint",
        )
        .bind(product.id.0)
        .bind(&fingerprints)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for row in found {
            let severity: i16 = row.try_get("severity").map_err(db)?;
            existing.push(Existing {
                id: FindingId(row.try_get("id").map_err(db)?),
                fingerprint: row.try_get("fingerprint").map_err(db)?,
                status: codec::status_from_name(row.try_get("status").map_err(db)?)?,
                severity_rank: severity,
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
    conn: &mut PgConnection,
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
             WHERE t.product_id = $1 AND t.scan_type = $2 AND f.status = 'open'"
        ),
        (false, ImportMode::Reimport) => {
            format!("{COLUMNS} WHERE ft.test_id = $1 AND f.status = 'open'")
        }
        (false, ImportMode::Import) => format!(
            "{COLUMNS} JOIN tests t ON t.id = ft.test_id \
             WHERE t.engagement_id = $1 AND t.scan_type = $2 AND t.id <> $3 \
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
    conn: &mut PgConnection,
    product: &Product,
    report: &PreparedReport,
    new: &[NewRow],
    now: OffsetDateTime,
) -> Result<Vec<FindingId>> {
    let now = codec::to_unix(now);
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(new.len());
    for chunk in new.chunks(FINDING_BATCH) {
        let prepared = |row: &NewRow| &report.findings[row.index];
        let returned = sqlx::query(
            // One statement per batch, the columns as arrays: no statement text grows with
            // the batch. The unique index is the last word on duplicates; imports are
            // serialised, so a conflict here would only mean a fingerprint the lookup missed,
            // and it is merged.
            "INSERT INTO findings (product_id, fingerprint, status, active, verified, severity, \
             category, title, tools, rule_id, file_path, package, url, first_seen, sla_due, \
             risk_accepted_until, mitigated_at, content_hash, brief) \
             SELECT $1, u.fingerprint, u.status, u.active, u.verified, u.severity, u.category, \
             u.title, u.tools, u.rule_id, u.file_path, u.package, u.url, $2, u.sla_due, NULL, \
             u.mitigated_at, u.content_hash, u.brief \
             FROM UNNEST($3::TEXT[], $4::TEXT[], $5::BOOLEAN[], $6::BOOLEAN[], $7::SMALLINT[], \
             $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::TEXT[], $13::TEXT[], \
             $14::TEXT[], $15::BIGINT[], $16::BIGINT[], $17::TEXT[], $18::TEXT[]) \
             AS u (fingerprint, status, active, verified, severity, category, title, tools, \
             rule_id, file_path, package, url, sla_due, mitigated_at, content_hash, brief) \
             ON CONFLICT (product_id, fingerprint) DO UPDATE SET fingerprint = excluded.fingerprint \
             RETURNING id, fingerprint",
        )
        .bind(product.id.0)
        .bind(now)
        .bind(column(chunk, |r| prepared(r).finding.fingerprint.as_str()))
        .bind(column(chunk, |r| codec::status_name(r.status)))
        .bind(column(chunk, |r| r.active))
        .bind(column(chunk, |r| r.verified))
        .bind(column(chunk, |r| prepared(r).severity_rank))
        .bind(column(chunk, |r| prepared(r).category))
        .bind(column(chunk, |r| prepared(r).title.as_str()))
        .bind(column(chunk, |r| codec::tools_to_text(&r.tools)))
        .bind(column(chunk, |r| prepared(r).rule_id.as_deref()))
        .bind(column(chunk, |r| prepared(r).file_path.as_deref()))
        .bind(column(chunk, |r| prepared(r).package.as_deref()))
        .bind(column(chunk, |r| prepared(r).url.as_deref()))
        .bind(column(chunk, |r| r.sla_due.map(codec::to_unix)))
        .bind(column(chunk, |r| r.mitigated_at.map(codec::to_unix)))
        .bind(column(chunk, |r| prepared(r).content_hash.as_str()))
        .bind(column(chunk, |r| prepared(r).brief.as_str()))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
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
    conn: &mut PgConnection,
    report: &PreparedReport,
    rows: &[(FindingId, usize)],
) -> Result<()> {
    for chunk in rows.chunks(FINDING_BATCH) {
        let prepared = |(_, index): &(FindingId, usize)| &report.findings[*index];
        sqlx::query(
            "INSERT INTO finding_data (finding_id, description, data) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[]) \
             ON CONFLICT (finding_id) DO UPDATE SET description = excluded.description, \
             data = excluded.data",
        )
        .bind(column(chunk, |(id, _)| id.0))
        .bind(column(chunk, |row| prepared(row).description.as_deref()))
        .bind(column(chunk, |row| prepared(row).data.as_str()))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Writes everything but the inserts: content updates, last seen, reopen and close with
/// their audit entries, links to the test, identifiers.
async fn write_plan(
    conn: &mut PgConnection,
    request: &ImportRequest,
    report: &PreparedReport,
    plan: &Plan,
    new_ids: &[FindingId],
    test: &Test,
    now: OffsetDateTime,
) -> Result<()> {
    let now_unix = codec::to_unix(now);
    for chunk in plan.content_updates.chunks(LINK_BATCH) {
        let prepared = |update: &ContentUpdate| &report.findings[update.index];
        sqlx::query(
            "UPDATE findings f SET severity = u.severity, category = u.category, \
             title = u.title, tools = u.tools, rule_id = u.rule_id, file_path = u.file_path, \
             package = u.package, url = u.url, sla_due = u.sla_due, verified = u.verified, \
             content_hash = u.content_hash, brief = u.brief \
             FROM UNNEST($1::BIGINT[], $2::SMALLINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], \
             $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::BIGINT[], $11::BOOLEAN[], \
             $12::TEXT[], $13::TEXT[]) \
             AS u (id, severity, category, title, tools, rule_id, file_path, package, url, \
             sla_due, verified, content_hash, brief) \
             WHERE f.id = u.id",
        )
        .bind(column(chunk, |u| u.id.0))
        .bind(column(chunk, |u| prepared(u).severity_rank))
        .bind(column(chunk, |u| prepared(u).category))
        .bind(column(chunk, |u| prepared(u).title.as_str()))
        .bind(column(chunk, |u| codec::tools_to_text(&u.tools)))
        .bind(column(chunk, |u| prepared(u).rule_id.as_deref()))
        .bind(column(chunk, |u| prepared(u).file_path.as_deref()))
        .bind(column(chunk, |u| prepared(u).package.as_deref()))
        .bind(column(chunk, |u| prepared(u).url.as_deref()))
        .bind(column(chunk, |u| u.sla_due.map(codec::to_unix)))
        .bind(column(chunk, |u| u.verified))
        .bind(column(chunk, |u| prepared(u).content_hash.as_str()))
        .bind(column(chunk, |u| prepared(u).brief.as_str()))
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
            "UPDATE finding_seen s SET last_seen = $1 FROM UNNEST($2::BIGINT[]) AS u (id) \
             WHERE s.finding_id = u.id",
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
        sqlx::query(
            "INSERT INTO finding_tests (finding_id, test_id, first_seen, location) \
             SELECT u.finding_id, $1, $2, u.location \
             FROM UNNEST($3::BIGINT[], $4::TEXT[]) AS u (finding_id, location) \
             ON CONFLICT (finding_id, test_id) DO NOTHING",
        )
        .bind(test.id.0)
        .bind(now_unix)
        .bind(column(chunk, |(id, _)| *id))
        .bind(column(chunk, |(_, location)| *location))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
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
        sqlx::query(
            "INSERT INTO finding_identifiers (finding_id, value) \
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[]) \
             ON CONFLICT (finding_id, value) DO NOTHING",
        )
        .bind(column(chunk, |(id, _)| *id))
        .bind(column(chunk, |(_, value)| *value))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Moves findings from one status to another (open ↔ mitigated) with an audit entry each.
async fn change_status(
    conn: &mut PgConnection,
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
            "UPDATE findings f SET status = $1, active = $2, mitigated_at = $3 \
             FROM UNNEST($4::BIGINT[]) AS u (id) WHERE f.id = u.id",
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
             SELECT id, $1, $2, $3, $4, $5 FROM UNNEST($6::BIGINT[]) AS id",
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
    conn: &mut PgConnection,
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
        "UPDATE tests SET scan_date = $1, n_findings = $2, updated_at = $3, tool = $4, format = $5, \
         version = COALESCE($6, version), build_id = COALESCE($7, build_id), \
         commit_hash = COALESCE($8, commit_hash), branch_tag = COALESCE($9, branch_tag), \
         tags = CASE WHEN $10 THEN tags ELSE $11 END WHERE id = $12",
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

/// One column of a batch, as an array bind.
fn column<'a, R, T>(rows: &'a [R], value: impl Fn(&'a R) -> T) -> Vec<T> {
    rows.iter().map(value).collect()
}

/// Ids as a PostgreSQL array bind.
fn id_array(ids: &[FindingId]) -> Vec<i64> {
    ids.iter().map(|id| id.0).collect()
}
