//! Seeds the dashboard benchmark (bench/dashboard.sh runs it) into the SQLite database of a
//! data directory: `seed_dashboard_sqlite DATA_DIR [PRODUCTS] [PER_PRODUCT]`, defaults 200 and 5,000.
#![allow(clippy::print_stdout)]

use ward_store::conformance::seed_dashboard;
use ward_store::StoreOptions;
use ward_store_sqlite::SqliteStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("a data directory");
    let mut numbers = args.map(|a| a.parse::<usize>().expect("a number"));
    let products = numbers.next().unwrap_or(200);
    let per_product = numbers.next().unwrap_or(5_000);
    std::fs::create_dir_all(&dir).expect("data directory");
    let store = SqliteStore::open_in_dir(dir.as_ref(), StoreOptions::default())
        .await
        .expect("open");
    let began = std::time::Instant::now();
    let n = seed_dashboard(
        &store,
        products,
        per_product,
        time::OffsetDateTime::now_utc(),
    )
    .await;
    println!(
        "sqlite: {n} findings in {products} products, seeded in {:.1?}",
        began.elapsed()
    );
}
