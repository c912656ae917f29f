//! `Cargo.lock` (v1–v4, <https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html>):
//! `[[package]]` tables with name, version, source, checksum and `dependencies` ("name" or
//! "name version"). Packages without a `source` are the workspace's own: they are the
//! file's roots, and what they depend on is direct.

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

impl Reader for CargoLock {
    fn id(&self) -> &'static str {
        "cargo-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "Cargo.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = toml::from_str(text).map_err(|e| e.to_string())?;
        let dep_name = |d: &String| d.split(' ').next().unwrap_or(d).to_string();
        let direct: std::collections::BTreeSet<String> = wire
            .package
            .iter()
            .filter(|p| p.source.is_none())
            .flat_map(|p| p.dependencies.iter().map(dep_name))
            .collect();
        let mut parsed = Parsed::default();
        for p in &wire.package {
            let mut package = Package::new("crates.io", &p.name, &p.version);
            package.dependencies = p.dependencies.iter().map(dep_name).collect();
            if p.source.is_none() {
                parsed.roots.push(package);
                continue;
            }
            package.direct = Some(direct.contains(&p.name));
            if let Some(sum) = &p.checksum {
                package.hashes.push(("SHA-256".into(), sum.clone()));
            }
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}
