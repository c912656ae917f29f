//! TruffleHog JSON output, one JSON object per line: v3 and later (`SourceMetadata`,
//! `DetectorName`, `Verified`, `Raw` …) and the v2 shape (`path`, `reason`, `stringsFound`,
//! `commitHash` …). <https://github.com/trufflesecurity/trufflehog>
//!
//! Secrets never leave the parser in clear: TruffleHog v3 writes the found value in `Raw`
//! (base64-encoded by early v3 releases, plain text since) and often in `RawV2` and `Redacted`;
//! v2 writes the matched strings in `stringsFound`. The finding keeps a masked, hashed
//! [`Secret`], and every text field is cleaned of all of these values.
//!
//! v2 reports one entry per commit a rule fired in: entries for the same file and reason are
//! merged into one finding (`occurrences`). v3 entries are merged when detector, source location
//! (file, line, commit) and secret are the same.
//!
//! The v2 mapping is shared with trufflehog3's legacy shape, which has the same fields.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;
use ward_core::{
    Category, Confidence, FileLocation, Finding, ImageLocation, Location, Secret, Severity,
};

use super::secret_common::{
    decode_base64, masked_with_hash, Clears, HARD_CODED_CREDENTIALS, SECRET_REMEDIATION,
};
use crate::util::{first_line, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// TruffleHog, v2 and v3.
pub(crate) struct Trufflehog;

const TOOL: &str = "TruffleHog";

/// One line of either generation; a line uses one set of fields or the other.
#[derive(Deserialize)]
struct Line {
    // v3
    #[serde(rename = "SourceMetadata")]
    source_metadata: Option<SourceMetadata>,
    #[serde(rename = "SourceName")]
    source_name: Option<String>,
    #[serde(rename = "DetectorName")]
    detector_name: Option<String>,
    #[serde(rename = "DetectorDescription")]
    detector_description: Option<String>,
    #[serde(rename = "DecoderName")]
    decoder_name: Option<String>,
    #[serde(rename = "Verified")]
    verified: Option<bool>,
    #[serde(rename = "VerificationError")]
    verification_error: Option<String>,
    #[serde(rename = "Raw")]
    raw: Option<String>,
    #[serde(rename = "RawV2")]
    raw_v2: Option<String>,
    #[serde(rename = "Redacted")]
    redacted: Option<String>,
    #[serde(rename = "ExtraData")]
    extra_data: Option<serde_json::Map<String, Value>>,
    // v2
    path: Option<String>,
    reason: Option<String>,
    #[serde(rename = "stringsFound")]
    strings_found: Option<Vec<String>>,
    /// The commit message.
    commit: Option<String>,
    #[serde(rename = "commitHash")]
    commit_hash: Option<String>,
    date: Option<String>,
    branch: Option<String>,
}

#[derive(Deserialize)]
struct SourceMetadata {
    /// One entry, keyed by the source kind (`Git`, `Github`, `Filesystem`, `Docker` …).
    #[serde(rename = "Data")]
    data: Option<BTreeMap<String, SourceData>>,
}

/// The fields the source kinds use; each kind fills some of them.
#[derive(Deserialize)]
struct SourceData {
    file: Option<String>,
    filename: Option<String>,
    path: Option<String>,
    line: Option<i64>,
    commit: Option<String>,
    email: Option<String>,
    repository: Option<String>,
    timestamp: Option<String>,
    link: Option<String>,
    image: Option<String>,
    layer: Option<String>,
    bucket: Option<String>,
}

impl Parser for Trufflehog {
    fn id(&self) -> &'static str {
        "trufflehog"
    }

    fn name(&self) -> &'static str {
        TOOL
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Trufflehog Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        // Both generations write JSON Lines, so the sniff is the first object (never an array).
        let Some(first) = input.json().filter(|v| v.is_object()) else {
            return false;
        };
        let has = |k: &str| first.get(k).is_some();
        (has("SourceMetadata") && has("DetectorName"))
            || (has("path") && has("reason") && has("stringsFound") && has("commitHash"))
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let text = input.text()?;
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        // TruffleHog writes JSON Lines; a JSON array of the same objects is read too.
        let lines: Box<dyn Iterator<Item = Result<(usize, Line), Error>>> =
            if text.trim_start().starts_with('[') {
                let all: Vec<Line> = de::json(text.as_bytes())?;
                Box::new(all.into_iter().enumerate().map(|(i, l)| Ok((i + 1, l))))
            } else {
                Box::new(de::json_lines::<Line>(text))
            };
        let mut legacy = LegacyMerger::new(TOOL, false);
        let mut v3: Vec<Finding> = Vec::new();
        let mut seen: HashMap<V3Key, usize> = HashMap::new();
        let (mut n_entries, mut n_unknown) = (0usize, 0usize);
        for item in lines {
            let (number, line) = item?;
            n_entries += 1;
            if line.source_metadata.is_some() || line.detector_name.is_some() {
                let (key, finding) = v3_finding(line);
                match seen.get(&key).and_then(|&at| v3.get_mut(at)) {
                    Some(existing) => existing.occurrences += 1,
                    None => {
                        seen.insert(key, v3.len());
                        v3.push(finding);
                    }
                }
            } else if line.reason.is_some() && line.strings_found.is_some() {
                let entry = Legacy {
                    path: line.path,
                    reason: line.reason,
                    strings_found: line.strings_found.unwrap_or_default(),
                    commit_message: line.commit,
                    commit_hash: line.commit_hash,
                    date: line.date,
                    branch: line.branch,
                };
                if let Err(why) = legacy.add(entry) {
                    parsed
                        .warnings
                        .push(format!("line {number}: {why}; skipped"));
                }
            } else {
                n_unknown += 1;
                parsed.warnings.push(format!(
                    "line {number}: neither a TruffleHog v2 nor a v3 entry; skipped"
                ));
            }
        }
        if n_entries > 0 && n_unknown == n_entries {
            return Err(Error::WrongFormat {
                format: "trufflehog",
                reason: "no line has TruffleHog's v3 (`SourceMetadata`, `DetectorName`) or v2 \
                         (`reason`, `stringsFound`) fields"
                    .into(),
            });
        }
        parsed.findings = legacy.finish();
        parsed.findings.extend(v3);
        Ok(parsed)
    }
}

