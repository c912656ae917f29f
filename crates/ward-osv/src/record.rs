//! OSV records (<https://ossf.github.io/osv-schema/>): the private wire types and ward's own
//! compact form, [`Advisory`], which is what the database stores.
//!
//! Unknown fields are ignored; a range type ward cannot evaluate (anything but `SEMVER` and
//! `ECOSYSTEM`; `GIT` ranges name commits, not versions) is dropped with a warning unless it
//! is `GIT`, which is expected and silent. The explicit `versions` list is kept in every case.

use serde::{Deserialize, Serialize};

/// One advisory in ward's compact form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record id (`GHSA-…`, `PYSEC-…`, `RUSTSEC-…`, `GO-…`).
    pub id: String,
    /// Other ids of the same vulnerability (CVE, GHSA …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Longer description (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// When the record was last modified (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Set when the record was withdrawn: it then matches nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// CVSS vectors (`CVSS:3.1/AV:N/…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<String>,
    /// The publisher's severity word (GitHub's `database_specific.severity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// CWE ids (`CWE-79`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    /// Reference URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The affected packages.
    #[serde(default)]
    pub affected: Vec<Affected>,
}

/// One affected package of an advisory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// OSV ecosystem name (`PyPI`, `Debian:12`).
    pub ecosystem: String,
    /// Package name as the ecosystem spells it.
    pub name: String,
    /// Version ranges ward can evaluate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// A version range: events ordered by the ecosystem's scheme, or by SemVer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `true` for a `SEMVER` range (always SemVer order), `false` for `ECOSYSTEM`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub semver: bool,
    /// The events.
    pub events: Vec<Event>,
}

/// A range event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`0` = from the start).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// Not affected from this version on, whatever else says (an upper bound).
    Limit(String),
}

impl Event {
    /// The version the event names.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

#[derive(Deserialize)]
struct WireRecord {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    summary: Option<String>,
    details: Option<String>,
    modified: Option<String>,
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Vec<WireSeverity>,
    #[serde(default)]
    affected: Vec<WireAffected>,
    #[serde(default)]
    references: Vec<WireReference>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct WireAffected {
    package: Option<WirePackage>,
    #[serde(default)]
    ranges: Vec<WireRange>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    severity: Vec<WireSeverity>,
}

#[derive(Deserialize)]
struct WirePackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct WireRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<WireEvent>,
}

#[derive(Deserialize)]
struct WireEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

#[derive(Deserialize)]
struct WireReference {
    url: Option<String>,
}

/// Reads one OSV JSON record. Problems that do not make the whole record unusable (an unknown
/// range type, an event with no version) are returned as warnings.
pub fn parse(bytes: &[u8]) -> Result<(Advisory, Vec<String>), serde_json::Error> {
    let wire: WireRecord = serde_json::from_slice(bytes)?;
    let mut warnings = Vec::new();
    let mut cvss: Vec<String> = Vec::new();
    let cvss_of = |list: &[WireSeverity], into: &mut Vec<String>| {
        for s in list {
            if s.kind.starts_with("CVSS") && !into.contains(&s.score) {
                into.push(s.score.clone());
            }
        }
    };
    cvss_of(&wire.severity, &mut cvss);
    let mut affected = Vec::new();
    for entry in &wire.affected {
        cvss_of(&entry.severity, &mut cvss);
        let Some(package) = &entry.package else {
            continue;
        };
        let mut ranges = Vec::new();
        for range in &entry.ranges {
            let semver = match range.kind.as_str() {
                "SEMVER" => true,
                "ECOSYSTEM" => false,
                "GIT" => continue,
                other => {
                    warnings.push(format!(
                        "{}: range type {other:?} of {} is not supported; only its listed versions are used",
                        wire.id, package.name
                    ));
                    continue;
                }
            };
            let events = range
                .events
                .iter()
                .filter_map(|e| {
                    let event = if let Some(v) = &e.introduced {
                        Event::Introduced(v.clone())
                    } else if let Some(v) = &e.fixed {
                        Event::Fixed(v.clone())
                    } else if let Some(v) = &e.last_affected {
                        Event::LastAffected(v.clone())
                    } else if let Some(v) = &e.limit {
                        Event::Limit(v.clone())
                    } else {
                        warnings.push(format!(
                            "{}: a range event of {} names no version",
                            wire.id, package.name
                        ));
                        return None;
                    };
                    Some(event)
                })
                .collect();
            ranges.push(Range { semver, events });
        }
        affected.push(Affected {
            ecosystem: package.ecosystem.clone(),
            name: package.name.clone(),
            ranges,
            versions: entry.versions.clone(),
        });
    }
    let specific = wire.database_specific.as_ref();
    let severity = specific
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(str::to_string);
    let cwes = specific
        .and_then(|d| d.get("cwe_ids"))
        .and_then(|c| c.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok((
        Advisory {
            id: wire.id,
            aliases: wire.aliases,
            summary: wire.summary.filter(|s| !s.trim().is_empty()),
            details: wire.details.filter(|s| !s.trim().is_empty()),
            modified: wire.modified,
            withdrawn: wire.withdrawn,
            cvss,
            severity,
            cwes,
            references: wire.references.into_iter().filter_map(|r| r.url).collect(),
            affected,
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_record_and_warns_on_unknown_range_types() {
        let json = br#"{"id":"GHSA-x","aliases":["CVE-1"],"unknown":1,
          "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
          "affected":[{"package":{"ecosystem":"npm","name":"a"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.3"}]},
                      {"type":"GIT","repo":"x","events":[{"introduced":"abc"}]},
                      {"type":"WEIRD","events":[{"introduced":"0"}]}],
            "versions":["1.0.0"]}],
          "database_specific":{"severity":"HIGH","cwe_ids":["CWE-79"]}}"#;
        let (advisory, warnings) = parse(json).unwrap();
        assert_eq!(advisory.aliases, ["CVE-1"]);
        assert_eq!(advisory.affected[0].ranges.len(), 1);
        assert!(advisory.affected[0].ranges[0].semver);
        assert_eq!(advisory.severity.as_deref(), Some("HIGH"));
        assert_eq!(advisory.cwes, ["CWE-79"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("WEIRD"), "{warnings:?}");
    }
}
