//! The shared store behaviour tests (`ward_store::conformance`), on a fresh SQLite file each.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::Connection;

use ward_store::{Store, StoreOptions};
use ward_store_sqlite::SqliteStore;

async fn fresh() -> Option<(Arc<dyn Store>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open_in_dir(dir.path(), StoreOptions::default())
        .await
        .expect("open the SQLite store");
    Some((Arc::new(store), dir))
}

ward_store::conformance_tests!(fresh);

#[tokio::test]
async fn outbox_survives_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let open = || SqliteStore::open_in_dir(dir.path(), StoreOptions::default());
    let first = open().await.expect("open");
    let second = open().await.expect("reopen");
    ward_store::conformance::outbox_survives_reopen(Arc::new(first), Arc::new(second)).await;
}

/// The rows of every table of the schema, counted straight from the file.
async fn count_rows(path: &std::path::Path) -> BTreeMap<String, i64> {
    let connect = SqliteConnectOptions::new().filename(path).read_only(true);
    let mut conn = SqliteConnection::connect_with(&connect)
        .await
        .expect("open the file");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list tables");
    let mut counts = BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{table}\""))
            .fetch_one(&mut conn)
            .await
            .expect("count rows");
        counts.insert(table, n);
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_product_leaves_no_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open_in_dir(dir.path(), StoreOptions::default())
        .await
        .expect("open");
    let path = dir.path().join(ward_store_sqlite::DATABASE_FILE);
    ward_store::conformance::delete_product_leaves_no_rows(Arc::new(store), || count_rows(&path))
        .await;
}
