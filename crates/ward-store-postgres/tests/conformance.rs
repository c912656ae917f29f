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

/// Two stores on one database stand for two server processes. A key verified by the first
/// is kept in its memory; revoked through the second, it stops working in the first once the
/// change notification arrives (the test allows 2 s), leaves its memory, and does not come
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_by_another_process_stops_working() {
    use std::time::{Duration, Instant};
    use ward_store::{NewApiKey, Scope};

    let Some(database) = TempDatabase::create().await else {
        return;
    };
    let open = || PgStore::connect(database.url(), StoreOptions::default());
    let (first, second) = (
        open().await.expect("connect"),
        open().await.expect("connect"),
    );
    let started = Instant::now();
    while !first.caches_keys() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(first.caches_keys(), "the store listens for key changes");

    let created = second
        .create_api_key(&NewApiKey {
            name: "ci".into(),
            scope: Scope::Read,
            products: None,
        })
        .await
        .unwrap();
    // The key's creation is announced too and empties the cache once it arrives: look the
    // key up until it stays in memory.
    let started = Instant::now();
    while first.cached_keys() == 0 && started.elapsed() < Duration::from_secs(2) {
        let key = first.api_key_by_secret(&created.secret).await.unwrap();
        assert_eq!(key.map(|k| k.id), Some(created.key.id));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(first.cached_keys(), 1, "a verified key is kept in memory");
    let key = first.api_key_by_secret(&created.secret).await.unwrap();
    assert_eq!(key.map(|k| k.id), Some(created.key.id));
    second.revoke_api_key(created.key.id).await.unwrap();
    let started = Instant::now();
    let mut revoked = false;
    while started.elapsed() < Duration::from_secs(2) {
        if first
            .api_key_by_secret(&created.secret)
            .await
            .unwrap()
            .is_none()
        {
            revoked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(revoked, "a revoked key still worked 2 s later");
    assert_eq!(first.cached_keys(), 0);
    assert!(first
        .api_key_by_secret(&created.secret)
        .await
        .unwrap()
        .is_none());
}
