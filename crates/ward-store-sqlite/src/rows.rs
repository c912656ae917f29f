//! Reading rows back into ward-store's types, and mapping driver errors.

use serde::de::DeserializeOwned;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use ward_store::codec;
use ward_store::{
    ApiKey, ApiKeyId, AuditEntry, BuildInfo, Engagement, EngagementId, Error, FindingId,
    FindingSource, Product, ProductId, Result, SlaPolicy, StoredFinding, Test, TestId, User,
    UserId,
};

/// A driver error as a store error (unique and check violations get their own variants
/// where the caller knows what they mean).
pub(crate) fn db(error: sqlx::Error) -> Error {
    if let Some(database) = error.as_database_error() {
        if database.is_check_violation() {
            return Error::invalid(
                "findings",
                "a value exceeds a database limit (fingerprints are at most 256 characters)",
            );
        }
    }
    Error::Database(Box::new(error))
}

/// Whether an error is a unique-constraint violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(db)
}

pub(crate) const PRODUCT_COLUMNS: &str = "id, name, description, team, tags, sla, created_at";

pub(crate) fn product(row: &SqliteRow) -> Result<Product> {
    let sla: Option<String> = get(row, "sla")?;
    let sla = sla
        .map(|text| serde_json::from_str::<SlaPolicy>(&text))
        .transpose()
        .map_err(|e| Error::corrupt("products.sla", e))?;
    Ok(Product {
        id: ProductId(get(row, "id")?),
        name: get(row, "name")?,
        description: get(row, "description")?,
        team: get(row, "team")?,
        tags: codec::list_from_json(&get::<String>(row, "tags")?)?,
        sla,
        created_at: codec::from_unix(get(row, "created_at")?)?,
    })
}

pub(crate) const ENGAGEMENT_COLUMNS: &str =
    "id, product_id, name, description, created_at, closed_at";

pub(crate) fn engagement(row: &SqliteRow) -> Result<Engagement> {
    Ok(Engagement {
        id: EngagementId(get(row, "id")?),
        product_id: ProductId(get(row, "product_id")?),
        name: get(row, "name")?,
        description: get(row, "description")?,
        created_at: codec::from_unix(get(row, "created_at")?)?,
        closed_at: codec::from_unix_opt(get(row, "closed_at")?)?,
    })
}

pub(crate) const TEST_COLUMNS: &str = "id, engagement_id, product_id, title, tool, format, \
     scan_type, scan_date, version, build_id, commit_hash, branch_tag, tags, n_findings, \
     created_at, updated_at";

pub(crate) fn test(row: &SqliteRow) -> Result<Test> {
    let n_findings: i64 = get(row, "n_findings")?;
    Ok(Test {
        id: TestId(get(row, "id")?),
        engagement_id: EngagementId(get(row, "engagement_id")?),
        product_id: ProductId(get(row, "product_id")?),
        title: get(row, "title")?,
        tool: get(row, "tool")?,
        format: get(row, "format")?,
        scan_type: get(row, "scan_type")?,
        scan_date: codec::from_unix(get(row, "scan_date")?)?,
        build: BuildInfo {
            version: get(row, "version")?,
            build_id: get(row, "build_id")?,
            commit_hash: get(row, "commit_hash")?,
            branch_tag: get(row, "branch_tag")?,
        },
        tags: codec::list_from_json(&get::<String>(row, "tags")?)?,
        n_findings: u64::try_from(n_findings).unwrap_or(0),
        created_at: codec::from_unix(get(row, "created_at")?)?,
        updated_at: codec::from_unix(get(row, "updated_at")?)?,
    })
}

/// The finding columns, from `findings f` and `finding_data d`.
pub(crate) const FINDING_COLUMNS: &str = "f.id, f.product_id, f.fingerprint, f.status, f.active, \
     f.verified, f.severity, f.category, f.title, f.tools, f.first_seen, \
     (SELECT s.last_seen FROM finding_seen s WHERE s.finding_id = f.id) AS last_seen, \
     f.sla_due, f.risk_accepted_until, f.mitigated_at, f.assignee, d.data";

/// The tables [`FINDING_COLUMNS`] come from.
pub(crate) const FINDING_TABLES: &str = "findings f JOIN finding_data d ON d.finding_id = f.id";

/// A finding's record as a page of findings reads it: the whole record from `finding_data`,
/// or the brief kept on the finding row (no join, a small JSON object to decode).
pub(crate) trait Record: DeserializeOwned {
    /// The columns, the record last as `data`.
    const COLUMNS: &'static str;
    /// The tables they come from, `findings` as `f`.
    const TABLES: &'static str;
}

