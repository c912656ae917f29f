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
//!
//! A log is read twice: a quick first read (`sarif_plan.rs`) finds after which results the
//! findings may be handed over without changing their fingerprints, then the results become
//! findings one at a time as they are read, so a large log is never held whole in memory.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use ward_core::{
    Category, CloudLocation, Confidence, Cvss, Epss, FileLocation, Finding, ImageLocation,
    PackageLocation, Secret, Severity, Status, WebLocation,
};

use super::lenient::{self, Lenient};
use super::sarif_plan::{self, FastBuild, FastHasher, LogField, Plan, RunField};
use super::sast_common::{
    advisory_ids, collapse_whitespace, cwe_numbers, owasp_category, percent_decode, short_title,
    short_title_collapsed, Scalar, StrList,
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
        let mut findings = Vec::new();
        let mut parsed = self.parse_each(input, &mut |batch| findings.extend(batch))?;
        parsed.findings = findings;
        Ok(parsed)
    }

    fn parse_each(
        &self,
        input: &Input<'_>,
        each: &mut dyn FnMut(Vec<Finding>),
    ) -> Result<Parsed, Error> {
        let bytes = input.bytes();
        let Some(plan) = sarif_plan::plan(bytes, is_sarif) else {
            // Not a log the streaming reader can plan for: read whole (which also gives the
            // error, with its field path, when it is broken).
            let mut parsed = read_whole(bytes)?;
            let findings = std::mem::take(&mut parsed.findings);
            if !findings.is_empty() {
                each(findings);
            }
            return Ok(parsed);
        };
        let mut reader = Reader {
            plan: &plan,
            parsed: Parsed::default(),
            each,
            n_runs: 0,
            n_results: 0,
        };
        let mut deserializer = serde_json::Deserializer::from_slice(
            bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes),
        );
        let outcome = DocumentSeed {
            reader: &mut reader,
        }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
        if let Err(e) = outcome {
            // Read again with the plain wire types: that error names the field path.
            return Err(de::json::<Log>(bytes)
                .err()
                .unwrap_or_else(|| de::json_error(&e)));
        }
        reader.flush();
        Ok(reader.parsed)
    }
}

/// Whether a log's `version` or `$schema` says it is SARIF 2.x.
fn is_sarif(version: Option<&Scalar>, schema: Option<&str>) -> bool {
    let version_2 = version
        .and_then(Scalar::text)
        .is_some_and(|v| v.starts_with('2'));
    let schema = schema.is_some_and(|s| s.to_ascii_lowercase().contains("sarif"));
    version_2 || schema
}

/// Reads a whole log into its wire types, then makes the findings.
fn read_whole(bytes: &[u8]) -> Result<Parsed, Error> {
    let log: Log = de::json(bytes)?;
    if !is_sarif(log.version.as_ref(), log.schema.as_deref()) {
        return Err(Error::WrongFormat {
            format: "sarif",
            reason: "no SARIF 2.x `version` and no SARIF `$schema`".into(),
        });
    }
    let mut parsed = Parsed::default();
    for (index, run) in log.runs.unwrap_or_default().iter().enumerate() {
        let mut reader = RunReader::new(index, RunParts::of(run), &mut parsed);
        for (i, result) in run.results.iter().flatten().enumerate() {
            reader.add(i, result, &mut parsed);
        }
    }
    Ok(parsed)
}

/// The fewest findings handed over at once (fewer only at the end): a batch costs the caller
/// some work of its own, and a few hundred findings take little memory. Each finding in its own
/// batch where possible in tests, which check where batches may end.
#[cfg(not(test))]
const MIN_BATCH: usize = 256;
#[cfg(test)]
const MIN_BATCH: usize = 1;

/// The streaming read of a log: each run's results become findings as they are read (or at
/// the end of the run, when what they draw on comes after them), and the findings go to the
/// caller where the [`Plan`] allows.
struct Reader<'p> {
    plan: &'p Plan,
    parsed: Parsed,
    each: &'p mut dyn FnMut(Vec<Finding>),
    n_runs: usize,
    /// Results read so far, over all runs.
    n_results: usize,
}

