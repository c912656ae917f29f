//! What GitLab's five security report types share: the GitLab security report format, schema
//! versions 2.x to 15.x (`{"version", "vulnerabilities": [...], "scan": {"type", "scanner"}}`).
//! <https://gitlab.com/gitlab-org/security-products/security-report-schemas>
//!
//! SAST, dependency scanning, container scanning, secret detection and DAST reports are separate
//! parsers (they are separate DefectDojo scan types); this module holds the wire types, the
//! detection of which type a report is, the mapping every type shares and the merging of entries
//! that name the same vulnerability.
//!
//! Detection reads `scan.type` (14.x and later); older reports have no `scan`, so the
//! `category` of the first vulnerability, or failing that the shape of its `location`, decides.
//!
//! Reports ward wrote (`scan.analyzer.id` = `ward`, from `ward convert --to gitlab-…`) carry the
//! ward fields GitLab has no place for in each vulnerability's `details`; they are read back
//! from there (see [`read_ward`]), so that a converted report imports as the findings it came
//! from.

use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use ward_core::{
    Category, CloudLocation, Confidence, Cvss, CvssVersion, Epss, FileLocation, Finding,
    Identifier, IdentifierKind, ImageLocation, PackageLocation, Severity, WebLocation,
};

use super::lenient::{self, Lenient};
use crate::util::{first_line, non_empty};
use crate::{de, Error, Input, Parsed};

/// The GitLab report types ward reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Sast,
    DependencyScanning,
    ContainerScanning,
    SecretDetection,
    Dast,
}

impl Kind {
    /// The kind a `scan.type` or `category` value names.
    fn from_type(value: &str) -> Option<Kind> {
        Some(match value.trim().to_ascii_lowercase().as_str() {
            "sast" => Kind::Sast,
            "dependency_scanning" => Kind::DependencyScanning,
            "container_scanning" | "cluster_image_scanning" => Kind::ContainerScanning,
            "secret_detection" => Kind::SecretDetection,
            "dast" => Kind::Dast,
            _ => return None,
        })
    }

    /// The `scan.type` value of this kind.
    fn type_name(self) -> &'static str {
        match self {
            Kind::Sast => "sast",
            Kind::DependencyScanning => "dependency_scanning",
            Kind::ContainerScanning => "container_scanning",
            Kind::SecretDetection => "secret_detection",
            Kind::Dast => "dast",
        }
    }

    /// The tool name used when the report names no scanner.
    fn default_tool(self) -> &'static str {
        match self {
            Kind::Sast => "GitLab SAST",
            Kind::DependencyScanning => "GitLab Dependency Scanning",
            Kind::ContainerScanning => "GitLab Container Scanning",
            Kind::SecretDetection => "GitLab Secret Detection",
            Kind::Dast => "GitLab DAST",
        }
    }
}

/// Which GitLab report type the input is, from the sniff; `None` when it is not a GitLab
/// security report or says too little to tell.
pub(crate) fn detect(input: &Input<'_>) -> Option<Kind> {
    let doc = input.json()?.as_object()?;
    let vulnerabilities = doc.get("vulnerabilities")?.as_array()?;
    let scan = doc.get("scan").and_then(Value::as_object);
    if let Some(scan_type) = scan.and_then(|s| s.get("type")).and_then(Value::as_str) {
        return Kind::from_type(scan_type);
    }
    match vulnerabilities.first() {
        Some(first) => {
            let kind = kind_of_vulnerability(first)?;
            // 2.x dependency scanning reports list the scanned files at the top level.
            if kind == Kind::Sast && doc.contains_key("dependency_files") {
                return Some(Kind::DependencyScanning);
            }
            Some(kind)
        }
        // Nothing to look at but the envelope: only the 2.x shapes (`version` and
        // `remediations`, no `scan`) say enough.
        None if doc.contains_key("version") && doc.contains_key("remediations") => {
            if doc.contains_key("dependency_files") {
                Some(Kind::DependencyScanning)
            } else {
                Some(Kind::Sast)
            }
        }
        None => None,
    }
}

