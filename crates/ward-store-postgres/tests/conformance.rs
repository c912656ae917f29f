//! The shared store behaviour tests (`ward_store::conformance`), each on a fresh database of
//! the PostgreSQL server named by `WARD_TEST_POSTGRES_URL`; skipped when it is not set.

use std::sync::Arc;

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
