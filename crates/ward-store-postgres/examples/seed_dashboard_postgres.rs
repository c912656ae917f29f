//! Seeds the dashboard benchmark (bench/dashboard.sh runs it) into a PostgreSQL database:
//! `seed_dashboard_postgres URL [PRODUCTS] [PER_PRODUCT]`.

use ward_store::conformance::seed_dashboard_from_args;
use ward_store::StoreOptions;
use ward_store_postgres::PgStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("a database URL");
    let store = PgStore::connect(&url, StoreOptions::default())
        .await
        .expect("connect");
    seed_dashboard_from_args("postgres", &store, args).await;
}