/// The kind of a sniffed vulnerability: its `category` (up to 14.x), else its location's shape.
fn kind_of_vulnerability(v: &Value) -> Option<Kind> {
    let location = v.get("location")?.as_object()?;
    v.get("identifiers")?.as_array()?;
    if let Some(kind) = v
        .get("category")
        .and_then(Value::as_str)
        .and_then(Kind::from_type)
    {
        return Some(kind);
    }
    let has = |key: &str| location.contains_key(key);
    let package_name = location
        .get("dependency")
        .and_then(|d| d.get("package"))
        .and_then(|p| p.get("name"))
        .is_some();
    if has("image") || has("operating_system") {
        Some(Kind::ContainerScanning)
    } else if has("hostname") || (has("path") && has("method") && !has("file")) {
        Some(Kind::Dast)
    } else if has("commit") || v.get("raw_source_code_extract").is_some() {
        Some(Kind::SecretDetection)
    } else if package_name {
        Some(Kind::DependencyScanning)
    } else if has("file") {
        Some(Kind::Sast)
    } else {
        None
    }
}

/// A whole report.
#[derive(Deserialize)]
pub(crate) struct Report {
    #[serde(deserialize_with = "lenient::list")]
    vulnerabilities: Vec<Vulnerability>,
    scan: Option<Scan>,
    #[serde(default, deserialize_with = "lenient::list")]
    dependency_files: Vec<DependencyFile>,
}

#[derive(Deserialize)]
struct Scan {
    scanner: Option<Scanner>,
    analyzer: Option<Scanner>,
    #[serde(rename = "type")]
    scan_type: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Scanner {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
}

#[derive(Deserialize)]
struct DependencyFile {
    path: Option<String>,
    package_manager: Option<String>,
}

/// One entry of `vulnerabilities`.
#[derive(Deserialize)]
pub(crate) struct Vulnerability {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) description: Option<String>,
    /// The pre-14 "compare key" (`file:hash:rule`), not a CVE despite its name.
    pub(crate) cve: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) confidence: Option<String>,
    pub(crate) solution: Option<String>,
    pub(crate) scanner: Option<Scanner>,
    #[serde(default)]
    pub(crate) location: Location,
    #[serde(default, deserialize_with = "lenient::list")]
    pub(crate) identifiers: Vec<GlIdentifier>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub(crate) links: Vec<Link>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub(crate) flags: Vec<Flag>,
    /// DAST evidence; some reports write `[]` instead of an object.
    pub(crate) evidence: Option<Lenient<Evidence>>,
    /// Secret detection: the matched source, in clear.
    pub(crate) raw_source_code_extract: Option<String>,
    /// The `text` details by id; details of other types are skipped.
    #[serde(default, deserialize_with = "text_details")]
    pub(crate) details: HashMap<String, String>,
}

/// `details`: a map of named details; only those with a text `value` are kept, and a value of
/// any other shape is skipped rather than failing the report.
fn text_details<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<HashMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    struct Detail {
        #[serde(default, deserialize_with = "lenient::text")]
        value: Option<String>,
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = HashMap<String, String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of details")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = HashMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if let Lenient::Value(Detail { value: Some(value) }) = map.next_value()? {
                    out.insert(key, value);
                }
            }
            Ok(out)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(HashMap::new())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(HashMap::new())
        }
    }
    deserializer.deserialize_any(V)
}

