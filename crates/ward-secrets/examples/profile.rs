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
    let kws: Vec<String> = rules.iter().flat_map(|r| r.keywords.clone()).collect();
    let ac = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&kws)
        .unwrap();
    let t = Instant::now();
    let mut n = 0;
    for f in &files {
        n += ac.find_overlapping_iter(f).count();
    }
    println!("prefilter overlapping {:?} {n}", t.elapsed());
    let t = Instant::now();
    let mut n = 0;
    for f in &files {
        n += ac.find_iter(f).count();
    }
    println!("prefilter standard {:?} {n}", t.elapsed());
    let common = [
        "key", "token", "secret", "pass", "pwd", "://", "aaaa", "pat", "2/", "-us", "api-", "sdk-",
        "sl.", "yc", "cio",
    ];
    let rare: Vec<String> = kws
        .iter()
        .filter(|k| !common.contains(&k.as_str()))
        .cloned()
        .collect();
    let ac3 = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&rare)
        .unwrap();
    let t = Instant::now();
    let mut n = 0;
    for f in &files {
        n += ac3.find_overlapping_iter(f).count();
    }
    println!("prefilter rare only ({}) {:?} {n}", rare.len(), t.elapsed());
    let ac4 = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(common)
        .unwrap();
    let t = Instant::now();
    let mut n = 0;
    for f in &files {
        n += ac4.find_overlapping_iter(f).count();
    }
    println!("prefilter common only {:?} {n}", t.elapsed());
    let mut variants: Vec<String> = Vec::new();
    for k in &kws {
        for v in [k.clone(), k.to_ascii_uppercase(), {
            let mut c = k.clone();
            if let Some(f) = c.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            c
        }] {
            if !variants.contains(&v) {
                variants.push(v);
            }
        }
    }
    let ac2 = aho_corasick::AhoCorasickBuilder::new()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&variants)
        .unwrap();
    let t = Instant::now();
    let mut n = 0;
    for f in &files {
        n += ac2.find_overlapping_iter(f).count();
    }
    println!(
        "prefilter case-sensitive variants ({}) {:?} {n}",
        variants.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let mut n = 0usize;
    for f in &files {
        n += f.len();
    }
    println!("touch {:?} {n}", t.elapsed());
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
                n += r
                    .pattern
                    .compiled()
                    .map_or(0, |(re, _)| re.find_iter(f).count());
            }
        }
        times.push((t.elapsed(), r.id.clone(), n));
    }
    times.sort();
    for x in times.iter().rev().take(15) {
        println!("{:?}", x);
    }
}
