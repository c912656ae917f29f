//! CycloneDX SBOMs (<https://cyclonedx.org/docs/1.6/json/>) of the packages in a tree's
//! lockfiles, in spec 1.5 or 1.6 JSON.
//!
//! Layout: `metadata.component` is the scanned folder (an `application`); each lockfile is a
//! component of type `application` (bom-ref `ward:lockfile:<relative path>`); each package is
//! a `library` component with its purl as bom-ref, listed once however many lockfiles hold
//! it, with hashes and a licence where the lockfile records them and properties naming the
//! lockfiles (`ward:lockfile`) and whether it is a direct dependency (`ward:direct`).
//!
//! The dependency graph (`dependencies`): the root depends on every lockfile; a lockfile on
//! its direct packages (when the file does not say which are direct: on the packages no
//! other package of the file depends on); a package on the packages its lockfile entry
//! names. Lockfiles name dependencies without versions, so a name that resolves to several
//! versions in one file links to all of them (an over-approximation, never a missing edge).
//!
//! The output is deterministic: components and edges sorted, JSON keys sorted, no clock (the
//! caller passes a timestamp if it wants one) and a serial number derived from the content.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use ward_lockfile::Package;

/// CycloneDX specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpecVersion {
    /// 1.5 (the default).
    #[default]
    V1_5,
    /// 1.6.
    V1_6,
}

impl SpecVersion {
    /// `1.5` or `1.6`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
        }
    }

    /// Parses `1.5` or `1.6`.
    pub fn parse(text: &str) -> Option<SpecVersion> {
        match text {
            "1.5" => Some(SpecVersion::V1_5),
            "1.6" => Some(SpecVersion::V1_6),
            _ => None,
        }
    }
}

/// How to write the SBOM.
#[derive(Debug, Clone, Default)]
pub struct SbomOptions {
    /// The CycloneDX version.
    pub spec: SpecVersion,
    /// `metadata.timestamp` (RFC 3339); none by default, so the output is reproducible.
    pub timestamp: Option<String>,
    /// The version of ward to name in `metadata.tools`.
    pub tool_version: String,
}

/// An SBOM and what could not be read.
#[derive(Debug)]
pub struct Sbom {
    /// The CycloneDX document.
    pub document: Value,
    /// Lockfiles or entries that could not be read, each naming the file.
    pub warnings: Vec<String>,
    /// How many package components it lists.
    pub n_components: usize,
    /// How many lockfiles were read.
    pub n_lockfiles: usize,
}

#[derive(Default)]
struct Component {
    package: Option<Package>,
    lockfiles: BTreeSet<String>,
    direct: Option<bool>,
    hashes: BTreeMap<String, String>,
    depends_on: BTreeSet<String>,
}

