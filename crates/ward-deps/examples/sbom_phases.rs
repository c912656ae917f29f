//! Where `ward sbom`'s time goes (BENCHMARKS.md, "Dependency scanning"): times the walk for
//! lockfiles alone, the walk with the lockfiles read as they are found, the whole SBOM
//! (walk, read, graph) and writing its JSON, separately.
//!
//! `cargo run --release -p ward-deps --example sbom_phases -- TREE`
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use ward_deps::sbom::{sbom, SbomOptions};

fn main() {
    let tree = PathBuf::from(std::env::args().nth(1).expect("usage: sbom_phases TREE"));
    let start = Instant::now();
    let files = ward_lockfile::find(&tree);
    let walked = start.elapsed();
    let start = Instant::now();
    let parsed = ward_lockfile::read_tree(&tree, |_, read| read);
    let read = start.elapsed();
    let n_packages: usize = parsed
        .iter()
        .filter_map(|(_, read)| read.as_ref().ok())
        .map(|p| p.packages.len())
        .sum();
    let start = Instant::now();
    let document = sbom(&tree, &SbomOptions::default());
    let whole = start.elapsed();
    let start = Instant::now();
    let mut bytes = Vec::new();
    document.write_json(&mut bytes, true).expect("serializing");
    let written = start.elapsed();
    println!(
        "{} lockfiles, {n_packages} packages, {} components, {} bytes of JSON",
        files.len(),
        document.n_components,
        bytes.len()
    );
    println!("walk            {:>8.1} ms", walked.as_secs_f64() * 1e3);
    println!("walk + read     {:>8.1} ms", read.as_secs_f64() * 1e3);
    println!(
        "sbom            {:>8.1} ms (walk + read + graph)",
        whole.as_secs_f64() * 1e3
    );
    println!("json            {:>8.1} ms", written.as_secs_f64() * 1e3);
}
