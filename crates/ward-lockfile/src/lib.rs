//! Lockfile readers for ward's dependency scanning and SBOMs.
//!
//! One module per lockfile format under `readers/`, each a unit struct implementing
//! [`Reader`] and listed once in [`READERS`]. A reader turns the file's text into
//! [`Package`]s: OSV ecosystem, name, exact version, purl, whether the project depends on it
//! directly (when the file says), its dependencies' names, and hashes; and, where the file
//! names them, the project's own packages ([`Parsed::roots`]). [`read`] adds what lies next
//! to a lockfile: the files it includes (`-r other.txt`) and the manifest naming the project
//! (`package.json`, `pyproject.toml`, …, in `manifest.rs`). [`find`] walks a tree for
//! lockfiles in parallel, honouring `.gitignore`; [`read_tree`] reads them as it finds them
//! ([`read_tree_each`] hands them over as they come).
//! [`read_sbom`] lists the packages of another tool's CycloneDX or SPDX SBOM by their purls
//! ([`purl::parse`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod manifest;
pub mod purl;
mod readers;
mod sbom_file;

pub use purl::purl;
pub use readers::READERS;
pub use sbom_file::{read_sbom, SbomPackages};

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
    /// The project's own packages (a Cargo workspace's members, the `package.json` of an npm
    /// project, a POM's own artifact, a Go module): not dependencies, but what the
    /// dependencies belong to. `version` is empty where the project names none;
    /// `dependencies` names what each depends on directly, where known.
    pub roots: Vec<Package>,
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
    /// Other files this one includes (`-r base.txt`), as written, relative to its folder;
    /// [`read`] reads them with the same reader.
    fn includes(&self, _text: &str) -> Vec<String> {
        Vec::new()
    }
}

/// The reader for a file name, if any.
pub fn reader_for(path: &Path) -> Option<&'static dyn Reader> {
    let name = path.file_name()?.to_str()?;
    READERS.iter().copied().find(|r| r.matches(name))
}

/// Reads one lockfile, the files it includes and the manifest next to it.
pub fn read(path: &Path) -> Result<Parsed, Error> {
    let error = |reason: String| Error {
        path: path.to_path_buf(),
        reason,
    };
    let reader = reader_for(path).ok_or_else(|| error("not a known lockfile".into()))?;
    let text = read_text(path).map_err(error)?;
    let mut parsed = reader.parse(&text).map_err(error)?;
    if !reader.includes(&text).is_empty() {
        let mut seen = BTreeSet::from([path.canonicalize().unwrap_or_else(|_| path.to_path_buf())]);
        read_includes(reader, path, &text, &mut parsed, &mut seen);
    }
    if parsed.roots.is_empty() {
        match manifest::root_beside(path, reader.id()) {
            Ok(root) => parsed.roots.extend(root),
            Err(warning) => parsed.warnings.push(warning),
        }
    }
    mark_direct_from_roots(&mut parsed);
    Ok(parsed)
}

/// Every lockfile under `root` (or `root` itself if it is one), sorted, skipping what
/// `.gitignore` and friends exclude, hidden folders, `node_modules` and `vendor`. The walk
/// runs on all cores and looks only at file names.
pub fn find(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk_lockfiles(root, |_| (), |path, ()| found.push(path));
    found.sort();
    found
}