impl Reader<'_> {
    fn flush(&mut self) {
        if !self.parsed.findings.is_empty() {
            (self.each)(std::mem::take(&mut self.parsed.findings));
        }
    }

    /// Counts a result read, and hands the findings over if there are enough of them and no
    /// later result can share a fingerprint rank (or a Semgrep merge) with them.
    fn after_result(&mut self, seen: &mut Seen) {
        let index = self.n_results;
        self.n_results += 1;
        if self.parsed.findings.len() >= MIN_BATCH
            && self.plan.flush_after.get(index) == Some(&true)
        {
            self.flush();
            seen.clear();
        }
    }
}

struct DocumentSeed<'r, 'p> {
    reader: &'r mut Reader<'p>,
}

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SARIF log")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<LogField>()? {
            match field {
                LogField::Version => {
                    map.next_value::<Option<Scalar>>()?;
                }
                LogField::Schema => {
                    map.next_value::<Option<String>>()?;
                }
                LogField::Runs => map.next_value_seed(RunsSeed {
                    reader: &mut *self.reader,
                })?,
                LogField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct RunsSeed<'r, 'p> {
    reader: &'r mut Reader<'p>,
}

impl<'de> DeserializeSeed<'de> for RunsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RunsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of SARIF runs")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(RunSeed {
                reader: &mut *self.reader,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct RunSeed<'r, 'p> {
    reader: &'r mut Reader<'p>,
}

impl<'de> DeserializeSeed<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RunSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a SARIF run")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reader = self.reader;
        let run_index = reader.n_runs;
        reader.n_runs += 1;
        let stream = reader.plan.stream_runs.get(run_index) == Some(&true);
        let mut tool: Option<Tool> = None;
        let mut invocations: Option<Vec<Invocation>> = None;
        let mut artifacts: Option<Vec<Artifact>> = None;
        let mut properties: Option<RunProps> = None;
        let mut results: Option<Vec<SarifResult>> = None;
        let mut streamed = false;
        while let Some(field) = map.next_key::<RunField>()? {
            match field {
                // Everything the results draw on has been read (the plan says so): they
                // become findings one at a time.
                RunField::Results if stream && !streamed => {
                    let parts = RunParts {
                        tool: tool.as_ref(),
                        invocations: invocations.as_deref(),
                        artifacts: artifacts.as_deref(),
                        properties: properties.as_ref(),
                    };
                    let mut run = RunReader::new(run_index, parts, &mut reader.parsed);
                    map.next_value_seed(ResultsSeed {
                        run: &mut run,
                        reader: &mut *reader,
                    })?;
                    streamed = true;
                }
                RunField::Results => results = map.next_value()?,
                RunField::Tool => tool = map.next_value()?,
                RunField::Invocations => invocations = map.next_value()?,
                RunField::Artifacts => artifacts = map.next_value()?,
                RunField::Properties => properties = map.next_value()?,
                RunField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !streamed {
            let parts = RunParts {
                tool: tool.as_ref(),
                invocations: invocations.as_deref(),
                artifacts: artifacts.as_deref(),
                properties: properties.as_ref(),
            };
            let mut run = RunReader::new(run_index, parts, &mut reader.parsed);
            for (index, result) in results.iter().flatten().enumerate() {
                run.add(index, result, &mut reader.parsed);
                reader.after_result(&mut run.seen);
            }
        }
        Ok(())
    }
}

struct ResultsSeed<'a, 'b, 'r, 'p> {
    run: &'b mut RunReader<'a>,
    reader: &'r mut Reader<'p>,
}

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of SARIF results")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(result) = seq.next_element::<SarifResult>()? {
            self.run.add(index, &result, &mut self.reader.parsed);
            self.reader.after_result(&mut self.run.seen);
            index += 1;
        }
        Ok(())
    }
}

/// The rules of one run, by id and by position, each with what its findings take from it.
struct Rules<'a> {
    /// Driver first, then each extension, each in its own order.
    components: Vec<&'a [Rule]>,
    /// What the findings take from each rule, in the same places, made once per rule.
    infos: Vec<Vec<RuleInfo>>,
    /// Component and position of the first rule with each id.
    by_id: HashMap<&'a str, (usize, usize), FastBuild>,
}

/// What every finding of a rule takes from it.
struct RuleInfo {
    short: Option<RuleText>,
    full: Option<RuleText>,
    help: Option<RuleText>,
    /// The help is a bare link (a reference, not remediation text).
    help_is_link: bool,
    tags: Vec<String>,
    /// Identifiers from the rule's relationships, tags and properties, in order.
    identifiers: Vec<RuleIdentifier>,
    /// The CVE and GHSA ids in the rule's id.
    advisories: Vec<String>,
}

