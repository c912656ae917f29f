//! Helpers shared by the exporters: stable ids, text limits, escaping, short descriptions of
//! a finding's location.

use std::borrow::Cow;
use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use ward_core::{Category, Finding, Identifier, IdentifierKind, Report, Severity, Status};

/// Per finding of a report, a key unique within the report: the fingerprint, with `#2`, `#3`
/// … appended to later findings that share one (a report may hold duplicates). Computed over
/// the whole report so a finding keeps its key when exporters take a subset.
pub(crate) fn unique_keys(report: &Report) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    report
        .findings
        .iter()
        .map(|finding| {
            let fingerprint = fingerprint(finding).into_owned();
            let count = seen.entry(fingerprint.clone()).or_default();
            *count += 1;
            if *count == 1 {
                fingerprint
            } else {
                format!("{fingerprint}#{count}")
            }
        })
        .collect()
}

/// The finding's fingerprint, computed on the spot for findings built without one.
pub(crate) fn fingerprint(finding: &Finding) -> Cow<'_, str> {
    if finding.fingerprint.is_empty() {
        Cow::Owned(ward_core::fingerprint::of(finding))
    } else {
        Cow::Borrowed(&finding.fingerprint)
    }
}

/// A UUID derived from a seed: 122 bits of the SHA-256 of the seed, laid out as a version-4
/// UUID because the SARIF and CycloneDX schemas accept only versions 1 to 5 (a hash is as
/// unpredictable as the pseudo-random bits version 4 calls for, and it is reproducible).
pub(crate) fn uuid_from(seed: &str) -> String {
    let digest = Sha256::digest(format!("ward-uuid:{seed}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `text` cut to at most `max_chars` characters, ending in `…` when cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> Cow<'_, str> {
    if text.chars().count() <= max_chars {
        return Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    Cow::Owned(cut)
}

/// `Some(text)` unless it is empty or only whitespace.
pub(crate) fn non_blank(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.trim().is_empty())
}

/// `Critical`, `High` … `Info`.
pub(crate) fn severity_title(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// Whether the tool itself called the severity unknown, so that `info` only means "unrated".
pub(crate) fn severity_unknown(finding: &Finding) -> bool {
    finding.severity == Severity::Info
        && finding.tool_severity.as_deref().is_some_and(|s| {
            matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "unknown" | "unspecified" | "undefined" | "unrated" | "not rated" | "n/a" | ""
            )
        })
}

/// A score that stands for a severity on the CVSS scale, for formats that want a number
/// (GitHub's `security-severity`): the middle of the severity's CVSS band.
pub(crate) fn severity_score(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Info => 0.0,
    }
}

/// The best CVSS base score of a finding when it agrees with the finding's severity (the
/// tool's own rating wins where they differ), else [`severity_score`].
pub(crate) fn security_severity(finding: &Finding) -> f64 {
    finding
        .best_cvss()
        .and_then(|c| c.score)
        .filter(|score| Severity::from_cvss_score(*score) == finding.severity)
        .unwrap_or_else(|| severity_score(finding.severity))
}

/// The lowercase words ward uses for a status.
pub(crate) fn status_word(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::FalsePositive => "false_positive",
        Status::Mitigated => "mitigated",
        Status::Accepted => "accepted",
        Status::OutOfScope => "out_of_scope",
    }
}

/// Whether the category is about security (as opposed to code quality or performance).
pub(crate) fn is_security(category: Category) -> bool {
    !matches!(category, Category::Quality | Category::Performance)
}

/// A documentation URL for an identifier, where there is a well-known one.
pub(crate) fn identifier_url(id: &Identifier) -> Option<String> {
    match id.kind {
        IdentifierKind::Cve => Some(format!("https://nvd.nist.gov/vuln/detail/{}", id.value)),
        IdentifierKind::Ghsa => Some(format!("https://github.com/advisories/{}", id.value)),
        IdentifierKind::Osv => Some(format!("https://osv.dev/vulnerability/{}", id.value)),
        IdentifierKind::Cwe => id
            .cwe_number()
            .map(|n| format!("https://cwe.mitre.org/data/definitions/{n}.html")),
        IdentifierKind::Owasp | IdentifierKind::Vendor => None,
    }
}

/// Whether `url` is an absolute http(s) or ftp URL (what the schemas' `uri` patterns accept).
pub(crate) fn is_web_url(url: &str) -> bool {
    ["http://", "https://", "ftp://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && url.len() > scheme.len()
    }) && !url.chars().any(char::is_whitespace)
}

