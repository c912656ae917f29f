//! Small pieces shared by the dependency-scanner (SCA) parsers: lenient wire types for fields
//! that tools write in several shapes, URL and id extraction, package URLs, and the mapping of
//! npm's advisory records (npm audit v6, yarn audit, audit-ci), which three formats share.

use std::fmt;

use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use ward_core::{Category, Cvss, Finding, PackageLocation, Severity};

use crate::util::non_empty;

/// A list of short strings written as a list, a single string, a number, a JSON list inside a
/// string (`"[\"CWE-79\"]"`, as some npm registries do for `cwe`) or `null`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Strings(pub(crate) Vec<String>);

impl Strings {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Strings, D::Error> {
        deserializer.deserialize_any(StringsVisitor)
    }
}

struct StringsVisitor;

impl StringsVisitor {
    fn one(v: &str) -> Strings {
        let t = v.trim();
        if t.starts_with('[') {
            if let Ok(list) = serde_json::from_str::<Vec<Scalar>>(t) {
                return Strings(list.into_iter().filter_map(|s| s.0).collect());
            }
        }
        Strings(non_empty(Some(t)).into_iter().collect())
    }
}

impl<'de> Visitor<'de> for StringsVisitor {
    type Value = Strings;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a list of them")
    }
    fn visit_str<E>(self, v: &str) -> Result<Strings, E> {
        Ok(StringsVisitor::one(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strings, E> {
        Ok(Strings(vec![v.to_string()]))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strings, E> {
        Ok(Strings(vec![v.to_string()]))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Strings, E> {
        Ok(Strings(vec![v.to_string()]))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Strings, E> {
        Ok(Strings::default())
    }
    fn visit_unit<E>(self) -> Result<Strings, E> {
        Ok(Strings::default())
    }
    fn visit_none<E>(self) -> Result<Strings, E> {
        Ok(Strings::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Strings, D::Error> {
        d.deserialize_any(StringsVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<Scalar>()? {
            out.extend(item.0);
        }
        Ok(Strings(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Strings, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Strings::default())
    }
}

/// A string or a number, kept as text; anything else (objects, lists, `null`) is `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Scalar(pub(crate) Option<String>);

impl Scalar {
    /// The value as a number, if it reads as one.
    pub(crate) fn number(&self) -> Option<f64> {
        self.0.as_deref().and_then(|s| s.trim().parse().ok())
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(non_empty(Some(v))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
    fn visit_none<E>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }
}

/// A JSON object's entries in document order (serde's maps would sort or hash them, and
/// report order is what people compare against the tool's own output).
pub(crate) struct Entries<T>(pub(crate) Vec<(String, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entries<T>, D::Error> {
        struct EntriesVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_unit<E>(self) -> Result<Entries<T>, E> {
                Ok(Entries(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<Entries<T>, E> {
                Ok(Entries(Vec::new()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entries<T>, A::Error> {
                let mut out = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, T>()? {
                    out.push((key, value));
                }
                Ok(Entries(out))
            }
        }
        deserializer.deserialize_any(EntriesVisitor(std::marker::PhantomData))
    }
}

/// Whether a sniffed npm-v6-shaped document (`actions`, `advisories`, `muted`) is audit-ci's
/// summary of a `yarn audit` run rather than npm's own output: yarn computes no fix `actions`
/// and writes no `runId`, which npm 6 always does.
pub(crate) fn is_yarn_audit_ci_summary(value: &serde_json::Value) -> bool {
    let has_advisories = value
        .get("advisories")
        .and_then(|a| a.as_object())
        .is_some_and(|a| !a.is_empty());
    let no_actions = value
        .get("actions")
        .and_then(|a| a.as_array())
        .is_some_and(|a| a.is_empty());
    has_advisories && no_actions && value.get("runId").is_none()
}

/// Every `http(s)://` URL in a text (Markdown links and bullet lists included), in order.
pub(crate) fn urls_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("http") {
        let tail = &rest[start..];
        if tail.starts_with("https://") || tail.starts_with("http://") {
            let end = tail
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | ']'))
                .unwrap_or(tail.len());
            let url = tail[..end].trim_end_matches(['.', ',', ';']);
            if url.len() > "https://".len() {
                out.push(url);
            }
            rest = &tail[end..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

/// The GHSA id a GitHub advisory URL ends with (`https://github.com/advisories/GHSA-…`).
pub(crate) fn ghsa_in_url(url: &str) -> Option<&str> {
    let last = url.trim_end_matches('/').rsplit('/').next()?;
    let prefix = last.get(..5)?;
    (last.len() > 5 && prefix.eq_ignore_ascii_case("GHSA-")).then_some(last)
}

/// The vendor id ward gives an npm advisory number (npm audit, yarn audit, Snyk's `NSP`).
pub(crate) fn npm_advisory_id(number: &str) -> String {
    format!("NPM-{}", number.trim())
}

/// A package URL's parts: type, name (with namespace, percent-decoded) and version.
pub(crate) struct Purl {
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) version: Option<String>,
}

/// Splits a package URL (`pkg:golang/github.com/x/y@v1.2.3?q#sub`). `None` if it is not one.
pub(crate) fn parse_purl(purl: &str) -> Option<Purl> {
    let rest = purl.trim().strip_prefix("pkg:")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (kind, path) = rest.split_once('/')?;
    let (name, version) = match path.rfind('@') {
        // A leading `@` is an npm scope, not a version separator.
        Some(at) if at > 0 => (&path[..at], Some(&path[at + 1..])),
        _ => (path, None),
    };
    if kind.is_empty() || name.is_empty() {
        return None;
    }
    Some(Purl {
        kind: kind.to_ascii_lowercase(),
        name: percent_decode(name),
        version: version.and_then(|v| non_empty(Some(&percent_decode(v)))),
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// npm's severity words (`info`, `low`, `moderate`, `high`, `critical`); unknown words are
/// treated as info, as npm does.
pub(crate) fn npm_severity(label: &str) -> Severity {
    Severity::from_label(label).unwrap_or(Severity::Info)
}

/// A CVSS rating as npm's registry writes it: `{"score": 7.5, "vectorString": "CVSS:3.1/…"}`.
#[derive(Deserialize)]
pub(crate) struct NpmCvss {
    score: Option<f64>,
    #[serde(rename = "vectorString")]
    vector: Option<String>,
}

impl NpmCvss {
    pub(crate) fn rating(&self) -> Option<Cvss> {
        let vector = self.vector.as_deref()?;
        let mut cvss = Cvss::from_vector(vector, self.score)?;
        // npm writes a 0 score with a null vector for advisories that have no rating.
        if cvss.score == Some(0.0) {
            cvss.score = None;
        }
        Some(cvss)
    }
}

/// One advisory of npm's audit API (npm audit v6 `advisories`, yarn v1 `auditAdvisory`,
/// audit-ci's summary).
#[derive(Deserialize)]
pub(crate) struct NpmAdvisory {
    pub(crate) id: Scalar,
    pub(crate) title: Option<String>,
    pub(crate) module_name: Option<String>,
    #[serde(default)]
    pub(crate) findings: Vec<NpmAdvisoryFinding>,
    #[serde(default)]
    pub(crate) cves: Strings,
    pub(crate) github_advisory_id: Option<String>,
    pub(crate) vulnerable_versions: Option<String>,
    pub(crate) patched_versions: Option<String>,
    pub(crate) overview: Option<String>,
    pub(crate) recommendation: Option<String>,
    pub(crate) references: Option<String>,
    pub(crate) severity: Option<String>,
    #[serde(default)]
    pub(crate) cwe: Strings,
    pub(crate) cvss: Option<NpmCvss>,
    pub(crate) url: Option<String>,
}

/// Where an advisory's package is installed: a version and the dependency paths to it.
#[derive(Deserialize)]
pub(crate) struct NpmAdvisoryFinding {
    pub(crate) version: Option<String>,
    #[serde(default)]
    pub(crate) paths: Vec<String>,
}

/// How many dependency paths a finding lists before the rest are only counted.
const MAX_LISTED_PATHS: usize = 25;

/// Maps one npm advisory to a finding, with the dependency paths that lead to its package
/// (`extra_paths` are paths a tool reports beside the advisory, as yarn's `resolution`).
///
/// `occurrences` is the number of distinct dependency paths: the places in the tree the one
/// vulnerable package is reached from.
pub(crate) fn npm_advisory_finding(
    tool: &str,
    advisory: &NpmAdvisory,
    paths: &[String],
) -> Finding {
    let module = non_empty(advisory.module_name.as_deref()).unwrap_or_else(|| "?".into());
    let heading = non_empty(advisory.title.as_deref()).unwrap_or_else(|| "npm advisory".into());
    let range = non_empty(advisory.vulnerable_versions.as_deref());
    let title = match &range {
        Some(range) => format!("{heading} - ({module}, {range})"),
        None => format!("{heading} - ({module})"),
    };
    let mut f = Finding::new(tool, Category::Dependency, title);
    if let Some(label) = non_empty(advisory.severity.as_deref()) {
        f.severity = npm_severity(&label);
        f.tool_severity = Some(label);
    }
    f.rule_id = advisory.id.0.clone();
    for cve in advisory.cves.iter() {
        f.add_id(cve);
    }
    if let Some(ghsa) = advisory.github_advisory_id.as_deref() {
        f.add_id(ghsa);
    }
    if let Some(ghsa) = advisory.url.as_deref().and_then(ghsa_in_url) {
        f.add_id(ghsa);
    }
    if let Some(number) = advisory.id.0.as_deref() {
        f.add_id(&npm_advisory_id(number));
    }
    for cwe in advisory.cwe.iter() {
        f.add_cwe(cwe);
    }
    f.cvss
        .extend(advisory.cvss.as_ref().and_then(NpmCvss::rating));

    let versions: Vec<&str> = advisory
        .findings
        .iter()
        .filter_map(|x| x.version.as_deref())
        .filter(|v| !v.trim().is_empty())
        .collect();
    let patched = non_empty(advisory.patched_versions.as_deref())
        // The registry writes `<0.0.0` when no version is patched.
        .filter(|p| p != "<0.0.0");
    f.location.package = Some(PackageLocation {
        name: module.clone(),
        version: versions.first().map(|v| v.to_string()),
        ecosystem: Some("npm".into()),
        purl: None,
        fixed_version: patched.clone(),
    });

    let mut description = Vec::new();
    if let Some(overview) = non_empty(advisory.overview.as_deref()) {
        description.push(overview);
    }
    description.push(format!("Vulnerable module: {module}"));
    if let Some(range) = &range {
        description.push(format!("Vulnerable versions: {range}"));
    }
    if let Some(patched) = &patched {
        description.push(format!("Patched versions: {patched}"));
    }
    let mut unique: Vec<String> = Vec::new();
    for version in &versions {
        push_unique(&mut unique, version);
    }
    if unique.len() > 1 {
        description.push(format!("Installed versions: {}", unique.join(", ")));
    }
    if !paths.is_empty() {
        let mut listed: Vec<String> = paths
            .iter()
            .take(MAX_LISTED_PATHS)
            .map(|p| format!("  - {p}"))
            .collect();
        if paths.len() > MAX_LISTED_PATHS {
            listed.push(format!("  - … and {} more", paths.len() - MAX_LISTED_PATHS));
        }
        description.push(format!("Dependency paths:\n{}", listed.join("\n")));
    }
    f.description = Some(description.join("\n"));
    f.remediation = non_empty(advisory.recommendation.as_deref());
    if let Some(url) = advisory.url.as_deref() {
        f.add_reference(url);
    }
    for url in urls_in(advisory.references.as_deref().unwrap_or("")) {
        f.add_reference(url);
    }
    f.occurrences = u32::try_from(paths.len()).unwrap_or(u32::MAX).max(1);
    f
}

/// The distinct dependency paths of an advisory's installations, in order.
pub(crate) fn npm_paths(advisory: &NpmAdvisory) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for finding in &advisory.findings {
        for path in &finding.paths {
            push_unique(&mut paths, path);
        }
    }
    paths
}

/// Pushes a trimmed, non-blank value unless it is already there.
pub(crate) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// An OSV record (<https://ossf.github.io/osv-schema/>), as osv-scanner and govulncheck embed
/// them. Only what ward maps is read; free-form parts are read leniently.
#[derive(Deserialize)]
pub(crate) struct Osv {
    pub(crate) id: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) details: Option<String>,
    #[serde(default)]
    pub(crate) aliases: Strings,
    #[serde(default)]
    pub(crate) affected: Vec<OsvAffected>,
    #[serde(default)]
    pub(crate) references: Vec<OsvReference>,
    /// A list of CVSS ratings in OSV; govulncheck users sometimes add a plain word instead.
    pub(crate) severity: Option<OsvSeverity>,
    pub(crate) database_specific: Option<OsvDatabaseSpecific>,
}

#[derive(Deserialize)]
pub(crate) struct OsvAffected {
    pub(crate) package: Option<OsvPackage>,
    #[serde(default)]
    pub(crate) ranges: Vec<OsvRange>,
    pub(crate) database_specific: Option<OsvDatabaseSpecific>,
    pub(crate) ecosystem_specific: Option<OsvEcosystemSpecific>,
}

#[derive(Deserialize)]
pub(crate) struct OsvPackage {
    pub(crate) name: Option<String>,
    pub(crate) purl: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct OsvRange {
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
    #[serde(default)]
    pub(crate) events: Vec<OsvEvent>,
}

#[derive(Deserialize)]
pub(crate) struct OsvEvent {
    pub(crate) fixed: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct OsvReference {
    pub(crate) url: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OsvSeverity {
    Ratings(Vec<OsvRating>),
    Word(String),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
pub(crate) struct OsvRating {
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
    pub(crate) score: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct OsvDatabaseSpecific {
    /// GitHub's word (`LOW`, `MODERATE` …).
    #[serde(default)]
    pub(crate) severity: Scalar,
    #[serde(default)]
    pub(crate) cwes: Vec<OsvCwe>,
    #[serde(default)]
    pub(crate) cwe_ids: Strings,
    #[serde(default)]
    pub(crate) url: Scalar,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OsvCwe {
    Entry {
        #[serde(rename = "cweId")]
        cwe_id: Option<String>,
    },
    Id(String),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
pub(crate) struct OsvEcosystemSpecific {
    #[serde(default)]
    pub(crate) imports: Vec<OsvImport>,
}

#[derive(Deserialize)]
pub(crate) struct OsvImport {
    pub(crate) path: Option<String>,
    #[serde(default)]
    pub(crate) symbols: Vec<String>,
}

impl Osv {
    /// The affected entry for a package name, else the first one.
    pub(crate) fn affected_for(&self, package: &str) -> Option<&OsvAffected> {
        self.affected
            .iter()
            .find(|a| a.package.as_ref().and_then(|p| p.name.as_deref()) == Some(package))
            .or_else(|| self.affected.first())
    }

    /// The versions that fix the package, from its SEMVER and ECOSYSTEM ranges (GIT ranges
    /// name commits, not versions).
    pub(crate) fn fixed_versions(&self, package: &str) -> Vec<String> {
        let mut out = Vec::new();
        let matching: Vec<&OsvAffected> = self
            .affected
            .iter()
            .filter(|a| a.package.as_ref().and_then(|p| p.name.as_deref()) == Some(package))
            .collect();
        let entries = if matching.is_empty() {
            self.affected.iter().collect()
        } else {
            matching
        };
        for affected in entries {
            for range in &affected.ranges {
                if range.kind.as_deref() == Some("GIT") {
                    continue;
                }
                for fixed in range.events.iter().filter_map(|e| e.fixed.as_deref()) {
                    push_unique(&mut out, fixed);
                }
            }
        }
        out
    }

    /// GitHub's severity word, from the record or its affected entries.
    pub(crate) fn severity_word(&self) -> Option<String> {
        self.database_specific
            .iter()
            .chain(
                self.affected
                    .iter()
                    .filter_map(|a| a.database_specific.as_ref()),
            )
            .find_map(|d| d.severity.0.clone())
            .or_else(|| match &self.severity {
                Some(OsvSeverity::Word(word)) => non_empty(Some(word)),
                _ => None,
            })
    }

    /// Adds the record's id and aliases, CWEs, CVSS vectors and reference URLs to a finding.
    pub(crate) fn apply(&self, f: &mut Finding) {
        if let Some(id) = self.id.as_deref() {
            f.add_id(id);
        }
        for alias in self.aliases.iter() {
            f.add_id(alias);
        }
        for specific in self
            .affected
            .iter()
            .filter_map(|a| a.database_specific.as_ref())
            .chain(self.database_specific.as_ref())
        {
            for cwe in &specific.cwes {
                match cwe {
                    OsvCwe::Entry { cwe_id: Some(id) } | OsvCwe::Id(id) => f.add_cwe(id),
                    OsvCwe::Entry { cwe_id: None } | OsvCwe::Other(_) => {}
                }
            }
            for id in specific.cwe_ids.iter() {
                f.add_cwe(id);
            }
        }
        if let Some(OsvSeverity::Ratings(ratings)) = &self.severity {
            for rating in ratings {
                let is_cvss = rating
                    .kind
                    .as_deref()
                    .is_some_and(|k| k.starts_with("CVSS"));
                if let (true, Some(vector)) = (is_cvss, rating.score.as_deref()) {
                    if let Some(cvss) = Cvss::from_vector(vector, None) {
                        if !f.cvss.contains(&cvss) {
                            f.cvss.push(cvss);
                        }
                    }
                }
            }
        }
        for reference in &self.references {
            if let Some(url) = reference.url.as_deref() {
                f.add_reference(url);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_in_every_shape() {
        let read = |json: &str| serde_json::from_str::<Strings>(json).unwrap().0;
        assert_eq!(read(r#""CWE-79""#), ["CWE-79"]);
        assert_eq!(read(r#"["CWE-79", 89]"#), ["CWE-79", "89"]);
        assert_eq!(read(r#""[\"CWE-1\",\"CWE-2\"]""#), ["CWE-1", "CWE-2"]);
        assert!(read("null").is_empty() && read(r#""""#).is_empty() && read("{}").is_empty());
    }

    #[test]
    fn urls_and_ids() {
        let text = "- https://a.example/x\n[Issue](https://b.example/y).";
        assert_eq!(
            urls_in(text),
            ["https://a.example/x", "https://b.example/y"]
        );
        assert_eq!(
            ghsa_in_url("https://github.com/advisories/GHSA-93q8-gq69-wqmw"),
            Some("GHSA-93q8-gq69-wqmw")
        );
        assert_eq!(ghsa_in_url("https://npmjs.com/advisories/1325"), None);
        assert_eq!(ghsa_in_url("https://x.example/GHSé-1"), None);
    }

    #[test]
    fn purls() {
        let p = parse_purl("pkg:golang/github.com/ulikunitz/xz@v0.5.9?x=1").unwrap();
        assert_eq!(
            (p.kind.as_str(), p.name.as_str()),
            ("golang", "github.com/ulikunitz/xz")
        );
        assert_eq!(p.version.as_deref(), Some("v0.5.9"));
        let p = parse_purl("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(p.name, "@babel/core");
        let p = parse_purl("pkg:npm/flot-axis").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("flot-axis", None));
        assert!(parse_purl("not a purl").is_none());
    }
}
