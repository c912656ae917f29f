//! CycloneDX BOMs with vulnerabilities, JSON and XML: specification 1.4 to 1.6 (`vulnerabilities`
//! with `ratings`, `affects`, `analysis`), and the XML vulnerability extension used with 1.0 to
//! 1.3 (`v:vulnerabilities`, inside components or at the root). A BOM without vulnerabilities
//! gives no findings. <https://cyclonedx.org/specification/overview/>
//!
//! Each vulnerability gives one finding per component it affects; components are found by
//! `bom-ref` anywhere in the component tree (a reference that is itself a package URL names its
//! package when no component has it). The VEX `analysis.state` sets the status.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, CvssVersion, Finding, ImageLocation, PackageLocation, Severity, Status};

use super::package_common::{prefix_v3, CvssPicker, Purl};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// CycloneDX, JSON and XML.
pub(crate) struct CycloneDx;

const TOOL: &str = "CycloneDX";

/// A number some producers write as a string.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Number {
    Number(f64),
    Text(String),
}

impl Number {
    fn value(&self) -> Option<f64> {
        match self {
            Number::Number(n) => Some(*n),
            Number::Text(t) => t.trim().parse().ok(),
        }
    }

    fn text(&self) -> String {
        match self {
            Number::Number(n) => format!("{n}"),
            Number::Text(t) => t.clone(),
        }
    }
}

// ---- JSON ----

#[derive(Deserialize)]
struct JsonBom {
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
    metadata: Option<JsonMetadata>,
    components: Option<Vec<JsonComponent>>,
    vulnerabilities: Option<Vec<JsonVulnerability>>,
}

#[derive(Deserialize)]
struct JsonMetadata {
    timestamp: Option<String>,
    tools: Option<serde_json::Value>,
    component: Option<JsonComponent>,
}

#[derive(Deserialize)]
struct JsonComponent {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    group: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    components: Option<Vec<JsonComponent>>,
}

#[derive(Deserialize)]
struct JsonVulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    id: Option<String>,
    source: Option<JsonSource>,
    references: Option<Vec<JsonReference>>,
    ratings: Option<Vec<JsonRating>>,
    cwes: Option<Vec<Number>>,
    description: Option<String>,
    detail: Option<String>,
    recommendation: Option<String>,
    workaround: Option<String>,
    advisories: Option<Vec<JsonAdvisory>>,
    analysis: Option<JsonAnalysis>,
    affects: Option<Vec<JsonAffect>>,
}

