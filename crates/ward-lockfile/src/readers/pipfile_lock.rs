//! `Pipfile.lock` (<https://pipenv.pypa.io/en/latest/pipfile.html>): JSON with `default` and
//! `develop` maps of name → {`version`: "==x", `hashes`}. Every entry is locked, none is
//! marked direct or transitive.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Package, Parsed, Reader};

pub(crate) struct PipfileLock;

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    default: BTreeMap<String, WireEntry>,
    #[serde(default)]
    develop: BTreeMap<String, WireEntry>,
}

#[derive(Deserialize)]
struct WireEntry {
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
}

impl Reader for PipfileLock {
    fn id(&self) -> &'static str {
        "pipfile-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "Pipfile.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut parsed = Parsed::default();
        for (name, entry) in wire.default.iter().chain(&wire.develop) {
            let Some(version) = entry.version.as_deref().and_then(|v| v.strip_prefix("==")) else {
                continue; // a VCS or path entry
            };
            let mut package = Package::new("PyPI", name, version);
            package.hashes = entry
                .hashes
                .iter()
                .filter_map(|h| h.strip_prefix("sha256:"))
                .take(1)
                .map(|h| ("SHA-256".to_string(), h.to_string()))
                .collect();
            if !parsed.packages.iter().any(|p| p.purl == package.purl) {
                parsed.packages.push(package);
            }
        }
        Ok(parsed)
    }
}
