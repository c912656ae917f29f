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
//! The output is deterministic: components and edges sorted by reference, no clock (the
//! caller passes a timestamp if it wants one) and a serial number derived from the content.
//! The graph is built over component indices and the document is serialized from typed
//! structs, so a tree of thousands of lockfiles costs milliseconds, not a JSON value tree.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use ward_lockfile::{Package, Parsed};

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
    document: Document,
    /// Lockfiles or entries that could not be read, each naming the file.
    pub warnings: Vec<String>,
    /// How many package and project components it lists (lockfiles not counted).
    pub n_components: usize,
    /// How many lockfiles were read.
    pub n_lockfiles: usize,
}

impl Sbom {
    /// Writes the CycloneDX document as JSON, indented when `pretty`.
    pub fn write_json(&self, out: impl Write, pretty: bool) -> serde_json::Result<()> {
        if pretty {
            serde_json::to_writer_pretty(out, &self.document)
        } else {
            serde_json::to_writer(out, &self.document)
        }
    }

    /// The CycloneDX document as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(&self.document).unwrap_or(Value::Null)
    }
}

/// Builds the SBOM of every lockfile under `path` (or `path` itself). Unreadable lockfiles
/// become warnings.
pub fn sbom(path: &Path, options: &SbomOptions) -> Sbom {
    let mut graph = Graph::default();
    let mut warnings = Vec::new();
    let files = ward_lockfile::find(path);
    for (file, read) in files.iter().zip(ward_lockfile::read_all(&files)) {
        let shown = crate::shown_path(path, file);
        match read {
            Ok(parsed) => {
                warnings.extend(parsed.warnings.iter().map(|w| format!("{shown}: {w}")));
                graph.add_lockfile(shown, parsed);
            }
            Err(e) => warnings.push(format!("{e}; skipped")),
        }
    }
    let root_name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string());
    let n_components = graph.components.len();
    let n_lockfiles = graph.lockfiles.len();
    Sbom {
        document: graph.into_document(root_name, options),
        warnings,
        n_components,
        n_lockfiles,
    }
}

const ROOT_REF: &str = "ward:root";

/// Components by index, each purl once.
#[derive(Default)]
struct Graph {
    index: HashMap<String, usize>,
    components: Vec<Component>,
    /// (shown path, what the lockfile depends on).
    lockfiles: Vec<(String, Vec<usize>)>,
}

struct Component {
    package: Package,
    /// Indices into `Graph::lockfiles`.
    lockfiles: Vec<usize>,
    direct: Option<bool>,
    hashes: BTreeMap<String, String>,
    depends_on: Vec<usize>,
    /// A dependency in some lockfile (else only a project's own package).
    is_dependency: bool,
}

impl Graph {
    /// The component of `p`'s purl, created from a copy of `p` the first time.
    fn component(&mut self, p: &Package, lockfile: usize) -> usize {
        let id = match self.index.get(&p.purl) {
            Some(&id) => id,
            None => {
                let id = self.components.len();
                self.index.insert(p.purl.clone(), id);
                self.components.push(Component {
                    // Only what the component shows; edges and hashes are merged below.
                    package: Package {
                        ecosystem: p.ecosystem,
                        name: p.name.clone(),
                        version: p.version.clone(),
                        purl: p.purl.clone(),
                        direct: None,
                        dependencies: Vec::new(),
                        hashes: Vec::new(),
                        license: p.license.clone(),
                    },
                    lockfiles: Vec::new(),
                    direct: None,
                    hashes: BTreeMap::new(),
                    depends_on: Vec::new(),
                    is_dependency: false,
                });
                id
            }
        };
        let c = &mut self.components[id];
        if c.lockfiles.last() != Some(&lockfile) {
            c.lockfiles.push(lockfile);
        }
        if c.package.license.is_none() {
            c.package.license.clone_from(&p.license);
        }
        id
    }

