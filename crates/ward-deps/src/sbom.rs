//! CycloneDX SBOMs (<https://cyclonedx.org/docs/1.6/json/>) of the packages in a tree's
//! lockfiles, in spec 1.5 or 1.6 JSON.
//!
//! Layout: `metadata.component` is the scanned folder (an `application`); each lockfile is a
//! component of type `application` (bom-ref `ward:lockfile:<relative path>`); each project a
//! lockfile belongs to (its root package: the `package.json` name, a Cargo workspace member,
//! the POM's artifact, …) is an `application` component with its purl; each package is a
//! `library` component with its purl as bom-ref. A purl is listed once however many
//! lockfiles hold it (a project that another lockfile depends on is a `library`), with hashes
//! and a licence where the lockfile records them and properties naming the lockfiles
//! (`ward:lockfile`) and whether it is a direct dependency (`ward:direct`).
//!
//! The dependency graph (`dependencies`): the root depends on every lockfile; a lockfile on
//! its projects, a project on the packages it names (a lockfile's only project on all of the
//! file's direct packages); a lockfile also depends directly on any direct package none of
//! its projects reaches (all of them when it names no project). The direct packages are
//! those the file marks direct, or, where it does not say, those no other package of the file
//! depends on. A package depends on the packages its lockfile entry names. Lockfiles name
//! dependencies without versions, so a name that resolves to several versions in one file
//! links to all of them (an over-approximation, never a missing edge).
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
    /// How many package and project components it lists (lockfiles not counted).
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
    /// A dependency in some lockfile (else only a project's own package).
    is_dependency: bool,
}

