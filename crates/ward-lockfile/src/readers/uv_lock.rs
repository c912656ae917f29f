//! uv's `uv.lock` (<https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>): TOML,
//! `[[package]]` tables with name, version, `source` (`registry`, `git`, `url`, or the
//! project itself: `editable`, `virtual`, `directory`, `path`), `dependencies`,
//! `optional-dependencies`, `dev-dependencies` and the sdist's hash. The project's own
//! packages (editable/virtual, the workspace members) are the file's roots; what they depend
//! on is direct, everything else transitive.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::{Package, Parsed, Reader};

pub(crate) struct UvLock;

#[derive(Deserialize)]
struct Wire {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<WirePackage>,
}

#[derive(Deserialize)]
struct WirePackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<WireDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<WireDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<WireDep>>,
    sdist: Option<WireFile>,
}

#[derive(Deserialize)]
struct WireDep {
    name: String,
}

#[derive(Deserialize)]
struct WireFile {
    hash: Option<String>,
}

impl WirePackage {
    fn is_project(&self) -> bool {
        ["editable", "virtual", "directory", "path"]
            .iter()
            .any(|k| self.source.contains_key(*k))
    }

    fn all_dependencies(&self) -> impl Iterator<Item = &str> {
        self.dependencies
            .iter()
            .chain(self.optional_dependencies.values().flatten())
            .chain(self.dev_dependencies.values().flatten())
            .map(|d| d.name.as_str())
    }
}

impl Reader for UvLock {
    fn id(&self) -> &'static str {
        "uv-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "uv.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = toml::from_str(text).map_err(|e| e.to_string())?;
        if wire.version.is_none() {
            return Err("no `version`: not a uv.lock".into());
        }
        let direct: BTreeSet<&str> = wire
            .package
            .iter()
            .filter(|p| p.is_project())
            .flat_map(WirePackage::all_dependencies)
            .collect();
        let has_project = wire.package.iter().any(WirePackage::is_project);
        let mut parsed = Parsed::default();
        for p in &wire.package {
            let mut deps: Vec<String> = p.all_dependencies().map(str::to_string).collect();
            deps.sort();
            deps.dedup();
            if p.is_project() {
                let mut root = Package::new("PyPI", &p.name, p.version.as_deref().unwrap_or(""));
                root.dependencies = deps;
                parsed.roots.push(root);
                continue;
            }
            let Some(version) = &p.version else {
                parsed
                    .warnings
                    .push(format!("{}: no version, skipped", p.name));
                continue;
            };
            let mut package = Package::new("PyPI", &p.name, version);
            package.direct = has_project.then(|| direct.contains(p.name.as_str()));
            package.dependencies = deps;
            if let Some(hash) = p.sdist.as_ref().and_then(|s| s.hash.as_deref()) {
                if let Some(hex) = hash.strip_prefix("sha256:") {
                    package
                        .hashes
                        .push(("SHA-256".into(), hex.to_ascii_lowercase()));
                }
            }
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_and_packages() {
        let parsed = UvLock
            .parse(
                r#"version = 1
[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "anyio" }]

[[package]]
name = "anyio"
version = "4.12.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }]
sdist = { url = "https://x/anyio.tar.gz", hash = "sha256:ABCD" }

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }
"#,
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 2);
        assert_eq!(parsed.packages[0].direct, Some(true));
        assert_eq!(parsed.packages[0].dependencies, ["idna"]);
        assert_eq!(parsed.packages[0].hashes[0].1, "abcd");
        assert_eq!(parsed.packages[1].direct, Some(false));
        assert_eq!(parsed.roots[0].purl, "pkg:pypi/app@0.1.0");
        assert_eq!(parsed.roots[0].dependencies, ["anyio"]);
        assert!(UvLock.parse("[[package]]\nname = \"x\"\n").is_err());
    }
}
