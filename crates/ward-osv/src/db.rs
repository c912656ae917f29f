//! The offline advisory database: one file, opened in milliseconds.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! b"WARDOSV1"  u64 header length  header (JSON: built_at, sources, index)  records
//! ```
//!
//! The records are [`Advisory`] values as JSON, one after another; the header's index maps
//! `ecosystem \t normalized package name` to the (offset, length) of every record that names
//! the package. Opening reads the file and parses only the header; a lookup parses only the
//! records it needs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::range::{fixed_version, is_affected};
use crate::record::{self, Advisory};
use crate::Error;

const MAGIC: &[u8; 8] = b"WARDOSV1";

/// The rules `package_key` follows: 1 lowercases Go module paths. A file written under
/// older rules is re-keyed when opened.
const KEY_RULES: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Header {
    /// Seconds since the Unix epoch when the file was written.
    built_at: u64,
    /// Where the records came from (folders, zips, URLs).
    sources: Vec<String>,
    n_advisories: usize,
    /// Advisories per ecosystem.
    ecosystems: BTreeMap<String, usize>,
    index: BTreeMap<String, Vec<(u32, u32)>>,
    /// The `KEY_RULES` the index was written under (absent, so 0, in older files).
    #[serde(default)]
    key_rules: u32,
}

/// An opened database.
#[derive(Debug)]
pub struct Database {
    header: Header,
    records: Vec<u8>,
    /// Records parsed so far, by offset: a package queried at several versions (or in
    /// several lockfiles) parses its advisories once.
    parsed: Mutex<HashMap<u32, Option<Arc<Advisory>>>>,
}

/// An advisory that affects a queried package version.
#[derive(Debug, Clone)]
pub struct Match {
    /// The advisory, shared with the database's cache of parsed records.
    pub advisory: Arc<Advisory>,
    /// The lowest fixed version above the queried one, if the record names one.
    pub fixed_version: Option<String>,
}

/// The key a package is indexed under: PyPI names are normalized (PEP 503), and so are the
/// case-insensitive registries' names; Go module paths are compared without case (SBOM tools
/// such as trivy lowercase them in purls, and module hosts treat paths case-insensitively);
/// the others are kept as spelled.
pub fn package_key(ecosystem: &str, name: &str) -> String {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    let name = match base {
        "PyPI" => {
            let lower = name.trim().to_ascii_lowercase();
            let mut out = String::with_capacity(lower.len());
            for c in lower.chars() {
                let c = if matches!(c, '_' | '.') { '-' } else { c };
                if !(c == '-' && out.ends_with('-')) {
                    out.push(c);
                }
            }
            out
        }
        "NuGet" | "Packagist" | "RubyGems" | "Hex" | "Pub" | "Go" => {
            name.trim().to_ascii_lowercase()
        }
        _ => name.trim().to_string(),
    };
    format!("{ecosystem}\t{name}")
}

