//! pnpm's `pnpm-lock.yaml` (<https://pnpm.io/git#lockfiles>), read line by line in the fixed
//! shape pnpm writes, lockfile versions 5.x, 6.x and 9.x:
//! - `packages:` keys name each package: `/name/1.2.3_peer` (v5), `/name@1.2.3(peer)` (v6),
//!   `name@1.2.3` (v9; v9 keeps the dependencies under `snapshots:`), with
//!   `resolution: {integrity: …}` and `dependencies:` / `optionalDependencies:` maps;
//! - the direct dependencies are the top-level `dependencies:` / `devDependencies:` /
//!   `optionalDependencies:` (v5/v6 single project) or those of each `importers:` entry.
//!
//! Packages not from the registry (`link:`, `file:`, tarball URLs) are left out.

use std::collections::{BTreeMap, BTreeSet};

use super::sri_hash;
use crate::{Package, Parsed, Reader};

pub(crate) struct PnpmLock;

#[derive(Default)]
struct Entry {
    integrity: Option<String>,
    dependencies: BTreeSet<String>,
}

#[derive(PartialEq, Clone, Copy)]
enum Section {
    Packages,
    Importers,
    Direct,
    Other,
}

impl Reader for PnpmLock {
    fn id(&self) -> &'static str {
        "pnpm-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "pnpm-lock.yaml"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut version_5 = false;
        let mut saw_version = false;
        let mut section = Section::Other;
        let mut entries: BTreeMap<(String, String), Entry> = BTreeMap::new();
        let mut order: Vec<(String, String)> = Vec::new();
        let mut direct: BTreeSet<String> = BTreeSet::new();
        let mut current: Option<(String, String)> = None;
        // The key of the map the current line is in (`dependencies`, `resolution`, …) and
        // its indentation.
        let mut sub: Option<(String, usize)> = None;
        let mut warnings = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim_end();
            let content = trimmed.trim_start();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let indent = trimmed.len() - content.len();
            let (key, value) = split_key(content);
            if indent == 0 {
                current = None;
                sub = None;
                section = match key.as_str() {
                    "lockfileVersion" => {
                        saw_version = true;
                        version_5 = value.starts_with('5');
                        Section::Other
                    }
                    "packages" | "snapshots" => Section::Packages,
                    "importers" => Section::Importers,
                    "dependencies" | "devDependencies" | "optionalDependencies" => Section::Direct,
                    _ => Section::Other,
                };
                continue;
            }
            if let Some((_, sub_indent)) = &sub {
                if indent <= *sub_indent {
                    sub = None;
                }
            }
            match section {
                Section::Direct if indent == 2 => {
                    direct.insert(key);
                }
                Section::Importers => {
                    if matches!(
                        key.as_str(),
                        "dependencies" | "devDependencies" | "optionalDependencies"
                    ) && value.is_empty()
                    {
                        sub = Some((key, indent));
                    } else if let Some((_, sub_indent)) = &sub {
                        if indent == sub_indent + 2 {
                            direct.insert(key);
                        }
                    }
                }
                Section::Packages if indent == 2 => {
                    sub = None;
                    current = match package_key(&key, version_5) {
                        Some(id) => {
                            if !entries.contains_key(&id) {
                                order.push(id.clone());
                            }
                            entries.entry(id.clone()).or_default();
                            Some(id)
                        }
                        None => {
                            if !key.contains("link:") && !key.contains("file:") {
                                warnings.push(format!("{key}: not a registry package, skipped"));
                            }
                            None
                        }
                    };
                }
                Section::Packages => {
                    let Some(id) = &current else { continue };
                    let Some(entry) = entries.get_mut(id) else {
                        continue;
                    };
                    if indent == 4 {
                        if key == "resolution" {
                            if let Some(i) = value.find("integrity:") {
                                let rest = value[i + "integrity:".len()..].trim();
                                let end = rest.find([',', '}']).unwrap_or(rest.len());
                                entry.integrity = Some(rest[..end].trim().to_string());
                            }
                        } else if matches!(key.as_str(), "dependencies" | "optionalDependencies")
                            && value.is_empty()
                        {
                            sub = Some((key, indent));
                        }
                    } else if let Some((_, sub_indent)) = &sub {
                        if indent == sub_indent + 2 {
                            entry.dependencies.insert(key);
                        }
                    }
                }
                _ => {}
            }
        }
        if !saw_version {
            return Err("no `lockfileVersion`: not a pnpm lockfile".into());
        }
        let mut parsed = Parsed {
            warnings,
            ..Parsed::default()
        };
        for id in order {
            let Some(entry) = entries.remove(&id) else {
                continue;
            };
            let (name, version) = id;
            let mut package = Package::new("npm", &name, &version);
            package.direct = Some(direct.contains(&name));
            package.dependencies = entry.dependencies.into_iter().collect();
            package
                .hashes
                .extend(entry.integrity.as_deref().and_then(sri_hash));
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}