/// Finds and reads every lockfile under `root` (or `root` itself) in one parallel pass: the
/// walker thread that finds a lockfile reads it and hands the result to `prepare`, so
/// reading overlaps the walk and callers can do their per-file work on all cores too. The
/// results are sorted by path.
pub fn read_tree<T: Send>(
    root: &Path,
    prepare: impl Fn(&Path, Result<Parsed, Error>) -> T + Sync,
) -> Vec<(PathBuf, T)> {
    let mut found = Vec::new();
    read_tree_each(root, prepare, |path, value| found.push((path, value)));
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Like [`read_tree`], but hands each prepared lockfile to `consume` on the calling thread
/// as soon as it is ready, while the walk goes on; the order is the order the walker finds
/// them in, which varies from run to run.
pub fn read_tree_each<T: Send>(
    root: &Path,
    prepare: impl Fn(&Path, Result<Parsed, Error>) -> T + Sync,
    consume: impl FnMut(PathBuf, T),
) {
    walk_lockfiles(root, |path| prepare(path, read(path)), consume);
}

/// The walk behind [`find`] and [`read_tree`]: `visit` runs on each lockfile path on the
/// walker's threads, `consume` on the calling thread with each result.
fn walk_lockfiles<T: Send>(
    root: &Path,
    visit: impl Fn(&Path) -> T + Sync,
    mut consume: impl FnMut(PathBuf, T),
) {
    if root.is_file() {
        consume(root.to_path_buf(), visit(root));
        return;
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        let visit = &visit;
        scope.spawn(move || {
            ignore::WalkBuilder::new(root)
                .filter_entry(|e| e.file_name() != "node_modules" && e.file_name() != "vendor")
                .build_parallel()
                .run(|| {
                    let sender = sender.clone();
                    Box::new(move |entry| {
                        if let Ok(entry) = entry {
                            let is_lockfile = entry.file_type().is_some_and(|t| t.is_file())
                                && entry.file_name().to_str().is_some_and(is_known_name);
                            if is_lockfile {
                                let path = entry.into_path();
                                let value = visit(&path);
                                if sender.send((path, value)).is_err() {
                                    return ignore::WalkState::Quit;
                                }
                            }
                        }
                        ignore::WalkState::Continue
                    })
                });
        });
        // Ends when the walk is over and every sender is gone.
        for (path, value) in receiver {
            consume(path, value);
        }
    });
}

fn is_known_name(name: &str) -> bool {
    READERS.iter().any(|r| r.matches(name))
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".into())
}

/// Adds the packages of the files `text` includes (and of theirs), each read once; an
/// unreadable include is a warning naming it.
fn read_includes(
    reader: &dyn Reader,
    path: &Path,
    text: &str,
    parsed: &mut Parsed,
    seen: &mut BTreeSet<PathBuf>,
) {
    let folder = path.parent().unwrap_or(Path::new("."));
    for name in reader.includes(text) {
        let target = folder.join(&name);
        if !seen.insert(target.canonicalize().unwrap_or_else(|_| target.clone())) {
            continue;
        }
        let included = read_text(&target).and_then(|text| Ok((reader.parse(&text)?, text)));
        match included {
            Ok((inner, inner_text)) => {
                let known: BTreeSet<String> =
                    parsed.packages.iter().map(|p| p.purl.clone()).collect();
                parsed.packages.extend(
                    inner
                        .packages
                        .into_iter()
                        .filter(|p| !known.contains(&p.purl)),
                );
                parsed
                    .warnings
                    .extend(inner.warnings.into_iter().map(|w| format!("{name}: {w}")));
                read_includes(reader, &target, &inner_text, parsed, seen);
            }
            Err(reason) => parsed
                .warnings
                .push(format!("included file {name}: {reason}; skipped")),
        }
    }
}

/// Where the lockfile does not say which packages are direct but the project's manifest
/// names its dependencies, those are direct. A name the lockfile resolves to several
/// versions stays unknown: the manifest does not say which of them it meant.
fn mark_direct_from_roots(parsed: &mut Parsed) {
    if parsed.packages.iter().any(|p| p.direct.is_some()) {
        return;
    }
    let wanted: BTreeSet<String> = parsed
        .roots
        .iter()
        .flat_map(|r| r.dependencies.iter().map(|d| name_key(r.ecosystem, d)))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let mut versions: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for p in &parsed.packages {
        versions
            .entry(name_key(p.ecosystem, &p.name))
            .or_default()
            .insert(&p.version);
    }
    let ambiguous: BTreeSet<String> = versions
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(name, _)| name)
        .collect();
    for p in &mut parsed.packages {
        let key = name_key(p.ecosystem, &p.name);
        p.direct = match (wanted.contains(&key), ambiguous.contains(&key)) {
            (true, true) => None,
            (true, false) => Some(true),
            (false, _) => Some(false),
        };
    }
}

/// A package name as its ecosystem compares names (PEP 503 for PyPI, case-insensitive for
/// Packagist).
fn name_key(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => name.to_ascii_lowercase().replace(['_', '.'], "-"),
        "Packagist" => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}