impl Database {
    /// Opens a database file.
    pub fn open(path: &Path) -> Result<Database, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Database::from_bytes(bytes).map_err(|reason| Error::Corrupt {
            path: path.to_path_buf(),
            reason,
        })
    }

    fn from_bytes(mut bytes: Vec<u8>) -> Result<Database, String> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err("not a ward advisory database (bad magic)".into());
        }
        let mut length = [0u8; 8];
        length.copy_from_slice(&bytes[8..16]);
        let length = usize::try_from(u64::from_le_bytes(length)).map_err(|e| e.to_string())?;
        let end = 16usize.checked_add(length).filter(|e| *e <= bytes.len());
        let Some(end) = end else {
            return Err("truncated header".into());
        };
        let mut header: Header =
            serde_json::from_slice(&bytes[16..end]).map_err(|e| format!("header: {e}"))?;
        // Files written before a change to `package_key` are looked up with today's keys.
        if header.key_rules < KEY_RULES {
            let mut index: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
            for (key, entries) in std::mem::take(&mut header.index) {
                let key = match key.split_once('\t') {
                    Some((ecosystem, name)) => package_key(ecosystem, name),
                    None => key,
                };
                index.entry(key).or_default().extend(entries);
            }
            header.index = index;
            header.key_rules = KEY_RULES;
        }
        bytes.drain(..end);
        Ok(Database {
            header,
            records: bytes,
            parsed: Mutex::default(),
        })
    }

    /// When the database was built.
    pub fn built_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.header.built_at)
    }

    /// How old the database is at `now`.
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.built_at()).unwrap_or_default()
    }

    /// The number of advisories.
    pub fn n_advisories(&self) -> usize {
        self.header.n_advisories
    }

    /// Advisories per ecosystem.
    pub fn ecosystems(&self) -> &BTreeMap<String, usize> {
        &self.header.ecosystems
    }

    /// Where the records came from.
    pub fn sources(&self) -> &[String] {
        &self.header.sources
    }

    fn cached(&self, at: (u32, u32)) -> Option<Arc<Advisory>> {
        match self.parsed.lock() {
            Ok(mut parsed) => parsed
                .entry(at.0)
                .or_insert_with(|| self.record(at).map(Arc::new))
                .clone(),
            Err(_) => self.record(at).map(Arc::new),
        }
    }

    fn record(&self, (offset, length): (u32, u32)) -> Option<Advisory> {
        let start = offset as usize;
        let bytes = self
            .records
            .get(start..start.checked_add(length as usize)?)?;
        serde_json::from_slice(bytes).ok()
    }

    /// Every advisory naming the package, affecting this version or not.
    pub fn advisories_for(&self, ecosystem: &str, name: &str) -> Vec<Advisory> {
        self.header
            .index
            .get(&package_key(ecosystem, name))
            .map(|list| list.iter().filter_map(|&at| self.record(at)).collect())
            .unwrap_or_default()
    }

    /// The advisories affecting `version` of the package; withdrawn records never match.
    pub fn query(&self, ecosystem: &str, name: &str, version: &str) -> Vec<Match> {
        let key = package_key(ecosystem, name);
        let mut matches = Vec::new();
        let list = self.header.index.get(&key).map_or(&[][..], Vec::as_slice);
        for advisory in list.iter().filter_map(|&at| self.cached(at)) {
            if advisory.withdrawn.is_some() {
                continue;
            }
            let mut hit = false;
            let mut fixed: Option<String> = None;
            for affected in &advisory.affected {
                if package_key(&affected.ecosystem, &affected.name) != key {
                    continue;
                }
                if is_affected(affected, version) {
                    hit = true;
                    if fixed.is_none() {
                        fixed = fixed_version(affected, version).map(str::to_string);
                    }
                }
            }
            if hit {
                matches.push(Match {
                    advisory,
                    fixed_version: fixed,
                });
            }
        }
        matches
    }

    /// Every advisory in the file, for merging into a new build.
    pub fn advisories(&self) -> impl Iterator<Item = Advisory> + '_ {
        let mut seen = BTreeSet::new();
        self.header
            .index
            .values()
            .flatten()
            .filter(move |at| seen.insert(**at))
            .filter_map(|&at| self.record(at))
    }
}

/// Collects advisories from folders, zips and downloads, then writes a database file.
#[derive(Debug, Default)]
pub struct Builder {
    advisories: BTreeMap<String, Advisory>,
    sources: Vec<String>,
    /// Files that could not be read, records with unknown range types …, each naming its file.
    pub warnings: Vec<String>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Starts from every advisory of an existing database (so an import adds to it).
    pub fn extend_from(&mut self, database: &Database) {
        for advisory in database.advisories() {
            self.advisories.insert(advisory.id.clone(), advisory);
        }
        self.sources.extend(database.sources().iter().cloned());
    }

    /// The number of advisories collected.
    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    /// Whether nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// Adds one OSV JSON record; `origin` names it in warnings. A later record with the same
    /// id replaces an earlier one.
    pub fn add_json(&mut self, origin: &str, bytes: &[u8]) {
        match record::parse(bytes) {
            Ok((advisory, warnings)) => {
                self.warnings
                    .extend(warnings.into_iter().map(|w| format!("{origin}: {w}")));
                self.advisories.insert(advisory.id.clone(), advisory);
            }
            Err(e) => self
                .warnings
                .push(format!("{origin}: skipped, not an OSV record: {e}")),
        }
    }

