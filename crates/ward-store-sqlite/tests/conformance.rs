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