impl Record for ward_core::Finding {
    const COLUMNS: &'static str = FINDING_COLUMNS;
    const TABLES: &'static str = FINDING_TABLES;
}

impl Record for ward_store::FindingBrief {
    const COLUMNS: &'static str = "f.id, f.product_id, f.fingerprint, f.status, f.active, \
         f.verified, f.severity, f.category, f.title, f.tools, f.first_seen, \
         (SELECT s.last_seen FROM finding_seen s WHERE s.finding_id = f.id) AS last_seen, \
         f.sla_due, f.risk_accepted_until, f.mitigated_at, f.assignee, f.brief AS data";
    const TABLES: &'static str = "findings f";
}

pub(crate) fn finding<F: DeserializeOwned>(row: &SqliteRow) -> Result<StoredFinding<F>> {
    let data: String = get(row, "data")?;
    let finding =
        serde_json::from_str(&data).map_err(|e| Error::corrupt("finding_data.data", e))?;
    Ok(StoredFinding {
        id: FindingId(get(row, "id")?),
        product_id: ProductId(get(row, "product_id")?),
        fingerprint: get(row, "fingerprint")?,
        status: codec::status_from_name(&get::<String>(row, "status")?)?,
        active: get(row, "active")?,
        verified: get(row, "verified")?,
        severity: codec::severity_from_rank(get(row, "severity")?)?,
        category: codec::category_from_name(&get::<String>(row, "category")?)?,
        title: get(row, "title")?,
        tools: codec::tools_from_text(&get::<String>(row, "tools")?),
        first_seen: codec::from_unix(get(row, "first_seen")?)?,
        last_seen: codec::from_unix(get(row, "last_seen")?)?,
        sla_due: codec::from_unix_opt(get(row, "sla_due")?)?,
        risk_accepted_until: codec::from_unix_opt(get(row, "risk_accepted_until")?)?,
        mitigated_at: codec::from_unix_opt(get(row, "mitigated_at")?)?,
        assignee: get(row, "assignee")?,
        finding,
    })
}

pub(crate) fn source(row: &SqliteRow) -> Result<FindingSource> {
    let location: String = get(row, "location")?;
    Ok(FindingSource {
        test_id: TestId(get(row, "test_id")?),
        test_title: get(row, "title")?,
        engagement_id: EngagementId(get(row, "engagement_id")?),
        engagement_name: get(row, "engagement_name")?,
        tool: get(row, "tool")?,
        scan_type: get(row, "scan_type")?,
        first_seen: codec::from_unix(get(row, "first_seen")?)?,
        location: serde_json::from_str(&location)
            .map_err(|e| Error::corrupt("finding_tests.location", e))?,
    })
}

pub(crate) fn audit(row: &SqliteRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        finding_id: FindingId(get(row, "finding_id")?),
        from: codec::status_from_name(&get::<String>(row, "from_status")?)?,
        to: codec::status_from_name(&get::<String>(row, "to_status")?)?,
        actor: get(row, "actor")?,
        at: codec::from_unix(get(row, "at")?)?,
        reason: get(row, "reason")?,
        risk_accepted_until: codec::from_unix_opt(get(row, "risk_accepted_until")?)?,
        assignee: get(row, "assignee")?,
    })
}

pub(crate) const API_KEY_COLUMNS: &str =
    "id, name, prefix, hash, scope, products, created_at, revoked_at";

pub(crate) fn api_key(row: &SqliteRow) -> Result<ApiKey> {
    let products: Option<String> = get(row, "products")?;
    Ok(ApiKey {
        id: ApiKeyId(get(row, "id")?),
        name: get(row, "name")?,
        prefix: get(row, "prefix")?,
        scope: codec::scope_from_name(&get::<String>(row, "scope")?)?,
        products: products.map(|p| codec::list_from_json(&p)).transpose()?,
        created_at: codec::from_unix(get(row, "created_at")?)?,
        revoked_at: codec::from_unix_opt(get(row, "revoked_at")?)?,
    })
}

pub(crate) fn user(row: &SqliteRow) -> Result<User> {
    Ok(User {
        id: UserId(get(row, "id")?),
        username: get(row, "username")?,
        scope: codec::scope_from_name(&get::<String>(row, "scope")?)?,
        created_at: codec::from_unix(get(row, "created_at")?)?,
    })
}
