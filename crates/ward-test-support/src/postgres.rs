//! Fresh PostgreSQL databases for tests, on the server `WARD_TEST_POSTGRES_URL` names.
//!
//! Each [`TempDatabase`] is `CREATE DATABASE ward_test_<random>` on that server, dropped
//! (with `FORCE`, closing leftover connections) when the value is dropped, so tests never
//! share state. Without the variable, [`TempDatabase::create`] returns `None` and the caller
//! skips; with it set but the server unreachable, it panics: a configured run must not pass
//! by skipping.

use std::env;

use sqlx::{Connection, Executor, PgConnection};

/// The variable naming the test server, e.g. `postgres://ward:ward@127.0.0.1:5432/postgres`
/// (a role allowed to create databases).
pub const URL_VARIABLE: &str = "WARD_TEST_POSTGRES_URL";

/// A database that exists until this value is dropped.
#[derive(Debug)]
pub struct TempDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TempDatabase {
    /// Creates a fresh database, or `None` when `WARD_TEST_POSTGRES_URL` is not set.
    pub async fn create() -> Option<TempDatabase> {
        let admin_url = env::var(URL_VARIABLE)
            .ok()
            .filter(|u| !u.trim().is_empty())?;
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).expect("operating system randomness");
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("ward_test_{suffix}");
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{URL_VARIABLE}: cannot connect: {e}"));
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("{URL_VARIABLE}: cannot create database {name}: {e}"));
        let _ = admin.close().await;
        let url = with_database(&admin_url, &name);
        Some(TempDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// The URL of the fresh database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its
        // own small runtime does the cleanup.
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await?;
                admin.execute(statement.as_str()).await?;
                admin.close().await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        });
        if let Ok(Err(error)) = cleanup.join() {
            eprintln!("dropping test database {}: {error}", self.name);
        }
    }
}

/// `url` with its database (the path) replaced by `name`, query parameters kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_in_url_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/postgres", "t"),
            "postgres://u:p@127.0.0.1:5432/t"
        );
        assert_eq!(
            with_database("postgres://u@localhost?sslmode=disable", "t"),
            "postgres://u@localhost/t?sslmode=disable"
        );
    }
}
