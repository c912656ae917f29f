//! Finding the files to scan, and a small parallel map over them.
//!
//! The walk uses the `ignore` crate (`.gitignore` respected, hidden files included) and
//! skips `.git`, `.terraform` (downloaded modules and providers) and `node_modules`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::parsers::{kind_of, FileKind};

/// A file to read.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Where to read it.
    pub(crate) path: PathBuf,
    /// How findings name it: relative to the scan root, `/` separators.
    pub(crate) display: String,
    /// What it is by name.
    pub(crate) kind: FileKind,
}

/// The candidate files under `root`, sorted by path, and walk errors.
pub(crate) fn find(root: &Path) -> (Vec<Candidate>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && matches!(
                    e.file_name().to_str(),
                    Some(".git" | ".terraform" | "node_modules")
                ))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let Some(kind) = kind_of(&path) else {
            continue;
        };
        let display = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push(Candidate {
            path,
            display,
            kind,
        });
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    (files, errors)
}

/// A single file given on the command line: named as given. A file whose name ward does
/// not recognise is read as YAML/JSON and decided by content.
pub(crate) fn single(path: &Path) -> Vec<Candidate> {
    vec![Candidate {
        path: path.to_path_buf(),
        display: path.to_string_lossy().replace('\\', "/"),
        kind: kind_of(path).unwrap_or(FileKind::Structured),
    }]
}

/// The number of worker threads for a requested count (0: one per CPU).
pub(crate) fn threads(requested: usize) -> usize {
    if requested > 0 {
        return requested;
    }
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
}

/// Applies `f` to every item on `threads` threads; results in input order.
pub(crate) fn parallel_map<T, R, F>(items: Vec<T>, threads: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(T) -> R + Sync,
    T: Send + Clone,
{
    let n = items.len();
    if threads <= 1 || n <= 1 {
        return items.into_iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.min(n) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else {
                    break;
                };
                let result = f(item.clone());
                if let Ok(mut slots) = results.lock() {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_order() {
        let out = parallel_map((0..100).collect(), 4, |i: i32| i * 2);
        assert_eq!(out, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn walk_skips_terraform_caches_and_names_files_relative() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".terraform/modules/x")).expect("mkdir");
        std::fs::create_dir_all(root.join("app")).expect("mkdir");
        std::fs::write(root.join(".terraform/modules/x/main.tf"), "").expect("write");
        std::fs::write(root.join("app/main.tf"), "").expect("write");
        std::fs::write(root.join("app/notes.txt"), "").expect("write");
        let (found, errors) = find(root);
        assert!(errors.is_empty());
        let names: Vec<&str> = found.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(names, vec!["app/main.tf"]);
    }
}
