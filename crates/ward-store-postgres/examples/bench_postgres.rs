//! The store import benchmark on PostgreSQL (bench/store.sh runs it), in a fresh database on
//! the server `WARD_TEST_POSTGRES_URL` names: `bench_postgres [STORED] [REPORT]`, defaults
//! 1,000,000 and 100,000.
#![allow(clippy::print_stdout)]

use ward_store::conformance::bench_import;
use ward_store::StoreOptions;
use ward_store_postgres::PgStore;
use ward_test_support::postgres::TempDatabase;

#[tokio::main]
async fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let n_stored = args.next().unwrap_or(1_000_000);
    let n_report = args.next().unwrap_or(100_000);
    let database = TempDatabase::create()
        .await
        .expect("set WARD_TEST_POSTGRES_URL");
    let store = PgStore::connect(database.url(), StoreOptions::default())
        .await
        .expect("connect");
    let times = bench_import(&store, n_stored, n_report).await;
    println!("postgres {n_stored} stored, {n_report} in the report: {times:#?}");
}