/// Builds the SBOM of every lockfile under `path` (or `path` itself). Unreadable lockfiles
/// become warnings.
pub fn sbom(path: &Path, options: &SbomOptions) -> Sbom {
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut lockfiles: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut warnings = Vec::new();
    for file in ward_lockfile::find(path) {
        let shown = crate::shown_path(path, &file);
        let parsed = match ward_lockfile::read(&file) {
            Ok(parsed) => parsed,
            Err(e) => {
                warnings.push(format!("{e}; skipped"));
                continue;
            }
        };
        warnings.extend(parsed.warnings.iter().map(|w| format!("{shown}: {w}")));
        let mut by_name: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut depended: BTreeSet<&str> = BTreeSet::new();
        for p in &parsed.packages {
            by_name.entry(&p.name).or_default().insert(&p.purl);
        }
        for p in &parsed.packages {
            for dep in &p.dependencies {
                if let Some(purls) = by_name.get(dep.as_str()) {
                    depended.extend(purls.iter().copied().filter(|d| *d != p.purl));
                }
            }
        }
        let mut roots = BTreeSet::new();
        for p in &parsed.packages {
            let entry = components.entry(p.purl.clone()).or_default();
            entry.lockfiles.insert(shown.clone());
            // Direct in any lockfile makes it direct.
            entry.direct = match (entry.direct, p.direct) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), _) | (_, Some(false)) => Some(false),
                _ => None,
            };
            for (alg, hex) in &p.hashes {
                entry
                    .hashes
                    .entry(alg.clone())
                    .or_insert_with(|| hex.clone());
            }
            for dep in &p.dependencies {
                if let Some(purls) = by_name.get(dep.as_str()) {
                    entry.depends_on.extend(
                        purls
                            .iter()
                            .filter(|d| **d != p.purl)
                            .map(|d| d.to_string()),
                    );
                }
            }
            if entry.package.is_none() {
                entry.package = Some(p.clone());
            } else if let (Some(known), Some(license)) = (&mut entry.package, &p.license) {
                known.license.get_or_insert_with(|| license.clone());
            }
            let is_root = match p.direct {
                Some(direct) => direct,
                None => !depended.contains(p.purl.as_str()),
            };
            if is_root {
                roots.insert(p.purl.clone());
            }
        }
        lockfiles.entry(shown).or_default().extend(roots);
    }

    let root_name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string());
    let root_ref = "ward:root".to_string();

    let mut component_list = Vec::new();
    let mut dependencies = Vec::new();
    dependencies.push(json!({
        "ref": root_ref,
        "dependsOn": lockfiles.keys().map(|f| lockfile_ref(f)).collect::<Vec<_>>(),
    }));
    for (file, roots) in &lockfiles {
        component_list.push(json!({
            "type": "application",
            "bom-ref": lockfile_ref(file),
            "name": file,
            "properties": [{"name": "ward:lockfile-reader", "value": reader_id(file)}],
        }));
        dependencies.push(json!({"ref": lockfile_ref(file), "dependsOn": roots}));
    }
    let n_components = components.len();
    for (purl, c) in &components {
        let Some(p) = &c.package else { continue };
        let mut component = json!({
            "type": "library",
            "bom-ref": purl,
            "name": p.name,
            "version": p.version,
            "purl": purl,
        });
        if let Some(group) = group_of(p) {
            component["group"] = json!(group.0);
            component["name"] = json!(group.1);
        }
        if !c.hashes.is_empty() {
            component["hashes"] = c
                .hashes
                .iter()
                .map(|(alg, content)| json!({"alg": alg, "content": content}))
                .collect();
        }
        if let Some(license) = &p.license {
            component["licenses"] = json!([license_choice(license)]);
        }
        let mut properties: Vec<Value> = c
            .lockfiles
            .iter()
            .map(|f| json!({"name": "ward:lockfile", "value": f}))
            .collect();
        if let Some(direct) = c.direct {
            properties.push(json!({"name": "ward:direct", "value": direct.to_string()}));
        }
        component["properties"] = Value::Array(properties);
        component_list.push(component);
        dependencies.push(json!({"ref": purl, "dependsOn": c.depends_on}));
    }

    let mut metadata = json!({
        "component": {
            "type": "application",
            "bom-ref": root_ref,
            "name": root_name,
        },
        "tools": {"components": [{
            "type": "application",
            "name": "ward",
            "version": options.tool_version,
        }]},
    });
    if let Some(timestamp) = &options.timestamp {
        metadata["timestamp"] = json!(timestamp);
    }
    let mut document = json!({
        "bomFormat": "CycloneDX",
        "specVersion": options.spec.as_str(),
        "version": 1,
        "metadata": metadata,
        "components": component_list,
        "dependencies": dependencies,
    });
    let content = serde_json::to_vec(&document).unwrap_or_default();
    document["serialNumber"] = json!(format!("urn:uuid:{}", uuid_from(&content)));
    Sbom {
        document,
        warnings,
        n_components,
        n_lockfiles: lockfiles.len(),
    }
}

fn lockfile_ref(file: &str) -> String {
    format!("ward:lockfile:{file}")
}