    /// Adds one lockfile's packages and projects.
    fn add_lockfile(&mut self, shown: String, parsed: Parsed) {
        let lockfile = self.lockfiles.len();
        let ids: Vec<usize> = parsed
            .packages
            .iter()
            .map(|p| self.component(p, lockfile))
            .collect();
        let root_ids: Vec<usize> = parsed
            .roots
            .iter()
            .map(|p| self.component(p, lockfile))
            .collect();
        // Names resolve to every version the file holds, projects included (a workspace
        // member depending on another).
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (p, &id) in parsed
            .packages
            .iter()
            .zip(&ids)
            .chain(parsed.roots.iter().zip(&root_ids))
        {
            let ids = by_name.entry(p.name.as_str()).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let resolve = |p: &Package, own: usize| -> Vec<usize> {
            p.dependencies
                .iter()
                .filter_map(|dep| by_name.get(dep.as_str()))
                .flatten()
                .copied()
                .filter(|&d| d != own)
                .collect()
        };
        let edges: Vec<Vec<usize>> = parsed
            .packages
            .iter()
            .zip(&ids)
            .map(|(p, &id)| resolve(p, id))
            .collect();
        let depended: HashSet<usize> = edges.iter().flatten().copied().collect();
        let mut direct = Vec::new();
        for ((p, &id), edges) in parsed.packages.iter().zip(&ids).zip(edges) {
            let c = &mut self.components[id];
            c.is_dependency = true;
            // Direct in any lockfile makes it direct.
            c.direct = match (c.direct, p.direct) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), _) | (_, Some(false)) => Some(false),
                _ => None,
            };
            for (alg, hex) in &p.hashes {
                c.hashes.entry(alg.clone()).or_insert_with(|| hex.clone());
            }
            c.depends_on.extend(edges);
            if p.direct.unwrap_or_else(|| !depended.contains(&id)) && !direct.contains(&id) {
                direct.push(id);
            }
        }
        let mut reached = HashSet::new();
        for (root, &id) in parsed.roots.iter().zip(&root_ids) {
            let mut edges = resolve(root, id);
            if root_ids.len() == 1 {
                edges.extend(&direct);
            }
            reached.extend(edges.iter().copied());
            self.components[id].depends_on.extend(edges);
        }
        let mut lockfile_edges = root_ids;
        lockfile_edges.extend(direct.into_iter().filter(|d| !reached.contains(d)));
        self.lockfiles.push((shown, lockfile_edges));
    }

    /// The document: components and edges sorted by reference (a lockfile's path sorts its
    /// reference, a purl is one).
    fn into_document(self, root_name: String, options: &SbomOptions) -> Document {
        let purl = |id: usize| self.components[id].package.purl.as_str();
        let refs_of = |ids: &[usize]| -> Vec<String> {
            let mut refs: Vec<&str> = ids.iter().map(|&id| purl(id)).collect();
            refs.sort_unstable();
            refs.dedup();
            refs.into_iter().map(str::to_string).collect()
        };
        let mut lockfile_order: Vec<usize> = (0..self.lockfiles.len()).collect();
        lockfile_order.sort_by(|&a, &b| self.lockfiles[a].0.cmp(&self.lockfiles[b].0));
        let mut order: Vec<usize> = (0..self.components.len()).collect();
        order.sort_by(|&a, &b| purl(a).cmp(purl(b)));

        let mut components = Vec::with_capacity(self.lockfiles.len() + order.len());
        let mut dependencies = Vec::with_capacity(1 + self.lockfiles.len() + order.len());
        dependencies.push(Edges {
            reference: ROOT_REF.to_string(),
            depends_on: lockfile_order
                .iter()
                .map(|&l| lockfile_ref(&self.lockfiles[l].0))
                .collect(),
        });
        for &l in &lockfile_order {
            let (file, edges) = &self.lockfiles[l];
            components.push(ComponentOut {
                kind: "application",
                bom_ref: lockfile_ref(file),
                group: None,
                name: file.clone(),
                version: None,
                purl: None,
                hashes: Vec::new(),
                licenses: Vec::new(),
                properties: vec![Property::new("ward:lockfile-reader", reader_id(file))],
            });
            dependencies.push(Edges {
                reference: lockfile_ref(file),
                depends_on: refs_of(edges),
            });
        }
        for &id in &order {
            let c = &self.components[id];
            let p = &c.package;
            let (group, name) = match group_of(p) {
                Some((group, name)) => (Some(group), name),
                None => (None, p.name.clone()),
            };
            let mut properties: Vec<Property> = c
                .lockfiles
                .iter()
                .map(|&l| Property::new("ward:lockfile", &self.lockfiles[l].0))
                .collect();
            properties.sort_by(|a, b| a.value.cmp(&b.value));
            if let Some(direct) = c.direct {
                properties.push(Property::new("ward:direct", &direct.to_string()));
            }
            components.push(ComponentOut {
                kind: if c.is_dependency {
                    "library"
                } else {
                    "application"
                },
                bom_ref: p.purl.clone(),
                group,
                name,
                version: (!p.version.is_empty()).then(|| p.version.clone()),
                purl: Some(p.purl.clone()),
                hashes: c
                    .hashes
                    .iter()
                    .map(|(alg, content)| Hash {
                        alg: alg.clone(),
                        content: content.clone(),
                    })
                    .collect(),
                licenses: p
                    .license
                    .as_deref()
                    .map(license_choice)
                    .into_iter()
                    .collect(),
                properties,
            });
            dependencies.push(Edges {
                reference: p.purl.clone(),
                depends_on: refs_of(&c.depends_on),
            });
        }
        let metadata = Metadata {
            timestamp: options.timestamp.clone(),
            tools: Tools {
                components: vec![Tool {
                    kind: "application",
                    name: "ward",
                    version: options.tool_version.clone(),
                }],
            },
            component: RootComponent {
                kind: "application",
                bom_ref: ROOT_REF,
                name: root_name,
            },
        };
        let serial_number = format!(
            "urn:uuid:{}",
            uuid_from(&content_digest(
                options,
                &metadata,
                &components,
                &dependencies
            ))
        );
        Document {
            bom_format: "CycloneDX",
            spec_version: options.spec.as_str(),
            serial_number,
            version: 1,
            metadata,
            components,
            dependencies,
        }
    }
}

