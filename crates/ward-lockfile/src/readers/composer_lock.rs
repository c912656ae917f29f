//! Composer's `composer.lock` (<https://getcomposer.org/doc/01-basic-usage.md#composer-lock-the-lock-file>):
//! JSON `packages` and `packages-dev` (either may be `null` in old files), each with name,
//! version, `require` and `license`. The lockfile does not say which packages
//! `composer.json` asks for; `read` learns that from the `composer.json` beside it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Package, Parsed, Reader};

pub(crate) struct ComposerLock;

#[derive(Deserialize)]
struct Wire {
    packages: Option<Vec<WirePackage>>,
    #[serde(rename = "packages-dev")]
    packages_dev: Option<Vec<WirePackage>>,
}

#[derive(Deserialize)]
struct WirePackage {
    name: String,
    version: String,
    #[serde(default)]
    require: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    license: Vec<String>,
    dist: Option<WireDist>,
}

#[derive(Deserialize)]
struct WireDist {
    shasum: Option<String>,
}

impl Reader for ComposerLock {
    fn id(&self) -> &'static str {
        "composer-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "composer.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let packages = wire
            .packages
            .iter()
            .chain(&wire.packages_dev)
            .flatten()
            .map(|p| {
                let mut package = Package::new("Packagist", &p.name, &p.version);
                // Platform requirements (`php`, `ext-json`) are not packages.
                package.dependencies = p
                    .require
                    .keys()
                    .filter(|k| k.contains('/'))
                    .cloned()
                    .collect();
                if !p.license.is_empty() {
                    package.license = Some(p.license.join(" OR "));
                }
                if let Some(sum) = p
                    .dist
                    .as_ref()
                    .and_then(|d| d.shasum.as_deref())
                    .filter(|s| !s.is_empty())
                {
                    package.hashes.push(("SHA-1".into(), sum.to_string()));
                }
                package
            })
            .collect();
        Ok(Parsed {
            packages,
            ..Parsed::default()
        })
    }
}
