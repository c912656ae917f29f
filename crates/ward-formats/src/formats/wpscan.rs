//! WPScan JSON reports (`wpscan --format json`, WPScan 3.x). <https://github.com/wpscanteam/wpscan>
//!
//! Findings are the known vulnerabilities of the plugins, the WordPress core version and the
//! themes (one per WPVulnDB id: WPScan repeats an advisory under every component it matches),
//! the exposed configuration backups and database exports, and the "interesting findings"
//! (headers, readme, XML-RPC …) as informational ones.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{
    Category, Confidence, Cvss, CvssVersion, Finding, PackageLocation, Severity, WebLocation,
};

use super::ordered::{OneOrMany, Ordered, Text};
use super::web_common::{bullet_list, unix_to_rfc3339};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// WPScan JSON.
pub(crate) struct Wpscan;

#[derive(Deserialize)]
struct Report {
    banner: Option<Banner>,
    target_url: Option<String>,
    start_time: Option<i64>,
    scan_aborted: Option<String>,
    #[serde(default)]
    interesting_findings: Option<Vec<Interesting>>,
    version: Option<Component>,
    main_theme: Option<Component>,
    #[serde(default)]
    themes: Ordered<Component>,
    #[serde(default)]
    plugins: Ordered<Component>,
    #[serde(default)]
    config_backups: Ordered<Exposure>,
    #[serde(default)]
    db_exports: Ordered<Exposure>,
}

#[derive(Deserialize)]
struct Banner {
    version: Option<String>,
}

#[derive(Deserialize)]
struct Interesting {
    url: Option<String>,
    to_s: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    found_by: Option<String>,
    confidence: Option<Text>,
    #[serde(default)]
    references: Ordered<OneOrMany>,
    interesting_entries: Option<OneOrMany>,
}

/// WordPress itself (`version`), a theme or a plugin.
#[derive(Deserialize)]
struct Component {
    slug: Option<String>,
    location: Option<String>,
    /// The core's version number is here; a plugin's or theme's is in `version.number`.
    number: Option<Text>,
    version: Option<Version>,
    latest_version: Option<Text>,
    outdated: Option<bool>,
    confidence: Option<Text>,
    #[serde(default)]
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize)]
struct Version {
    number: Option<Text>,
}

#[derive(Deserialize)]
struct Vulnerability {
    title: Option<String>,
    fixed_in: Option<Text>,
    introduced_in: Option<Text>,
    #[serde(default)]
    references: Ordered<OneOrMany>,
    cvss: Option<CvssEntry>,
}

#[derive(Deserialize)]
struct CvssEntry {
    score: Option<Text>,
    vector: Option<String>,
}

#[derive(Deserialize)]
struct Exposure {
    found_by: Option<String>,
    confidence: Option<Text>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Core,
    Plugin,
    Theme,
}