/// Builds the SBOM of every lockfile under `path` (or `path` itself). Unreadable lockfiles
/// become warnings.
pub fn sbom(path: &Path, options: &SbomOptions) -> Sbom {
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut lockfiles: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let files = ward_lockfile::find(path);
    for (file, read) in files.iter().zip(ward_lockfile::read_all(&files)) {
        let shown = crate::shown_path(path, file);
        let parsed = match read {
            Ok(parsed) => parsed,
            Err(e) => {
                warnings.push(format!("{e}; skipped"));
                continue;
            }
        };
        warnings.extend(parsed.warnings.iter().map(|w| format!("{shown}: {w}")));
        let edges = add_lockfile(&mut components, &shown, &parsed);
        lockfiles.entry(shown).or_default().extend(edges);
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
    for (file, edges) in &lockfiles {
        component_list.push(json!({
            "type": "application",
            "bom-ref": lockfile_ref(file),
            "name": file,
            "properties": [{"name": "ward:lockfile-reader", "value": reader_id(file)}],
        }));
        dependencies.push(json!({"ref": lockfile_ref(file), "dependsOn": edges}));
    }
    let n_components = components.len();
    for (purl, c) in &components {
        let Some(p) = &c.package else { continue };
        component_list.push(component_json(purl, p, c));
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

/// Adds one lockfile's packages and projects to the components and returns what the
/// lockfile itself depends on.
fn add_lockfile(
    components: &mut BTreeMap<String, Component>,
    shown: &str,
    parsed: &ward_lockfile::Parsed,
) -> BTreeSet<String> {
    // Names resolve to every version the file holds, projects included (a workspace member
    // depending on another).
    let mut by_name: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in parsed.packages.iter().chain(&parsed.roots) {
        by_name.entry(&p.name).or_default().insert(&p.purl);
    }
    let resolve = |p: &Package| -> BTreeSet<String> {
        p.dependencies
            .iter()
            .filter_map(|dep| by_name.get(dep.as_str()))
            .flatten()
            .filter(|d| **d != p.purl)
            .map(|d| d.to_string())
            .collect()
    };
    let mut depended: BTreeSet<String> = BTreeSet::new();
    for p in &parsed.packages {
        depended.extend(resolve(p));
    }
    let mut direct = BTreeSet::new();
    for p in &parsed.packages {
        let entry = components.entry(p.purl.clone()).or_default();
        entry.lockfiles.insert(shown.to_string());
        entry.is_dependency = true;
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
        entry.depends_on.extend(resolve(p));
        merge_package(entry, p);
        let is_direct = match p.direct {
            Some(is_direct) => is_direct,
            None => !depended.contains(&p.purl),
        };
        if is_direct {
            direct.insert(p.purl.clone());
        }
    }
    let mut reached = BTreeSet::new();
    for root in &parsed.roots {
        let mut edges = resolve(root);
        if parsed.roots.len() == 1 {
            edges.extend(direct.iter().cloned());
        }
        reached.extend(edges.iter().cloned());
        let entry = components.entry(root.purl.clone()).or_default();
        entry.lockfiles.insert(shown.to_string());
        entry.depends_on.extend(edges);
        merge_package(entry, root);
    }
    parsed
        .roots
        .iter()
        .map(|r| r.purl.clone())
        .chain(direct.into_iter().filter(|d| !reached.contains(d)))
        .collect()
}

/// Keeps the first package seen under a purl, adding a licence a later one knows.
fn merge_package(entry: &mut Component, p: &Package) {
    match &mut entry.package {
        None => entry.package = Some(p.clone()),
        Some(known) => {
            if let Some(license) = &p.license {
                known.license.get_or_insert_with(|| license.clone());
            }
        }
    }
}

fn component_json(purl: &str, p: &Package, c: &Component) -> Value {
    let kind = if c.is_dependency {
        "library"
    } else {
        "application"
    };
    let mut component = json!({
        "type": kind,
        "bom-ref": purl,
        "name": p.name,
        "purl": purl,
    });
    if !p.version.is_empty() {
        component["version"] = json!(p.version);
    }
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
    component
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
    fn projects_are_components_linked_to_what_they_use() {
        let dir = tempfile::tempdir().unwrap();
        // A Cargo workspace: `app` uses the member `lib` and serde.
        std::fs::write(
            dir.path().join("Cargo.lock"),
            "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"lib\", \"serde\"]\n\n\
             [[package]]\nname = \"lib\"\nversion = \"0.1.0\"\n\n\
             [[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        )
        .unwrap();
        // One npm project, checked out twice: listed once.
        for sub in ["web", "web-copy"] {
            let folder = dir.path().join(sub);
            std::fs::create_dir(&folder).unwrap();
            std::fs::write(
                folder.join("package.json"),
                r#"{"name": "web", "version": "2.0.0", "dependencies": {"a": "^1"}}"#,
            )
            .unwrap();
            std::fs::write(folder.join("yarn.lock"), "a@^1:\n  version \"1.0.0\"\n").unwrap();
        }
        let sbom = sbom(dir.path(), &options());
        let doc = &sbom.document;
        let components = doc["components"].as_array().unwrap();
        let kind = |purl: &str| {
            let found: Vec<_> = components.iter().filter(|c| c["purl"] == purl).collect();
            assert_eq!(found.len(), 1, "{purl}");
            found[0]["type"].as_str().unwrap().to_string()
        };
        assert_eq!(kind("pkg:cargo/app@0.1.0"), "application");
        assert_eq!(kind("pkg:cargo/lib@0.1.0"), "application");
        assert_eq!(kind("pkg:cargo/serde@1.0.0"), "library");
        assert_eq!(kind("pkg:npm/web@2.0.0"), "application");
        assert_eq!(sbom.n_components, 5);
        let deps = doc["dependencies"].as_array().unwrap();
        let edges = |r: &str| {
            deps.iter().find(|d| d["ref"] == r).unwrap()["dependsOn"]
                .as_array()
                .unwrap()
                .clone()
        };
        assert_eq!(
            edges("ward:lockfile:Cargo.lock"),
            [json!("pkg:cargo/app@0.1.0"), json!("pkg:cargo/lib@0.1.0")]
        );
        assert_eq!(
            edges("pkg:cargo/app@0.1.0"),
            [json!("pkg:cargo/lib@0.1.0"), json!("pkg:cargo/serde@1.0.0")]
        );
        assert_eq!(edges("ward:lockfile:web/yarn.lock"), [json!("pkg:npm/web@2.0.0")]);
        assert_eq!(edges("pkg:npm/web@2.0.0"), [json!("pkg:npm/a@1.0.0")]);
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
