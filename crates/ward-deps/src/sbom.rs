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
    graph: Graph,
    root_name: String,
    options: SbomOptions,
    serial_number: String,
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
        let document = self.document();
        if pretty {
            serde_json::to_writer_pretty(out, &document)
        } else {
            serde_json::to_writer(out, &document)
        }
    }

    /// The CycloneDX document as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self.document()).unwrap_or(Value::Null)
    }

    fn document(&self) -> Document<'_> {
        self.graph.document(
            &self.root_name,
            &self.options,
            Some(self.serial_number.clone()),
        )
    }
}

/// Builds the SBOM of every lockfile under `path` (or `path` itself). Unreadable lockfiles
/// become warnings.
pub fn sbom(path: &Path, options: &SbomOptions) -> Sbom {
    let mut graph = Graph::default();
    let mut by_file: Vec<(String, Vec<String>)> = Vec::new();
    // Reading and resolving each file's names run on the walker's threads; this thread
    // merges each file into the graph as it arrives, while the walk goes on. Files arrive
    // in no fixed order, so merging never depends on it.
    ward_lockfile::read_tree_each(
        path,
        |_, read| read.map(FileGraph::new),
        |file, read| {
            let shown = crate::shown_path(path, &file);
            match read {
                Ok(file) => {
                    let warnings = file.parsed.warnings.iter();
                    by_file.push((
                        shown.clone(),
                        warnings.map(|w| format!("{shown}: {w}")).collect(),
                    ));
                    graph.add_lockfile(shown, file);
                }
                Err(e) => by_file.push((shown, vec![format!("{e}; skipped")])),
            }
        },
    );
    by_file.sort_by(|a, b| a.0.cmp(&b.0));
    let warnings = by_file.into_iter().flat_map(|(_, w)| w).collect();
    graph.sort();
    let root_name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string());
    let serial_number = format!(
        "urn:uuid:{}",
        uuid_from(&content_digest(&graph.document(&root_name, options, None)))
    );
    Sbom {
        n_components: graph.components.len(),
        n_lockfiles: graph.lockfiles.len(),
        graph,
        root_name,
        options: options.clone(),
        serial_number,
        warnings,
    }
}

const ROOT_REF: &str = "ward:root";

/// One lockfile with its dependency names resolved to positions in the file (packages first,
/// then roots), computed on the thread that read it.
struct FileGraph {
    parsed: Parsed,
    /// For each package, then each root: the positions of what it depends on.
    edges: Vec<Vec<usize>>,
    /// Positions of the file's direct packages.
    direct: Vec<usize>,
}

impl FileGraph {
    fn new(parsed: Parsed) -> FileGraph {
        // Names resolve to every version the file holds, projects included (a workspace
        // member depending on another).
        let all: Vec<&Package> = parsed.packages.iter().chain(&parsed.roots).collect();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (at, p) in all.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_default().push(at);
        }
        let edges: Vec<Vec<usize>> = all
            .iter()
            .enumerate()
            .map(|(at, p)| {
                p.dependencies
                    .iter()
                    .filter_map(|dep| by_name.get(dep.as_str()))
                    .flatten()
                    .copied()
                    .filter(|&d| all.get(d).is_some_and(|q| q.purl != p.purl) && d != at)
                    .collect()
            })
            .collect();
        let n = parsed.packages.len();
        let mut depended = vec![false; n];
        for &d in edges.iter().take(n).flatten() {
            if let Some(flag) = depended.get_mut(d) {
                *flag = true;
            }
        }
        let direct = parsed
            .packages
            .iter()
            .enumerate()
            .filter(|(at, p)| {
                p.direct
                    .unwrap_or_else(|| !depended.get(*at).copied().unwrap_or(false))
            })
            .map(|(at, _)| at)
            .collect();
        // The names are resolved: free them here, on the reading thread, not in the serial
        // merge.
        let mut parsed = parsed;
        for p in parsed.packages.iter_mut().chain(&mut parsed.roots) {
            p.dependencies = Vec::new();
        }
        FileGraph {
            parsed,
            edges,
            direct,
        }
    }
}

