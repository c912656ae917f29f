//! SARIF 2.x logs from any producer (CodeQL, Semgrep, Flawfinder, SpotBugs, Gitleaks, ShiftLeft
//! Scan, Black Duck …): OASIS Static Analysis Results Interchange Format, version 2.1.0 and the
//! 2.0 drafts close to it. <https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>
//!
//! Every run is read; the driver's name becomes the finding's tool. A result with several
//! locations gives one finding per location; a result with none gives one finding without a
//! file. Results of kind `pass`, `notApplicable` and `informational` say that nothing is wrong
//! and are left out.
//!
//! - rule: `ruleId` exactly as the producer wrote it, resolved against the driver's and the
//!   extensions' rules (by `rule.toolComponent`, `ruleIndex` or id) for titles, descriptions,
//!   help and properties.
//! - severity: a `security-severity` property (a CVSS-like score, or a word), else the result's
//!   `level`, else the rule's `defaultConfiguration.level`, else SARIF's default `warning`
//!   (`error` high, `warning` medium, `note` and `none` info).
//! - identifiers: CWE from rule relationships, rule `tags` (`external/cwe/cwe-079`, `CWE-346`)
//!   and `cwe` properties of the rule and the result; CVE/GHSA ids named in the rule id; OWASP
//!   categories from tags.
//! - `fingerprints` (else `partialFingerprints`) become the external id; `suppressions` and a
//!   `baselineState` of `absent` become the status.
//! - Secret scanners' results (a clear value in an `offender`/`secret` property, or a known
//!   secret scanner as driver) are `secret` findings with the value hashed and masked.
//!
//! Semgrep writes identical results more than once in some versions; for a Semgrep driver they
//! are merged (with `occurrences`) exactly as the Semgrep JSON importer merges them, so that a
//! rule's hit gives the same fingerprint from either of Semgrep's outputs.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use ward_core::{
    Category, CloudLocation, Confidence, Cvss, Epss, FileLocation, Finding, ImageLocation,
    PackageLocation, Secret, Severity, Status, WebLocation,
};

use super::lenient::{self, Lenient};
use super::sast_common::{
    advisory_ids, collapse_whitespace, cwe_numbers, owasp_category, percent_decode, short_title,
    Scalar, StrList,
};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// SARIF 2.x, any producer.
pub(crate) struct Sarif;

/// Longest title built from a result message.
const TITLE_MAX: usize = 150;

/// Drivers that report found secrets (lower-case, matched as substrings of the driver name).
const SECRET_SCANNERS: &[&str] = &[
    "gitleaks",
    "trufflehog",
    "detect-secrets",
    "ggshield",
    "gitguardian",
    "secretlint",
    "noseyparker",
    "nosey parker",
    "kingfisher",
    "betterleaks",
    "whispers",
    "talisman",
];

#[derive(Deserialize)]
struct Log {
    version: Option<Scalar>,
    #[serde(rename = "$schema")]
    schema: Option<String>,
    runs: Option<Vec<Run>>,
}

#[derive(Deserialize)]
struct Run {
    tool: Option<Tool>,
    results: Option<Vec<SarifResult>>,
    invocations: Option<Vec<Invocation>>,
    artifacts: Option<Vec<Artifact>>,
    properties: Option<RunProps>,
}

/// The run's property bag: ward marks the runs it converts (`"convertedBy": "ward 0.1.0"`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunProps {
    #[serde(default, deserialize_with = "lenient::text")]
    converted_by: Option<String>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Option<ToolComponent>,
    extensions: Option<Vec<ToolComponent>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolComponent {
    name: Option<String>,
    rules: Option<Vec<Rule>>,
    global_message_strings: Option<HashMap<String, Message>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: Option<String>,
    name: Option<String>,
    short_description: Option<Message>,
    full_description: Option<Message>,
    help: Option<Message>,
    help_uri: Option<String>,
    default_configuration: Option<Configuration>,
    properties: Option<Props>,
    relationships: Option<Vec<Relationship>>,
    message_strings: Option<HashMap<String, Message>>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    target: Option<Descriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: Option<String>,
    tool_component: Option<ComponentRef>,
}

#[derive(Deserialize)]
struct ComponentRef {
    name: Option<String>,
    index: Option<i64>,
}

/// A property bag: only the properties ward reads; the rest is skipped.
#[derive(Deserialize, Default)]
struct Props {
    tags: Option<StrList>,
    #[serde(rename = "security-severity")]
    security_severity: Option<Scalar>,
    cwe: Option<StrList>,
    precision: Option<Scalar>,
    confidence: Option<Scalar>,
    issue_confidence: Option<Scalar>,
    offender: Option<Scalar>,
    secret: Option<Scalar>,
    component: Option<Scalar>,
    #[serde(rename = "componentVersion")]
    component_version: Option<Scalar>,
    #[serde(rename = "componentOrigin")]
    component_origin: Option<Scalar>,
    // What ward's SARIF exporter writes of a finding; read only in runs ward converted.
    severity: Option<Lenient<Severity>>,
    category: Option<Lenient<Category>>,
    #[serde(rename = "toolSeverity")]
    tool_severity: Option<Lenient<String>>,
    identifiers: Option<StrList>,
    cvss: Option<Lenient<Vec<Cvss>>>,
    epss: Option<Lenient<Epss>>,
    package: Option<Lenient<WardPackage>>,
    image: Option<Lenient<ImageLocation>>,
    web: Option<Lenient<WebLocation>>,
    cloud: Option<Lenient<CloudLocation>>,
    description: Option<Lenient<String>>,
    remediation: Option<Lenient<String>>,
    evidence: Option<Lenient<String>>,
    references: Option<StrList>,
    status: Option<Lenient<Status>>,
    verified: Option<Lenient<bool>>,
    #[serde(rename = "externalId")]
    external_id: Option<Lenient<String>>,
    #[serde(rename = "scanTime")]
    scan_time: Option<Lenient<String>>,
    /// A snippet without a line, which a SARIF region cannot hold.
    snippet: Option<Lenient<String>>,
}