impl Parser for Wpscan {
    fn id(&self) -> &'static str {
        "wpscan"
    }

    fn name(&self) -> &'static str {
        "WPScan"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Wpscan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(json) = input.json() else {
            return false;
        };
        let banner = json
            .get("banner")
            .and_then(|b| b.get("description"))
            .and_then(|d| d.as_str())
            .is_some_and(|d| d.contains("WPScan"));
        banner
            || (json.get("target_url").is_some()
                && json.get("effective_url").is_some()
                && json.get("interesting_findings").is_some())
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some(
                match report.banner.as_ref().and_then(|b| b.version.as_deref()) {
                    Some(v) => format!("WPScan {}", v.trim()),
                    None => "WPScan".into(),
                },
            ),
            scan_time: report.start_time.map(unix_to_rfc3339),
            ..Parsed::default()
        };
        if let Some(reason) = non_empty(report.scan_aborted.as_deref()) {
            parsed
                .warnings
                .push(format!("the scan was aborted: {reason}"));
        }
        let target = non_empty(report.target_url.as_deref()).unwrap_or_default();

        let mut components: Vec<(Kind, Component)> = Vec::new();
        components.extend(report.plugins.0.into_iter().map(|(slug, mut c)| {
            c.slug = c.slug.or(Some(slug));
            (Kind::Plugin, c)
        }));
        components.extend(report.version.map(|c| (Kind::Core, c)));
        components.extend(report.main_theme.map(|c| (Kind::Theme, c)));
        components.extend(report.themes.0.into_iter().map(|(slug, mut c)| {
            c.slug = c.slug.or(Some(slug));
            (Kind::Theme, c)
        }));

        let mut seen: HashMap<String, usize> = HashMap::new();
        for (kind, mut component) in components {
            let vulnerabilities = component.vulnerabilities.take().unwrap_or_default();
            for v in vulnerabilities {
                let mut f = vulnerability(kind, &component, &target, v);
                f.scan_time.clone_from(&parsed.scan_time);
                // One finding per advisory: WPScan lists an advisory under each component
                // (and version range) it matches.
                let key = f.external_id.clone().unwrap_or_else(|| f.title.clone());
                match seen.get(&key) {
                    Some(&at) => {
                        let kept = &mut parsed.findings[at];
                        kept.occurrences = kept.occurrences.saturating_add(1);
                        for r in f.references {
                            kept.add_reference(&r);
                        }
                    }
                    None => {
                        seen.insert(key, parsed.findings.len());
                        parsed.findings.push(f);
                    }
                }
            }
        }

        for (what, list) in [
            ("Configuration backup", report.config_backups),
            ("Database export", report.db_exports),
        ] {
            for (url, exposure) in list.0 {
                let mut f = Finding::new("WPScan", Category::Dast, format!("{what} found: {url}"));
                f.severity = Severity::High;
                f.rule_id = Some(what.to_ascii_lowercase().replace(' ', "_"));
                f.confidence = confidence(exposure.confidence.as_ref());
                f.description = non_empty(exposure.found_by.as_deref())
                    .map(|by| format!("{what} publicly readable at {url}.\n\nFound by: {by}"));
                f.location.web = Some(WebLocation {
                    url,
                    ..WebLocation::default()
                });
                f.scan_time.clone_from(&parsed.scan_time);
                parsed.findings.push(f);
            }
        }

        let mut interesting_seen: HashMap<(String, String), usize> = HashMap::new();
        for item in report.interesting_findings.into_iter().flatten() {
            let url = non_empty(item.url.as_deref()).unwrap_or_else(|| target.clone());
            let what = non_empty(item.to_s.as_deref())
                .or_else(|| non_empty(item.kind.as_deref()))
                .unwrap_or_else(|| url.clone());
            let title = format!("Interesting finding: {what}");
            let key = (title.clone(), url.clone());
            if let Some(&at) = interesting_seen.get(&key) {
                let kept = &mut parsed.findings[at];
                kept.occurrences = kept.occurrences.saturating_add(1);
                continue;
            }
            interesting_seen.insert(key, parsed.findings.len());
            let mut f = Finding::new("WPScan", Category::Dast, title);
            f.severity = Severity::Info;
            f.rule_id = non_empty(item.kind.as_deref());
            f.confidence = confidence(item.confidence.as_ref());
            let mut description = Vec::new();
            if let Some(by) = non_empty(item.found_by.as_deref()) {
                description.push(format!("Found by: {by}"));
            }
            let entries = item.interesting_entries.map(|e| e.0).unwrap_or_default();
            if !entries.is_empty() {
                description.push(format!(
                    "Interesting entries:\n{}",
                    bullet_list(&entries, 50)
                ));
            }
            f.description = Some(description.join("\n\n")).filter(|d| !d.is_empty());
            references(&mut f, item.references);
            if !url.is_empty() {
                f.location.web = Some(WebLocation {
                    url,
                    ..WebLocation::default()
                });
            }
            f.scan_time.clone_from(&parsed.scan_time);
            parsed.findings.push(f);
        }
        Ok(parsed)
    }
}

