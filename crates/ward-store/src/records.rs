//! Rows read back into the store's types, written once for both backends: a backend's row
//! gives its columns by name ([`Columns`], implemented for sqlx's PostgreSQL and SQLite rows
//! behind the `postgres` and `sqlite` features) and these functions build the types. The
//! column lists name the same columns on both engines.

use serde::de::DeserializeOwned;
use ward_core::Finding;

use crate::{
    codec, ApiKey, ApiKeyId, AuditEntry, BuildInfo, Engagement, EngagementId, Error, FindingBrief,
    FindingId, FindingSource, Product, ProductId, Result, SlaPolicy, StoredFinding, Test, TestId,
    User, UserId,
};

/// A row's columns by name, as the store's column types.
pub trait Columns {
    /// An integer column (`BIGINT` on PostgreSQL).
    fn int(&self, column: &str) -> Result<i64>;
    /// A small integer column (`SMALLINT` on PostgreSQL: severity ranks).
    fn small(&self, column: &str) -> Result<i64>;
    /// A nullable integer column.
    fn int_opt(&self, column: &str) -> Result<Option<i64>>;
    /// A text column.
    fn text(&self, column: &str) -> Result<String>;
    /// A nullable text column.
    fn text_opt(&self, column: &str) -> Result<Option<String>>;
    /// A boolean column.
    fn flag(&self, column: &str) -> Result<bool>;
}

/// A value one [`Columns`] method reads: lets the readers below say `get(row, "name")`.
pub trait Column: Sized {
    /// Reads it.
    fn read(row: &impl Columns, column: &str) -> Result<Self>;
}

impl Column for i64 {
    fn read(row: &impl Columns, column: &str) -> Result<i64> {
        row.int(column)
    }
}

impl Column for Option<i64> {
    fn read(row: &impl Columns, column: &str) -> Result<Option<i64>> {
        row.int_opt(column)
    }
}

impl Column for String {
    fn read(row: &impl Columns, column: &str) -> Result<String> {
        row.text(column)
    }
}

impl Column for Option<String> {
    fn read(row: &impl Columns, column: &str) -> Result<Option<String>> {
        row.text_opt(column)
    }
}

impl Column for bool {
    fn read(row: &impl Columns, column: &str) -> Result<bool> {
        row.flag(column)
    }
}

fn get<T: Column>(row: &impl Columns, column: &str) -> Result<T> {
    T::read(row, column)
}

/// [`Columns`] for a sqlx row type whose `SMALLINT` decodes as `$small`.
#[cfg(any(feature = "postgres", feature = "sqlite"))]
macro_rules! sqlx_columns {
    ($row:ty, $small:ty) => {
        impl Columns for $row {
            fn int(&self, column: &str) -> Result<i64> {
                sqlx::Row::try_get(self, column).map_err(read_error)
            }
            fn small(&self, column: &str) -> Result<i64> {
                sqlx::Row::try_get::<$small, _>(self, column)
                    .map(i64::from)
                    .map_err(read_error)
            }
            fn int_opt(&self, column: &str) -> Result<Option<i64>> {
                sqlx::Row::try_get(self, column).map_err(read_error)
            }
            fn text(&self, column: &str) -> Result<String> {
                sqlx::Row::try_get(self, column).map_err(read_error)
            }
            fn text_opt(&self, column: &str) -> Result<Option<String>> {
                sqlx::Row::try_get(self, column).map_err(read_error)
            }
            fn flag(&self, column: &str) -> Result<bool> {
                sqlx::Row::try_get(self, column).map_err(read_error)
            }
        }
    };
}

#[cfg(feature = "postgres")]
sqlx_columns!(sqlx::postgres::PgRow, i16);
#[cfg(feature = "sqlite")]
sqlx_columns!(sqlx::sqlite::SqliteRow, i64);

#[cfg(any(feature = "postgres", feature = "sqlite"))]
fn read_error(error: sqlx::Error) -> Error {
    Error::Database(Box::new(error))
}

/// The columns [`product`] reads, from `products`.
pub const PRODUCT_COLUMNS: &str = "id, name, description, team, tags, sla, created_at";