#[derive(Deserialize)]
struct JsonSource {
    name: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct JsonReference {
    id: Option<String>,
    source: Option<JsonSource>,
}

#[derive(Deserialize)]
struct JsonRating {
    source: Option<JsonSource>,
    score: Option<Number>,
    severity: Option<String>,
    method: Option<String>,
    vector: Option<String>,
}

#[derive(Deserialize)]
struct JsonAdvisory {
    url: Option<String>,
}

#[derive(Deserialize)]
struct JsonAnalysis {
    state: Option<String>,
    justification: Option<String>,
    response: Option<Vec<String>>,
    detail: Option<String>,
}

#[derive(Deserialize)]
struct JsonAffect {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

// ---- XML ----

#[derive(Deserialize)]
struct XmlBom {
    metadata: Option<XmlMetadata>,
    components: Option<XmlComponents>,
    vulnerabilities: Option<XmlVulnerabilities>,
}

#[derive(Deserialize)]
struct XmlMetadata {
    timestamp: Option<String>,
    tools: Option<XmlTools>,
    component: Option<XmlComponent>,
}

#[derive(Deserialize)]
struct XmlTools {
    #[serde(default)]
    tool: Vec<XmlTool>,
    components: Option<XmlComponents>,
}

#[derive(Deserialize)]
struct XmlTool {
    name: Option<String>,
}

#[derive(Deserialize)]
struct XmlComponents {
    #[serde(default)]
    component: Vec<XmlComponent>,
}

#[derive(Deserialize)]
struct XmlComponent {
    #[serde(rename = "@bom-ref")]
    bom_ref: Option<String>,
    #[serde(rename = "@type")]
    ty: Option<String>,
    group: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    components: Option<XmlComponents>,
    vulnerabilities: Option<XmlVulnerabilities>,
}

#[derive(Deserialize)]
struct XmlVulnerabilities {
    #[serde(default)]
    vulnerability: Vec<XmlVulnerability>,
}

#[derive(Deserialize)]
struct XmlVulnerability {
    /// The affected component, in the 1.0 vulnerability extension.
    #[serde(rename = "@ref")]
    reference: Option<String>,
    #[serde(rename = "@bom-ref")]
    bom_ref: Option<String>,
    id: Option<String>,
    source: Option<XmlSource>,
    references: Option<XmlReferences>,
    ratings: Option<XmlRatings>,
    cwes: Option<XmlCwes>,
    description: Option<String>,
    detail: Option<String>,
    recommendation: Option<String>,
    recommendations: Option<XmlRecommendations>,
    workaround: Option<String>,
    advisories: Option<XmlAdvisories>,
    analysis: Option<XmlAnalysis>,
    affects: Option<XmlAffects>,
}

#[derive(Deserialize)]
struct XmlSource {
    #[serde(rename = "@name")]
    name_attribute: Option<String>,
    name: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct XmlReferences {
    #[serde(default)]
    reference: Vec<XmlReference>,
}

#[derive(Deserialize)]
struct XmlReference {
    id: Option<String>,
    source: Option<XmlSource>,
}

#[derive(Deserialize)]
struct XmlRatings {
    #[serde(default)]
    rating: Vec<XmlRating>,
}

#[derive(Deserialize)]
struct XmlRating {
    source: Option<XmlSource>,
    score: Option<XmlScore>,
    severity: Option<String>,
    method: Option<String>,
    vector: Option<String>,
}

/// `<score>9.8</score>` (1.4+) or `<v:score><v:base>9.8</v:base>…</v:score>` (extension).
#[derive(Deserialize)]
struct XmlScore {
    #[serde(rename = "$text")]
    text: Option<String>,
    base: Option<String>,
}

#[derive(Deserialize)]
struct XmlCwes {
    #[serde(default)]
    cwe: Vec<String>,
}

#[derive(Deserialize)]
struct XmlRecommendations {
    #[serde(default)]
    recommendation: Vec<String>,
}

#[derive(Deserialize)]
struct XmlAdvisories {
    #[serde(default)]
    advisory: Vec<XmlAdvisory>,
}

/// A URL as text (extension) or `<title>` and `<url>` (1.4+).
#[derive(Deserialize)]
struct XmlAdvisory {
    #[serde(rename = "$text")]
    text: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct XmlAnalysis {
    state: Option<String>,
    justification: Option<String>,
    responses: Option<XmlResponses>,
    detail: Option<String>,
}

#[derive(Deserialize)]
struct XmlResponses {
    #[serde(default)]
    response: Vec<String>,
}

#[derive(Deserialize)]
struct XmlAffects {
    #[serde(default)]
    target: Vec<XmlTarget>,
}

#[derive(Deserialize)]
struct XmlTarget {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

// ---- The shape both read into ----

/// A component, as much of it as findings need.
#[derive(Clone, Default)]
struct Component {
    name: Option<String>,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
}

/// A rating, whichever encoding it came from.
struct Rating {
    source: Option<String>,
    score: Option<f64>,
    severity: Option<String>,
    method: Option<String>,
    vector: Option<String>,
}

/// A vulnerability, whichever encoding it came from.
#[derive(Default)]
struct Vuln {
    bom_ref: Option<String>,
    id: Option<String>,
    source_name: Option<String>,
    source_url: Option<String>,
    other_ids: Vec<String>,
    reference_urls: Vec<String>,
    ratings: Vec<Rating>,
    cwes: Vec<String>,
    description: Option<String>,
    detail: Option<String>,
    recommendation: Option<String>,
    workaround: Option<String>,
    advisories: Vec<String>,
    state: Option<String>,
    justification: Option<String>,
    responses: Vec<String>,
    analysis_detail: Option<String>,
    affects: Vec<String>,
}

/// What all findings of the BOM share.
struct Context<'a> {
    tool: String,
    scan_time: Option<String>,
    image: Option<ImageLocation>,
    components: &'a HashMap<String, Component>,
}

impl<'a> Context<'a> {
    /// The context of one BOM, and the `Parsed` it starts (tool and scan time), for the JSON and
    /// XML readers alike.
    fn start(
        tool: String,
        timestamp: Option<&str>,
        image: Option<ImageLocation>,
        components: &'a HashMap<String, Component>,
    ) -> (Context<'a>, Parsed) {
        let scan_time = non_empty(timestamp);
        let parsed = Parsed {
            tool: Some(tool.clone()),
            scan_time: scan_time.clone(),
            ..Parsed::default()
        };
        let context = Context {
            tool,
            scan_time,
            image,
            components,
        };
        (context, parsed)
    }
}

fn is_cyclonedx_namespace(value: &str) -> bool {
    value.contains("cyclonedx.org/schema/bom")
}

impl Parser for CycloneDx {
    fn id(&self) -> &'static str {
        "cyclonedx"
    }

