//! `poetry.lock` (<https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock>):
//! `[[package]]` tables with name, version, `[package.dependencies]` and `files` hashes (lock
//! format 2.x; 1.x kept its hashes in `[metadata.hashes]`, which are not read). The lockfile
//! does not say which packages `pyproject.toml` asks for; `read` learns that from the
//! `pyproject.toml` beside it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Package, Parsed, Reader};

pub(crate) struct PoetryLock;

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    package: Vec<WirePackage>,
}

#[derive(Deserialize)]
struct WirePackage {
    name: String,
    version: String,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    files: Vec<WireFile>,
    source: Option<WireSource>,
}

#[derive(Deserialize)]
struct WireFile {
    hash: Option<String>,
}

#[derive(Deserialize)]
struct WireSource {
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Reader for PoetryLock {
    fn id(&self) -> &'static str {
        "poetry-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "poetry.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = toml::from_str(text).map_err(|e| e.to_string())?;
        let packages = wire
            .package
            .iter()
            .filter(|p| {
                !matches!(
                    p.source.as_ref().and_then(|s| s.kind.as_deref()),
                    Some("directory" | "file")
                )
            })
            .map(|p| {
                let mut package = Package::new("PyPI", &p.name, &p.version);
                package.dependencies = p.dependencies.keys().cloned().collect();
                package.hashes = p
                    .files
                    .iter()
                    .filter_map(|f| f.hash.as_deref()?.strip_prefix("sha256:"))
                    .take(1)
                    .map(|h| ("SHA-256".to_string(), h.to_string()))
                    .collect();
                package
            })
            .collect();
        Ok(Parsed {
            packages,
            ..Parsed::default()
        })
    }
}