/// A product from a row of [`PRODUCT_COLUMNS`].
pub fn product(row: &impl Columns) -> Result<Product> {
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

/// The columns [`engagement`] reads, from `engagements`.
pub const ENGAGEMENT_COLUMNS: &str = "id, product_id, name, description, created_at, closed_at";

/// An engagement from a row of [`ENGAGEMENT_COLUMNS`].
pub fn engagement(row: &impl Columns) -> Result<Engagement> {
    Ok(Engagement {
        id: EngagementId(get(row, "id")?),
        product_id: ProductId(get(row, "product_id")?),
        name: get(row, "name")?,
        description: get(row, "description")?,
        created_at: codec::from_unix(get(row, "created_at")?)?,
        closed_at: codec::from_unix_opt(get(row, "closed_at")?)?,
    })
}

/// The columns [`test()`] reads, from `tests`.
pub const TEST_COLUMNS: &str = "id, engagement_id, product_id, title, tool, format, \
     scan_type, scan_date, version, build_id, commit_hash, branch_tag, tags, n_findings, \
     created_at, updated_at";

/// A test from a row of [`TEST_COLUMNS`].
pub fn test(row: &impl Columns) -> Result<Test> {
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
pub const FINDING_COLUMNS: &str = "f.id, f.product_id, f.fingerprint, f.status, f.active, \
     f.verified, f.severity, f.category, f.title, f.tools, f.first_seen, \
     (SELECT s.last_seen FROM finding_seen s WHERE s.finding_id = f.id) AS last_seen, \
     f.sla_due, f.risk_accepted_until, f.mitigated_at, f.assignee, d.data";

/// The tables [`FINDING_COLUMNS`] come from.
pub const FINDING_TABLES: &str = "findings f JOIN finding_data d ON d.finding_id = f.id";

/// A finding's record as a page of findings reads it: the whole record from `finding_data`,
/// or the brief kept on the finding row (no join, a small JSON object to decode).
pub trait Record: DeserializeOwned {
    /// The columns, the record last as `data`.
    const COLUMNS: &'static str;
    /// The tables they come from, `findings` as `f`.
    const TABLES: &'static str;
}

impl Record for Finding {
    const COLUMNS: &'static str = FINDING_COLUMNS;
    const TABLES: &'static str = FINDING_TABLES;
}

impl Record for FindingBrief {
    const COLUMNS: &'static str = "f.id, f.product_id, f.fingerprint, f.status, f.active, \
         f.verified, f.severity, f.category, f.title, f.tools, f.first_seen, \
         (SELECT s.last_seen FROM finding_seen s WHERE s.finding_id = f.id) AS last_seen, \
         f.sla_due, f.risk_accepted_until, f.mitigated_at, f.assignee, f.brief AS data";
    const TABLES: &'static str = "findings f";
}

/// A stored finding from a row of a [`Record`]'s columns (its record in `data`).
pub fn finding<F: DeserializeOwned>(row: &impl Columns) -> Result<StoredFinding<F>> {
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
        severity: codec::severity_from_rank(row.small("severity")?)?,
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

/// A report that saw a finding: `finding_tests` joined with its test and engagement.
pub fn source(row: &impl Columns) -> Result<FindingSource> {
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

/// An audit entry from a `finding_audit` row.
pub fn audit(row: &impl Columns) -> Result<AuditEntry> {
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

/// The columns [`api_key`] reads, from `api_keys` (`hash` for checking a presented key).
pub const API_KEY_COLUMNS: &str = "id, name, prefix, hash, scope, products, created_at, revoked_at";

/// An API key (without its hash) from a row of [`API_KEY_COLUMNS`].
pub fn api_key(row: &impl Columns) -> Result<ApiKey> {
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

/// A dashboard user from a `users` row.
pub fn user(row: &impl Columns) -> Result<User> {
    Ok(User {
        id: UserId(get(row, "id")?),
        username: get(row, "username")?,
        scope: codec::scope_from_name(&get::<String>(row, "scope")?)?,
        created_at: codec::from_unix(get(row, "created_at")?)?,
    })
}
