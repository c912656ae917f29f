//! Test helpers: where the checked-in test data lives, and readers for the corpus manifest
//! (`MANIFEST.tsv`) and the asserted field values (`EXPECTED_FIELDS.tsv`).
#![allow(clippy::print_stderr)]

#[cfg(feature = "postgres")]
pub mod postgres;

use std::path::{Path, PathBuf};

/// The repository's `tests/data` folder. Found from the running test's own crate
/// (`cargo test` sets `CARGO_MANIFEST_DIR` for it, and every crate sits in `crates/<name>`)
/// rather than from this crate's build-time path: a target directory shared by two checkouts
/// reuses this library's build, and its baked-in path could name the other checkout.
pub fn data_dir() -> PathBuf {
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    Path::new(&crate_dir).join("../../tests/data")
}

/// The scanner report corpus (`tests/data/corpus`).
pub fn corpus_dir() -> PathBuf {
    data_dir().join("corpus")
}

/// The official report-format schemas exporters are validated against (`tests/data/schemas`).
pub fn schemas_dir() -> PathBuf {
    data_dir().join("schemas")
}

/// What the publishers' own tests assert about a corpus file's finding count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this many findings.
    Count(usize),
    /// Nothing is asserted.
    Unknown,
    /// Parsing must fail.
    Error,
}

/// One row of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
pub struct ManifestEntry {
    /// The tool folder.
    pub tool: String,
    /// The file, relative to the tool folder.
    pub file: String,
    /// The asserted count.
    pub expected: Expected,
    /// Where the assertion comes from; names the DefectDojo scan type.
    pub note: String,
}

impl ManifestEntry {
    /// The file's full path.
    pub fn path(&self) -> PathBuf {
        corpus_dir().join(&self.tool).join(&self.file)
    }

    /// `tool/file`, for messages.
    pub fn name(&self) -> String {
        format!("{}/{}", self.tool, self.file)
    }

    /// The DefectDojo scan type the note ends with (`scan_type 'Trivy Scan'`); a note may
    /// mention other scan types before it.
    pub fn scan_type(&self) -> Option<&str> {
        let start = self.note.rfind("scan_type '")? + "scan_type '".len();
        let len = self.note[start..].find('\'')?;
        Some(&self.note[start..start + len])
    }
}

/// Reads `MANIFEST.tsv`.
pub fn manifest() -> Vec<ManifestEntry> {
    rows("MANIFEST.tsv")
        .into_iter()
        .map(|cols| ManifestEntry {
            expected: match cols[2].as_str() {
                "?" => Expected::Unknown,
                "error" => Expected::Error,
                n => Expected::Count(n.parse().unwrap_or_else(|_| panic!("bad count {n}"))),
            },
            tool: cols[0].clone(),
            file: cols[1].clone(),
            note: cols.get(3).cloned().unwrap_or_default(),
        })
        .collect()
}

/// One row of `EXPECTED_FIELDS.tsv`.
#[derive(Debug, Clone)]
pub struct ExpectedField {
    /// The tool folder.
    pub tool: String,
    /// The file, relative to the tool folder.
    pub file: String,
    /// 0-based finding position.
    pub index: usize,
    /// DefectDojo field name (`severity`, `cwe`, `vulnerability_ids[0]` …).
    pub field: String,
    /// The asserted value, unescaped.
    pub value: String,
}

/// Reads `EXPECTED_FIELDS.tsv`, unescaping `\t`, `\n` and `\\`.
pub fn expected_fields() -> Vec<ExpectedField> {
    rows("EXPECTED_FIELDS.tsv")
        .into_iter()
        .map(|cols| ExpectedField {
            tool: cols[0].clone(),
            file: cols[1].clone(),
            index: cols[2].parse().expect("finding_index"),
            field: cols[3].clone(),
            value: unescape(&cols[4]),
        })
        .collect()
}

/// The rows of a TSV file in the corpus folder, without its header.
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = corpus_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Reads a TSV file of this crate's callers (deviation lists and the like): rows without the
/// header, `#` comment lines skipped.
pub fn read_tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}