/// Where: the union of every report type's location fields.
#[derive(Deserialize, Default)]
pub(crate) struct Location {
    // SAST, secret detection, dependency scanning
    pub(crate) file: Option<String>,
    #[serde(default, deserialize_with = "lenient::whole")]
    pub(crate) start_line: Option<u32>,
    #[serde(default, deserialize_with = "lenient::whole")]
    pub(crate) end_line: Option<u32>,
    pub(crate) class: Option<String>,
    /// SAST: the function; DAST: the HTTP method.
    pub(crate) method: Option<String>,
    pub(crate) commit: Option<Commit>,
    // dependency and container scanning
    pub(crate) dependency: Option<Dependency>,
    pub(crate) image: Option<String>,
    pub(crate) operating_system: Option<String>,
    // DAST
    pub(crate) hostname: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) param: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Commit {
    pub(crate) sha: Option<String>,
    pub(crate) author: Option<String>,
    pub(crate) date: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Dependency {
    pub(crate) package: Option<Package>,
    pub(crate) version: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Package {
    pub(crate) name: Option<String>,
}

/// An entry of `identifiers`; `value` is a number in some reports.
#[derive(Deserialize)]
pub(crate) struct GlIdentifier {
    #[serde(rename = "type")]
    pub(crate) id_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub(crate) value: Option<String>,
    pub(crate) url: Option<String>,
}

impl GlIdentifier {
    fn is(&self, kind: &str) -> bool {
        self.id_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(kind))
    }
}

#[derive(Deserialize)]
pub(crate) struct Link {
    pub(crate) url: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Flag {
    #[serde(rename = "type")]
    flag_type: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Evidence {
    pub(crate) summary: Option<String>,
    pub(crate) request: Option<Request>,
    pub(crate) response: Option<Response>,
}

#[derive(Deserialize)]
pub(crate) struct Request {
    pub(crate) method: Option<String>,
    pub(crate) url: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Response {
    #[serde(default, deserialize_with = "lenient::whole")]
    pub(crate) status_code: Option<u32>,
    pub(crate) reason_phrase: Option<String>,
}

/// What every finding of a report shares.
pub(crate) struct Context {
    kind: Kind,
    tool: String,
    scan_time: Option<String>,
    package_managers: HashMap<String, String>,
}

impl Context {
    /// The package manager of a scanned dependency file (`go`, `npm` …).
    pub(crate) fn package_manager(&self, file: Option<&str>) -> Option<String> {
        self.package_managers.get(file?).cloned()
    }

    /// A finding with the fields every report type fills the same way: severity, confidence,
    /// identifiers, rule id, description, remediation, references, the tool's id.
    pub(crate) fn base(&self, v: &Vulnerability, category: Category, title: String) -> Finding {
        let tool = v
            .scanner
            .as_ref()
            .and_then(|s| non_empty(s.name.as_deref()))
            .unwrap_or_else(|| self.tool.clone());
        let mut f = Finding::new(tool, category, title);
        let severity = non_empty(v.severity.as_deref());
        f.severity = severity
            .as_deref()
            .and_then(Severity::from_label)
            .unwrap_or(Severity::Info);
        f.tool_severity = severity;
        f.confidence = v.confidence.as_deref().and_then(confidence);
        for identifier in &v.identifiers {
            add_identifier(&mut f, identifier);
        }
        f.rule_id = rule_id(v, self.kind);
        let mut description = Vec::new();
        for text in [v.message.as_deref(), v.description.as_deref()] {
            if let Some(text) = non_empty(text) {
                if text != f.title && !description.contains(&text) {
                    description.push(text);
                }
            }
        }
        if !description.is_empty() {
            f.description = Some(description.join("\n\n"));
        }
        f.remediation = non_empty(v.solution.as_deref());
        for link in &v.links {
            if let Some(url) = link.url.as_deref() {
                f.add_reference(url);
            }
        }
        for identifier in &v.identifiers {
            if let Some(url) = identifier.url.as_deref() {
                f.add_reference(url);
            }
        }
        f.external_id = non_empty(v.id.as_deref()).or_else(|| non_empty(v.cve.as_deref()));
        f.scan_time = self.scan_time.clone();
        for flag in &v.flags {
            if let Some(flag) = non_empty(flag.flag_type.as_deref()) {
                if flag == "flagged-as-likely-false-positive" {
                    f.confidence = Some(Confidence::Low);
                }
                f.tags.push(flag);
            }
        }
        f
    }
}

/// The first non-blank text.
pub(crate) fn first_text(candidates: &[Option<&str>]) -> Option<String> {
    candidates.iter().find_map(|c| non_empty(*c))
}

/// A title from a longer text: its first line, cut short.
pub(crate) fn title_from(text: Option<&str>) -> Option<String> {
    non_empty(text).map(|t| first_line(&t, 120))
}

/// The first CVE a vulnerability's identifiers name.
pub(crate) fn first_cve(v: &Vulnerability) -> Option<String> {
    v.identifiers
        .iter()
        .filter(|i| i.is("cve"))
        .find_map(|i| non_empty(i.value.as_deref()))
}

fn confidence(label: &str) -> Option<Confidence> {
    if label.trim().eq_ignore_ascii_case("ignore") {
        return Some(Confidence::Low);
    }
    Confidence::from_label(label)
}

fn add_identifier(f: &mut Finding, identifier: &GlIdentifier) {
    let value = identifier.value.as_deref().unwrap_or("");
    if identifier.is("cwe") {
        // The value is the number; a few reports put something else there and the id in `name`.
        match Identifier::cwe(value) {
            Some(cwe) => f.add_identifier(cwe),
            None => f.add_cwe(identifier.name.as_deref().unwrap_or("")),
        }
    } else if identifier.is("owasp") {
        // `A1:2017 - Injection`: the category is the part before the dash.
        let head = value.split(" - ").next().unwrap_or("");
        if let Some(id) = Identifier::parse(head).filter(|i| i.kind == IdentifierKind::Owasp) {
            f.add_identifier(id);
        }
    } else if ["cve", "ghsa", "osvdb", "elsa", "rhsa", "usn", "dsa", "alas"]
        .iter()
        .any(|kind| identifier.is(kind))
    {
        f.add_id(value);
    }
}

/// The id the tool files the finding under: for packages the CVE, else the first identifier
/// that is not a weakness class (GitLab's "primary identifier").
fn rule_id(v: &Vulnerability, kind: Kind) -> Option<String> {
    if matches!(kind, Kind::DependencyScanning | Kind::ContainerScanning) {
        if let Some(cve) = first_cve(v) {
            return Some(cve);
        }
    }
    v.identifiers
        .iter()
        .filter(|i| !i.is("cwe") && !i.is("owasp"))
        .find_map(|i| non_empty(i.value.as_deref()))
}

/// GitLab writes times as `2021-04-22T09:32:27` in UTC, without the zone.
fn rfc3339(time: Option<&str>) -> Option<String> {
    let time = non_empty(time)?;
    let bare = time.len() == 19 && time.as_bytes().get(10) == Some(&b'T');
    Some(if bare { format!("{time}Z") } else { time })
}

/// Reads a report of `kind`, building each finding with `build`, and merges entries that name
/// the same vulnerability (same id, and for package and web findings the same place).
pub(crate) fn parse(
    input: &Input<'_>,
    kind: Kind,
    build: fn(&Vulnerability, &Context) -> Finding,
) -> Result<Parsed, Error> {
    let report: Report = de::json(input.bytes())?;
    let scan = report.scan.as_ref();
    let tool = scan
        .and_then(|s| s.scanner.as_ref())
        .and_then(|s| non_empty(s.name.as_deref()))
        .unwrap_or_else(|| kind.default_tool().to_string());
    let scan_time = scan.and_then(|s| rfc3339(s.start_time.as_deref().or(s.end_time.as_deref())));
    let package_managers = report
        .dependency_files
        .iter()
        .filter_map(|d| {
            Some((
                non_empty(d.path.as_deref())?,
                non_empty(d.package_manager.as_deref())?,
            ))
        })
        .collect();
    let by_ward = scan
        .and_then(|s| s.analyzer.as_ref())
        .and_then(|a| a.id.as_deref())
        == Some("ward");
    let context = Context {
        kind,
        tool: tool.clone(),
        scan_time: scan_time.clone(),
        package_managers,
    };
    let mut parsed = Parsed {
        tool: Some(tool),
        scan_time,
        ..Parsed::default()
    };
    if let Some(other) = scan.and_then(|s| s.scan_type.as_deref()) {
        if Kind::from_type(other) != Some(kind) {
            parsed.warnings.push(format!(
                "scan.type is `{other}`, read as a `{}` report",
                kind.type_name()
            ));
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for v in &report.vulnerabilities {
        let mut finding = build(v, &context);
        if by_ward {
            // ward wrote one entry per finding, each already merged where it should be.
            read_ward(&mut finding, v, kind);
            parsed.findings.push(finding);
            continue;
        }
        let key = merge_key(kind, &finding);
        match key.as_ref().and_then(|k| seen.get(k)) {
            Some(&at) => {
                if let Some(first) = parsed.findings.get_mut(at) {
                    first.occurrences += 1;
                }
            }
            None => {
                if let Some(key) = key {
                    seen.insert(key, parsed.findings.len());
                }
                parsed.findings.push(finding);
            }
        }
    }
    Ok(parsed)
}

/// A vulnerability ward wrote, read back into the finding it came from: the title as written
/// (GitLab's own analyzers' titles are built from parts), the rule and identifiers as ward
/// listed them, and from the `details` every field GitLab has no place for.
fn read_ward(f: &mut Finding, v: &Vulnerability, kind: Kind) {
    let detail = |id: &str| v.details.get(id).cloned();
    let number = |id: &str| detail(id).and_then(|n| n.trim().parse::<u32>().ok());
    f.title = v.name.clone().unwrap_or_default();
    if let Some(tool) = detail("tool") {
        f.tool = tool;
    }
    if let Some(category) = detail("category").and_then(|c| word(&c)) {
        f.category = category;
    }
    f.tool_severity = detail("tool_severity");
    f.confidence = detail("confidence").and_then(|c| Confidence::from_label(&c));
    f.status = detail("status").and_then(|s| word(&s)).unwrap_or_default();
    f.verified = detail("verified").as_deref() == Some("true");
    f.external_id = detail("external_id");
    // The scan's time is when ward converted the report; the finding's own is in the details.
    f.scan_time = detail("scan_time");
    f.description = v.description.clone().filter(|d| !d.trim().is_empty());
    f.tags = detail("tags")
        .map(|t| t.split(", ").map(str::to_string).collect())
        .unwrap_or_default();
    f.occurrences = number("occurrences").unwrap_or(1).max(1);
    f.evidence = detail("evidence");
    // Links hold the web URLs; the details all references when some are not.
    f.references = match detail("references") {
        Some(references) => references.lines().map(str::to_string).collect(),
        None => v.links.iter().filter_map(|l| l.url.clone()).collect(),
    };
    if kind == Kind::Sast {
        if let (Some(file), Some(code)) =
            (f.location.file.as_mut(), v.raw_source_code_extract.as_ref())
        {
            file.snippet = Some(code.clone());
        }
    }
    // The rule leads the identifiers, typed `<tool>_rule_id` unless it is a CVE, CWE …; a
    // finding with neither has its fingerprint there.
    f.rule_id = detail("rule_id");
    f.identifiers.clear();
    for identifier in &v.identifiers {
        let id_type = identifier.id_type.as_deref().unwrap_or("");
        if id_type.ends_with("_rule_id") || id_type == "ward_fingerprint" {
            continue;
        }
        // `name` holds ward's form of the id (`CWE-79` where `value` is `79`).
        if let Some(name) = identifier.name.as_deref().or(identifier.value.as_deref()) {
            f.add_id(name);
        }
    }
    f.cvss = v
        .details
        .iter()
        .filter(|(id, _)| id.starts_with("cvss_"))
        .filter_map(|(id, text)| Some((id[5..].parse::<usize>().ok()?, cvss(text)?)))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect();
    f.epss = detail("epss").and_then(|e| epss(&e));

    let location = &mut f.location;
    if !matches!(kind, Kind::Sast | Kind::SecretDetection) {
        location.file = detail("file").map(|path| FileLocation::new(path, number("line")));
    }
    location.package = detail("package").map(|name| PackageLocation {
        name,
        version: detail("version"),
        ecosystem: detail("ecosystem"),
        purl: detail("purl"),
        fixed_version: detail("fixed_version"),
    });
    location.image = detail("image").map(|name| ImageLocation {
        name,
        digest: detail("image_digest"),
        layer: detail("image_layer"),
        os: detail("image_os"),
    });
    location.cloud = detail("resource").map(|resource_id| CloudLocation {
        resource_id,
        resource_type: detail("resource_type"),
        provider: detail("provider"),
        account: detail("account"),
        region: detail("region"),
    });
    location.web = detail("url").map(|url| WebLocation {
        url,
        method: detail("http_method"),
        parameter: detail("parameter"),
    });
    if detail("generated_solution").is_some() {
        // Made up by the exporter from the fixed version, which the package holds.
        f.remediation = None;
    }
}

/// A ward word (`false_positive`, `iac` …) as the ward type it names.
fn word<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(Value::String(text.trim().to_string())).ok()
}

/// `CVSS 3.1 9.8 CVSS:3.1/AV:N/… (nvd)`, as ward writes a rating in the details.
fn cvss(text: &str) -> Option<Cvss> {
    let rest = text.strip_prefix("CVSS ")?;
    let (rest, source) = match rest.strip_suffix(')').and_then(|r| r.split_once(" (")) {
        Some((rest, source)) => (rest, Some(source.to_string())),
        None => (rest, None),
    };
    let mut parts = rest.split(' ');
    let version = match parts.next()? {
        "2.0" => CvssVersion::V2,
        "3.0" => CvssVersion::V3_0,
        "3.1" => CvssVersion::V3_1,
        "4.0" => CvssVersion::V4,
        _ => return None,
    };
    let mut rating = Cvss {
        version,
        vector: None,
        score: None,
        source,
    };
    for part in parts.filter(|p| !p.is_empty()) {
        match part.parse::<f64>() {
            Ok(score) if rating.score.is_none() && rating.vector.is_none() => {
                rating.score = Some(score);
            }
            _ => rating.vector = Some(part.to_string()),
        }
    }
    Some(rating)
}

/// `0.5 (percentile 0.9)`, as ward writes an EPSS score in the details.
fn epss(text: &str) -> Option<Epss> {
    let (score, percentile) = match text.split_once(" (percentile ") {
        Some((score, rest)) => (score, rest.strip_suffix(')')),
        None => (text, None),
    };
    Some(Epss {
        score: score.trim().parse().ok()?,
        percentile: percentile.and_then(|p| p.trim().parse().ok()),
    })
}

/// Entries with the same id are one vulnerability. Old (pre-14) SAST and secret reports key
/// entries by a `file:hash:rule` compare key that repeats for the same code at several lines;
/// package and web findings are only the same when they are also at the same place.
fn merge_key(kind: Kind, f: &Finding) -> Option<String> {
    let mut key = f.external_id.clone()?;
    if matches!(kind, Kind::Sast | Kind::SecretDetection) {
        return Some(key);
    }
    let location = &f.location;
    let mut push = |part: Option<&str>| {
        key.push('\u{1f}');
        key.push_str(part.unwrap_or(""));
    };
    let package = location.package.as_ref();
    push(package.map(|p| p.name.as_str()));
    push(package.and_then(|p| p.version.as_deref()));
    push(location.image.as_ref().map(|i| i.name.as_str()));
    push(location.file.as_ref().map(|l| l.path.as_str()));
    let web = location.web.as_ref();
    push(web.map(|w| w.url.as_str()));
    push(web.and_then(|w| w.method.as_deref()));
    push(web.and_then(|w| w.parameter.as_deref()));
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(json: &str) -> Option<Kind> {
        detect(&Input::new(json.as_bytes()))
    }

    #[test]
    fn detection_by_scan_type_category_and_shape() {
        assert_eq!(
            kind(r#"{"version":"15.0.0","vulnerabilities":[],"scan":{"type":"secret_detection"}}"#),
            Some(Kind::SecretDetection)
        );
        let vuln = |extra: &str, location: &str| {
            format!(
                r#"{{"vulnerabilities":[{{"id":"1",{extra}"identifiers":[],"location":{location}}}]}}"#
            )
        };
        assert_eq!(kind(&vuln(r#""category":"dast","#, "{}")), Some(Kind::Dast));
        assert_eq!(
            kind(&vuln(
                "",
                r#"{"image":"alpine","dependency":{"package":{"name":"musl"}}}"#
            )),
            Some(Kind::ContainerScanning)
        );
        assert_eq!(
            kind(&vuln(
                "",
                r#"{"hostname":"http://h","method":"GET","path":"/"}"#
            )),
            Some(Kind::Dast)
        );
        assert_eq!(
            kind(&vuln("", r#"{"file":"a","commit":{"sha":"0"}}"#)),
            Some(Kind::SecretDetection)
        );
        assert_eq!(
            kind(&vuln(
                "",
                r#"{"file":"go.sum","dependency":{"package":{"name":"x"}}}"#
            )),
            Some(Kind::DependencyScanning)
        );
        assert_eq!(
            kind(&vuln("", r#"{"file":"a.py","start_line":3}"#)),
            Some(Kind::Sast)
        );
        assert_eq!(
            kind(r#"{"version":"2.3","vulnerabilities":[],"remediations":[]}"#),
            Some(Kind::Sast)
        );
        // Not GitLab: identifiers as an object (Snyk), no envelope at all.
        assert_eq!(
            kind(r#"{"vulnerabilities":[{"identifiers":{"CVE":[]},"location":{}}]}"#),
            None
        );
        assert_eq!(kind(r#"{"vulnerabilities":[]}"#), None);
        assert_eq!(
            kind(r#"{"version":"15.0.0","vulnerabilities":[],"scan":{"type":"api_fuzzing"}}"#),
            None
        );
    }

    #[test]
    fn times_get_their_zone() {
        assert_eq!(
            rfc3339(Some("2021-04-22T09:32:27")).as_deref(),
            Some("2021-04-22T09:32:27Z")
        );
        assert_eq!(
            rfc3339(Some("2021-04-22T09:32:27+02:00")).as_deref(),
            Some("2021-04-22T09:32:27+02:00")
        );
    }
}