/// Detector, source kind, file, line, commit and secret hash.
type V3Key = (String, String, String, Option<u32>, String, String);

fn v3_finding(line: Line) -> (V3Key, Finding) {
    let detector = non_empty(line.detector_name.as_deref()).unwrap_or_else(|| "Secret".into());
    let (kind, data) = line
        .source_metadata
        .and_then(|m| m.data)
        .and_then(|d| d.into_iter().next())
        .map_or((String::new(), None), |(kind, data)| (kind, Some(data)));

    // The clear values this entry holds, in every form the report may repeat them in.
    let redacted = line.redacted.unwrap_or_default();
    let mut clears = Clears::default();
    let mut clear = None;
    if let Some(raw) = line.raw.as_deref().filter(|r| !r.trim().is_empty()) {
        let value = clear_raw(raw, &redacted);
        clears.add(raw);
        clears.add(&value);
        clear = Some(value);
    }
    if let Some(raw_v2) = line.raw_v2.as_deref().filter(|r| !r.trim().is_empty()) {
        clears.add(raw_v2);
        if let Some(decoded) = printable_base64(raw_v2) {
            clears.add(&decoded);
        }
        clear.get_or_insert_with(|| clear_raw(raw_v2, &redacted));
    }
    let secret = clear.as_deref().map(Secret::from_clear);

    let text = |s: Option<&str>| non_empty(s).map(|s| clears.redact(&s));
    let data_field = |get: fn(&SourceData) -> Option<&String>| {
        data.as_ref()
            .and_then(get)
            .and_then(|s| text(Some(s.as_str())))
    };
    let file = data_field(|d| d.file.as_ref().or(d.filename.as_ref()).or(d.path.as_ref()));
    let line_number = data
        .as_ref()
        .and_then(|d| d.line)
        .and_then(|l| u32::try_from(l).ok());
    let commit = data_field(|d| d.commit.as_ref());
    let repository = data_field(|d| d.repository.as_ref());
    let link = data_field(|d| d.link.as_ref());
    let image = data_field(|d| d.image.as_ref());
    let bucket = data_field(|d| d.bucket.as_ref());
    let source_name = text(line.source_name.as_deref());

    let place = file
        .clone()
        .or_else(|| image.clone())
        .or_else(|| bucket.clone())
        .or_else(|| link.clone())
        .or_else(|| repository.clone())
        .or_else(|| source_name.clone());
    let title = match &place {
        Some(place) => format!("{detector} secret found in {place}"),
        None => format!("{detector} secret found"),
    };
    let mut f = Finding::new(TOOL, Category::Secret, clears.redact(&title));
    f.verified = line.verified.unwrap_or(false);
    if f.verified {
        f.severity = Severity::Critical;
        f.confidence = Some(Confidence::High);
    } else {
        f.severity = Severity::High;
    }
    f.rule_id = Some(clears.redact(&detector));
    f.add_cwe(HARD_CODED_CREDENTIALS);
    f.location = Location {
        file: file
            .clone()
            .map(|path| FileLocation::new(path, line_number)),
        image: image.clone().map(|name| ImageLocation {
            name,
            layer: data_field(|d| d.layer.as_ref()),
            ..ImageLocation::default()
        }),
        ..Location::default()
    };

    let mut description = Vec::new();
    if let Some(d) = text(line.detector_description.as_deref()) {
        description.push(d);
    }
    let labelled = [
        ("Source", source_name.clone()),
        ("Repository", repository),
        ("Bucket", bucket),
        ("Commit", commit.clone()),
        ("Author", data_field(|d| d.email.as_ref())),
        ("Date", data_field(|d| d.timestamp.as_ref())),
        ("Link", link.clone()),
        ("Decoder", text(line.decoder_name.as_deref())),
        (
            "Verification error",
            text(line.verification_error.as_deref()),
        ),
    ];
    for (label, value) in labelled {
        if let Some(value) = value {
            description.push(format!("{label}: {value}"));
        }
    }
    if let Some(extra) = line.extra_data.as_ref().filter(|e| !e.is_empty()) {
        description.push("Extra data:".into());
        for (key, value) in extra {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            description.push(format!("  {}: {}", key, clears.redact(&value)));
        }
    }
    if !description.is_empty() {
        f.description = Some(description.join("\n"));
    }
    if !redacted.trim().is_empty() {
        f.evidence = Some(format!("Redacted: {}", clears.redact(redacted.trim())));
    }
    f.remediation = Some(SECRET_REMEDIATION.into());
    if let Some(link) = &link {
        f.add_reference(link);
    }
    let key = (
        detector,
        kind,
        file.unwrap_or_default(),
        line_number,
        commit.unwrap_or_default(),
        secret
            .as_ref()
            .map(|s| s.sha256.clone())
            .unwrap_or_default(),
    );
    f.secret = secret;
    (key, f)
}

