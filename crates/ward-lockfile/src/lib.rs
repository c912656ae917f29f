//! Lockfile readers for ward's dependency scanning and SBOMs.
//!
//! One module per lockfile format under `readers/`, each a unit struct implementing
//! [`Reader`] and listed once in [`READERS`]. A reader turns the file's text into
//! [`Package`]s: OSV ecosystem, name, exact version, purl, whether the project depends on it
//! directly (when the file says), its dependencies' names, and hashes. [`find`] walks a tree
//! for lockfiles, honouring `.gitignore`.

use std::path::{Path, PathBuf};

mod purl;
mod readers;

pub use purl::purl;
pub use readers::READERS;

/// One resolved package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// OSV ecosystem name (`crates.io`, `npm`, `PyPI`, `Go`, `RubyGems`, `Packagist`, `Maven`,
    /// `NuGet`, `Pub`, `Hex`).
    pub ecosystem: &'static str,
    /// Name as the ecosystem spells it (npm scopes included: `@types/node`).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Package URL (<https://github.com/package-url/purl-spec>).
    pub purl: String,
    /// `Some(true)` for a direct dependency, `Some(false)` for a transitive one, `None` when
    /// the file does not say.
    pub direct: Option<bool>,
    /// Names of the packages this one depends on (resolved against the same file).
    pub dependencies: Vec<String>,
    /// Hashes as (`SHA-256`/`SHA-512`/`SHA-1`, lowercase hex).
    pub hashes: Vec<(String, String)>,
    /// A licence expression, where the lockfile records one.
    pub license: Option<String>,
}

impl Package {
    /// A package with its purl computed and nothing else known.
    pub fn new(ecosystem: &'static str, name: &str, version: &str) -> Package {
        Package {
            ecosystem,
            name: name.to_string(),
            version: version.to_string(),
            purl: purl(ecosystem, name, version),
            direct: None,
            dependencies: Vec::new(),
            hashes: Vec::new(),
            license: None,
        }
    }
}

/// What a reader returns: the packages and anything skipped.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The packages, in file order.
    pub packages: Vec<Package>,
    /// Entries that could not be read, each saying which.
    pub warnings: Vec<String>,
}

/// A lockfile that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct Error {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

/// One lockfile format.
pub trait Reader: Sync {
    /// Kebab-case id (`cargo-lock`).
    fn id(&self) -> &'static str;
    /// Whether a file of this name is this format.
    fn matches(&self, file_name: &str) -> bool;
    /// Reads the file's text; `Err` with a reason when it is not readable at all.
    fn parse(&self, text: &str) -> Result<Parsed, String>;
}

/// The reader for a file name, if any.
pub fn reader_for(path: &Path) -> Option<&'static dyn Reader> {
    let name = path.file_name()?.to_str()?;
    READERS.iter().copied().find(|r| r.matches(name))
}

/// Reads one lockfile.
pub fn read(path: &Path) -> Result<Parsed, Error> {
    let error = |reason: String| Error {
        path: path.to_path_buf(),
        reason,
    };
    let reader = reader_for(path).ok_or_else(|| error("not a known lockfile".into()))?;
    let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| error("not UTF-8 text".into()))?;
    reader.parse(&text).map_err(error)
}

/// Every lockfile under `root` (or `root` itself if it is one), sorted, skipping what
/// `.gitignore` and friends exclude, hidden folders and `node_modules`.
pub fn find(root: &Path) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .filter_entry(|e| e.file_name() != "node_modules" && e.file_name() != "vendor")
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| reader_for(p).is_some())
        .collect();
    found.sort();
    found
}