/// Components by index, each purl once.
#[derive(Debug, Default)]
struct Graph {
    index: HashMap<String, usize>,
    components: Vec<Component>,
    /// (shown path, its bom-ref, what the lockfile depends on).
    lockfiles: Vec<(String, String, Vec<usize>)>,
    /// Components by purl and lockfiles by path, set by `sort`.
    order: Vec<usize>,
    lockfile_order: Vec<usize>,
}

#[derive(Debug)]
struct Component {
    /// Set from the first lockfile merged that lists the purl (its edges and hashes are
    /// merged below, not kept here; differing names and licences resolve to the smallest).
    package: Option<Package>,
    /// Indices into `Graph::lockfiles`.
    lockfiles: Vec<usize>,
    direct: Option<bool>,
    hashes: BTreeMap<String, String>,
    depends_on: Vec<usize>,
    /// A dependency in some lockfile (else only a project's own package).
    is_dependency: bool,
}

impl Graph {
    fn id(&mut self, purl: &str) -> usize {
        if let Some(&id) = self.index.get(purl) {
            return id;
        }
        let id = self.components.len();
        self.index.insert(purl.to_string(), id);
        self.components.push(Component {
            package: None,
            lockfiles: Vec::new(),
            direct: None,
            hashes: BTreeMap::new(),
            depends_on: Vec::new(),
            is_dependency: false,
        });
        id
    }

