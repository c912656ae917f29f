//! Benchmark (BENCHMARKS.md, "Dependency scanning"): open the advisory database and match
//! 10,000 packages against it.
//!
//! `cargo run --release -p ward-deps --example match_10k [ADVISORIES_DIR] [N]`
//!
//! Builds a database from the OSV folder (default `tests/data/advisories`, not timed), then
//! times, per run, `Database::open` plus `N` (default 10,000) `Database::query` calls. The
//! packages are the worst case: every one is a package the database has advisories for
//! (all of them, round-robin), each at a version taken from the records (listed versions and
//! range events, in turn), so every query evaluates every advisory of its package.
#![allow(clippy::print_stdout)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use ward_osv::{Builder, Database};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/advisories"),
        PathBuf::from,
    );
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let mut builder = Builder::new();
    builder.add_path(&dir).expect("reading the advisories");
    let db_path = std::env::temp_dir().join(format!("ward-bench-{}.db", std::process::id()));
    builder
        .write(&db_path, SystemTime::now())
        .expect("writing the database");
    let size = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);

    // (ecosystem, name, version) candidates from the records.
    let db = Database::open(&db_path).expect("opening");
    let mut candidates: BTreeSet<(String, String, String)> = BTreeSet::new();
    for advisory in db.advisories() {
        for affected in &advisory.affected {
            let versions = affected.versions.iter().cloned().chain(
                affected
                    .ranges
                    .iter()
                    .flat_map(|r| r.events.iter().map(|e| e.version().to_string())),
            );
            for version in versions.filter(|v| v != "0").take(3) {
                candidates.insert((affected.ecosystem.clone(), affected.name.clone(), version));
            }
        }
    }
    // Round-robin over the packages (each at its next version), so a package with hundreds
    // of advisories is queried as often as one with a single advisory.
    let mut by_package: std::collections::BTreeMap<(&str, &str), Vec<&str>> = Default::default();
    for (ecosystem, name, version) in &candidates {
        by_package
            .entry((ecosystem.as_str(), name.as_str()))
            .or_default()
            .push(version.as_str());
    }
    let packages = by_package.len();
    let mut queries = Vec::with_capacity(n);
    'fill: for round in 0.. {
        for ((ecosystem, name), versions) in &by_package {
            if queries.len() == n {
                break 'fill;
            }
            queries.push((*ecosystem, *name, versions[round % versions.len()]));
        }
    }
    let distinct: BTreeSet<_> = queries.iter().collect();
    drop(db);

    let mut times = Vec::new();
    let mut hits = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let db = Database::open(&db_path).expect("opening");
        let opened = start.elapsed();
        hits = 0;
        for (ecosystem, name, version) in &queries {
            hits += db.query(ecosystem, name, version).len();
        }
        times.push((start.elapsed(), opened));
    }
    times.sort();
    let (median, open) = times[times.len() / 2];
    let (best, _) = times[0];
    println!(
        "database: {} advisories, {} packages, {:.1} MB; {} queries ({} distinct package \
         versions), {hits} matches",
        db_advisories(&db_path),
        packages,
        size as f64 / 1e6,
        queries.len(),
        distinct.len(),
    );
    println!(
        "open + match: median {:.1} ms (open {:.1} ms), best {:.1} ms, over {} runs",
        median.as_secs_f64() * 1e3,
        open.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
        times.len()
    );
    let start = Instant::now();
    let db = Database::open(&db_path).expect("opening");
    let n_parsed = db.advisories().count();
    println!(
        "of which parsing all {n_parsed} records once: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_file(&db_path);
}

fn db_advisories(path: &std::path::Path) -> usize {
    Database::open(path).map_or(0, |db| db.n_advisories())
}