fn vulnerability(kind: Kind, c: &Component, target: &str, v: Vulnerability) -> Finding {
    let name = match kind {
        Kind::Core => "WordPress".to_string(),
        _ => non_empty(c.slug.as_deref()).unwrap_or_else(|| "unknown".into()),
    };
    let version = match kind {
        Kind::Core => c.number.as_ref(),
        _ => c.version.as_ref().and_then(|v| v.number.as_ref()),
    }
    .and_then(Text::get)
    .map(str::to_string);
    let title = non_empty(v.title.as_deref()).unwrap_or_else(|| format!("Vulnerability in {name}"));
    let mut f = Finding::new("WPScan", Category::Dast, title);

    let ids = |key: &str| -> Vec<String> {
        v.references
            .0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, ids)| ids.0.iter().cloned())
            .collect()
    };
    let wpvulndb = ids("wpvulndb");
    f.external_id = wpvulndb.first().cloned();
    f.rule_id.clone_from(&f.external_id);
    for cve in ids("cve") {
        let cve = cve.trim();
        if cve.to_ascii_uppercase().starts_with("CVE-") {
            f.add_id(cve);
        } else {
            f.add_id(&format!("CVE-{cve}"));
        }
    }
    let score = v
        .cvss
        .as_ref()
        .and_then(|c| c.score.as_ref())
        .and_then(Text::get)
        .and_then(|s| s.parse::<f64>().ok());
    let cvss = v
        .cvss
        .as_ref()
        .and_then(|c| c.vector.as_deref())
        .and_then(|vector| Cvss::from_vector(vector, score))
        .or_else(|| score.and_then(|s| Cvss::from_score(CvssVersion::V3_1, s)));
    // WPScan rates nothing without a CVSS score; Medium is its de-facto default.
    f.severity = cvss
        .as_ref()
        .and_then(|c| c.score)
        .map_or(Severity::Medium, Severity::from_cvss_score);
    f.cvss.extend(cvss);
    f.confidence = confidence(c.confidence.as_ref());

    let fixed = v.fixed_in.as_ref().and_then(Text::get).map(str::to_string);
    f.location.package = Some(PackageLocation {
        name: name.clone(),
        version: version.clone(),
        ecosystem: Some(
            match kind {
                Kind::Core => "wordpress",
                Kind::Plugin => "wordpress-plugin",
                Kind::Theme => "wordpress-theme",
            }
            .to_string(),
        ),
        purl: None,
        fixed_version: fixed.clone(),
    });
    let url = non_empty(c.location.as_deref()).unwrap_or_else(|| target.to_string());
    if !url.is_empty() {
        f.location.web = Some(WebLocation {
            url,
            ..WebLocation::default()
        });
    }
    let what = match kind {
        Kind::Core => "WordPress core".to_string(),
        Kind::Plugin => format!("Plugin {name}"),
        Kind::Theme => format!("Theme {name}"),
    };
    let mut description = format!(
        "{what}, version {}",
        version.as_deref().unwrap_or("unknown")
    );
    if let Some(latest) = c.latest_version.as_ref().and_then(Text::get) {
        description.push_str(&format!(" (latest {latest})"));
    }
    if c.outdated == Some(true) {
        description.push_str(", outdated");
    }
    description.push('.');
    if let Some(introduced) = v.introduced_in.as_ref().and_then(Text::get) {
        description.push_str(&format!("\nIntroduced in {introduced}."));
    }
    f.description = Some(description);
    f.remediation = fixed.map(|v| format!("Upgrade {name} to version {v} or later."));
    references(&mut f, v.references);
    f
}

/// The links of a WPScan `references` object.
fn references(f: &mut Finding, references: Ordered<OneOrMany>) {
    for (kind, values) in references.0 {
        for value in values.0 {
            let value = value.trim();
            let url = match kind.as_str() {
                "url" | "youtube" => value.to_string(),
                "wpvulndb" => format!("https://wpscan.com/vulnerability/{value}"),
                "cve" => format!(
                    "https://nvd.nist.gov/vuln/detail/CVE-{}",
                    value.trim_start_matches("CVE-")
                ),
                "exploitdb" => format!("https://www.exploit-db.com/exploits/{value}"),
                "packetstorm" => format!("https://packetstormsecurity.com/files/{value}/"),
                "securityfocus" => format!("https://www.securityfocus.com/bid/{value}/"),
                _ => continue,
            };
            f.add_reference(&url);
        }
    }
}

