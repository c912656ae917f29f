//! The shared store behaviour tests (`ward_store::conformance`), on a fresh SQLite file each.

use std::sync::Arc;

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
