//! npm's `package-lock.json` and `npm-shrinkwrap.json`
//! (<https://docs.npmjs.com/cli/configuring-npm/package-lock-json>): v2/v3 `packages` keyed by
//! `node_modules/…` path (the root `""` is the project: its name is the file's root package and
//! its dependencies are the direct ones), v1 nested `dependencies` (the project and what it
//! asks for come from the `package.json` beside it, see `read`). Links are left out.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sri_hash;
use crate::{Package, Parsed, Reader};

pub(crate) struct PackageLock;

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    packages: BTreeMap<String, WirePackage>,
    #[serde(default)]
    dependencies: BTreeMap<String, WireV1>,
}

#[derive(Deserialize)]
struct WirePackage {
    name: Option<String>,
    version: Option<String>,
    integrity: Option<String>,
    license: Option<serde_json::Value>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct WireV1 {
    version: Option<String>,
    integrity: Option<String>,
    #[serde(default)]
    requires: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, WireV1>,
}

impl Reader for PackageLock {
    fn id(&self) -> &'static str {
        "package-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "package-lock.json" || file_name == "npm-shrinkwrap.json"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut parsed = Parsed::default();
        if !wire.packages.is_empty() {
            let root = wire.packages.get("");
            let direct: Vec<&String> = root
                .map(|r| {
                    r.dependencies
                        .keys()
                        .chain(r.dev_dependencies.keys())
                        .chain(r.optional_dependencies.keys())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(name) = root
                .and_then(|r| r.name.as_deref())
                .filter(|n| !n.is_empty())
            {
                let version = root.and_then(|r| r.version.as_deref()).unwrap_or("");
                let mut package = Package::new("npm", name, version);
                package.dependencies = direct.iter().map(|d| d.to_string()).collect();
                parsed.roots.push(package);
            }
            for (path, p) in &wire.packages {
                if path.is_empty() || p.link {
                    continue;
                }
                let Some(name) = p.name.clone().or_else(|| {
                    path.rsplit_once("node_modules/")
                        .map(|(_, n)| n.to_string())
                }) else {
                    continue; // a workspace folder, not an installed package
                };
                let Some(version) = &p.version else {
                    parsed.warnings.push(format!("{path}: no version, skipped"));
                    continue;
                };
                let mut package = Package::new("npm", &name, version);
                package.direct =
                    Some(path.matches("node_modules/").count() == 1 && direct.contains(&&name));
                package.dependencies = p
                    .dependencies
                    .keys()
                    .chain(p.optional_dependencies.keys())
                    .cloned()
                    .collect();
                package
                    .hashes
                    .extend(p.integrity.as_deref().and_then(sri_hash));
                package.license = p
                    .license
                    .as_ref()
                    .and_then(|l| l.as_str())
                    .map(str::to_string);
                parsed.packages.push(package);
            }
        } else {
            walk_v1(&wire.dependencies, &mut parsed);
        }
        Ok(parsed)
    }
}

/// v1 hoists packages to the top without saying which the project asked for; `read` learns
/// that from the `package.json` beside the lockfile.
fn walk_v1(deps: &BTreeMap<String, WireV1>, parsed: &mut Parsed) {
    for (name, dep) in deps {
        if let Some(version) = &dep.version {
            if version.starts_with("file:") || version.starts_with("link:") {
                continue;
            }
            let mut package = Package::new("npm", name, version);
            package.dependencies = dep.requires.keys().cloned().collect();
            package
                .hashes
                .extend(dep.integrity.as_deref().and_then(sri_hash));
            parsed.packages.push(package);
        }
        walk_v1(&dep.dependencies, parsed);
    }
}