/// The clear value of a `Raw` field: early v3 releases wrote it base64-encoded (a byte slice in
/// Go), later ones as text. It is decoded when it is valid base64 of printable text, unless
/// `Redacted` (which starts like the clear value) shows it was text already.
fn clear_raw(raw: &str, redacted: &str) -> String {
    let Some(decoded) = printable_base64(raw) else {
        return raw.to_string();
    };
    let prefix = redacted.split('*').next().unwrap_or("").trim();
    if !prefix.is_empty() && raw.starts_with(prefix) && !decoded.starts_with(prefix) {
        return raw.to_string();
    }
    decoded
}

/// The text a base64 value encodes, when it is printable (tabs and line breaks allowed).
fn printable_base64(value: &str) -> Option<String> {
    let decoded = String::from_utf8(decode_base64(value.trim())?).ok()?;
    let printable = !decoded.trim().is_empty()
        && decoded
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    printable.then_some(decoded)
}

// ---- The v2 shape, shared with trufflehog3's legacy shape -------------------------------

/// One v2-shaped entry: a rule (`reason`) that fired on a file in one commit.
pub(super) struct Legacy {
    pub(super) path: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) strings_found: Vec<String>,
    pub(super) commit_message: Option<String>,
    pub(super) commit_hash: Option<String>,
    pub(super) date: Option<String>,
    pub(super) branch: Option<String>,
}

