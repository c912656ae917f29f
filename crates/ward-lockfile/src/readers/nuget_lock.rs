//! NuGet's `packages.lock.json`
//! (<https://learn.microsoft.com/en-us/nuget/consume-packages/package-references-in-project-files#locking-dependencies>):
//! per target framework, packages by name with `type` (`Direct`, `Transitive`,
//! `CentralTransitive`, `Project`), `resolved` version, `contentHash` (base64 SHA-512) and
//! `dependencies`. A package listed for several frameworks is listed once; project
//! references are left out.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{base64_decode, hex};
use crate::{Package, Parsed, Reader};

pub(crate) struct NugetLock;

#[derive(Deserialize)]
struct Wire {
    version: Option<u32>,
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, WirePackage>>,
}

#[derive(Deserialize)]
struct WirePackage {
    #[serde(rename = "type")]
    kind: Option<String>,
    resolved: Option<String>,
    #[serde(rename = "contentHash")]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

impl Reader for NugetLock {
    fn id(&self) -> &'static str {
        "nuget-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "packages.lock.json"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let wire: Wire = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if wire.version.is_none() {
            return Err("no `version`: not a NuGet packages.lock.json".into());
        }
        let mut parsed = Parsed::default();
        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (framework, packages) in &wire.dependencies {
            for (name, p) in packages {
                if p.kind.as_deref() == Some("Project") {
                    continue;
                }
                let Some(version) = &p.resolved else {
                    parsed
                        .warnings
                        .push(format!("{framework}: {name}: no resolved version, skipped"));
                    continue;
                };
                let direct = p.kind.as_deref() == Some("Direct");
                let key = (name.to_ascii_lowercase(), version.clone());
                if let Some(&i) = index.get(&key) {
                    let known = &mut parsed.packages[i];
                    known.direct = Some(known.direct == Some(true) || direct);
                    continue;
                }
                let mut package = Package::new("NuGet", name, version);
                package.direct = Some(direct);
                package.dependencies = p.dependencies.keys().cloned().collect();
                if let Some(bytes) = p.content_hash.as_deref().and_then(base64_decode) {
                    if bytes.len() == 64 {
                        package.hashes.push(("SHA-512".into(), hex(&bytes)));
                    }
                }
                index.insert(key, parsed.packages.len());
                parsed.packages.push(package);
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frameworks_merge() {
        let parsed = NugetLock
            .parse(
                r#"{"version": 1, "dependencies": {
                  "net8.0": {"Newtonsoft.Json": {"type": "Direct", "resolved": "13.0.1"},
                             "Lib": {"type": "Project"}},
                  "net6.0": {"Newtonsoft.Json": {"type": "Transitive", "resolved": "13.0.1"}}}}"#,
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(parsed.packages[0].direct, Some(true));
        assert_eq!(parsed.packages[0].purl, "pkg:nuget/Newtonsoft.Json@13.0.1");
        assert!(NugetLock.parse("{}").is_err());
    }
}