    /// Adds one lockfile's packages and projects.
    fn add_lockfile(&mut self, shown: String, file: FileGraph) {
        let lockfile = self.lockfiles.len();
        let FileGraph {
            parsed,
            edges,
            direct,
        } = file;
        let n = parsed.packages.len();
        let ids: Vec<usize> = parsed
            .packages
            .iter()
            .chain(&parsed.roots)
            .map(|p| self.id(&p.purl))
            .collect();
        let global = |positions: &[usize]| -> Vec<usize> {
            positions
                .iter()
                .filter_map(|&at| ids.get(at))
                .copied()
                .collect()
        };
        let direct = global(&direct);
        for (at, (p, edges)) in parsed.packages.iter().zip(&edges).enumerate() {
            let Some(&id) = ids.get(at) else { continue };
            let c = &mut self.components[id];
            c.is_dependency = true;
            // Direct in any lockfile makes it direct.
            c.direct = match (c.direct, p.direct) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), _) | (_, Some(false)) => Some(false),
                _ => None,
            };
            // Lockfiles disagreeing on a hash or a licence: the smallest wins, whatever
            // order the files were merged in.
            for (alg, hex) in &p.hashes {
                let smaller = match c.hashes.get(alg) {
                    Some(known) => hex < known,
                    None => true,
                };
                if smaller {
                    c.hashes.insert(alg.clone(), hex.clone());
                }
            }
            c.depends_on.extend(global(edges));
        }
        let n_roots = parsed.roots.len();
        let mut reached = HashSet::new();
        for (at, edges) in edges.iter().enumerate().skip(n) {
            let Some(&id) = ids.get(at) else { continue };
            let mut edges = global(edges);
            if n_roots == 1 {
                edges.extend(&direct);
            }
            reached.extend(edges.iter().copied());
            self.components[id].depends_on.extend(edges);
        }
        let mut lockfile_edges: Vec<usize> = ids.get(n..).unwrap_or_default().to_vec();
        lockfile_edges.extend(direct.into_iter().filter(|d| !reached.contains(d)));
        for (p, &id) in parsed.packages.into_iter().chain(parsed.roots).zip(&ids) {
            let c = &mut self.components[id];
            if c.lockfiles.last() != Some(&lockfile) {
                c.lockfiles.push(lockfile);
            }
            match &mut c.package {
                None => {
                    c.package = Some(Package {
                        dependencies: Vec::new(),
                        hashes: Vec::new(),
                        ..p
                    })
                }
                Some(known) => {
                    if p.license.is_some() && (known.license.is_none() || p.license < known.license)
                    {
                        known.license = p.license;
                    }
                    // One purl, differently spelt names (PyPI's `Django` and `django`).
                    if (&p.name, &p.version) < (&known.name, &known.version) {
                        known.name = p.name;
                        known.version = p.version;
                    }
                }
            }
        }
        let reference = lockfile_ref(&shown);
        self.lockfiles.push((shown, reference, lockfile_edges));
    }

    /// Orders the components by purl and the lockfiles by path, and every list of edges and
    /// of lockfiles the same way, once: writing the document then only looks references up.
    fn sort(&mut self) {
        fn purl(c: &Component) -> &str {
            c.package.as_ref().map_or("", |p| p.purl.as_str())
        }
        let mut order: Vec<usize> = (0..self.components.len()).collect();
        order.sort_unstable_by(|&a, &b| purl(&self.components[a]).cmp(purl(&self.components[b])));
        let mut rank = vec![0; order.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id] = r;
        }
        let mut lockfile_order: Vec<usize> = (0..self.lockfiles.len()).collect();
        lockfile_order.sort_unstable_by(|&a, &b| self.lockfiles[a].0.cmp(&self.lockfiles[b].0));
        let mut lockfile_rank = vec![0; lockfile_order.len()];
        for (r, &l) in lockfile_order.iter().enumerate() {
            lockfile_rank[l] = r;
        }
        let by_rank = |ids: &mut Vec<usize>, rank: &[usize]| {
            ids.sort_unstable_by_key(|&id| rank.get(id).copied().unwrap_or(usize::MAX));
            ids.dedup();
        };
        for c in &mut self.components {
            by_rank(&mut c.depends_on, &rank);
            by_rank(&mut c.lockfiles, &lockfile_rank);
        }
        for l in &mut self.lockfiles {
            by_rank(&mut l.2, &rank);
        }
        self.order = order;
        self.lockfile_order = lockfile_order;
    }

    /// The document, borrowing the sorted graph.
    fn document<'a>(
        &'a self,
        root_name: &'a str,
        options: &'a SbomOptions,
        serial_number: Option<String>,
    ) -> Document<'a> {
        let purl = |id: usize| {
            self.components
                .get(id)
                .and_then(|c| c.package.as_ref())
                .map_or("", |p| p.purl.as_str())
        };
        let refs_of = |ids: &[usize]| -> Vec<&'a str> { ids.iter().map(|&id| purl(id)).collect() };
        let lockfiles: Vec<&(String, String, Vec<usize>)> = self
            .lockfile_order
            .iter()
            .filter_map(|&l| self.lockfiles.get(l))
            .collect();
        let order: Vec<(&str, &Component, &Package)> = self
            .order
            .iter()
            .filter_map(|&id| {
                let c = self.components.get(id)?;
                let p = c.package.as_ref()?;
                Some((p.purl.as_str(), c, p))
            })
            .collect();

        let mut components = Vec::with_capacity(lockfiles.len() + order.len());
        let mut dependencies = Vec::with_capacity(1 + lockfiles.len() + order.len());
        dependencies.push(Edges {
            reference: ROOT_REF,
            depends_on: lockfiles.iter().map(|l| l.1.as_str()).collect(),
        });
        for (file, reference, edges) in &lockfiles {
            components.push(ComponentOut {
                kind: "application",
                bom_ref: reference,
                group: None,
                name: file,
                version: None,
                purl: None,
                hashes: Vec::new(),
                licenses: Vec::new(),
                properties: vec![Property {
                    name: "ward:lockfile-reader",
                    value: reader_id(file),
                }],
            });
            dependencies.push(Edges {
                reference,
                depends_on: refs_of(edges),
            });
        }
        for (purl, c, p) in order {
            let (group, name) = match group_of(p) {
                Some((group, name)) => (Some(group), name),
                None => (None, p.name.as_str()),
            };
            let mut properties: Vec<Property> = c
                .lockfiles
                .iter()
                .filter_map(|&l| self.lockfiles.get(l))
                .map(|l| Property {
                    name: "ward:lockfile",
                    value: &l.0,
                })
                .collect();
            if let Some(direct) = c.direct {
                properties.push(Property {
                    name: "ward:direct",
                    value: if direct { "true" } else { "false" },
                });
            }
            components.push(ComponentOut {
                kind: if c.is_dependency {
                    "library"
                } else {
                    "application"
                },
                bom_ref: purl,
                group,
                name,
                version: Some(p.version.as_str()).filter(|v| !v.is_empty()),
                purl: Some(purl),
                hashes: c
                    .hashes
                    .iter()
                    .map(|(alg, content)| Hash { alg, content })
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
                reference: purl,
                depends_on: refs_of(&c.depends_on),
            });
        }
        Document {
            bom_format: "CycloneDX",
            spec_version: options.spec.as_str(),
            serial_number,
            version: 1,
            metadata: Metadata {
                timestamp: options.timestamp.as_deref(),
                tools: Tools {
                    components: [Tool {
                        kind: "application",
                        name: "ward",
                        version: &options.tool_version,
                    }],
                },
                component: RootComponent {
                    kind: "application",
                    bom_ref: ROOT_REF,
                    name: root_name,
                },
            },
            components,
            dependencies,
        }
    }
}

