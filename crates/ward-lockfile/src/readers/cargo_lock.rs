//! `Cargo.lock` (v1–v4, <https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html>):
//! `[[package]]` tables with name, version, source, checksum and `dependencies` ("name" or
//! "name version"). Packages without a `source` are the workspace's own and are left out;
//! what they depend on is direct.

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
        let packages = wire
            .package
            .iter()
            .filter(|p| p.source.is_some())
            .map(|p| {
                let mut package = Package::new("crates.io", &p.name, &p.version);
                package.direct = Some(direct.contains(&p.name));
                package.dependencies = p.dependencies.iter().map(dep_name).collect();
                if let Some(sum) = &p.checksum {
                    package.hashes.push(("SHA-256".into(), sum.clone()));
                }
                package
            })
            .collect();
        Ok(Parsed {
            packages,
            warnings: Vec::new(),
        })
    }
}