    /// Adds a folder of OSV JSON files (searched recursively) or an OSV `all.zip`.
    pub fn add_path(&mut self, path: &Path) -> Result<(), Error> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let metadata = std::fs::metadata(path).map_err(io)?;
        if metadata.is_dir() {
            let mut stack = vec![path.to_path_buf()];
            while let Some(dir) = stack.pop() {
                let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .map_err(io)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .collect();
                entries.sort();
                for entry in entries {
                    if entry.is_dir() {
                        stack.push(entry);
                    } else if entry.extension().is_some_and(|e| e == "json") {
                        match std::fs::read(&entry) {
                            Ok(bytes) => self.add_json(&entry.display().to_string(), &bytes),
                            Err(e) => self
                                .warnings
                                .push(format!("{}: skipped: {e}", entry.display())),
                        }
                    } else if entry.extension().is_some_and(|e| e == "zip") {
                        if let Err(e) = self.add_path(&entry) {
                            self.warnings.push(e.to_string());
                        }
                    }
                }
            }
        } else {
            let file = std::fs::File::open(path).map_err(io)?;
            self.add_zip(&path.display().to_string(), file)?;
        }
        self.sources.push(path.display().to_string());
        Ok(())
    }

    /// Adds the JSON records of a zip archive (OSV's per-ecosystem `all.zip`). A broken
    /// archive is an error; a broken entry is a warning.
    pub fn add_zip(&mut self, origin: &str, reader: impl Read + Seek) -> Result<(), Error> {
        let mut archive = zip::ZipArchive::new(reader).map_err(|e| Error::Zip {
            origin: origin.to_string(),
            reason: e.to_string(),
        })?;
        let mut buffer = Vec::new();
        for i in 0..archive.len() {
            let mut entry = match archive.by_index(i) {
                Ok(entry) => entry,
                Err(e) => {
                    self.warnings
                        .push(format!("{origin}: entry {i} skipped: {e}"));
                    continue;
                }
            };
            if !entry.name().ends_with(".json") {
                continue;
            }
            let name = format!("{origin}!{}", entry.name());
            buffer.clear();
            if let Err(e) = entry.read_to_end(&mut buffer) {
                self.warnings.push(format!("{name}: skipped: {e}"));
                continue;
            }
            drop(entry);
            self.add_json(&name, &buffer);
        }
        Ok(())
    }

    /// Names a source (a URL) in the database header.
    pub fn add_source(&mut self, source: &str) {
        self.sources.push(source.to_string());
    }

    /// The database bytes, stamped with `built_at`.
    pub fn to_bytes(&self, built_at: SystemTime) -> Vec<u8> {
        let mut header = Header {
            built_at: built_at
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
            sources: self.sources.clone(),
            n_advisories: self.advisories.len(),
            key_rules: KEY_RULES,
            ..Header::default()
        };
        let mut records = Vec::new();
        for advisory in self.advisories.values() {
            let json = serde_json::to_vec(advisory).expect("advisories serialize");
            let at = (
                u32::try_from(records.len()).unwrap_or(u32::MAX),
                u32::try_from(json.len()).unwrap_or(u32::MAX),
            );
            records.extend_from_slice(&json);
            let mut keys = BTreeSet::new();
            for affected in &advisory.affected {
                keys.insert(package_key(&affected.ecosystem, &affected.name));
            }
            let mut counted = BTreeSet::new();
            for affected in &advisory.affected {
                if counted.insert(&affected.ecosystem) {
                    *header
                        .ecosystems
                        .entry(affected.ecosystem.clone())
                        .or_default() += 1;
                }
            }
            for key in keys {
                header.index.entry(key).or_default().push(at);
            }
        }
        let header = serde_json::to_vec(&header).expect("header serializes");
        let mut out = Vec::with_capacity(16 + header.len() + records.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&records);
        out
    }

    /// Writes the database to `path` (through a temporary file renamed into place).
    pub fn write(&self, path: &Path, built_at: SystemTime) -> Result<(), Error> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let temporary = path.with_extension("db.tmp");
        std::fs::write(&temporary, self.to_bytes(built_at)).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"id":"PYSEC-1","aliases":["CVE-2020-1"],"affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}"#;

    #[test]
    fn round_trip_and_query() {
        let mut builder = Builder::new();
        builder.add_json("a.json", RECORD.as_bytes());
        builder.add_json("b.json", b"{not json");
        assert_eq!(builder.warnings.len(), 1);
        assert!(builder.warnings[0].starts_with("b.json"));
        let built = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let db = Database::from_bytes(builder.to_bytes(built)).unwrap();
        assert_eq!(db.built_at(), built);
        assert_eq!(db.n_advisories(), 1);
        let hits = db.query("PyPI", "foo.bar", "1.9");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].fixed_version.as_deref(), Some("2.0"));
        assert!(db.query("PyPI", "foo-bar", "2.0").is_empty());
        assert!(db.query("npm", "foo-bar", "1.0").is_empty());
        assert_eq!(db.advisories().count(), 1);
    }

    #[test]
    fn go_module_paths_match_without_case() {
        let mut builder = Builder::new();
        builder.add_json(
            "go.json",
            br#"{"id": "GO-1", "affected": [{"package": {"ecosystem": "Go", "name": "github.com/PuerkitoBio/goquery"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.8.0"}]}]}]}"#,
        );
        let db = Database::from_bytes(builder.to_bytes(SystemTime::now())).unwrap();
        assert_eq!(
            db.query("Go", "github.com/puerkitobio/goquery", "v1.7.1")
                .len(),
            1
        );
        assert_eq!(
            db.query("Go", "github.com/PuerkitoBio/goquery", "v1.7.1")
                .len(),
            1
        );
    }

    #[test]
    fn corrupt_files_are_errors() {
        assert!(Database::from_bytes(b"nope".to_vec()).is_err());
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&1000u64.to_le_bytes());
        assert!(Database::from_bytes(bytes).is_err());
    }

    #[test]
    fn broken_zip_is_an_error() {
        let mut builder = Builder::new();
        let result = builder.add_zip("x.zip", std::io::Cursor::new(b"PK\x03\x04broken".to_vec()));
        assert!(result.is_err());
    }
}