/// A rule's text, with its whitespace collapsed for comparing.
struct RuleText {
    text: String,
    collapsed: String,
}

enum RuleIdentifier {
    Cwe(String),
    Id(String),
}

impl RuleInfo {
    fn of(rule: &Rule, globals: Option<&HashMap<String, Message>>) -> RuleInfo {
        let text = |message: Option<&Message>| {
            let text = message_text(message?, Some(rule), globals)?;
            Some(RuleText {
                collapsed: collapse_whitespace(&text),
                text,
            })
        };
        let help = text(rule.help.as_ref());
        let help_is_link = help.as_ref().is_some_and(|h| {
            h.text.starts_with("http") && !h.text.trim().contains(char::is_whitespace)
        });
        let mut identifiers = Vec::new();
        let cwe = |n: &u32| RuleIdentifier::Cwe(n.to_string());
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
                Some(n) => identifiers.push(cwe(n)),
                None if cwe_component => identifiers.push(RuleIdentifier::Cwe(id.to_string())),
                None => {}
            }
        }
        let props = rule.properties.as_ref();
        for tag in props
            .iter()
            .flat_map(|p| p.tags.iter())
            .flat_map(StrList::iter)
        {
            identifiers.extend(cwe_numbers(tag).iter().map(cwe));
            if let Some(owasp) = owasp_category(tag) {
                identifiers.push(RuleIdentifier::Id(owasp));
            }
        }
        for text in props
            .iter()
            .flat_map(|p| p.cwe.iter())
            .flat_map(StrList::iter)
        {
            identifiers.extend(cwe_numbers(text).iter().map(cwe));
        }
        RuleInfo {
            short: text(rule.short_description.as_ref()),
            full: text(rule.full_description.as_ref()),
            help,
            help_is_link,
            tags: props
                .and_then(|p| p.tags.as_ref())
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            identifiers,
            advisories: rule
                .id
                .as_deref()
                .map(|id| advisory_ids(id.trim()))
                .unwrap_or_default(),
        }
    }
}

