//! `Cargo.lock` (v1–v4, <https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html>):
//! `[[package]]` tables with name, version, source, checksum and `dependencies` ("name" or
//! "name version"). Packages without a `source` are the workspace's own: they are the
//! file's roots, and what they depend on is direct.
//!
//! Cargo writes the file in one fixed shape (one `key = "value"` per line, `dependencies`
//! one quoted entry per line), so it is first read line by line, about ten times faster than
//! a TOML parser (a tree of 294 lockfiles, 3.3 MB: see BENCHMARKS.md); anything outside that
//! shape (an escape, an inline array, a key Cargo does not write) makes the reader fall back
//! to the `toml` crate, so the result never depends on the shortcut.

use serde::Deserialize;

use crate::{Package, Parsed, Reader};

pub(crate) struct CargoLock;

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    package: Vec<WirePackage>,
}

#[derive(Deserialize)]
struct WirePackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// One `[[package]]` table, borrowing the text (line reader) or the TOML parse.
#[derive(Default, Debug, PartialEq)]
struct Entry<'a> {
    name: &'a str,
    version: &'a str,
    source: Option<&'a str>,
    checksum: Option<&'a str>,
    dependencies: Vec<&'a str>,
}

impl WirePackage {
    fn entry(&self) -> Entry<'_> {
        Entry {
            name: &self.name,
            version: &self.version,
            source: self.source.as_deref(),
            checksum: self.checksum.as_deref(),
            dependencies: self.dependencies.iter().map(String::as_str).collect(),
        }
    }
}

impl Reader for CargoLock {
    fn id(&self) -> &'static str {
        "cargo-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "Cargo.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        if let Some(entries) = lines(text) {
            return Ok(packages(&entries));
        }
        let wire: Wire = toml::from_str(text).map_err(|e| e.to_string())?;
        let entries: Vec<Entry<'_>> = wire.package.iter().map(WirePackage::entry).collect();
        Ok(packages(&entries))
    }
}

fn packages(entries: &[Entry<'_>]) -> Parsed {
    // `dependencies` entries are "name", "name version" or "name version (source)".
    let dep_name = |d: &&str| d.split(' ').next().unwrap_or(d).to_string();
    let direct: std::collections::BTreeSet<&str> = entries
        .iter()
        .filter(|p| p.source.is_none())
        .flat_map(|p| {
            p.dependencies
                .iter()
                .map(|d| d.split(' ').next().unwrap_or(d))
        })
        .collect();
    let mut parsed = Parsed::default();
    for p in entries {
        let mut package = Package::new("crates.io", p.name, p.version);
        package.dependencies = p.dependencies.iter().map(dep_name).collect();
        if p.source.is_none() {
            parsed.roots.push(package);
            continue;
        }
        package.direct = Some(direct.contains(p.name));
        if let Some(sum) = p.checksum {
            package.hashes.push(("SHA-256".into(), sum.to_string()));
        }
        parsed.packages.push(package);
    }
    parsed
}

/// The `[[package]]` tables of a lockfile in the shape Cargo writes; `None` as soon as a line
/// is outside it.
fn lines(text: &str) -> Option<Vec<Entry<'_>>> {
    let mut packages = Vec::new();
    // In a `[[package]]` table: what it has so far.
    let mut current: Option<Entry<'_>> = None;
    let mut in_dependencies = false;
    for line in text.lines() {
        let line = line.trim_end();
        if in_dependencies {
            let entry = line.trim();
            if entry == "]" {
                in_dependencies = false;
            } else {
                let entry = quoted(entry.strip_suffix(',').unwrap_or(entry))?;
                current.as_mut()?.dependencies.push(entry);
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            packages.extend(current.take());
            // `[metadata]` (v1 checksums), `[[patch.unused]]`, `[root]` (v1): not read.
            if line == "[[package]]" {
                current = Some(Entry::default());
            }
            continue;
        }
        let (key, value) = line.split_once(" = ")?;
        let Some(package) = current.as_mut() else {
            continue; // `version = 3`, `[metadata]` entries, `[[patch.unused]]` fields
        };
        match key {
            "name" => package.name = quoted(value)?,
            "version" => package.version = quoted(value)?,
            "source" => package.source = Some(quoted(value)?),
            "checksum" => package.checksum = Some(quoted(value)?),
            "dependencies" if value == "[" => in_dependencies = true,
            "dependencies" if value == "[]" => {}
            _ => return None,
        }
    }
    packages.extend(current);
    if in_dependencies
        || packages
            .iter()
            .any(|p| p.name.is_empty() || p.version.is_empty())
    {
        return None;
    }
    Some(packages)
}

/// The text between double quotes, if it needs no unescaping.
fn quoted(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['"', '\\'])).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reader_agrees_with_toml_or_declines() {
        let cargo = "# This file is automatically @generated by Cargo.\n\
                     version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\
                     dependencies = [\n \"serde\",\n \"log 0.4.0\",\n]\n\n[[package]]\n\
                     name = \"serde\"\nversion = \"1.0.0\"\n\
                     source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
                     checksum = \"abcd\"\n\n[[package]]\nname = \"log\"\nversion = \"0.4.0\"\n\
                     source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
                     dependencies = []\n\n[metadata]\n\"checksum x 1.0.0 (registry+y)\" = \"00\"\n";
        let fast = lines(cargo).unwrap();
        let slow: Wire = toml::from_str(cargo).unwrap();
        let slow: Vec<Entry<'_>> = slow.package.iter().map(WirePackage::entry).collect();
        assert_eq!(fast, slow);
        let parsed = CargoLock.parse(cargo).unwrap();
        assert_eq!(parsed.roots[0].dependencies, ["serde", "log"]);
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].direct, Some(true));

        // Shapes Cargo does not write are left to the TOML parser, which reads them the same.
        for odd in [
            "[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"b\"]\n",
            "[[package]]\nname = \"a\\u0062\"\nversion = \"1\"\n",
            "[[package]]\nname='a'\nversion = \"1\"\n",
            "[[package]]\nversion = \"1\"\n",
        ] {
            assert!(lines(odd).is_none(), "{odd}");
        }
        assert_eq!(
            CargoLock
                .parse("[[package]]\nname = \"a\\u0062\"\nversion = \"1\"\nsource = \"x\"\n")
                .unwrap()
                .packages[0]
                .name,
            "ab"
        );
        assert!(CargoLock.parse("[[package]]\nversion = \"1\"\n").is_err());
    }
}