/// Whether `url` is a web URL that JSON Schema's `uri`/`iri-reference` formats accept as it
/// is: [`is_web_url`], none of the characters that must be percent-encoded, a host, and a port
/// (if any) of digits (`http://host:port/` placeholders are no URI).
pub(crate) fn clean_url(url: &str) -> bool {
    if !is_web_url(url) || url.contains(['<', '>', '"', '{', '}', '|', '\\', '^', '`']) {
        return false;
    }
    let rest = url.split_once("://").map_or("", |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8080`.
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return false,
        },
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    !host.is_empty() && port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// A path as a repository-relative URI path: `/` separators, no `file://` or leading `./`.
pub(crate) fn clean_path(path: &str) -> String {
    let path = path.trim();
    let path = path.strip_prefix("file://").unwrap_or(path);
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    path
}

/// [`clean_path`], or `.` for a path that names the repository itself (`./`), for formats
/// whose file field must not be empty.
pub(crate) fn repo_path(path: &str) -> String {
    let path = clean_path(path);
    if path.is_empty() {
        ".".to_string()
    } else {
        path
    }
}

/// `a-b-c` from `A b/c`: lowercase ASCII letters, digits and single dashes.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("unknown");
    }
    out
}

/// The finding's rule id, or a stand-in for formats that need one: the primary vulnerability
/// id, else `ward.<slug of the title>`.
pub(crate) fn rule_key(finding: &Finding) -> String {
    if let Some(rule) = non_blank(finding.rule_id.as_deref()) {
        return rule.to_string();
    }
    if let Some(id) = non_blank(finding.primary_vulnerability_id()) {
        return id.to_string();
    }
    let title: String = finding.title.chars().take(80).collect();
    format!("ward.{}", slug(&title))
}

/// A one-line description of where the finding is: `src/app.py:42`, `lodash@4.17.20`,
/// `GET https://x/y (q)`, a cloud resource id or an image.
pub(crate) fn location_text(finding: &Finding) -> Option<String> {
    let location = &finding.location;
    if let Some(file) = &location.file {
        return Some(match file.start_line {
            Some(line) => format!("{}:{line}", file.path),
            None => file.path.clone(),
        });
    }
    if let Some(package) = &location.package {
        let mut text = match &package.version {
            Some(version) => format!("{}@{version}", package.name),
            None => package.name.clone(),
        };
        if let Some(image) = &location.image {
            text.push_str(&format!(" in {}", image.name));
        }
        return Some(text);
    }
    if let Some(web) = &location.web {
        let mut text = match &web.method {
            Some(method) => format!("{method} {}", web.url),
            None => web.url.clone(),
        };
        if let Some(parameter) = &web.parameter {
            text.push_str(&format!(" ({parameter})"));
        }
        return Some(text);
    }
    if let Some(cloud) = &location.cloud {
        return Some(cloud.resource_id.clone());
    }
    location.image.as_ref().map(|image| image.name.clone())
}

/// Escapes text for XML element content and attribute values, and drops the characters XML
/// 1.0 cannot carry at all (most control characters, lone surrogates cannot occur in `str`).
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Counts per severity, most severe first, with zeros.
pub(crate) fn severity_counts<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
) -> [(Severity, usize); 5] {
    let mut counts = Severity::ALL.map(|s| (s, 0));
    for finding in findings {
        if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == finding.severity) {
            entry.1 += 1;
        }
    }
    counts
}

/// The tools of a report, in order of first appearance (findings first, then sources without
/// findings).
pub(crate) fn tools(report: &Report) -> Vec<&str> {
    let mut tools: Vec<&str> = Vec::new();
    let names = report
        .findings
        .iter()
        .map(|f| f.tool.as_str())
        .chain(report.sources.iter().map(|s| s.tool.as_str()));
    for name in names {
        if !tools.contains(&name) {
            tools.push(name);
        }
    }
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = uuid_from("abc");
        assert_eq!(a, uuid_from("abc"));
        assert_ne!(a, uuid_from("abd"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn duplicate_fingerprints_get_distinct_keys() {
        let mut finding = Finding::new("t", Category::Sast, "x");
        finding.fingerprint = "f".into();
        let report = Report {
            findings: vec![finding.clone(), finding.clone(), finding],
            sources: Vec::new(),
        };
        assert_eq!(unique_keys(&report), ["f", "f#2", "f#3"]);
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo", 4), "hél…");
    }

    #[test]
    fn escaping() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&apos;c");
        assert_eq!(
            html_escape("<script>x</script>"),
            "&lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(clean_path("./src\\a.py"), "src/a.py");
        assert_eq!(repo_path("./"), ".");
        assert_eq!(slug("Hard coded AWS / key!"), "hard-coded-aws-key");
        assert!(is_web_url("https://x") && !is_web_url("https://") && !is_web_url("x"));
        assert!(clean_url("https://user@h.example:8443/a?b#c") && clean_url("http://[::1]:80/"));
        assert!(!clean_url("http://host:port/rules#k") && !clean_url("https://:80/"));
    }
}
