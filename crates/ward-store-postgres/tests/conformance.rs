//! The shared store behaviour tests (`ward_store::conformance`), each on a fresh database of
//! the PostgreSQL server named by `WARD_TEST_POSTGRES_URL`; skipped when it is not set.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlx::{Connection, PgConnection};

use ward_store::{Store, StoreOptions};
use ward_store_postgres::PgStore;
use ward_test_support::postgres::TempDatabase;

async fn fresh() -> Option<(Arc<dyn Store>, TempDatabase)> {
    let database = TempDatabase::create().await?;
    let store = PgStore::connect(database.url(), StoreOptions::default())
        .await
        .expect("connect to the test database");
    Some((Arc::new(store), database))
}

ward_store::conformance_tests!(fresh);

#[tokio::test]
async fn outbox_survives_reopen() {
    let Some(database) = TempDatabase::create().await else {
        return;
    };
    let open = || PgStore::connect(database.url(), StoreOptions::default());
    let first = open().await.expect("connect");
    let second = open().await.expect("connect again");
    ward_store::conformance::outbox_survives_reopen(Arc::new(first), Arc::new(second)).await;
}

/// The rows of every table of the schema, counted straight from the database.
async fn count_rows(url: &str) -> BTreeMap<String, i64> {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations'",
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
    let Some(database) = TempDatabase::create().await else {
        return;
    };
    let store = PgStore::connect(database.url(), StoreOptions::default())
        .await
        .expect("connect");
    ward_store::conformance::delete_product_leaves_no_rows(Arc::new(store), || {
        count_rows(database.url())
    })
    .await;
}
