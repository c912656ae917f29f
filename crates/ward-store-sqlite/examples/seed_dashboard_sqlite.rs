//! Seeds the dashboard benchmark (bench/dashboard.sh runs it) into the SQLite database of a
//! data directory: `seed_dashboard_sqlite DATA_DIR [PRODUCTS] [PER_PRODUCT]`.

use ward_store::conformance::seed_dashboard_from_args;
use ward_store::StoreOptions;
use ward_store_sqlite::SqliteStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("a data directory");
    let store = SqliteStore::open_in_dir(dir.as_ref(), StoreOptions::default())
        .await
        .expect("open");
    seed_dashboard_from_args("sqlite", &store, args).await;
}
