//! Seeds the dashboard benchmark (bench/dashboard.sh runs it) into a PostgreSQL database:
//! `seed_dashboard_postgres URL [PRODUCTS] [PER_PRODUCT]`, defaults 200 and 5,000.
#![allow(clippy::print_stdout)]

use ward_store::conformance::seed_dashboard;
use ward_store::StoreOptions;
use ward_store_postgres::PgStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("a database URL");
    let mut numbers = args.map(|a| a.parse::<usize>().expect("a number"));
    let products = numbers.next().unwrap_or(200);
    let per_product = numbers.next().unwrap_or(5_000);
    let store = PgStore::connect(&url, StoreOptions::default())
        .await
        .expect("connect");
    let began = std::time::Instant::now();
    let n = seed_dashboard(
        &store,
        products,
        per_product,
        time::OffsetDateTime::now_utc(),
    )
    .await;
    println!(
        "postgres: {n} findings in {products} products, seeded in {:.1?}",
        began.elapsed()
    );
}