/// SHA-256 of what the document says (everything but the serial number), fed field by field
/// rather than through a serialization of the whole document.
fn content_digest(
    options: &SbomOptions,
    metadata: &Metadata,
    components: &[ComponentOut],
    dependencies: &[Edges],
) -> Vec<u8> {
    let mut hasher = Sha256::new();
    let mut feed = |text: &str| {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    };
    feed(options.spec.as_str());
    feed(metadata.timestamp.as_deref().unwrap_or(""));
    feed(&options.tool_version);
    feed(&metadata.component.name);
    for c in components {
        feed(&c.bom_ref);
        feed(c.kind);
        for h in &c.hashes {
            feed(&h.content);
        }
        for l in &c.licenses {
            feed(match l {
                LicenseChoice::Expression(e) => e,
                LicenseChoice::License { name } => name,
            });
        }
        for p in &c.properties {
            feed(&p.value);
        }
    }
    for d in dependencies {
        feed(&d.reference);
        for target in &d.depends_on {
            feed(target);
        }
    }
    hasher.finalize().to_vec()
}

/// The CycloneDX document, fields in the specification's order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<ComponentOut>,
    dependencies: Vec<Edges>,
}

#[derive(Debug, Serialize)]
struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    tools: Tools,
    component: RootComponent,
}

#[derive(Debug, Serialize)]
struct Tools {
    components: Vec<Tool>,
}

#[derive(Debug, Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: String,
}

#[derive(Debug, Serialize)]
struct RootComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'static str,
    name: String,
}

#[derive(Debug, Serialize)]
struct ComponentOut {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    properties: Vec<Property>,
}

#[derive(Debug, Serialize)]
struct Hash {
    alg: String,
    content: String,
}

/// CycloneDX's licence choice: an SPDX expression, or a named licence.
#[derive(Debug, PartialEq, Serialize)]
enum LicenseChoice {
    #[serde(rename = "expression")]
    Expression(String),
    #[serde(rename = "license")]
    License { name: String },
}

#[derive(Debug, Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

impl Property {
    fn new(name: &'static str, value: &str) -> Property {
        Property {
            name,
            value: value.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Edges {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
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
fn license_choice(license: &str) -> LicenseChoice {
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
        LicenseChoice::Expression(license.to_string())
    } else {
        LicenseChoice::License {
            name: license.to_string(),
        }
    }
}

/// A version-4-shaped UUID from a content digest.
fn uuid_from(digest: &[u8]) -> String {
    let mut b = [0u8; 16];
    for (slot, byte) in b.iter_mut().zip(digest) {
        *slot = *byte;
    }
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
    use serde_json::json;

    use super::*;

    fn options() -> SbomOptions {
        SbomOptions {
            tool_version: "0.0.0".into(),
            ..SbomOptions::default()
        }
    }

    #[test]
    fn licences() {
        let expression = |text: &str| LicenseChoice::Expression(text.to_string());
        assert_eq!(license_choice("MIT"), expression("MIT"));
        assert_eq!(
            license_choice("(MIT OR Apache-2.0)"),
            expression("(MIT OR Apache-2.0)")
        );
        assert_eq!(
            license_choice("SEE LICENSE IN LICENSE.md"),
            LicenseChoice::License {
                name: "SEE LICENSE IN LICENSE.md".into()
            }
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
        let doc = &sbom.to_value();
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
        assert_eq!(
            edges("ward:lockfile:web/yarn.lock"),
            [json!("pkg:npm/web@2.0.0")]
        );
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
        let doc = &sbom.to_value();
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
        assert_eq!(doc, &again.to_value());
        assert!(doc["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:"));
    }
}
