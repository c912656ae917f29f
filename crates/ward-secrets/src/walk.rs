//! Walking a directory: `.gitignore` respected, hidden files (`.env`!) included, `.git`
//! skipped, binaries and files over a size limit skipped, files scanned in parallel on every
//! core with the `ignore` crate's parallel walker.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use ward_core::Finding;

use crate::{Error, Scanner};

/// How a walk goes.
#[derive(Debug, Clone)]
pub struct WalkConfig {
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

impl Default for WalkConfig {
    fn default() -> WalkConfig {
        WalkConfig {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            threads: 0,
        }
    }
}

/// Files over 10 MiB are rarely source and usually data or build output.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// What a walk did besides finding secrets.
#[derive(Debug, Default)]
pub struct WalkStats {
    /// Files scanned.
    pub n_files: u64,
    /// Bytes scanned.
    pub n_bytes: u64,
    /// Files skipped as binary or too large.
    pub n_skipped: u64,
    /// Files or directories that could not be read, with why.
    pub errors: Vec<String>,
}

/// Scans every file under `root`. Paths in findings are relative to `root` (or `root` itself
/// for a single file). `progress` is called with the bytes of each file scanned.
pub fn scan_dir(
    scanner: &Scanner,
    root: &Path,
    config: &WalkConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<Finding>, WalkStats), Error> {
    if !root.exists() {
        return Err(Error::Io {
            path: root.display().to_string(),
            message: "no such file or directory".into(),
        });
    }
    let findings = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let n_files = AtomicU64::new(0);
    let n_bytes = AtomicU64::new(0);
    let n_skipped = AtomicU64::new(0);
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .threads(config.threads)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    push(&errors, e.to_string());
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > config.max_file_size {
                n_skipped.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => {
                    push(&errors, format!("{}: {e}", path.display()));
                    return WalkState::Continue;
                }
            };
            progress(bytes.len() as u64);
            if is_binary(&bytes) {
                n_skipped.fetch_add(1, Ordering::Relaxed);
                return WalkState::Continue;
            }
            n_files.fetch_add(1, Ordering::Relaxed);
            n_bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            let name = relative_name(root, path);
            let found = scanner.scan_bytes(&name, &bytes);
            if !found.is_empty() {
                if let Ok(mut all) = findings.lock() {
                    all.extend(found);
                }
            }
            WalkState::Continue
        })
    });
    let mut findings = findings.into_inner().unwrap_or_default();
    crate::finish(&mut findings);
    let mut errors = errors.into_inner().unwrap_or_default();
    errors.sort();
    Ok((
        findings,
        WalkStats {
            n_files: n_files.into_inner(),
            n_bytes: n_bytes.into_inner(),
            n_skipped: n_skipped.into_inner(),
            errors,
        },
    ))
}

fn push(errors: &Mutex<Vec<String>>, message: String) {
    if let Ok(mut e) = errors.lock() {
        e.push(message);
    }
}

/// A NUL byte in the first 8 KiB means binary, as git and ripgrep decide.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        path
    } else {
        rel
    };
    rel.to_string_lossy().replace('\\', "/")
}