/// A package as ward's SARIF exporter writes it in a result's properties.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WardPackage {
    name: String,
    version: Option<String>,
    ecosystem: Option<String>,
    purl: Option<String>,
    fixed_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Option<String>,
    rule_index: Option<i64>,
    rule: Option<RuleRef>,
    kind: Option<String>,
    level: Option<String>,
    message: Option<Message>,
    locations: Option<Vec<Location>>,
    fingerprints: Option<BTreeMap<String, FingerprintValue>>,
    partial_fingerprints: Option<BTreeMap<String, FingerprintValue>>,
    suppressions: Option<Vec<Suppression>>,
    baseline_state: Option<String>,
    properties: Option<Props>,
    fixes: Option<Vec<Fix>>,
    web_request: Option<WebRequest>,
    #[serde(default, deserialize_with = "lenient::whole")]
    occurrence_count: Option<u32>,
}

#[derive(Deserialize)]
struct WebRequest {
    target: Option<String>,
    method: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleRef {
    id: Option<String>,
    index: Option<i64>,
    tool_component: Option<ComponentRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Option<PhysicalLocation>,
    logical_locations: Option<Vec<LogicalLocation>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Option<ArtifactLocation>,
    region: Option<Region>,
    context_region: Option<Region>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    uri: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: Option<i64>,
    start_column: Option<i64>,
    end_line: Option<i64>,
    end_column: Option<i64>,
    snippet: Option<Snippet>,
}

#[derive(Deserialize)]
struct Snippet {
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Artifact {
    location: Option<ArtifactLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    start_time_utc: Option<String>,
    end_time_utc: Option<String>,
}

#[derive(Deserialize)]
struct Suppression {
    status: Option<String>,
    // The 2.1.0 drafts called it `state`.
    state: Option<String>,
    justification: Option<String>,
}

#[derive(Deserialize)]
struct Fix {
    description: Option<Message>,
}

/// A message: an object with `text`/`markdown` or a `messageStrings` id and arguments; some
/// producers write a bare string instead, which is read as its text.
#[derive(Default)]
struct Message {
    text: Option<String>,
    markdown: Option<String>,
    id: Option<String>,
    arguments: Vec<String>,
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Message, D::Error> {
        #[derive(Deserialize)]
        struct Object {
            text: Option<String>,
            markdown: Option<String>,
            id: Option<String>,
            arguments: Option<Vec<Scalar>>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Message;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a SARIF message object or a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Message, E> {
                Ok(Message {
                    text: Some(v.to_string()),
                    ..Message::default()
                })
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Message, E> {
                Ok(Message::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Message, A::Error> {
                let o = Object::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Message {
                    text: o.text,
                    markdown: o.markdown,
                    id: o.id,
                    arguments: o
                        .arguments
                        .unwrap_or_default()
                        .into_iter()
                        .map(|a| a.0.unwrap_or_default())
                        .collect(),
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A fingerprint: a string, or (Black Duck and others) an object with a `value`.
struct FingerprintValue(Option<String>);

impl<'de> Deserialize<'de> for FingerprintValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FingerprintValue, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FingerprintValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fingerprint")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FingerprintValue, E> {
                Ok(FingerprintValue(Some(v.to_string())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<FingerprintValue, E> {
                Ok(FingerprintValue(Some(v.to_string())))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FingerprintValue, E> {
                Ok(FingerprintValue(Some(v.to_string())))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<FingerprintValue, E> {
                Ok(FingerprintValue(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<FingerprintValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FingerprintValue(None))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FingerprintValue, A::Error> {
                let mut value = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "value" {
                        value = map.next_value::<Scalar>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(FingerprintValue(value))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Parser for Sarif {
    fn id(&self) -> &'static str {
        "sarif"
    }

    fn name(&self) -> &'static str {
        "SARIF"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["SARIF"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(doc) = input.json().and_then(|v| v.as_object()) else {
            return false;
        };
        let version_2 = doc
            .get("version")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.starts_with("2."));
        let runs = doc.get("runs").is_some_and(|r| r.is_array());
        let schema = doc
            .get("$schema")
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.to_ascii_lowercase().contains("sarif"));
        (version_2 && runs) || schema
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let log: Log = de::json(input.bytes())?;
        let version_2 = log
            .version
            .as_ref()
            .and_then(Scalar::text)
            .is_some_and(|v| v.starts_with('2'));
        let schema = log
            .schema
            .as_deref()
            .is_some_and(|s| s.to_ascii_lowercase().contains("sarif"));
        if !version_2 && !schema {
            return Err(Error::WrongFormat {
                format: "sarif",
                reason: "no SARIF 2.x `version` and no SARIF `$schema`".into(),
            });
        }
        let mut parsed = Parsed::default();
        for (index, run) in log.runs.unwrap_or_default().iter().enumerate() {
            read_run(index, run, &mut parsed);
        }
        Ok(parsed)
    }
}

/// The rules of one run, by id and by position.
struct Rules<'a> {
    /// Driver first, then each extension, each in its own order.
    components: Vec<Option<&'a [Rule]>>,
    by_id: HashMap<&'a str, &'a Rule>,
}

impl<'a> Rules<'a> {
    fn of(tool: Option<&'a Tool>) -> Rules<'a> {
        let mut components = Vec::new();
        if let Some(tool) = tool {
            components.push(tool.driver.as_ref().and_then(|d| d.rules.as_deref()));
            for extension in tool.extensions.iter().flatten() {
                components.push(extension.rules.as_deref());
            }
        }
        let mut by_id = HashMap::new();
        for rule in components.iter().flatten().flat_map(|r| r.iter()) {
            if let Some(id) = rule.id.as_deref() {
                by_id.entry(id).or_insert(rule);
            }
        }
        Rules { components, by_id }
    }

    fn find(&self, result: &SarifResult) -> Option<&'a Rule> {
        let reference = result.rule.as_ref();
        let id = result
            .rule_id
            .as_deref()
            .or(reference.and_then(|r| r.id.as_deref()));
        let index = reference.and_then(|r| r.index).or(result.rule_index);
        // `toolComponent.index` is an index into the extensions; without it the driver is meant.
        let component = reference
            .and_then(|r| r.tool_component.as_ref())
            .and_then(|c| c.index)
            .map_or(Some(0), |i| usize::try_from(i).ok().map(|i| i + 1));
        if let (Some(index), Some(component)) = (index, component) {
            let rule = usize::try_from(index).ok().and_then(|i| {
                self.components
                    .get(component)
                    .copied()
                    .flatten()
                    .and_then(|rules| rules.get(i))
            });
            if let Some(rule) = rule.filter(|r| id.is_none() || r.id.as_deref() == id) {
                return Some(rule);
            }
        }
        let id = id?;
        self.by_id.get(id).copied().or_else(|| {
            // Hierarchical ids (`C2001/1`) name a sub-rule of `C2001`.
            let (parent, _) = id.rsplit_once('/')?;
            self.by_id.get(parent).copied()
        })
    }
}

/// What a run shares with each of its results.
struct RunContext<'a> {
    tool: String,
    rules: Rules<'a>,
    globals: Option<&'a HashMap<String, Message>>,
    artifacts: &'a [Artifact],
    scan_time: Option<String>,
    secret_scanner: bool,
    gitleaks: bool,
    merge_repeats: bool,
    /// Converted by ward: the result properties hold the finding's ward fields.
    by_ward: bool,
}

fn read_run(run_index: usize, run: &Run, parsed: &mut Parsed) {
    let driver = run.tool.as_ref().and_then(|t| t.driver.as_ref());
    let tool = non_empty(driver.and_then(|d| d.name.as_deref())).unwrap_or_else(|| "SARIF".into());
    let lower = tool.to_ascii_lowercase();
    let scan_time = run
        .invocations
        .iter()
        .flatten()
        .rev()
        .find_map(|i| non_empty(i.end_time_utc.as_deref().or(i.start_time_utc.as_deref())));
    if parsed.tool.is_none() {
        parsed.tool = Some(tool.clone());
    }
    if parsed.scan_time.is_none() {
        parsed.scan_time.clone_from(&scan_time);
    }
    let by_ward = run
        .properties
        .as_ref()
        .and_then(|p| p.converted_by.as_deref())
        .is_some_and(|c| c.trim_start().starts_with("ward"));
    let context = RunContext {
        rules: Rules::of(run.tool.as_ref()),
        globals: driver.and_then(|d| d.global_message_strings.as_ref()),
        artifacts: run.artifacts.as_deref().unwrap_or_default(),
        scan_time,
        secret_scanner: SECRET_SCANNERS.iter().any(|s| lower.contains(s)),
        gitleaks: lower.contains("gitleaks"),
        // ward wrote one result per finding, merged already where they should be.
        merge_repeats: lower.starts_with("semgrep") && !by_ward,
        by_ward,
        tool,
    };
    let mut seen: HashMap<MergeKey, usize> = HashMap::new();
    for (index, result) in run.results.iter().flatten().enumerate() {
        let kind = result.kind.as_deref().unwrap_or("fail");
        if matches!(kind, "pass" | "notApplicable" | "informational") {
            continue;
        }
        let Some(findings) = findings(&context, result) else {
            parsed.warnings.push(format!(
                "runs[{run_index}].results[{index}]: no message, rule or rule id to name it; skipped"
            ));
            continue;
        };
        for finding in findings {
            if context.merge_repeats {
                let key = merge_key(&finding);
                if let Some(&at) = seen.get(&key) {
                    if let Some(first) = parsed.findings.get_mut(at) {
                        first.occurrences += 1;
                        continue;
                    }
                }
                seen.insert(key, parsed.findings.len());
            }
            parsed.findings.push(finding);
        }
    }
}

type MergeKey = (
    Option<String>,
    String,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
);

fn merge_key(f: &Finding) -> MergeKey {
    let file = f.location.file.as_ref();
    (
        f.rule_id.clone(),
        file.map(|l| l.path.clone()).unwrap_or_default(),
        file.and_then(|l| l.start_line),
        file.and_then(|l| l.start_column),
        file.and_then(|l| l.end_line),
        file.and_then(|l| l.end_column),
    )
}

/// The text of a message: its own text or markdown, or the rule's (or the driver's global)
/// message string it names, with `{n}` placeholders filled from its arguments.
fn message_text(
    message: &Message,
    rule: Option<&Rule>,
    globals: Option<&HashMap<String, Message>>,
) -> Option<String> {
    let own = non_empty(message.text.as_deref()).or_else(|| non_empty(message.markdown.as_deref()));
    let template = own.or_else(|| {
        let id = message.id.as_deref()?;
        let named = rule
            .and_then(|r| r.message_strings.as_ref())
            .and_then(|m| m.get(id))
            .or_else(|| globals.and_then(|g| g.get(id)))?;
        non_empty(named.text.as_deref()).or_else(|| non_empty(named.markdown.as_deref()))
    })?;
    Some(substitute(&template, &message.arguments))
}

/// Fills `{0}`, `{1}` … from the arguments; `{{` and `}}` are literal braces.
fn substitute(template: &str, arguments: &[String]) -> String {
    if !template.contains(['{', '}']) {
        return template.to_string();
    }
    let mut out = String::with_capacity(template.len());
    let mut chars = template.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let rest = &template[at + 1..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let argument = (digits > 0 && rest.as_bytes().get(digits) == Some(&b'}'))
                    .then(|| rest[..digits].parse::<usize>().ok())
                    .flatten()
                    .and_then(|n| arguments.get(n));
                match argument {
                    Some(argument) => {
                        out.push_str(argument);
                        for _ in 0..=digits {
                            chars.next();
                        }
                    }
                    None => out.push('{'),
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn rule_text(message: Option<&Message>, rule: &Rule, context: &RunContext<'_>) -> Option<String> {
    message.and_then(|m| message_text(m, Some(rule), context.globals))
}

/// Severity and the tool's word for it.
fn severity(result: &SarifResult, rule: Option<&Rule>) -> (Severity, Option<String>) {
    let security_severity = result
        .properties
        .as_ref()
        .and_then(|p| p.security_severity.as_ref())
        .and_then(Scalar::text)
        .or_else(|| {
            rule.and_then(|r| r.properties.as_ref())
                .and_then(|p| p.security_severity.as_ref())
                .and_then(Scalar::text)
        });
    if let Some(raw) = security_severity {
        if let Ok(score) = raw.parse::<f64>() {
            if (0.0..=10.0).contains(&score) {
                return (Severity::from_cvss_score(score), Some(raw.to_string()));
            }
        }
        if let Some(severity) = Severity::from_label(raw) {
            return (severity, Some(raw.to_string()));
        }
    }
    let level = non_empty(result.level.as_deref()).or_else(|| {
        rule.and_then(|r| r.default_configuration.as_ref())
            .and_then(|c| non_empty(c.level.as_deref()))
    });
    let severity = match level.as_deref() {
        Some("error") => Severity::High,
        Some("note" | "none") => Severity::Info,
        // `warning`, and SARIF's default when no level is given.
        _ => Severity::Medium,
    };
    (severity, level)
}

fn confidence(result: &SarifResult, rule: Option<&Rule>) -> Option<Confidence> {
    let props = result.properties.as_ref();
    let own = props
        .and_then(|p| p.confidence.as_ref().or(p.issue_confidence.as_ref()))
        .and_then(Scalar::text)
        .and_then(Confidence::from_label);
    own.or_else(|| {
        let precision = rule
            .and_then(|r| r.properties.as_ref())
            .and_then(|p| p.precision.as_ref())
            .and_then(Scalar::text)?;
        match precision.to_ascii_lowercase().as_str() {
            "very-high" | "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            "low" | "very-low" => Some(Confidence::Low),
            _ => None,
        }
    })
}

fn add_identifiers(f: &mut Finding, result: &SarifResult, rule: Option<&Rule>) {
    if let Some(rule_id) = f.rule_id.clone() {
        for id in advisory_ids(&rule_id) {
            f.add_id(&id);
        }
    }
    for cwe in result
        .properties
        .iter()
        .flat_map(|p| p.cwe.iter())
        .flat_map(StrList::iter)
    {
        for n in cwe_numbers(cwe) {
            f.add_cwe(&n.to_string());
        }
    }
    let Some(rule) = rule else {
        return;
    };
    for target in rule
        .relationships
        .iter()
        .flatten()
        .filter_map(|r| r.target.as_ref())
    {
        let id = target.id.as_deref().unwrap_or("");
        let cwe_component = target
            .tool_component
            .as_ref()
            .and_then(|c| c.name.as_deref())
            .is_some_and(|n| n.eq_ignore_ascii_case("cwe"));
        match cwe_numbers(id).first() {
            Some(n) => f.add_cwe(&n.to_string()),
            None if cwe_component => f.add_cwe(id),
            None => {}
        }
    }
    let props = rule.properties.as_ref();
    for tag in props
        .iter()
        .flat_map(|p| p.tags.iter())
        .flat_map(StrList::iter)
    {
        for n in cwe_numbers(tag) {
            f.add_cwe(&n.to_string());
        }
        if let Some(owasp) = owasp_category(tag) {
            f.add_id(&owasp);
        }
    }
    for cwe in props
        .iter()
        .flat_map(|p| p.cwe.iter())
        .flat_map(StrList::iter)
    {
        for n in cwe_numbers(cwe) {
            f.add_cwe(&n.to_string());
        }
    }
}

/// The external id: the stable `fingerprints`, else the `partialFingerprints`, written
/// `name:value|name:value` in name order when there are several (or when partial).
fn external_id(result: &SarifResult) -> Option<String> {
    let values = |map: &BTreeMap<String, FingerprintValue>| -> Vec<(String, String)> {
        map.iter()
            .filter_map(|(k, v)| Some((k.clone(), non_empty(v.0.as_deref())?)))
            .collect()
    };
    if let Some(full) = result.fingerprints.as_ref().map(values) {
        match full.as_slice() {
            [] => {}
            [(_, value)] => return Some(value.clone()),
            many => {
                return Some(
                    many.iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect::<Vec<_>>()
                        .join("|"),
                )
            }
        }
    }
    let partial = result.partial_fingerprints.as_ref().map(values)?;
    (!partial.is_empty()).then(|| {
        partial
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join("|")
    })
}

fn status(result: &SarifResult) -> Status {
    let suppressions = result.suppressions.as_deref().unwrap_or_default();
    // A suppression whose review rejected it, or that is still under review, does not count.
    let active = suppressions.iter().find(|s| {
        !matches!(
            s.status.as_deref().or(s.state.as_deref()),
            Some("rejected" | "underReview")
        )
    });
    if let Some(suppression) = active {
        let justification = suppression
            .justification
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        return if justification.contains("false positive")
            || justification.contains("false-positive")
        {
            Status::FalsePositive
        } else {
            Status::Accepted
        };
    }
    if result.baseline_state.as_deref() == Some("absent") {
        return Status::Mitigated;
    }
    Status::Open
}

/// The findings of one result: one per location (one without a file when it has none).
fn findings(context: &RunContext<'_>, result: &SarifResult) -> Option<Vec<Finding>> {
    let rule = context.rules.find(result);
    let message = result
        .message
        .as_ref()
        .and_then(|m| message_text(m, rule, context.globals));
    let rule_id = non_empty(
        result
            .rule_id
            .as_deref()
            .or(result.rule.as_ref().and_then(|r| r.id.as_deref()))
            .or(rule.and_then(|r| r.id.as_deref())),
    );
    let short = rule.and_then(|r| rule_text(r.short_description.as_ref(), r, context));
    let full = rule.and_then(|r| rule_text(r.full_description.as_ref(), r, context));
    let title_source = message
        .clone()
        .or_else(|| short.clone())
        .or_else(|| full.clone())
        .or_else(|| rule.and_then(|r| non_empty(r.name.as_deref())))
        .or_else(|| rule_id.clone());
    // ward wrote its title as the message: it is taken as it is, not shortened.
    let ward_title = result
        .message
        .as_ref()
        .and_then(|m| m.text.clone())
        .filter(|_| context.by_ward);
    let title = match ward_title {
        Some(title) => title,
        None => short_title(&title_source?, TITLE_MAX),
    };

    let mut base = Finding::new(context.tool.clone(), Category::Sast, title.clone());
    base.rule_id = rule_id;
    let (severity, tool_severity) = severity(result, rule);
    base.severity = severity;
    base.tool_severity = tool_severity;
    base.confidence = confidence(result, rule);
    add_identifiers(&mut base, result, rule);

    let mut description = Vec::new();
    if let Some(message) = &message {
        if message.trim() != title.trim() && collapse_whitespace(message) != title {
            description.push(message.trim().to_string());
        }
    }
    let message_collapsed = message.as_deref().map(collapse_whitespace);
    let new_text = |text: &Option<String>, seen: &[String]| -> Option<String> {
        let t = text.as_deref()?.trim();
        let c = collapse_whitespace(t);
        let fresh = !t.is_empty()
            && Some(&c) != message_collapsed.as_ref()
            && c != title
            && !seen.iter().any(|s| collapse_whitespace(s) == c);
        fresh.then(|| t.to_string())
    };
    if let Some(text) = new_text(&full, &description).or_else(|| new_text(&short, &description)) {
        description.push(text);
    }
    let help = rule.and_then(|r| rule_text(r.help.as_ref(), r, context));
    if let Some(rule) = rule {
        if let Some(uri) = rule.help_uri.as_deref() {
            base.add_reference(uri);
        }
    }
    let help_is_link = help
        .as_deref()
        .is_some_and(|h| h.starts_with("http") && !h.trim().contains(char::is_whitespace));
    if help_is_link {
        if let Some(help) = help.as_deref() {
            base.add_reference(help);
        }
    }
    let fixes: Vec<String> = result
        .fixes
        .iter()
        .flatten()
        .filter_map(|f| f.description.as_ref())
        .filter_map(|m| message_text(m, rule, context.globals))
        .collect();
    base.remediation = if fixes.is_empty() {
        let mut seen = description.clone();
        seen.extend(full.clone());
        seen.extend(short.clone());
        new_text(&help, &seen).filter(|_| !help_is_link)
    } else {
        Some(fixes.join("\n"))
    };
    base.external_id = external_id(result);
    base.status = status(result);
    base.scan_time.clone_from(&context.scan_time);
    base.tags = rule
        .and_then(|r| r.properties.as_ref())
        .and_then(|p| p.tags.as_ref())
        .map(|t| t.0.clone())
        .unwrap_or_default();

    let props = result.properties.as_ref();
    let clear = props
        .and_then(|p| p.offender.as_ref().or(p.secret.as_ref()))
        .and_then(Scalar::text)
        .map(str::to_string);
    if let Some(name) = props
        .and_then(|p| p.component.as_ref())
        .and_then(Scalar::text)
    {
        base.category = Category::Dependency;
        base.location.package = Some(PackageLocation {
            name: name.to_string(),
            version: props
                .and_then(|p| p.component_version.as_ref())
                .and_then(Scalar::text)
                .map(str::to_string),
            ecosystem: props
                .and_then(|p| p.component_origin.as_ref())
                .and_then(Scalar::text)
                .map(str::to_string),
            ..PackageLocation::default()
        });
    }

    if let Some(count) = result.occurrence_count.filter(|n| *n > 1) {
        base.occurrences = count;
    }
    if let Some(request) = &result.web_request {
        if let Some(url) = non_empty(request.target.as_deref()) {
            base.location.web = Some(WebLocation {
                url,
                method: non_empty(request.method.as_deref()),
                parameter: None,
            });
        }
    }
    if context.by_ward {
        read_ward_properties(&mut base, result, rule);
    }

    let locations: Vec<Option<&Location>> = match result.locations.as_deref() {
        Some(locations) if !locations.is_empty() => locations.iter().map(Some).collect(),
        _ => vec![None],
    };
    let mut out = Vec::with_capacity(locations.len());
    for location in locations {
        let mut f = base.clone();
        let mut description = description.clone();
        if let Some(location) = location {
            f.location.file = file_location(location, context.artifacts);
            let logical =
                location.logical_locations.iter().flatten().find_map(|l| {
                    non_empty(l.fully_qualified_name.as_deref().or(l.name.as_deref()))
                });
            if let Some(logical) = logical.filter(|_| !context.by_ward) {
                description.push(format!("Location: {logical}"));
            }
        }
        if context.by_ward {
            let props = result.properties.as_ref();
            if let (Some(file), Some(snippet)) = (
                f.location.file.as_mut(),
                props
                    .and_then(|p| p.snippet.as_ref())
                    .and_then(Lenient::get),
            ) {
                file.snippet.get_or_insert_with(|| snippet.clone());
            }
            // Its secrets are masked already, and its package and cloud resource are in the
            // properties.
            out.push(f);
            continue;
        }
        if !description.is_empty() {
            f.description = Some(description.join("\n\n"));
        }
        protect_secret(&mut f, context, clear.as_deref());
        out.push(f);
    }
    Some(out)
}

/// A result of a run ward converted: its properties hold the ward fields SARIF has no place for,
/// exactly as they were (see ward's SARIF exporter); the rule only gives what they do not say.
fn read_ward_properties(f: &mut Finding, result: &SarifResult, rule: Option<&Rule>) {
    let empty = Props::default();
    let p = result.properties.as_ref().unwrap_or(&empty);
    fn get<T: Clone>(value: Option<&Lenient<T>>) -> Option<T> {
        value.and_then(Lenient::get).cloned()
    }
    // A rule id ward made up for a finding without one (`ward.<title>`) is no rule.
    if f.rule_id.as_deref().is_some_and(|r| r.starts_with("ward.")) {
        f.rule_id = None;
    }
    if let Some(severity) = get(p.severity.as_ref()) {
        f.severity = severity;
    }
    f.tool_severity = get(p.tool_severity.as_ref());
    if let Some(category) = get(p.category.as_ref()) {
        f.category = category;
    }
    f.confidence = p
        .confidence
        .as_ref()
        .and_then(Scalar::text)
        .and_then(Confidence::from_label);
    f.identifiers.clear();
    for id in p.identifiers.iter().flat_map(StrList::iter) {
        f.add_id(id);
    }
    f.cvss = get(p.cvss.as_ref()).unwrap_or_default();
    f.epss = get(p.epss.as_ref());
    f.location.package = p
        .package
        .as_ref()
        .and_then(Lenient::get)
        .map(|w| PackageLocation {
            name: w.name.clone(),
            version: w.version.clone(),
            ecosystem: w.ecosystem.clone(),
            purl: w.purl.clone(),
            fixed_version: w.fixed_version.clone(),
        });
    f.location.image = get(p.image.as_ref());
    if let Some(web) = get(p.web.as_ref()) {
        f.location.web = Some(web);
    }
    f.location.cloud = get(p.cloud.as_ref());
    let rule_text = |m: Option<&Message>| {
        m.and_then(|m| m.text.clone())
            .filter(|t| !t.trim().is_empty())
    };
    f.description = get(p.description.as_ref())
        .or_else(|| rule_text(rule.and_then(|r| r.full_description.as_ref())));
    f.remediation =
        get(p.remediation.as_ref()).or_else(|| rule_text(rule.and_then(|r| r.help.as_ref())));
    f.evidence = get(p.evidence.as_ref());
    f.references = p
        .references
        .as_ref()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    f.status = get(p.status.as_ref()).unwrap_or_default();
    f.verified = get(p.verified.as_ref()).unwrap_or(false);
    f.external_id = get(p.external_id.as_ref());
    // The run's time is when ward converted it; the finding's own is in the properties.
    f.scan_time = get(p.scan_time.as_ref());
    f.tags = p.tags.as_ref().map(|t| t.0.clone()).unwrap_or_default();
}

fn file_location(location: &Location, artifacts: &[Artifact]) -> Option<FileLocation> {
    let physical = location.physical_location.as_ref()?;
    let artifact = physical.artifact_location.as_ref()?;
    let uri = non_empty(artifact.uri.as_deref()).or_else(|| {
        let index = usize::try_from(artifact.index?).ok()?;
        let listed = artifacts.get(index)?.location.as_ref()?;
        non_empty(listed.uri.as_deref())
    })?;
    let line = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
    let region = physical.region.as_ref();
    let snippet = region
        .and_then(|r| r.snippet.as_ref())
        .and_then(|s| s.text.clone())
        .or_else(|| {
            physical
                .context_region
                .as_ref()
                .and_then(|r| r.snippet.as_ref())
                .and_then(|s| s.text.clone())
        })
        .filter(|s| !s.trim().is_empty());
    Some(FileLocation {
        path: percent_decode(&uri),
        start_line: line(region.and_then(|r| r.start_line)),
        end_line: line(region.and_then(|r| r.end_line)),
        start_column: line(region.and_then(|r| r.start_column)),
        end_column: line(region.and_then(|r| r.end_column)),
        snippet,
    })
}

/// Secret scanners: hash and mask the found value, and keep it out of every text field. A
/// secret scanner's snippet whose value is not known is dropped, since it may hold the secret.
fn protect_secret(f: &mut Finding, context: &RunContext<'_>, clear: Option<&str>) {
    let snippet = f.location.file.as_ref().and_then(|l| l.snippet.clone());
    // Gitleaks 8 writes the secret itself as the region's snippet.
    let clear = clear
        .map(str::to_string)
        .or_else(|| snippet.filter(|_| context.gitleaks));
    if clear.is_none() && !context.secret_scanner {
        return;
    }
    if f.location.file.is_none() && clear.is_none() {
        // Nothing to hash and nowhere to point: not a usable secret finding.
        return;
    }
    f.category = Category::Secret;
    let Some(clear) = clear else {
        if let Some(file) = f.location.file.as_mut() {
            file.snippet = None;
        }
        return;
    };
    let secret = Secret::from_clear(&clear);
    let redact = |text: &str| secret.redact(text, &clear);
    f.title = secret.redact(&f.title, &clear);
    f.description = f.description.as_deref().map(redact);
    f.remediation = f.remediation.as_deref().map(redact);
    f.evidence = f.evidence.as_deref().map(redact);
    if let Some(file) = f.location.file.as_mut() {
        file.snippet = file.snippet.as_deref().map(redact);
        if file.snippet.as_deref() == Some(secret.masked.as_str()) {
            // The snippet was the value alone: nothing left worth showing.
            file.snippet = None;
        }
    }
    f.secret = Some(secret);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Sarif.detect(&input), "not detected: {json}");
        Sarif.parse(&input).unwrap()
    }

    const CODEQL: &str = r#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0",
      "runs":[{"tool":{"driver":{"name":"CodeQL","rules":[
        {"id":"py/sql-injection","shortDescription":{"text":"SQL query built from user-controlled sources"},
         "fullDescription":{"text":"Building a SQL query from user-controlled sources is vulnerable."},
         "defaultConfiguration":{"level":"error"},"helpUri":"https://codeql.github.com/sql",
         "properties":{"tags":["security","external/cwe/cwe-089"],"precision":"high","security-severity":"8.8"}}]}},
        "invocations":[{"endTimeUtc":"2024-01-02T03:04:05Z"}],
        "results":[
          {"ruleId":"py/sql-injection","ruleIndex":0,"message":{"text":"This query depends on\na [user-provided value](1)."},
           "locations":[{"physicalLocation":{"artifactLocation":{"uri":"app/db%20x.py","uriBaseId":"%SRCROOT%"},
             "region":{"startLine":12,"startColumn":5,"endColumn":40,"snippet":{"text":"cur.execute(q)"}}}}],
           "partialFingerprints":{"primaryLocationLineHash":"abc:1","b":"2"},
           "suppressions":[{"kind":"inSource","justification":"false positive: sanitized"}]},
          {"ruleId":"py/sql-injection","kind":"pass","message":{"text":"ok"}}]}]}"#;

    #[test]
    fn codeql_result() {
        let parsed = check(CODEQL);
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.tool.as_deref(), Some("CodeQL"));
        assert_eq!(parsed.scan_time.as_deref(), Some("2024-01-02T03:04:05Z"));
        let f = &parsed.findings[0];
        assert_eq!(f.title, "This query depends on a [user-provided value](1).");
        assert_eq!(f.rule_id.as_deref(), Some("py/sql-injection"));
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::High, Some("8.8"))
        );
        assert_eq!(f.confidence, Some(Confidence::High));
        assert_eq!(f.cwe(), Some(89));
        let file = f.location.file.as_ref().unwrap();
        assert_eq!(
            (file.path.as_str(), file.start_line),
            ("app/db x.py", Some(12))
        );
        assert_eq!(
            f.external_id.as_deref(),
            Some("b:2|primaryLocationLineHash:abc:1")
        );
        assert_eq!(f.status, Status::FalsePositive);
        assert_eq!(f.references, ["https://codeql.github.com/sql"]);
        assert!(f.description.as_deref().unwrap().contains("vulnerable"));
    }

    #[test]
    fn message_strings_levels_and_locations() {
        let parsed = check(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeScanner","rules":[
              {"id":"C2001","defaultConfiguration":{"level":"note"},
               "messageStrings":{"default":{"text":"Variable \"{0}\" was used.\nDeclared [here]({1})."}}}]}},
              "results":[{"ruleId":"C2001","message":{"id":"default","arguments":["ptr","0"]},
                "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.h"},"region":{"startLine":3}}},
                             {"physicalLocation":{"artifactLocation":{"uri":"b.h"}}}],
                "baselineState":"absent"},
                {"ruleId":"X","level":"warning","message":"plain string",
                 "locations":[{"logicalLocations":[{"fullyQualifiedName":"A.B.c"}]}]}]},
              {"tool":{"driver":{"name":"Other"}},"results":[]}]}"#,
        );
        assert_eq!(parsed.findings.len(), 3);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Variable \"ptr\" was used. Declared [here](0).");
        assert_eq!((f.severity, f.status), (Severity::Info, Status::Mitigated));
        assert_eq!(
            parsed.findings[1].location.file.as_ref().unwrap().path,
            "b.h"
        );
        let g = &parsed.findings[2];
        assert_eq!(
            (g.title.as_str(), g.severity),
            ("plain string", Severity::Medium)
        );
        assert!(g.description.as_deref().unwrap().contains("A.B.c"));
        assert!(g.location.file.is_none());
    }

    #[test]
    fn secrets_are_masked() {
        let parsed = check(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gitleaks"}},"results":[
              {"ruleId":"aws","message":{"text":"AWS key AKIAIOSFODNN7EXAMPLE detected"},
               "properties":{"offender":"AKIAIOSFODNN7EXAMPLE"},
               "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.env"},
                 "region":{"startLine":1,"snippet":{"text":"KEY=AKIAIOSFODNN7EXAMPLE"}}}}]},
              {"ruleId":"aws","message":{"text":"AWS key"},
               "locations":[{"physicalLocation":{"artifactLocation":{"uri":"b.env"},
                 "region":{"startLine":1,"snippet":{"text":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}}}]}]}]}"#,
        );
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("AKIAIOSFODNN7EXAMPLE"), "{json}");
        assert!(!json.contains("wJalrXUtnFEMI"), "{json}");
        assert!(parsed
            .findings
            .iter()
            .all(|f| f.category == Category::Secret && f.secret.is_some()));
    }

    #[test]
    fn semgrep_repeats_merge() {
        let result = r#"{"ruleId":"r.x","message":{"text":"m"},"locations":[{"physicalLocation":
            {"artifactLocation":{"uri":"a.py"},"region":{"startLine":3,"startColumn":1,"endLine":3,"endColumn":9}}}]}"#;
        let parsed = check(&format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"Semgrep OSS"}}}},"results":[{result},{result}]}}]}}"#
        ));
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings[0].occurrences, 2);
    }

    #[test]
    fn ward_runs_give_back_their_fields() {
        let run = |converted_by: &str| {
            format!(
                r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"Trivy","rules":[
                  {{"id":"CVE-2021-1","shortDescription":{{"text":"x"}},
                    "fullDescription":{{"text":"Rule text.  "}},"properties":{{"tags":["external/cwe/cwe-79"]}}}},
                  {{"id":"ward.no-rule"}}]}}}},
                  "properties":{{"convertedBy":"{converted_by}"}},
                  "invocations":[{{"endTimeUtc":"2030-01-01T00:00:00Z"}}],
                  "results":[
                    {{"ruleId":"CVE-2021-1","ruleIndex":0,"level":"error","message":{{"text":"  Two\nlines  "}},
                      "suppressions":[{{"kind":"external","status":"accepted","justification":"out of scope"}}],
                      "properties":{{"security-severity":"9.5","severity":"medium","category":"container",
                        "toolSeverity":"MODERATE","identifiers":["CVE-2021-1","GHSA-aaaa-bbbb-cccc"],
                        "cvss":[{{"version":"3.1","vector":"CVSS:3.1/AV:N","score":5.0}}],
                        "epss":{{"score":0.5,"percentile":0.9}},
                        "package":{{"name":"lodash","version":"1.0","fixedVersion":"2.0"}},
                        "image":{{"name":"alpine:3","os":"alpine 3.17"}},
                        "status":"out_of_scope","externalId":"T-1","scanTime":"2024-05-01T10:00:00Z",
                        "references":["not a url"],"tags":["a"]}}}},
                    {{"ruleId":"ward.no-rule","ruleIndex":1,"message":{{"text":"No rule"}},
                      "locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"a.py"}}}}}}],
                      "properties":{{"severity":"low","snippet":"call(x)","description":"Own text."}}}}]}}]}}"#
            )
        };
        let parsed = check(&run("ward 0.1.0"));
        let f = &parsed.findings[0];
        assert_eq!(f.title, "  Two\nlines  ");
        assert_eq!(
            (f.severity, f.tool_severity.as_deref(), f.category),
            (Severity::Medium, Some("MODERATE"), Category::Container)
        );
        let ids: Vec<&str> = f.identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(ids, ["CVE-2021-1", "GHSA-aaaa-bbbb-cccc"]);
        let package = f.location.package.as_ref().unwrap();
        assert_eq!(
            (package.version.as_deref(), package.fixed_version.as_deref()),
            (Some("1.0"), Some("2.0"))
        );
        assert_eq!(
            f.location.image.as_ref().unwrap().os.as_deref(),
            Some("alpine 3.17")
        );
        assert_eq!((f.cvss.len(), f.epss.unwrap().percentile), (1, Some(0.9)));
        assert_eq!(f.status, Status::OutOfScope);
        assert_eq!(f.external_id.as_deref(), Some("T-1"));
        assert_eq!(f.scan_time.as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(f.description.as_deref(), Some("Rule text.  "));
        assert_eq!((f.references.len(), f.tags.len()), (1, 1));
        let g = &parsed.findings[1];
        assert_eq!((g.rule_id.as_deref(), g.severity), (None, Severity::Low));
        assert_eq!(g.description.as_deref(), Some("Own text."));
        assert_eq!(
            g.location.file.as_ref().unwrap().snippet.as_deref(),
            Some("call(x)")
        );
        assert_eq!(g.scan_time, None);
        // The same properties from another producer are not taken for ward's.
        let parsed = check(&run("someone else"));
        let f = &parsed.findings[0];
        assert_eq!(
            (f.title.as_str(), f.severity),
            ("Two lines", Severity::Critical)
        );
        assert!(f.location.package.is_none() && f.external_id.is_none());
    }

    #[test]
    fn other_json_is_not_sarif() {
        for json in [
            r#"{"version":"1.0","runs":[]}"#,
            r#"{"results":[]}"#,
            r#"{"version":"2.1.0"}"#,
        ] {
            assert!(!Sarif.detect(&Input::new(json.as_bytes())), "{json}");
        }
        assert!(Sarif.parse(&Input::new(b"{\"runs\": []}")).is_err());
    }
}