fn reader_id(file: &str) -> &'static str {
    ward_lockfile::reader_for(Path::new(file)).map_or("unknown", |r| r.id())
}

/// CycloneDX's `group`: the npm scope, the Maven group id, the Go module path or the Composer
/// vendor; `None` where the ecosystem has none.
fn group_of(p: &Package) -> Option<(String, String)> {
    let (group, name) = match p.ecosystem {
        "npm" if p.name.starts_with('@') => p.name.split_once('/')?,
        "Maven" => p.name.split_once(':')?,
        "Packagist" => p.name.split_once('/')?,
        "Go" => p.name.rsplit_once('/')?,
        _ => return None,
    };
    Some((group.to_string(), name.to_string()))
}

/// An SPDX expression (`MIT`, `(MIT OR Apache-2.0)`) as `expression`; anything else (`SEE
/// LICENSE IN …`, a free name) as a named licence.
fn license_choice(license: &str) -> Value {
    // Operands (licence ids) and operators must alternate: `SEE LICENSE IN X` is no expression.
    let is_expression = license
        .split_whitespace()
        .map(|t| t.trim_matches(|c| c == '(' || c == ')'))
        .enumerate()
        .all(|(i, token)| {
            let operator = matches!(token, "AND" | "OR" | "WITH");
            if i % 2 == 1 {
                operator
            } else {
                !operator
                    && !token.is_empty()
                    && token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
            }
        })
        && license.split_whitespace().count() % 2 == 1;
    if is_expression {
        json!({"expression": license})
    } else {
        json!({"license": {"name": license}})
    }
}

/// A version-4-shaped UUID from the SHA-256 of the content.
fn uuid_from(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> SbomOptions {
        SbomOptions {
            tool_version: "0.0.0".into(),
            ..SbomOptions::default()
        }
    }

    #[test]
    fn licences() {
        assert_eq!(license_choice("MIT")["expression"], "MIT");
        assert_eq!(
            license_choice("(MIT OR Apache-2.0)")["expression"],
            "(MIT OR Apache-2.0)"
        );
        assert_eq!(
            license_choice("SEE LICENSE IN LICENSE.md")["license"]["name"],
            "SEE LICENSE IN LICENSE.md"
        );
    }

    #[test]
    fn graph_hashes_and_determinism() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package-lock.json"),
            r#"{"lockfileVersion": 3, "packages": {
                "": {"dependencies": {"a": "^1"}},
                "node_modules/a": {"version": "1.0.0", "license": "MIT",
                    "integrity": "sha1-AAEC", "dependencies": {"@s/b": "^2"}},
                "node_modules/@s/b": {"version": "2.0.0"}}}"#,
        )
        .unwrap();
        let sbom = sbom(dir.path(), &options());
        assert_eq!(sbom.n_components, 2);
        let doc = &sbom.document;
        assert_eq!(doc["specVersion"], "1.5");
        assert!(doc["metadata"].get("timestamp").is_none());
        let a = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["purl"] == "pkg:npm/a@1.0.0")
            .unwrap();
        assert_eq!(a["hashes"][0]["alg"], "SHA-1");
        assert_eq!(a["licenses"][0]["expression"], "MIT");
        let deps = doc["dependencies"].as_array().unwrap();
        let edges = |r: &str| {
            deps.iter().find(|d| d["ref"] == r).unwrap()["dependsOn"]
                .as_array()
                .unwrap()
                .clone()
        };
        assert_eq!(
            edges("ward:root"),
            [json!("ward:lockfile:package-lock.json")]
        );
        assert_eq!(
            edges("ward:lockfile:package-lock.json"),
            [json!("pkg:npm/a@1.0.0")]
        );
        assert_eq!(edges("pkg:npm/a@1.0.0"), [json!("pkg:npm/%40s/b@2.0.0")]);
        let again = super::sbom(dir.path(), &options());
        assert_eq!(sbom.document, again.document);
        assert!(doc["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:"));
    }
}
