//! Times each rule's regex and the prefilter over a directory's files (a development aid).
#![allow(clippy::print_stdout)]
use std::time::Instant;
fn main() {
    let root = std::env::args().nth(1).expect("dir");
    let mut files = Vec::new();
    for e in ignore::WalkBuilder::new(&root).build().flatten() {
        if e.file_type().is_some_and(|t| t.is_file()) {
            if let Ok(b) = std::fs::read(e.path()) {
                if !ward_secrets::walk::is_binary(&b) && b.len() < 10 << 20 {
                    files.push(b);
                }
            }
        }
    }
    let rules = ward_secrets::builtin_rules();
    let total: usize = files.iter().map(|f| f.len()).sum();
    println!("{} files {} MB", files.len(), total / 1_000_000);
    let set = ward_secrets::RuleSet::new(rules.clone());
    let t = Instant::now();
    for f in &files {
        let _ = set.scan("x", f, b"");
    }
    println!("full scan {:?}", t.elapsed());
    let mut times = Vec::new();
    for r in &rules {
        let t = Instant::now();
        let mut n = 0;
        for f in &files {
            let lower_hit = r.keywords.is_empty() || {
                let l = f.to_ascii_lowercase();
                r.keywords
                    .iter()
                    .any(|k| memchr::memmem::find(&l, k.as_bytes()).is_some())
            };
            if lower_hit {
                n += r.regex.find_iter(f).count();
            }
        }
        times.push((t.elapsed(), r.id.clone(), n));
    }
    times.sort();
    for x in times.iter().rev().take(15) {
        println!("{:?}", x);
    }
}
