//! Opening the store a server or an admin command uses: the SQLite file in the data directory
//! by default, or the database a URL names (`postgres://…` selects PostgreSQL, `sqlite:…` a
//! SQLite file elsewhere). Opening applies the backend's migrations.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use ward_store::{Store, StoreOptions};
use ward_store_postgres::PgStore;
use ward_store_sqlite::SqliteStore;

/// Opens the store: `database` when given (a `postgres://`, `postgresql://` or `sqlite:`
/// URL), else `<data_dir>/ward.sqlite3`.
pub async fn connect(
    data_dir: &Path,
    database: Option<&str>,
    options: StoreOptions,
) -> anyhow::Result<Arc<dyn Store>> {
    let Some(url) = database.map(str::trim).filter(|u| !u.is_empty()) else {
        let store = SqliteStore::open_in_dir(data_dir, options)
            .await
            .with_context(|| format!("opening the SQLite database in {}", data_dir.display()))?;
        return Ok(Arc::new(store));
    };
    let description = describe_database(data_dir, Some(url));
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect(url, options)
            .await
            .with_context(|| format!("opening {description}"))?;
        return Ok(Arc::new(store));
    }
    if url.starts_with("sqlite:") {
        let store = SqliteStore::connect(url, options)
            .await
            .with_context(|| format!("opening {description}"))?;
        return Ok(Arc::new(store));
    }
    bail!("unsupported database URL {description}: expected postgres://… or sqlite:…")
}

/// The database in words, for logs and messages, without any password the URL carries.
pub fn describe_database(data_dir: &Path, database: Option<&str>) -> String {
    let Some(url) = database.map(str::trim).filter(|u| !u.is_empty()) else {
        return format!(
            "SQLite database {}",
            data_dir.join(ward_store_sqlite::DATABASE_FILE).display()
        );
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("`{}`", url.split(':').next().unwrap_or_default());
    };
    // Keep the scheme, host and path; drop `user:password@`.
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let rest = rest.split('?').next().unwrap_or_default();
    format!("`{scheme}://{rest}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_hide_passwords() {
        let dir = Path::new("/srv/ward");
        assert_eq!(
            describe_database(dir, None),
            "SQLite database /srv/ward/ward.sqlite3"
        );
        assert_eq!(
            describe_database(
                dir,
                Some("postgres://ward:s3cret@db:5432/ward?sslmode=require")
            ),
            "`postgres://db:5432/ward`"
        );
        assert_eq!(describe_database(dir, Some("mysql:x")), "`mysql`");
    }

    #[tokio::test]
    async fn opens_sqlite_in_the_data_dir() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = connect(dir.path(), None, StoreOptions::default())
            .await
            .expect("store");
        store.ping().await.expect("ping");
        assert!(dir.path().join("ward.sqlite3").exists());
        let err = connect(
            dir.path(),
            Some("mysql://u:pw@h/db"),
            StoreOptions::default(),
        )
        .await
        .err()
        .expect("refused");
        assert!(!err.to_string().contains("pw"));
    }
}
