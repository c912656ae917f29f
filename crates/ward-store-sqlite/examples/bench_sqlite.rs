//! The store import benchmark on SQLite (bench/store.sh runs it):
//! `bench_sqlite [STORED] [REPORT]`, defaults 1,000,000 and 100,000.
#![allow(clippy::print_stdout)]

use ward_store::conformance::bench_import;
use ward_store::StoreOptions;
use ward_store_sqlite::SqliteStore;

#[tokio::main]
async fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let n_stored = args.next().unwrap_or(1_000_000);
    let n_report = args.next().unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open_in_dir(dir.path(), StoreOptions::default())
        .await
        .expect("open");
    let times = bench_import(&store, n_stored, n_report).await;
    println!("sqlite {n_stored} stored, {n_report} in the report: {times:#?}");
}