/// `key: value` with quotes removed from the key.
fn split_key(content: &str) -> (String, &str) {
    // Keys may be quoted and contain `:` inside quotes ('/@types/node@1.0.0').
    let (key, value) = if let Some(rest) = content.strip_prefix('\'') {
        match rest.split_once("':") {
            Some((k, v)) => (k, v),
            None => (rest.trim_end_matches('\''), ""),
        }
    } else if let Some(rest) = content.strip_prefix('"') {
        match rest.split_once("\":") {
            Some((k, v)) => (k, v),
            None => (rest.trim_end_matches('"'), ""),
        }
    } else {
        match content.split_once(": ") {
            Some((k, v)) => (k, v),
            None => (content.trim_end_matches(':'), ""),
        }
    };
    (key.trim().to_string(), value.trim())
}

/// The (name, version) of a `packages:` key, `None` for one not from the registry.
fn package_key(key: &str, version_5: bool) -> Option<(String, String)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let (name, version) = if version_5 {
        let (name, version) = key.rsplit_once('/')?;
        (name, version.split('_').next()?)
    } else {
        let at = key.get(1..)?.find('@')? + 1;
        let (name, version) = (&key[..at], &key[at + 1..]);
        (name, version.split('(').next()?)
    };
    let registry_version = !version.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && !version.contains([':', '/']);
    (registry_version && !name.is_empty()).then(|| (name.to_string(), version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_5() {
        let parsed = PnpmLock
            .parse(
                "lockfileVersion: 5.4\n\nspecifiers:\n  a: ^1\n\ndevDependencies:\n  a: 1.0.0\n\n\
                 packages:\n\n  /a/1.0.0:\n    resolution: {integrity: sha1-AAEC}\n    \
                 dependencies:\n      '@s/b': 2.0.0_c@1.0.0\n    dev: true\n\n  \
                 /@s/b/2.0.0_c@1.0.0:\n    resolution: {integrity: sha1-AAEC}\n    dev: true\n",
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 2);
        let a = &parsed.packages[0];
        assert_eq!((a.name.as_str(), a.version.as_str()), ("a", "1.0.0"));
        assert_eq!(a.direct, Some(true));
        assert_eq!(a.dependencies, ["@s/b"]);
        assert_eq!(a.hashes[0].0, "SHA-1");
        assert_eq!(parsed.packages[1].purl, "pkg:npm/%40s/b@2.0.0");
        assert_eq!(parsed.packages[1].direct, Some(false));
    }

    #[test]
    fn version_9() {
        let parsed = PnpmLock
            .parse(
                "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        \
                 specifier: ^1\n        version: 1.0.0\n\npackages:\n\n  a@1.0.0:\n    \
                 resolution: {integrity: sha1-AAEC}\n\n  '@s/b@2.0.0':\n    resolution: \
                 {integrity: sha1-AAEC}\n\n  x@file:../x:\n    resolution: {directory: ../x}\n\n\
                 snapshots:\n\n  a@1.0.0:\n    dependencies:\n      '@s/b': 2.0.0\n\n  \
                 '@s/b@2.0.0': {}\n",
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 2, "{:?}", parsed.warnings);
        assert_eq!(parsed.packages[0].direct, Some(true));
        assert_eq!(parsed.packages[0].dependencies, ["@s/b"]);
        assert_eq!(parsed.packages[1].name, "@s/b");
        assert!(PnpmLock.parse("{}").is_err());
    }
}