/// WPScan's 0–100 detection confidence.
fn confidence(raw: Option<&Text>) -> Option<Confidence> {
    let n: f64 = raw?.get()?.parse().ok()?;
    Some(if n >= 80.0 {
        Confidence::High
    } else if n >= 40.0 {
        Confidence::Medium
    } else {
        Confidence::Low
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(Wpscan.detect(&input));
        Wpscan.parse(&input).unwrap()
    }

    const REPORT: &str = r#"{
      "banner": {"description": "WordPress Security Scanner by the WPScan Team", "version": "3.8.17"},
      "start_time": 1615983666, "target_url": "http://example/", "effective_url": "http://example/",
      "interesting_findings": [
        {"url": "http://example/readme.html", "to_s": "WordPress readme found: http://example/readme.html",
         "type": "readme", "found_by": "Direct Access (Aggressive Detection)", "confidence": 100,
         "references": {}, "interesting_entries": []}
      ],
      "version": {"number": "5.2.2", "status": "insecure", "confidence": 100, "vulnerabilities": [
        {"title": "WordPress 2.8.1-4.7.2 - Control Characters in Redirect URL Validation", "fixed_in": "4.6.4",
         "references": {"cve": ["2017-6815"], "url": ["https://wordpress.org/news/"], "wpvulndb": ["d40374cf"]}}
      ]},
      "main_theme": {"slug": "customizr", "location": "http://example/wp-content/themes/customizr/",
        "version": {"number": "4.1.42"}, "vulnerabilities": [
        {"title": "Theme <= 13.8.1 - CSRF", "fixed_in": "11.8.2", "references": {"wpvulndb": ["8873"]}}]},
      "plugins": {"youtube-embed-plus": {"slug": "youtube-embed-plus", "location": "http://example/wp-content/plugins/youtube-embed-plus/",
        "version": null, "confidence": 60, "vulnerabilities": [
        {"title": "YouTube Embed <= 11.8.1 - Cross-Site Request Forgery (CSRF)", "fixed_in": "11.8.2",
         "references": {"url": ["https://security.dxw.com/"], "wpvulndb": ["8873"]},
         "cvss": {"score": "8.8", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}}]}},
      "config_backups": {"http://example/wp-config.php.bak": {"found_by": "Direct Access (Aggressive Detection)", "confidence": 100}}
    }"#;

    #[test]
    fn vulnerabilities_exposures_and_interesting_findings() {
        let parsed = check(REPORT);
        let titles: Vec<&str> = parsed.findings.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "YouTube Embed <= 11.8.1 - Cross-Site Request Forgery (CSRF)",
                "WordPress 2.8.1-4.7.2 - Control Characters in Redirect URL Validation",
                "Configuration backup found: http://example/wp-config.php.bak",
                "Interesting finding: WordPress readme found: http://example/readme.html",
            ]
        );
        let plugin = &parsed.findings[0];
        assert_eq!(plugin.external_id.as_deref(), Some("8873"));
        assert_eq!(plugin.occurrences, 2, "the theme repeats advisory 8873");
        assert_eq!(plugin.severity, Severity::High);
        assert_eq!(plugin.confidence, Some(Confidence::Medium));
        let core = &parsed.findings[1];
        assert_eq!(core.primary_vulnerability_id(), Some("CVE-2017-6815"));
        assert_eq!(core.severity, Severity::Medium);
        let package = core.location.package.as_ref().unwrap();
        assert_eq!(
            (
                package.name.as_str(),
                package.version.as_deref(),
                package.fixed_version.as_deref()
            ),
            ("WordPress", Some("5.2.2"), Some("4.6.4"))
        );
        assert_eq!(parsed.findings[3].severity, Severity::Info);
        assert_eq!(parsed.scan_time.as_deref(), Some("2021-03-17T12:21:06Z"));
    }

    #[test]
    fn aborted_scan_is_empty_with_a_warning() {
        let parsed = check(
            r#"{"banner": {"description": "WordPress Security Scanner by the WPScan Team"},
            "scan_aborted": "The url supplied seems to be down", "target_url": "https://x/"}"#,
        );
        assert!(parsed.findings.is_empty());
        assert_eq!(parsed.warnings.len(), 1);
    }
}