impl<'a> Rules<'a> {
    fn of(tool: Option<&'a Tool>, globals: Option<&HashMap<String, Message>>) -> Rules<'a> {
        let mut components: Vec<&'a [Rule]> = Vec::new();
        if let Some(tool) = tool {
            components.push(
                tool.driver
                    .as_ref()
                    .and_then(|d| d.rules.as_deref())
                    .unwrap_or_default(),
            );
            for extension in tool.extensions.iter().flatten() {
                components.push(extension.rules.as_deref().unwrap_or_default());
            }
        }
        let mut by_id = HashMap::default();
        for (c, rules) in components.iter().enumerate() {
            for (i, rule) in rules.iter().enumerate() {
                if let Some(id) = rule.id.as_deref() {
                    by_id.entry(id).or_insert((c, i));
                }
            }
        }
        let infos = components
            .iter()
            .map(|rules| rules.iter().map(|r| RuleInfo::of(r, globals)).collect())
            .collect();
        Rules {
            components,
            infos,
            by_id,
        }
    }

    fn at(&self, (component, index): (usize, usize)) -> Option<(&'a Rule, &RuleInfo)> {
        let rule = self.components.get(component)?.get(index)?;
        let info = self.infos.get(component)?.get(index)?;
        Some((rule, info))
    }

    fn find(&self, result: &SarifResult) -> Option<(&'a Rule, &RuleInfo)> {
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
            let found = usize::try_from(index)
                .ok()
                .and_then(|i| self.at((component, i)));
            if let Some(found) = found.filter(|(r, _)| id.is_none() || r.id.as_deref() == id) {
                return Some(found);
            }
        }
        let id = id?;
        let at = self.by_id.get(id).copied().or_else(|| {
            // Hierarchical ids (`C2001/1`) name a sub-rule of `C2001`.
            let (parent, _) = id.rsplit_once('/')?;
            self.by_id.get(parent).copied()
        })?;
        self.at(at)
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

/// The parts of a run its results draw on.
struct RunParts<'a> {
    tool: Option<&'a Tool>,
    invocations: Option<&'a [Invocation]>,
    artifacts: Option<&'a [Artifact]>,
    properties: Option<&'a RunProps>,
}

impl<'a> RunParts<'a> {
    fn of(run: &'a Run) -> RunParts<'a> {
        RunParts {
            tool: run.tool.as_ref(),
            invocations: run.invocations.as_deref(),
            artifacts: run.artifacts.as_deref(),
            properties: run.properties.as_ref(),
        }
    }
}

/// Turns one run's results into findings, merging Semgrep's repeats.
struct RunReader<'a> {
    index: usize,
    context: RunContext<'a>,
    seen: Seen,
}

impl<'a> RunReader<'a> {
    /// Reads what the run's results share; the first run names the log's tool and scan time.
    fn new(index: usize, run: RunParts<'a>, parsed: &mut Parsed) -> RunReader<'a> {
        let driver = run.tool.and_then(|t| t.driver.as_ref());
        let tool =
            non_empty(driver.and_then(|d| d.name.as_deref())).unwrap_or_else(|| "SARIF".into());
        let lower = tool.to_ascii_lowercase();
        let scan_time = run
            .invocations
            .iter()
            .copied()
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
            .and_then(|p| p.converted_by.as_deref())
            .is_some_and(|c| c.trim_start().starts_with("ward"));
        let globals = driver.and_then(|d| d.global_message_strings.as_ref());
        let context = RunContext {
            rules: Rules::of(run.tool, globals),
            globals,
            artifacts: run.artifacts.unwrap_or_default(),
            scan_time,
            secret_scanner: SECRET_SCANNERS.iter().any(|s| lower.contains(s)),
            gitleaks: lower.contains("gitleaks"),
            // ward wrote one result per finding, merged already where they should be.
            merge_repeats: lower.starts_with("semgrep") && !by_ward,
            by_ward,
            tool,
        };
        RunReader {
            index,
            context,
            seen: Seen::default(),
        }
    }

    /// Adds the findings of the run's result number `index`.
    fn add(&mut self, index: usize, result: &SarifResult, parsed: &mut Parsed) {
        let kind = result.kind.as_deref().unwrap_or("fail");
        if matches!(kind, "pass" | "notApplicable" | "informational") {
            return;
        }
        let Some(findings) = findings(&self.context, result) else {
            parsed.warnings.push(format!(
                "runs[{}].results[{index}]: no message, rule or rule id to name it; skipped",
                self.index
            ));
            return;
        };
        for finding in findings {
            if self.context.merge_repeats {
                if let Some(at) = self.seen.repeat_of(&finding, &parsed.findings) {
                    if let Some(first) = parsed.findings.get_mut(at) {
                        first.occurrences += 1;
                        continue;
                    }
                }
            }
            parsed.findings.push(finding);
        }
    }
}

/// Where the findings merged by rule and exact place were first seen (positions in the
/// findings not yet handed over).
#[derive(Default)]
struct Seen {
    /// By a hash of the merge key: the first finding with that hash.
    first: HashMap<u64, usize, FastBuild>,
    /// Findings whose key hashes like another's, by the whole key.
    collided: HashMap<MergeKey, usize>,
}

type MergeKey = (
    Option<String>,
    String,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
);

type PlaceRef<'f> = (
    Option<&'f str>,
    &'f str,
    Option<u32>,
    Option<u32>,
    Option<u32>,
    Option<u32>,
);

fn place(f: &Finding) -> PlaceRef<'_> {
    let file = f.location.file.as_ref();
    (
        f.rule_id.as_deref(),
        file.map_or("", |l| l.path.as_str()),
        file.and_then(|l| l.start_line),
        file.and_then(|l| l.start_column),
        file.and_then(|l| l.end_line),
        file.and_then(|l| l.end_column),
    )
}

impl Seen {
    fn clear(&mut self) {
        if !self.first.is_empty() {
            self.first.clear();
            self.collided.clear();
        }
    }