    fn name(&self) -> &'static str {
        "CycloneDX"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["CycloneDX Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        if let Some(json) = input.json() {
            return json
                .get("bomFormat")
                .and_then(|f| f.as_str())
                .is_some_and(|f| f.eq_ignore_ascii_case("CycloneDX"));
        }
        input.xml().is_some_and(|x| {
            x.root == "bom"
                && x.attributes
                    .iter()
                    .any(|(_, value)| is_cyclonedx_namespace(value))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let bytes = input.bytes();
        let first = bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(bytes)
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace());
        if first == Some(b'<') {
            parse_xml(bytes)
        } else {
            parse_json(bytes)
        }
    }
}

fn parse_json(bytes: &[u8]) -> Result<Parsed, Error> {
    let bom: JsonBom = de::json(bytes)?;
    if !bom
        .bom_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("CycloneDX"))
    {
        return Err(Error::WrongFormat {
            format: "cyclonedx",
            reason: "`bomFormat` is not `CycloneDX`".into(),
        });
    }
    let mut components = HashMap::new();
    let mut os = None;
    fn walk(list: &[JsonComponent], out: &mut HashMap<String, Component>, os: &mut Option<String>) {
        for c in list {
            if c.ty.as_deref() == Some("operating-system") && os.is_none() {
                *os = join_words(c.name.as_deref(), c.version.as_deref());
            }
            if let Some(bom_ref) = non_empty(c.bom_ref.as_deref()) {
                out.insert(
                    bom_ref,
                    Component {
                        name: non_empty(c.name.as_deref()),
                        group: non_empty(c.group.as_deref()),
                        version: non_empty(c.version.as_deref()),
                        purl: non_empty(c.purl.as_deref()),
                    },
                );
            }
            walk(c.components.as_deref().unwrap_or(&[]), out, os);
        }
    }
    let metadata = bom.metadata;
    if let Some(root) = metadata.as_ref().and_then(|m| m.component.as_ref()) {
        walk(std::slice::from_ref(root), &mut components, &mut os);
    }
    walk(
        bom.components.as_deref().unwrap_or(&[]),
        &mut components,
        &mut os,
    );
    let tool = metadata
        .as_ref()
        .and_then(|m| m.tools.as_ref())
        .and_then(json_tool_name)
        .unwrap_or_else(|| TOOL.to_string());
    let image = metadata
        .as_ref()
        .and_then(|m| m.component.as_ref())
        .filter(|c| c.ty.as_deref() == Some("container"))
        .and_then(|c| {
            image(
                c.name.as_deref(),
                c.version.as_deref(),
                c.purl.as_deref(),
                os,
            )
        });
    let timestamp = metadata.as_ref().and_then(|m| m.timestamp.as_deref());
    let (context, mut parsed) = Context::start(tool, timestamp, image, &components);
    for (i, v) in bom.vulnerabilities.into_iter().flatten().enumerate() {
        let vuln = from_json(v);
        emit(
            vuln,
            None,
            &context,
            &format!("vulnerabilities[{i}]"),
            &mut parsed,
        );
    }
    Ok(parsed)
}

/// The producing tool: `tools` is a list of tools (1.4) or an object with `components` (1.5+).
fn json_tool_name(tools: &serde_json::Value) -> Option<String> {
    let first = match tools {
        serde_json::Value::Array(list) => list.first(),
        serde_json::Value::Object(object) => object
            .get("components")
            .and_then(|c| c.as_array())
            .and_then(|c| c.first()),
        _ => None,
    }?;
    non_empty(first.get("name")?.as_str())
}

fn from_json(v: JsonVulnerability) -> Vuln {
    let analysis = v.analysis;
    Vuln {
        bom_ref: v.bom_ref,
        id: v.id,
        source_name: v.source.as_ref().and_then(|s| s.name.clone()),
        source_url: v.source.and_then(|s| s.url),
        other_ids: v
            .references
            .iter()
            .flatten()
            .filter_map(|r| r.id.clone())
            .collect(),
        reference_urls: v
            .references
            .iter()
            .flatten()
            .filter_map(|r| r.source.as_ref().and_then(|s| s.url.clone()))
            .collect(),
        ratings: v
            .ratings
            .into_iter()
            .flatten()
            .map(|r| Rating {
                source: r.source.and_then(|s| s.name),
                score: r.score.as_ref().and_then(Number::value),
                severity: r.severity,
                method: r.method,
                vector: r.vector,
            })
            .collect(),
        cwes: v.cwes.iter().flatten().map(Number::text).collect(),
        description: v.description,
        detail: v.detail,
        recommendation: v.recommendation,
        workaround: v.workaround,
        advisories: v
            .advisories
            .into_iter()
            .flatten()
            .filter_map(|a| a.url)
            .collect(),
        state: analysis.as_ref().and_then(|a| a.state.clone()),
        justification: analysis.as_ref().and_then(|a| a.justification.clone()),
        responses: analysis
            .as_ref()
            .and_then(|a| a.response.clone())
            .unwrap_or_default(),
        analysis_detail: analysis.and_then(|a| a.detail),
        affects: v
            .affects
            .into_iter()
            .flatten()
            .filter_map(|a| a.reference)
            .collect(),
    }
}

fn parse_xml(bytes: &[u8]) -> Result<Parsed, Error> {
    let bom: XmlBom = de::xml(bytes)?;
    let mut components = HashMap::new();
    let mut os = None;
    fn walk(list: &[XmlComponent], out: &mut HashMap<String, Component>, os: &mut Option<String>) {
        for c in list {
            if c.ty.as_deref() == Some("operating-system") && os.is_none() {
                *os = join_words(c.name.as_deref(), c.version.as_deref());
            }
            if let Some(bom_ref) = non_empty(c.bom_ref.as_deref()) {
                out.insert(bom_ref, xml_component(c));
            }
            if let Some(children) = &c.components {
                walk(&children.component, out, os);
            }
        }
    }
    let metadata = bom.metadata;
    if let Some(root) = metadata.as_ref().and_then(|m| m.component.as_ref()) {
        walk(std::slice::from_ref(root), &mut components, &mut os);
    }
    let top: &[XmlComponent] = bom
        .components
        .as_ref()
        .map(|c| c.component.as_slice())
        .unwrap_or(&[]);
    walk(top, &mut components, &mut os);
    let tool = metadata
        .as_ref()
        .and_then(|m| m.tools.as_ref())
        .and_then(|t| {
            t.tool
                .iter()
                .find_map(|tool| non_empty(tool.name.as_deref()))
                .or_else(|| {
                    t.components.as_ref().and_then(|c| {
                        c.component
                            .iter()
                            .find_map(|c| non_empty(c.name.as_deref()))
                    })
                })
        })
        .unwrap_or_else(|| TOOL.to_string());
    let image = metadata
        .as_ref()
        .and_then(|m| m.component.as_ref())
        .filter(|c| c.ty.as_deref() == Some("container"))
        .and_then(|c| {
            image(
                c.name.as_deref(),
                c.version.as_deref(),
                c.purl.as_deref(),
                os,
            )
        });
    let timestamp = metadata.as_ref().and_then(|m| m.timestamp.as_deref());
    let (context, mut parsed) = Context::start(tool, timestamp, image, &components);
    // Vulnerabilities nested in components (the 1.0 extension), in document order.
    fn nested(list: &[XmlComponent], context: &Context<'_>, parsed: &mut Parsed) {
        for c in list {
            if let Some(vulns) = &c.vulnerabilities {
                let component = xml_component(c);
                for v in &vulns.vulnerability {
                    let at = format!("component {}", c.name.as_deref().unwrap_or("?"));
                    emit(from_xml(v), Some(&component), context, &at, parsed);
                }
            }
            if let Some(children) = &c.components {
                nested(&children.component, context, parsed);
            }
        }
    }
    nested(top, &context, &mut parsed);
    for (i, v) in bom
        .vulnerabilities
        .iter()
        .flat_map(|v| v.vulnerability.iter())
        .enumerate()
    {
        emit(
            from_xml(v),
            None,
            &context,
            &format!("vulnerabilities[{i}]"),
            &mut parsed,
        );
    }
    Ok(parsed)
}

fn xml_component(c: &XmlComponent) -> Component {
    Component {
        name: non_empty(c.name.as_deref()),
        group: non_empty(c.group.as_deref()),
        version: non_empty(c.version.as_deref()),
        purl: non_empty(c.purl.as_deref()),
    }
}

fn xml_source_name(s: &XmlSource) -> Option<String> {
    non_empty(s.name.as_deref()).or_else(|| non_empty(s.name_attribute.as_deref()))
}

fn from_xml(v: &XmlVulnerability) -> Vuln {
    let mut affects: Vec<String> = v
        .affects
        .iter()
        .flat_map(|a| a.target.iter())
        .filter_map(|t| t.reference.clone())
        .collect();
    if affects.is_empty() {
        affects.extend(v.reference.clone());
    }
    let mut recommendation: Vec<String> = v.recommendation.iter().cloned().collect();
    recommendation.extend(
        v.recommendations
            .iter()
            .flat_map(|r| r.recommendation.iter().cloned()),
    );
    let recommendation = recommendation
        .iter()
        .filter_map(|r| non_empty(Some(r)))
        .collect::<Vec<_>>()
        .join("\n");
    let analysis = v.analysis.as_ref();
    Vuln {
        bom_ref: v.bom_ref.clone(),
        id: v.id.clone(),
        source_name: v.source.as_ref().and_then(xml_source_name),
        source_url: v.source.as_ref().and_then(|s| s.url.clone()),
        other_ids: v
            .references
            .iter()
            .flat_map(|r| r.reference.iter())
            .filter_map(|r| r.id.clone())
            .collect(),
        reference_urls: v
            .references
            .iter()
            .flat_map(|r| r.reference.iter())
            .filter_map(|r| r.source.as_ref().and_then(|s| s.url.clone()))
            .collect(),
        ratings: v
            .ratings
            .iter()
            .flat_map(|r| r.rating.iter())
            .map(|r| Rating {
                source: r.source.as_ref().and_then(xml_source_name),
                score: r.score.as_ref().and_then(|s| {
                    s.base
                        .as_deref()
                        .or(s.text.as_deref())
                        .and_then(|t| t.trim().parse().ok())
                }),
                severity: r.severity.clone(),
                method: r.method.clone(),
                vector: r.vector.clone(),
            })
            .collect(),
        cwes: v.cwes.iter().flat_map(|c| c.cwe.iter().cloned()).collect(),
        description: v.description.clone(),
        detail: v.detail.clone(),
        recommendation: non_empty(Some(&recommendation)),
        workaround: v.workaround.clone(),
        advisories: v
            .advisories
            .iter()
            .flat_map(|a| a.advisory.iter())
            .filter_map(|a| non_empty(a.url.as_deref()).or_else(|| non_empty(a.text.as_deref())))
            .collect(),
        state: analysis.and_then(|a| a.state.clone()),
        justification: analysis.and_then(|a| a.justification.clone()),
        responses: analysis
            .and_then(|a| a.responses.as_ref())
            .map(|r| r.response.clone())
            .unwrap_or_default(),
        analysis_detail: analysis.and_then(|a| a.detail.clone()),
        affects,
    }
}

fn join_words(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let text = [a, b]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

/// The scanned image, from a `container` metadata component.
fn image(
    name: Option<&str>,
    version: Option<&str>,
    purl: Option<&str>,
    os: Option<String>,
) -> Option<ImageLocation> {
    let name = non_empty(name)?;
    let digest = purl
        .and_then(Purl::parse)
        .and_then(|p| p.version)
        .filter(|v| v.contains(':'))
        .or_else(|| non_empty(version).filter(|v| v.starts_with("sha256:")));
    Some(ImageLocation {
        name,
        digest,
        layer: None,
        os,
    })
}

/// Creates the findings of one vulnerability: one per affected component.
fn emit(
    vuln: Vuln,
    nested_in: Option<&Component>,
    context: &Context<'_>,
    at: &str,
    parsed: &mut Parsed,
) {
    let Some(id) = non_empty(vuln.id.as_deref()) else {
        parsed
            .warnings
            .push(format!("{at}: vulnerability without an id; skipped"));
        return;
    };
    let targets: Vec<Option<Component>> = match nested_in {
        Some(component) => vec![Some(component.clone())],
        None => vuln
            .affects
            .iter()
            .map(|reference| resolve(reference, context.components))
            .collect(),
    };
    if targets.is_empty() {
        parsed
            .warnings
            .push(format!("{at}: {id} affects no component; skipped"));
        return;
    }
    let single = targets.len() == 1;
    for target in targets {
        let mut f = finding(&vuln, &id, target, context);
        if single {
            f.external_id = non_empty(vuln.bom_ref.as_deref());
        }
        parsed.findings.push(f);
    }
}

/// The component a `bom-ref` names; a package URL names its package even when no component
/// carries it.
fn resolve(reference: &str, components: &HashMap<String, Component>) -> Option<Component> {
    if let Some(component) = components.get(reference) {
        return Some(component.clone());
    }
    let purl = Purl::parse(reference)?;
    Some(Component {
        name: Some(purl.name.clone()),
        group: purl.namespace.clone(),
        version: purl.version.clone(),
        purl: Some(reference.to_string()),
    })
}

fn finding(vuln: &Vuln, id: &str, component: Option<Component>, context: &Context<'_>) -> Finding {
    let component = component.unwrap_or_default();
    let purl = component.purl.as_deref().and_then(Purl::parse);
    let version = component
        .version
        .clone()
        .or_else(|| purl.as_ref().and_then(|p| p.version.clone()));
    let short_name = component
        .name
        .clone()
        .or_else(|| purl.as_ref().map(|p| p.name.clone()));
    let title = match (&short_name, &version) {
        (Some(name), Some(version)) => format!("{name}:{version} | {id}"),
        (Some(name), None) => format!("{name} | {id}"),
        _ => id.to_string(),
    };
    let os_package = purl.as_ref().is_some_and(Purl::is_os_package);
    let category = if os_package {
        Category::Container
    } else {
        Category::Dependency
    };
    let mut f = Finding::new(context.tool.clone(), category, title);
    let (severity, label) = severity(vuln);
    f.severity = severity;
    f.tool_severity = label;
    f.rule_id = Some(id.to_string());
    f.add_id(id);
    for other in &vuln.other_ids {
        f.add_id(other);
    }
    for cwe in &vuln.cwes {
        f.add_cwe(cwe);
    }
    f.cvss = cvss(vuln);
    // The package name as its ecosystem writes it (Maven: group:artifact), so that the same
    // package from another tool gets the same fingerprint.
    let name = match (&purl, &component.group, &short_name) {
        (Some(p), _, _) => Some(p.package_name()),
        (None, Some(group), Some(name)) => Some(format!("{group}:{name}")),
        (None, None, Some(name)) => Some(name.clone()),
        _ => None,
    };
    f.location.package = name.map(|name| PackageLocation {
        name,
        version,
        ecosystem: purl.as_ref().map(Purl::ecosystem),
        purl: component.purl.clone(),
        fixed_version: None,
    });
    f.location.image = context.image.clone();
    let text: Vec<String> = [vuln.description.as_deref(), vuln.detail.as_deref()]
        .into_iter()
        .filter_map(non_empty)
        .collect();
    if !text.is_empty() {
        f.description = Some(text.join("\n\n"));
    }
    let remediation: Vec<String> = [vuln.recommendation.as_deref(), vuln.workaround.as_deref()]
        .into_iter()
        .filter_map(non_empty)
        .collect();
    if !remediation.is_empty() {
        f.remediation = Some(remediation.join("\n\n"));
    }
    for url in vuln
        .source_url
        .iter()
        .chain(&vuln.advisories)
        .chain(&vuln.reference_urls)
    {
        f.add_reference(url);
    }
    f.scan_time = context.scan_time.clone();
    apply_analysis(&mut f, vuln);
    f
}

/// The severity: the rating of the vulnerability's own source, else the tool's overall rating
/// (one without a method), else a CVSS rating (v3, v4, v2), else any rating; `medium` when the
/// vulnerability is not rated at all.
fn severity(vuln: &Vuln) -> (Severity, Option<String>) {
    let label = |r: &Rating| non_empty(r.severity.as_deref());
    let method = |r: &Rating| r.method.as_deref().unwrap_or("").to_ascii_uppercase();
    let own_source = vuln.source_name.as_deref().and_then(|source| {
        vuln.ratings
            .iter()
            .filter(|r| r.source.as_deref() == Some(source))
            .find_map(label)
    });
    let overall = || {
        vuln.ratings
            .iter()
            .filter(|r| method(r).is_empty() && r.score.is_none())
            .find_map(label)
    };
    if let Some(label) = own_source.or_else(overall) {
        return (rated(&label), Some(label));
    }
    for family in ["CVSSV3", "CVSSV4", "CVSSV2"] {
        for r in vuln
            .ratings
            .iter()
            .filter(|r| method(r).starts_with(family))
        {
            if let Some(label) = label(r) {
                return (rated(&label), Some(label));
            }
            if let Some(score) = r.score {
                return (Severity::from_cvss_score(score), None);
            }
        }
    }
    if let Some(label) = vuln.ratings.iter().find_map(label) {
        return (rated(&label), Some(label));
    }
    (Severity::Medium, None)
}

fn rated(label: &str) -> Severity {
    Severity::from_label(label).unwrap_or(Severity::Info)
}

/// One rating per CVSS version, NVD's first.
fn cvss(vuln: &Vuln) -> Vec<ward_core::Cvss> {
    let is_nvd = |r: &&Rating| {
        r.source
            .as_deref()
            .is_some_and(|s| s.to_ascii_lowercase().starts_with("nvd"))
    };
    let mut picker = CvssPicker::default();
    let ordered = vuln
        .ratings
        .iter()
        .filter(is_nvd)
        .chain(vuln.ratings.iter().filter(|r| !is_nvd(r)));
    for r in ordered {
        let method = r.method.as_deref().unwrap_or("").to_ascii_uppercase();
        let source = r.source.as_deref();
        let version = match method.as_str() {
            "CVSSV2" => CvssVersion::V2,
            "CVSSV3" => CvssVersion::V3_0,
            "CVSSV31" => CvssVersion::V3_1,
            "CVSSV4" => CvssVersion::V4,
            _ => continue,
        };
        match non_empty(r.vector.as_deref()) {
            Some(vector) if version != CvssVersion::V2 => {
                picker.vector(Some(&prefix_v3(&vector)), r.score, source)
            }
            Some(vector) => picker.vector(Some(&vector), r.score, source),
            None => picker.score(version, r.score, source),
        }
    }
    picker.into_vec()
}

/// The VEX analysis: resolved and not affected are closed, a false positive is one, an
/// exploitable vulnerability is confirmed (and accepted when the response is not to fix it).
fn apply_analysis(f: &mut Finding, vuln: &Vuln) {
    let Some(state) = vuln.state.as_deref().map(|s| s.trim().to_ascii_lowercase()) else {
        return;
    };
    match state.as_str() {
        "resolved" | "resolved_with_pedigree" | "not_affected" => f.status = Status::Mitigated,
        "false_positive" => f.status = Status::FalsePositive,
        "exploitable" => {
            f.verified = true;
            if vuln.responses.iter().any(|r| r == "will_not_fix") {
                f.status = Status::Accepted;
            }
        }
        _ => {}
    }
    let mut note = vec![format!("Analysis: {state}")];
    if let Some(justification) = non_empty(vuln.justification.as_deref()) {
        note.push(format!("justification: {justification}"));
    }
    if !vuln.responses.is_empty() {
        note.push(format!("response: {}", vuln.responses.join(", ")));
    }
    let mut text = note.join("; ");
    if let Some(detail) = non_empty(vuln.analysis_detail.as_deref()) {
        text.push_str(&format!("\n{detail}"));
    }
    f.description = Some(match f.description.take() {
        Some(d) => format!("{d}\n\n{text}"),
        None => text,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(CycloneDx.detect(&input), "not detected: {text}");
        CycloneDx.parse(&input).unwrap()
    }

    #[test]
    fn json_1_4_with_analysis_and_nested_components() {
        let parsed = check(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"timestamp":"2024-01-04T15:25:30Z",
                 "tools":{"components":[{"name":"trivy"}]},
                 "component":{"type":"container","name":"ubuntu:latest","purl":"pkg:oci/ubuntu@sha256%3Aabc"}},
               "components":[{"bom-ref":"app","name":"app","components":[
                 {"bom-ref":"j","group":"com.fasterxml.jackson.core","name":"jackson-databind","version":"2.9.4",
                  "purl":"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4"}]},
                 {"bom-ref":"os","type":"operating-system","name":"ubuntu","version":"22.04"}],
               "vulnerabilities":[
                 {"bom-ref":"v1","id":"SNYK-JAVA-1","references":[{"id":"CVE-2018-7489"}],
                  "ratings":[{"source":{"name":"NVD"},"score":9.8,"severity":"critical","method":"CVSSv3","vector":"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                  "cwes":[184,502],"analysis":{"state":"not_affected","justification":"code_not_reachable"},
                  "affects":[{"ref":"j"}]},
                 {"id":"CVE-2020-1","source":{"name":"ubuntu"},"ratings":[{"source":{"name":"nvd"},"severity":"high","method":"CVSSv31","score":7.5},
                   {"source":{"name":"ubuntu"},"severity":"low"}],
                  "affects":[{"ref":"pkg:deb/ubuntu/tar@1.30%2Bdfsg-6?arch=amd64"}]}]}"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "jackson-databind:2.9.4 | SNYK-JAVA-1");
        assert_eq!(f.tool, "trivy");
        assert_eq!(f.status, Status::Mitigated);
        assert_eq!(f.cwe(), Some(184));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2018-7489"));
        assert_eq!(
            f.cvss[0].vector.as_deref(),
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        );
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(package.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(f.external_id.as_deref(), Some("v1"));
        let image = f.location.image.as_ref().unwrap();
        assert_eq!(
            (image.digest.as_deref(), image.os.as_deref()),
            (Some("sha256:abc"), Some("ubuntu 22.04"))
        );
        let deb = &parsed.findings[1];
        assert_eq!(deb.title, "tar:1.30+dfsg-6 | CVE-2020-1");
        assert_eq!(
            (deb.category, deb.severity),
            (Category::Container, Severity::Low)
        );
    }

    #[test]
    fn xml_extension_and_1_4() {
        let parsed = check(
            r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.2" xmlns:v="http://cyclonedx.org/schema/ext/vulnerability/1.0" version="1">
  <metadata><timestamp>2021-04-13T12:55:07+02:00</timestamp><tools><tool><vendor>anchore</vendor><name>grype</name></tool></tools></metadata>
  <components>
    <component type="library"><name>Django</name><version>2.2.18</version>
      <v:vulnerabilities><v:vulnerability ref="urn:uuid:1"><v:id>GHSA-xgxc-v2qg-chmh</v:id>
        <v:source name="github"><v:url>https://github.com/advisories/GHSA-xgxc-v2qg-chmh</v:url></v:source>
        <v:ratings><v:rating><v:score><v:base>0</v:base></v:score><v:severity>Low</v:severity></v:rating></v:ratings>
        <v:advisories><v:advisory>https://example.com/a</v:advisory></v:advisories>
      </v:vulnerability></v:vulnerabilities>
    </component>
    <component type="library" bom-ref="pkg:maven/com.x/lib@1.0"><group>com.x</group><name>lib</name><version>1.0</version>
      <purl>pkg:maven/com.x/lib@1.0</purl></component>
  </components>
  <v:vulnerabilities><v:vulnerability ref="pkg:maven/com.x/lib@1.0"><v:id>CVE-2018-7489</v:id>
    <v:ratings><v:rating><v:score><v:base>9.8</v:base></v:score><v:severity>Critical</v:severity><v:method>CVSSv3</v:method>
    <v:vector>AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</v:vector></v:rating></v:ratings>
    <v:cwes><v:cwe>184</v:cwe></v:cwes></v:vulnerability></v:vulnerabilities>
</bom>"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let django = &parsed.findings[0];
        assert_eq!(django.title, "Django:2.2.18 | GHSA-xgxc-v2qg-chmh");
        assert_eq!(
            (django.severity, django.tool.as_str()),
            (Severity::Low, "grype")
        );
        assert!(django
            .references
            .iter()
            .any(|r| r == "https://example.com/a"));
        let lib = &parsed.findings[1];
        assert_eq!(lib.location.package.as_ref().unwrap().name, "com.x:lib");
        assert_eq!(lib.cvss[0].score, Some(9.8));

        let parsed = check(
            r#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components><component type="library" bom-ref="c1"><name>example</name><version>1.0.0</version></component></components>
  <vulnerabilities><vulnerability bom-ref="v1"><id>CVE-2021-99999</id>
    <ratings><rating><severity>critical</severity></rating><rating><score>10</score><method>CVSSv31</method>
      <vector>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H</vector></rating></ratings>
    <cwes><cwe>79</cwe><cwe>89</cwe></cwes>
    <analysis><state>false_positive</state></analysis>
    <affects><target><ref>c1</ref></target></affects></vulnerability></vulnerabilities></bom>"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(f.title, "example:1.0.0 | CVE-2021-99999");
        assert_eq!(
            (f.severity, f.status),
            (Severity::Critical, Status::FalsePositive)
        );
        assert_eq!(f.cwe(), Some(79));
    }

    #[test]
    fn sbom_without_vulnerabilities() {
        let parsed =
            check(r#"{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"name":"x"}]}"#);
        assert!(parsed.findings.is_empty());
        assert!(!CycloneDx.detect(&Input::new(br#"<bom xmlns="http://example.com"/>"#)));
        assert!(!CycloneDx.detect(&Input::new(br#"{"bomFormat":"SPDX"}"#)));
    }
}