/// SHA-256 of what the document says (it has no serial number yet), fed field by field
/// rather than through a serialization of the whole document.
fn content_digest(document: &Document<'_>) -> Vec<u8> {
    let mut hasher = Sha256::new();
    let mut feed = |text: &str| {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    };
    feed(document.spec_version);
    feed(document.metadata.timestamp.unwrap_or(""));
    for tool in &document.metadata.tools.components {
        feed(tool.version);
    }
    feed(document.metadata.component.name);
    for c in &document.components {
        feed(c.bom_ref);
        feed(c.kind);
        for h in &c.hashes {
            feed(h.content);
        }
        for l in &c.licenses {
            feed(match l {
                LicenseChoice::Expression(e) => e,
                LicenseChoice::License { name } => name,
            });
        }
        for p in &c.properties {
            feed(p.value);
        }
    }
    for d in &document.dependencies {
        feed(d.reference);
        for target in &d.depends_on {
            feed(target);
        }
    }
    hasher.finalize().to_vec()
}

/// The CycloneDX document, fields in the specification's order, borrowing the graph.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<String>,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<ComponentOut<'a>>,
    dependencies: Vec<Edges<'a>>,
}

#[derive(Debug, Serialize)]
struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    tools: Tools<'a>,
    component: RootComponent<'a>,
}

#[derive(Debug, Serialize)]
struct Tools<'a> {
    components: [Tool<'a>; 1],
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'a str,
}

#[derive(Debug, Serialize)]
struct RootComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'static str,
    name: &'a str,
}

#[derive(Debug, Serialize)]
struct ComponentOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice<'a>>,
    properties: Vec<Property<'a>>,
}

#[derive(Debug, Serialize)]
struct Hash<'a> {
    alg: &'a str,
    content: &'a str,
}

/// CycloneDX's licence choice: an SPDX expression, or a named licence.
#[derive(Debug, PartialEq, Serialize)]
enum LicenseChoice<'a> {
    #[serde(rename = "expression")]
    Expression(&'a str),
    #[serde(rename = "license")]
    License { name: &'a str },
}

#[derive(Debug, Serialize)]
struct Property<'a> {
    name: &'static str,
    value: &'a str,
}

#[derive(Debug, Serialize)]
struct Edges<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<&'a str>,
}

fn lockfile_ref(file: &str) -> String {
    format!("ward:lockfile:{file}")
}

fn reader_id(file: &str) -> &'static str {
    ward_lockfile::reader_for(Path::new(file)).map_or("unknown", |r| r.id())
}

/// CycloneDX's `group`: the npm scope, the Maven group id, the Go module path or the Composer
/// vendor; `None` where the ecosystem has none.
fn group_of(p: &Package) -> Option<(&str, &str)> {
    let (group, name) = match p.ecosystem {
        "npm" if p.name.starts_with('@') => p.name.split_once('/')?,
        "Maven" => p.name.split_once(':')?,
        "Packagist" => p.name.split_once('/')?,
        "Go" => p.name.rsplit_once('/')?,
        _ => return None,
    };
    Some((group, name))
}

/// An SPDX expression (`MIT`, `(MIT OR Apache-2.0)`) as `expression`; anything else (`SEE
/// LICENSE IN …`, a free name) as a named licence.
fn license_choice(license: &str) -> LicenseChoice<'_> {
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
        LicenseChoice::Expression(license)
    } else {
        LicenseChoice::License { name: license }
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
        let expression = LicenseChoice::Expression;
        assert_eq!(license_choice("MIT"), expression("MIT"));
        assert_eq!(
            license_choice("(MIT OR Apache-2.0)"),
            expression("(MIT OR Apache-2.0)")
        );
        assert_eq!(
            license_choice("SEE LICENSE IN LICENSE.md"),
            LicenseChoice::License {
                name: "SEE LICENSE IN LICENSE.md"
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