/// Merges v2-shaped entries per file and reason, in order of first appearance.
pub(super) struct LegacyMerger {
    tool: &'static str,
    /// Whether `stringsFound` holds whole diff lines (`+  key = value`), as trufflehog3 writes
    /// them, rather than the matched strings.
    diff_lines: bool,
    groups: Vec<Group>,
    index: HashMap<(String, String), usize>,
}

struct Group {
    path: String,
    reason: String,
    /// The clear strings found, without repeats, in order.
    strings: Vec<String>,
    distinct: HashSet<String>,
    /// One line per commit, still unredacted; only the first [`LIST_MAX`] are kept.
    commits: Vec<String>,
    occurrences: u32,
}

/// How many commits and strings a merged finding lists before summarising the rest.
const LIST_MAX: usize = 20;

impl LegacyMerger {
    pub(super) fn new(tool: &'static str, diff_lines: bool) -> LegacyMerger {
        LegacyMerger {
            tool,
            diff_lines,
            groups: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Adds one entry; `Err` says why it could not be used.
    pub(super) fn add(&mut self, entry: Legacy) -> Result<(), &'static str> {
        let path = non_empty(entry.path.as_deref()).ok_or("the entry names no path")?;
        let reason = non_empty(entry.reason.as_deref()).unwrap_or_else(|| "Secret".into());
        let key = (path.clone(), reason.clone());
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
                self.index.insert(key, self.groups.len());
                self.groups.push(Group {
                    path,
                    reason,
                    strings: Vec::new(),
                    distinct: HashSet::new(),
                    commits: Vec::new(),
                    occurrences: 0,
                });
                self.groups.len() - 1
            }
        };
        let Some(group) = self.groups.get_mut(at) else {
            return Err("internal: lost the merged entry");
        };
        group.occurrences += 1;
        for found in &entry.strings_found {
            let clear = if self.diff_lines {
                strip_diff_marker(found)
            } else {
                found.trim()
            };
            if !clear.is_empty() && group.distinct.insert(clear.to_string()) {
                group.strings.push(clear.to_string());
            }
        }
        if group.commits.len() >= LIST_MAX {
            return Ok(());
        }
        let mut commit = String::from("- ");
        commit.push_str(entry.commit_hash.as_deref().unwrap_or("(no commit)").trim());
        let when: Vec<String> = [
            non_empty(entry.date.as_deref()),
            non_empty(entry.branch.as_deref()).map(|b| format!("branch {b}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !when.is_empty() {
            commit.push_str(&format!(" ({})", when.join(", ")));
        }
        if let Some(message) = non_empty(entry.commit_message.as_deref()) {
            commit.push_str(": ");
            commit.push_str(&first_line(&message, 120));
        }
        group.commits.push(commit);
        Ok(())
    }

    /// One finding per file and reason.
    pub(super) fn finish(self) -> Vec<Finding> {
        self.groups
            .into_iter()
            .map(|group| legacy_finding(self.tool, group))
            .collect()
    }
}

fn legacy_finding(tool: &str, group: Group) -> Finding {
    let mut clears = Clears::default();
    for s in &group.strings {
        clears.add_with_parts(s);
    }
    let title = format!("{} found in {}", group.reason, group.path);
    let mut f = Finding::new(tool, Category::Secret, clears.redact(&title));
    f.severity = legacy_severity(&group.reason);
    f.rule_id = Some(clears.redact(&group.reason));
    f.add_cwe(HARD_CODED_CREDENTIALS);
    f.location = Location::file(clears.redact(&group.path), None);
    f.secret = group.strings.first().map(|s| Secret::from_clear(s));
    if !group.strings.is_empty() {
        let mut evidence =
            vec!["Strings found (masked, with the SHA-256 of the clear value):".to_string()];
        evidence.extend(
            group
                .strings
                .iter()
                .take(LIST_MAX)
                .map(|s| format!("- {}", masked_with_hash(s))),
        );
        if group.strings.len() > LIST_MAX {
            evidence.push(format!("… and {} more", group.strings.len() - LIST_MAX));
        }
        f.evidence = Some(evidence.join("\n"));
    }
    let mut description = vec![format!(
        "{} in {} commit(s):",
        group.reason, group.occurrences
    )];
    description.extend(group.commits.iter().cloned());
    let listed = group.commits.len() as u32;
    if group.occurrences > listed {
        description.push(format!("… and {} more", group.occurrences - listed));
    }
    f.description = Some(clears.redact(&description.join("\n")));
    f.remediation = Some(SECRET_REMEDIATION.into());
    f.occurrences = group.occurrences.max(1);
    f
}

/// The line without the `+`/`-` a diff line starts with (but a PEM header's dashes stay).
fn strip_diff_marker(line: &str) -> &str {
    let body = if line.starts_with("-----") {
        line
    } else {
        line.strip_prefix(['+', '-']).unwrap_or(line)
    };
    body.trim()
}

/// TruffleHog rates nothing; provider credentials rank first, the catch-all generic rule last.
pub(super) fn legacy_severity(reason: &str) -> Severity {
    let lower = reason.to_ascii_lowercase();
    if ["aws", "oauth", "heroku"].iter().any(|k| lower.contains(k)) {
        Severity::Critical
    } else if lower == "generic secret" {
        Severity::Medium
    } else {
        Severity::High
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(Trufflehog.detect(&input), "not detected: {text}");
        Trufflehog.parse(&input).unwrap()
    }

    const V3_BASE64: &str = r#"{"SourceMetadata":{"Data":{"Git":{"commit":"fbc1430","file":"keys","email":"a <a@b.c>","repository":"https://github.com/x/y","timestamp":"2022-06-16 10:17:40 -0700","line":4}}},"SourceID":0,"SourceType":16,"SourceName":"trufflehog - git","DetectorType":2,"DetectorName":"AWS","Verified":true,"Raw":"QUtJQVlWUDRDSVBQRVJVVklGWEc=","Redacted":"AKIAYVP4CIPPERUVIFXG","ExtraData":{"account":"595918472158","user_id":"AIDAY"},"StructuredData":null}"#;

    #[test]
    fn v3_base64_raw_is_decoded_masked_and_never_emitted() {
        let uri = r#"{"SourceMetadata":{"Data":{"Git":{"commit":"77b2a3e","file":"keys","line":3}}},"DetectorName":"URI","Verified":false,"Raw":"aHR0cHM6Ly9hZG1pbjphZG1pbkB0aGUtaW50ZXJuZXQuaGVyb2t1YXBwLmNvbS9iYXNpY19hdXRo","Redacted":"https://*****:*****@the-internet.herokuapp.com/basic_auth"}"#;
        let parsed = check(&format!("{V3_BASE64}\n{uri}\n{V3_BASE64}\n"));
        assert_eq!(parsed.findings.len(), 2);
        let aws = &parsed.findings[0];
        assert_eq!(aws.title, "AWS secret found in keys");
        assert_eq!(aws.occurrences, 2);
        assert!(aws.verified);
        assert_eq!(aws.severity, Severity::Critical);
        assert_eq!(aws.cwe(), Some(798));
        assert_eq!(aws.secret.as_ref().unwrap().masked, "AKIA****");
        assert_eq!(
            aws.secret.as_ref().unwrap().sha256,
            Secret::from_clear("AKIAYVP4CIPPERUVIFXG").sha256
        );
        let file = aws.location.file.as_ref().unwrap();
        assert_eq!((file.path.as_str(), file.start_line), ("keys", Some(4)));
        let uri = &parsed.findings[1];
        assert_eq!(uri.severity, Severity::High);
        assert_eq!(uri.secret.as_ref().unwrap().masked, "http****");
        let json = serde_json::to_string(&parsed.findings).unwrap();
        for clear in [
            "AKIAYVP4CIPPERUVIFXG",
            "QUtJQVlWUDRDSVBQRVJVVklGWEc=",
            "admin:admin",
            "aHR0cHM6Ly9hZG1pbjphZG1p",
        ] {
            assert!(!json.contains(clear), "{clear} in {json}");
        }
        assert!(json.contains("595918472158"), "extra data kept: {json}");
    }

    #[test]
    fn v3_plain_raw_and_raw_v2_are_masked() {
        let line = r#"{"SourceMetadata":{"Data":{"Filesystem":{"file":"/src/.env","line":2}}},"SourceName":"trufflehog - filesystem","DetectorName":"Github","DetectorDescription":"GitHub token","DecoderName":"PLAIN","Verified":false,"Raw":"ghp_abcdefghijklmnopqrstuvwxyz0123456789","RawV2":"ghp_abcdefghijklmnopqrstuvwxyz0123456789:user","Redacted":"","ExtraData":{"echo":"token ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}"#;
        let parsed = check(line);
        let f = &parsed.findings[0];
        assert_eq!(f.secret.as_ref().unwrap().masked, "ghp_****");
        assert!(!f.verified);
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("abcdefghijklmnop"), "{json}");
        assert!(f.description.as_ref().unwrap().contains("GitHub token"));
    }