    /// The position of an earlier finding at the same place with the same rule; if there is
    /// none, the finding is recorded as the one that will be pushed next.
    fn repeat_of(&mut self, finding: &Finding, findings: &[Finding]) -> Option<usize> {
        use std::collections::hash_map::Entry;
        use std::hash::{Hash, Hasher};
        let key = place(finding);
        let mut hasher = FastHasher::default();
        key.hash(&mut hasher);
        let at = match self.first.entry(hasher.finish()) {
            Entry::Vacant(slot) => {
                slot.insert(findings.len());
                return None;
            }
            Entry::Occupied(slot) => *slot.get(),
        };
        if findings.get(at).is_some_and(|first| place(first) == key) {
            return Some(at);
        }
        let (rule, path, a, b, c, d) = key;
        match self
            .collided
            .entry((rule.map(str::to_string), path.to_string(), a, b, c, d))
        {
            Entry::Occupied(slot) => Some(*slot.get()),
            Entry::Vacant(slot) => {
                slot.insert(findings.len());
                None
            }
        }
    }
}

/// The text of a message: its own text or markdown, or the rule's (or the driver's global)
/// message string it names, with `{n}` placeholders filled from its arguments.
fn message_text(
    message: &Message,
    rule: Option<&Rule>,
    globals: Option<&HashMap<String, Message>>,
) -> Option<String> {
    let own = trimmed(message.text.as_deref()).or_else(|| trimmed(message.markdown.as_deref()));
    let template = own.or_else(|| {
        let id = message.id.as_deref()?;
        let named = rule
            .and_then(|r| r.message_strings.as_ref())
            .and_then(|m| m.get(id))
            .or_else(|| globals.and_then(|g| g.get(id)))?;
        trimmed(named.text.as_deref()).or_else(|| trimmed(named.markdown.as_deref()))
    })?;
    Some(substitute(template, &message.arguments))
}

/// A text without its surrounding whitespace, unless nothing is left.
fn trimmed(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Fills `{0}`, `{1}` … from the arguments; `{{` and `}}` are literal braces.
fn substitute(template: &str, arguments: &[String]) -> String {
    if !template.bytes().any(|b| matches!(b, b'{' | b'}')) {
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

fn add_identifiers(f: &mut Finding, result: &SarifResult, rule: Option<(&Rule, &RuleInfo)>) {
    // Most findings take their rule id from their rule, whose advisories are known already.
    let cached = rule.filter(|(r, _)| r.id.as_deref().map(str::trim) == f.rule_id.as_deref());
    let advisories = match cached {
        Some((_, info)) => info.advisories.clone(),
        None => f.rule_id.as_deref().map(advisory_ids).unwrap_or_default(),
    };
    for id in &advisories {
        f.add_id(id);
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
    for id in rule.iter().flat_map(|(_, info)| info.identifiers.iter()) {
        match id {
            RuleIdentifier::Cwe(cwe) => f.add_cwe(cwe),
            RuleIdentifier::Id(id) => f.add_id(id),
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
    let found = context.rules.find(result);
    let rule = found.map(|(rule, _)| rule);
    let info = found.map(|(_, info)| info);
    let message = result
        .message
        .as_ref()
        .and_then(|m| message_text(m, rule, context.globals));
    let message_collapsed = message.as_deref().map(collapse_whitespace);
    let rule_id = non_empty(
        result
            .rule_id
            .as_deref()
            .or(result.rule.as_ref().and_then(|r| r.id.as_deref()))
            .or(rule.and_then(|r| r.id.as_deref())),
    );
    let short = info.and_then(|i| i.short.as_ref());
    let full = info.and_then(|i| i.full.as_ref());
    // ward wrote its title as the message: it is taken as it is, not shortened.
    let ward_title = result
        .message
        .as_ref()
        .and_then(|m| m.text.clone())
        .filter(|_| context.by_ward);
    let title = match (ward_title, &message_collapsed) {
        (Some(title), _) => title,
        (None, Some(collapsed)) => short_title_collapsed(collapsed, TITLE_MAX),
        (None, None) => match short.or(full) {
            Some(text) => short_title_collapsed(&text.collapsed, TITLE_MAX),
            None => short_title(
                &rule
                    .and_then(|r| non_empty(r.name.as_deref()))
                    .or_else(|| rule_id.clone())?,
                TITLE_MAX,
            ),
        },
    };

    let mut description = Vec::new();
    if let (Some(message), Some(collapsed)) = (message, &message_collapsed) {
        if message.trim() != title.trim() && *collapsed != title {
            description.push(if message.trim().len() == message.len() {
                message
            } else {
                message.trim().to_string()
            });
        }
    }
    // A rule text says something new unless it is (whitespace aside) the message or the
    // title; the message is all the description can hold before it.
    let fresh = |t: &&RuleText| {
        !t.text.trim().is_empty()
            && Some(&t.collapsed) != message_collapsed.as_ref()
            && t.collapsed != title
    };
    if let Some(text) = full.filter(fresh).or_else(|| short.filter(fresh)) {
        description.push(text.text.trim().to_string());
    }
    let help = info.and_then(|i| i.help.as_ref());
    let help_is_link = info.is_some_and(|i| i.help_is_link);
    let fixes: Vec<String> = result
        .fixes
        .iter()
        .flatten()
        .filter_map(|f| f.description.as_ref())
        .filter_map(|m| message_text(m, rule, context.globals))
        .collect();
    let remediation = if fixes.is_empty() {
        // Nor the description's rule text.
        let said = |text: Option<&RuleText>, help: &RuleText| {
            text.is_some_and(|t| t.collapsed == help.collapsed)
        };
        help.filter(fresh)
            .filter(|h| !said(full, h) && !said(short, h) && !help_is_link)
            .map(|h| h.text.trim().to_string())
    } else {
        Some(fixes.join("\n"))
    };

    let mut base = Finding::new(context.tool.clone(), Category::Sast, title);
    base.rule_id = rule_id;
    let (severity, tool_severity) = severity(result, rule);
    base.severity = severity;
    base.tool_severity = tool_severity;
    base.confidence = confidence(result, rule);
    add_identifiers(&mut base, result, rule.zip(info));
    if let Some(rule) = rule {
        if let Some(uri) = rule.help_uri.as_deref() {
            base.add_reference(uri);
        }
    }
    if help_is_link {
        if let Some(help) = help {
            base.add_reference(&help.text);
        }
    }
    base.remediation = remediation;
    base.external_id = external_id(result);
    base.status = status(result);
    base.scan_time.clone_from(&context.scan_time);
    base.tags = info.map(|i| i.tags.clone()).unwrap_or_default();

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
    let n_locations = locations.len();
    let mut out = Vec::with_capacity(n_locations);
    // Each location gets a copy; the last one takes the original.
    let mut shared = Some((base, description));
    for (i, location) in locations.into_iter().enumerate() {
        let (mut f, mut description) = if i + 1 == n_locations {
            shared.take()?
        } else {
            let (base, description) = shared.as_ref()?;
            (base.clone(), description.clone())
        };
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
        f.description = match description.len() {
            0 => None,
            1 => description.pop(),
            _ => Some(description.join("\n\n")),
        };
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
    // Gitleaks 8 writes the secret itself as the region's snippet.
    let clear = clear.map(str::to_string).or_else(|| {
        context
            .gitleaks
            .then(|| f.location.file.as_ref().and_then(|l| l.snippet.clone()))
            .flatten()
    });
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
    /// Reads a log in batches and whole, checks both give what the plain whole read gives (with
    /// fingerprints over all findings at once), and returns the batches' sizes.
    fn batch_sizes(json: &str) -> Vec<usize> {
        let bytes = json.as_bytes();
        let mut plain = read_whole(bytes).unwrap().findings;
        ward_core::fingerprint::assign(&mut plain);
        let whole = crate::import(bytes, Some("sarif")).unwrap().parsed.findings;
        assert_eq!(whole, plain);
        let mut batches: Vec<Vec<Finding>> = Vec::new();
        let imported = crate::import_each(bytes, Some("sarif"), &mut |b| batches.push(b)).unwrap();
        assert!(imported.parsed.findings.is_empty());
        assert_eq!(batches.concat(), whole);
        batches.iter().map(Vec::len).collect()
    }

    fn result(rule: &str, file: &str, line: u32) -> String {
        format!(
            r#"{{"ruleId":"{rule}","message":{{"text":"m {line}"}},"locations":[{{"physicalLocation":
              {{"artifactLocation":{{"uri":"{file}"}},"region":{{"startLine":{line}}}}}}}]}}"#
        )
    }

    fn log(runs: &[String]) -> String {
        format!(r#"{{"version":"2.1.0","runs":[{}]}}"#, runs.join(","))
    }

    fn run(driver: &str, results: &[String]) -> String {
        format!(
            r#"{{"tool":{{"driver":{{"name":"{driver}","rules":[{{"id":"r"}},{{"id":"s"}}]}}}},"results":[{}]}}"#,
            results.join(",")
        )
    }

    #[test]
    fn batches_end_only_where_no_later_result_shares_rule_and_file() {
        // The first and third results are ranked together (line 5 before line 10).
        let results = [
            result("r", "f.py", 10),
            result("r", "g.py", 1),
            result("r", "./f.py", 5),
            result("s", "f.py", 1),
            result("r", "h.py", 1),
        ];
        assert_eq!(batch_sizes(&log(&[run("X", &results)])), [3, 1, 1]);
        // Ranks run across runs too.
        let runs = [
            run("X", &[result("r", "f.py", 10), result("r", "g.py", 1)]),
            run("Y", &[result("r", "f.py", 5)]),
        ];
        assert_eq!(batch_sizes(&log(&runs)), [3]);
        // A rule known only by its index could be any rule: the file alone decides.
        let by_index = r#"{"ruleIndex":1,"message":{"text":"i"},"locations":[{"physicalLocation":
            {"artifactLocation":{"uri":"f.py"},"region":{"startLine":1}}}]}"#;
        let results = [
            result("s", "f.py", 9),
            result("r", "g.py", 1),
            by_index.to_string(),
            result("r", "h.py", 1),
        ];
        assert_eq!(batch_sizes(&log(&[run("X", &results)])), [3, 1]);
        // Results without a file share the rank of `other` findings.
        let results = [
            r#"{"ruleId":"r","message":{"text":"a"}}"#.to_string(),
            result("r", "g.py", 1),
            r#"{"ruleId":"r","message":{"text":"b"},"locations":[]}"#.to_string(),
        ];
        assert_eq!(batch_sizes(&log(&[run("X", &results)])), [3]);
    }

    #[test]
    fn semgrep_repeats_merge_across_other_results() {
        let results = [
            result("r", "f.py", 1),
            result("r", "g.py", 1),
            result("r", "f.py", 1),
            result("r", "h.py", 1),
        ];
        assert_eq!(batch_sizes(&log(&[run("semgrep", &results)])), [2, 1]);
    }

    #[test]
    fn run_parts_after_the_results_are_waited_for() {
        // Tool, artifacts and invocations after the results: the run is read whole, and an
        // artifact index names the file.
        let json = r#"{"$schema":"sarif-2.1.0","runs":[{
            "results":[{"ruleId":"r","message":{"text":"a"},"locations":[{"physicalLocation":
                {"artifactLocation":{"index":0},"region":{"startLine":3}}}]},
              {"ruleId":"r","message":{"text":"b"},"locations":[{"physicalLocation":
                {"artifactLocation":{"uri":"src/a.py"},"region":{"startLine":1}}}]}],
            "tool":{"driver":{"name":"Late","rules":[{"id":"r","fullDescription":{"text":"Rule r."}}]}},
            "artifacts":[{"location":{"uri":"src/a.py"}}],
            "invocations":[{"endTimeUtc":"2024-01-01T00:00:00Z"}]}]}"#;
        assert_eq!(batch_sizes(json), [2]);
        let parsed = check(json);
        let f = &parsed.findings[0];
        assert_eq!(
            (f.tool.as_str(), f.scan_time.as_deref()),
            ("Late", Some("2024-01-01T00:00:00Z"))
        );
        assert_eq!(f.location.file.as_ref().unwrap().path, "src/a.py");
        assert_eq!(f.description.as_deref(), Some("Rule r."));
    }

    #[test]
    fn broken_logs_fail_as_when_read_whole() {
        let whole = |json: &str| read_whole(json.as_bytes()).unwrap_err().to_string();
        for json in [
            // A type the first read skips, the second reads.
            r#"{"version":"2.1.0","runs":[{"results":[{"ruleId":"r","level":7,"message":{"text":"a"}}]}]}"#,
            r#"{"version":"2.1.0","runs":[{"results":[{"ruleId":"r","message":{"text":"a"}},]}]}"#,
            r#"{"version":"2.1.0","runs":[{"results":[],"results":[]}]}"#,
            r#"{"version":"1.0","runs":[]}"#,
            r#"{"version":"2.1.0","runs":[{"results":[{"ruleId":"r","message":{"text":"a"}}]}]"#,
        ] {
            let err = Sarif.parse(&Input::new(json.as_bytes())).unwrap_err();
            assert_eq!(err.to_string(), whole(json), "{json}");
        }
    }
}