    #[test]
    fn v2_merges_per_file_and_reason_and_masks_strings() {
        let entry = |hash: &str, secret: &str| {
            format!(
                r#"{{"branch":"origin/dev","commit":"Add {secret}\n\nbody","commitHash":"{hash}","date":"2021-01-30 19:50:09","diff":"+secret = '{secret}'","path":"test_all.py","printDiff":"secret = '{secret}'","reason":"Generic Secret","stringsFound":["secret = '{secret}'"]}}"#
            )
        };
        let other = r#"{"branch":"b","commit":"c","commitHash":"h3","date":"d","diff":"","path":"k.pem","printDiff":"","reason":"RSA private key","stringsFound":["-----BEGIN RSA PRIVATE KEY-----"]}"#;
        let text = format!(
            "{}\n{}\n{other}\n",
            entry("h1", "d15627104d07846ac2914a976e8e347a663bbd9b"),
            entry("h2", "9ed54617547cfca783e0f81f8dc5c927e3d1e345")
        );
        let parsed = check(&text);
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Generic Secret found in test_all.py");
        assert_eq!((f.occurrences, f.severity), (2, Severity::Medium));
        assert_eq!(f.location.file.as_ref().unwrap().path, "test_all.py");
        assert_eq!(parsed.findings[1].severity, Severity::High);
        let json = serde_json::to_string(&parsed.findings).unwrap();
        for clear in [
            "d15627104d07846ac2914a976e8e347a663bbd9b",
            "9ed54617547cfca783e0f81f8dc5c927e3d1e345",
            "BEGIN RSA PRIVATE KEY",
        ] {
            assert!(!json.contains(clear), "{clear} in {json}");
        }
    }

    #[test]
    fn other_json_lines_are_refused() {
        let input = Input::new(b"{\"a\":1}\n{\"b\":2}\n");
        assert!(!Trufflehog.detect(&input));
        assert!(Trufflehog.parse(&input).is_err());
        assert!(Trufflehog.parse(&Input::new(b"{\"Raw\": 1")).is_err());
    }
}
