//! Nuclei JSON exports: the JSON array of `-json-export` and the JSON Lines of `-jsonl`/`-json`,
//! with the field names of nuclei 2.x (`templateID`, `matched`, `matcher_name`) and of 2.6+/3.x
//! (`template-id`, `matched-at`, `matcher-name`, `classification`).
//! <https://github.com/projectdiscovery/nuclei>
//!
//! Results of one template, matcher and type on one host are one finding: nuclei reports the
//! same check once per port or path it matched, and those become `occurrences`. The matcher name
//! (the header, technology or variant that matched) is the web location's parameter.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{
    Category, Cvss, CvssVersion, Epss, FileLocation, Finding, Secret, Severity, WebLocation,
};

use super::ordered::{OneOrMany, Text};
use super::web_common::{bounded, bullet_list, evidence, host_of};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser, Sniff};

/// Nuclei JSON and JSON Lines.
pub(crate) struct Nuclei;

#[derive(Deserialize)]
struct Hit {
    #[serde(rename = "templateID", alias = "template-id", alias = "template_id")]
    template_id: Option<String>,
    info: Option<Info>,
    #[serde(rename = "type")]
    kind: Option<String>,
    host: Option<String>,
    #[serde(alias = "matched-at")]
    matched: Option<String>,
    #[serde(alias = "matcher-name")]
    matcher_name: Option<String>,
    #[serde(alias = "extracted-results")]
    extracted_results: Option<OneOrMany>,
    #[serde(rename = "matched-line")]
    matched_line: Option<OneOrMany>,
    ip: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "curl-command")]
    curl_command: Option<String>,
    request: Option<String>,
    response: Option<String>,
    #[serde(rename = "template-url")]
    template_url: Option<String>,
}

#[derive(Deserialize)]
struct Info {
    name: Option<String>,
    severity: Option<String>,
    description: Option<String>,
    remediation: Option<String>,
    reference: Option<OneOrMany>,
    tags: Option<OneOrMany>,
    classification: Option<Classification>,
}

#[derive(Deserialize)]
struct Classification {
    #[serde(rename = "cve-id")]
    cve_id: Option<OneOrMany>,
    #[serde(rename = "cwe-id")]
    cwe_id: Option<OneOrMany>,
    #[serde(rename = "cvss-metrics")]
    cvss_metrics: Option<String>,
    #[serde(rename = "cvss-score")]
    cvss_score: Option<Text>,
    #[serde(rename = "epss-score")]
    epss_score: Option<Text>,
    #[serde(rename = "epss-percentile")]
    epss_percentile: Option<Text>,
}

impl Parser for Nuclei {
    fn id(&self) -> &'static str {
        "nuclei"
    }

    fn name(&self) -> &'static str {
        "Nuclei"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Nuclei Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(json) = input.json() else {
            return false;
        };
        let first = match json {
            serde_json::Value::Array(items) => items.first(),
            other => Some(other),
        };
        first.is_some_and(|r| {
            let has = |k: &str| r.get(k).is_some();
            (has("templateID") || has("template-id") || has("template_id"))
                && r.get("info").is_some_and(serde_json::Value::is_object)
                && (has("matched") || has("matched-at") || has("host"))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let text = input.text()?;
        let mut parsed = Parsed {
            tool: Some("Nuclei".into()),
            ..Parsed::default()
        };
        let trimmed = text.trim_start();
        let results: Vec<(String, Hit)> = if trimmed.is_empty() {
            Vec::new()
        } else if trimmed.starts_with('[') {
            let results: Vec<Hit> = de::json(text.as_bytes())?;
            results
                .into_iter()
                .enumerate()
                .map(|(i, r)| (format!("[{i}]"), r))
                .collect()
        } else if matches!(input.sniff(), Sniff::Json(_)) {
            // One result, possibly pretty-printed.
            vec![("result".to_string(), de::json::<Hit>(text.as_bytes())?)]
        } else {
            let mut results = Vec::new();
            let mut errors = 0usize;
            for line in de::json_lines::<Hit>(text) {
                match line {
                    Ok((n, r)) => results.push((format!("line {n}"), r)),
                    Err(e) => {
                        errors += 1;
                        if errors == 1 && results.is_empty() {
                            // A first line that is not a result: not a nuclei report at all.
                            return Err(e);
                        }
                        parsed.warnings.push(format!("{e}; skipped"));
                    }
                }
            }
            results
        };

        let mut seen: HashMap<(String, String, String, String), usize> = HashMap::new();
        let mut matched: Vec<Vec<String>> = Vec::new();
        for (at, result) in results {
            let Some(template) = non_empty(result.template_id.as_deref()) else {
                parsed
                    .warnings
                    .push(format!("{at}: result without template id; skipped"));
                continue;
            };
            let target = non_empty(result.matched.as_deref())
                .or_else(|| non_empty(result.host.as_deref()))
                .unwrap_or_default();
            let key = (
                template.clone(),
                result.kind.clone().unwrap_or_default(),
                result.matcher_name.clone().unwrap_or_default(),
                host_of(&target).to_ascii_lowercase(),
            );
            if let Some(&i) = seen.get(&key) {
                parsed.findings[i].occurrences = parsed.findings[i].occurrences.saturating_add(1);
                if !matched[i].contains(&target) {
                    matched[i].push(target);
                }
                continue;
            }
            if parsed.scan_time.is_none() {
                parsed.scan_time = non_empty(result.timestamp.as_deref());
            }
            seen.insert(key, parsed.findings.len());
            matched.push(vec![target.clone()]);
            parsed.findings.push(finding(template, target, result));
        }
        for (f, targets) in parsed.findings.iter_mut().zip(matched) {
            if targets.len() > 1 {
                let list = format!("Matched at:\n{}", bullet_list(&targets, 50));
                f.description = Some(match f.description.take() {
                    Some(d) => format!("{d}\n\n{list}"),
                    None => list,
                });
            }
        }
        Ok(parsed)
    }
}

fn finding(template: String, target: String, r: Hit) -> Finding {
    let info = r.info;
    let title = info
        .as_ref()
        .and_then(|i| non_empty(i.name.as_deref()))
        .unwrap_or_else(|| template.clone());
    let kind = r.kind.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    let category = if kind == "file" {
        Category::Sast
    } else {
        Category::Dast
    };
    let tags: Vec<String> = info
        .as_ref()
        .and_then(|i| i.tags.as_ref())
        .map(|t| {
            t.0.iter()
                .flat_map(|t| t.split(','))
                .filter_map(|t| non_empty(Some(t)))
                .collect()
        })
        .unwrap_or_default();
    // Token and key exposure templates extract the secret itself: keep it only masked.
    let extracted: Vec<String> = r.extracted_results.map(|e| e.0).unwrap_or_default();
    let secrets: Vec<(String, Secret)> = if secret_template(&template, &tags) {
        extracted
            .iter()
            .filter(|v| v.trim().chars().count() >= 4)
            .map(|v| (v.clone(), Secret::from_clear(v)))
            .collect()
    } else {
        Vec::new()
    };
    let redact = |text: &str| {
        secrets
            .iter()
            .fold(text.to_string(), |text, (clear, secret)| {
                secret.redact(&text, clear)
            })
    };
    let target = redact(&target);
    let mut f = Finding::new("Nuclei", category, title);
    f.rule_id = Some(template);
    f.secret = secrets.first().map(|(_, s)| s.clone());
    f.tags = tags;
    f.scan_time = non_empty(r.timestamp.as_deref());

    let matcher = non_empty(r.matcher_name.as_deref());
    if kind == "file" {
        f.location.file = Some(FileLocation::new(target, None));
    } else if !target.is_empty() {
        let method = r
            .request
            .as_deref()
            .and_then(|req| req.split_whitespace().next())
            .filter(|m| m.len() <= 10 && m.bytes().all(|b| b.is_ascii_uppercase()))
            .map(str::to_string);
        f.location.web = Some(WebLocation {
            url: target,
            method,
            parameter: matcher.clone(),
        });
    }

    if let Some(info) = info {
        if let Some(severity) = non_empty(info.severity.as_deref()) {
            f.severity = Severity::from_label(&severity).unwrap_or(Severity::Info);
            f.tool_severity = Some(severity);
        }
        let mut description = Vec::new();
        if let Some(d) = non_empty(info.description.as_deref()) {
            description.push(d);
        }
        if let Some(m) = &matcher {
            description.push(format!("Matcher: {m}"));
        }
        f.description = Some(description.join("\n\n")).filter(|d| !d.is_empty());
        f.remediation = non_empty(info.remediation.as_deref());
        for reference in info.reference.into_iter().flat_map(|r| r.0) {
            // Old templates write references as one YAML-ish string: "- url\n- url".
            for line in reference.lines() {
                f.add_reference(line.trim().trim_start_matches("- "));
            }
        }
        if let Some(c) = info.classification {
            for cve in c.cve_id.into_iter().flat_map(|c| c.0) {
                f.add_id(&cve);
            }
            for cwe in c.cwe_id.into_iter().flat_map(|c| c.0) {
                f.add_cwe(&cwe);
            }
            let score = c
                .cvss_score
                .as_ref()
                .and_then(Text::get)
                .and_then(|s| s.parse::<f64>().ok());
            let cvss = match c
                .cvss_metrics
                .as_deref()
                .and_then(|v| Cvss::from_vector(v, score))
            {
                Some(cvss) => Some(cvss),
                None => score.and_then(|s| Cvss::from_score(CvssVersion::V3_1, s)),
            };
            f.cvss.extend(cvss);
            let epss = c
                .epss_score
                .as_ref()
                .and_then(Text::get)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|s| (0.0..=1.0).contains(s));
            if let Some(score) = epss {
                f.epss = Some(Epss {
                    score,
                    percentile: c
                        .epss_percentile
                        .as_ref()
                        .and_then(Text::get)
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|p| (0.0..=1.0).contains(p)),
                });
            }
        }
    }
    if let Some(url) = non_empty(r.template_url.as_deref()) {
        f.add_reference(&url);
    }

    let mut parts = Vec::new();
    if !extracted.is_empty() {
        let shown: Vec<String> = extracted.iter().map(|e| redact(e)).collect();
        parts.push(format!("Extracted: {}", shown.join(", ")));
    }
    let lines: Vec<String> = r.matched_line.map(|e| e.0).unwrap_or_default();
    if !lines.is_empty() {
        parts.push(redact(&format!("Matched line: {}", lines.join(", "))));
    }
    if let Some(ip) = non_empty(r.ip.as_deref()) {
        parts.push(format!("IP: {ip}"));
    }
    if let Some(curl) = non_empty(r.curl_command.as_deref()) {
        parts.push(bounded(&redact(&curl), 1024));
    }
    for message in [&r.request, &r.response].into_iter().flatten() {
        if !message.trim().is_empty() {
            parts.push(bounded(&redact(message.trim()), 1024));
        }
    }
    f.evidence = evidence(&parts);
    f
}

/// Whether a template reports exposed tokens, keys or passwords (its extracted values are then
/// secrets).
fn secret_template(template: &str, tags: &[String]) -> bool {
    const WORDS: &[&str] = &[
        "token",
        "tokens",
        "secret",
        "secrets",
        "keys",
        "apikey",
        "api-key",
        "credential",
        "credentials",
        "password",
        "passwords",
    ];
    let id = template.to_ascii_lowercase();
    tags.iter()
        .any(|t| WORDS.contains(&t.to_ascii_lowercase().as_str()))
        || [
            "token",
            "secret",
            "api-key",
            "apikey",
            "password",
            "credential",
        ]
        .iter()
        .any(|w| id.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(Nuclei.detect(&input));
        Nuclei.parse(&input).unwrap()
    }

    #[test]
    fn old_names_in_json_lines_merge_per_host() {
        let line = |matched: &str, matcher: &str| {
            format!(
                r#"{{"templateID":"tech-detect","info":{{"name":"Wappalyzer Technology Detection","author":"hakluke","severity":"info","tags":"tech,detect","reference":"- http://a.example\n- http://b.example\n"}},"matcher_name":"{matcher}","type":"http","host":"{matched}","matched":"{matched}","ip":"127.0.0.1","timestamp":"2021-05-20T11:11:01.667748+03:00"}}"#
            )
        };
        let text = [
            line("http://127.0.0.1:8080/WebGoat", "bootstrap"),
            line("http://127.0.0.1:9090/WebWolf", "bootstrap"),
            line("http://127.0.0.1:9090/WebWolf", "nginx"),
        ]
        .join("\n");
        let parsed = check(&text);
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Wappalyzer Technology Detection");
        assert_eq!(f.rule_id.as_deref(), Some("tech-detect"));
        assert_eq!(f.occurrences, 2);
        assert_eq!(
            f.location.web.as_ref().unwrap().parameter.as_deref(),
            Some("bootstrap")
        );
        assert_eq!(f.references, ["http://a.example", "http://b.example"]);
        assert_eq!(f.tags, ["tech", "detect"]);
        assert_eq!(
            parsed.scan_time.as_deref(),
            Some("2021-05-20T11:11:01.667748+03:00")
        );
    }

    #[test]
    fn new_names_in_an_array() {
        let parsed = check(
            r#"[{"template":"cves/2018/CVE-2018-15473.yaml","template-id":"CVE-2018-15473",
            "info":{"name":"OpenSSH Username Enumeration","author":["a","b"],"tags":["network","cve"],
            "reference":["https://nvd.nist.gov/vuln/detail/cve-2018-15473"],"severity":"medium",
            "classification":{"cve-id":["cve-2018-15473"],"cwe-id":["cwe-362","nvd-cve-other"],
            "cvss-metrics":"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N","cvss-score":5.3,"epss-score":0.5,"epss-percentile":0.9}},
            "type":"network","host":"https://x.example","matched-at":"x.example:22",
            "extracted-results":["SSH-2.0-OpenSSH_7.4p1"],"matcher-status":true,"matched-line":null}]"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::Medium, Some("medium"))
        );
        assert_eq!(f.cwe(), Some(362));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2018-15473"));
        let cvss = f.best_cvss().unwrap();
        assert_eq!((cvss.version, cvss.score), (CvssVersion::V3_0, Some(5.3)));
        assert_eq!(f.epss.map(|e| e.score), Some(0.5));
        assert_eq!(f.location.web.as_ref().unwrap().url, "x.example:22");
        assert_eq!(
            f.evidence.as_deref(),
            Some("Extracted: SSH-2.0-OpenSSH_7.4p1")
        );
    }

    #[test]
    fn extracted_tokens_are_masked() {
        let parsed = check(
            r#"{"template-id":"github-token-exposure","info":{"name":"GitHub Token","severity":"high","tags":["exposure","token"]},
            "type":"http","host":"https://x.example","matched-at":"https://x.example/app.js",
            "extracted-results":["ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
            "request":"GET /app.js HTTP/1.1","response":"HTTP/1.1 200 OK\r\n\r\nvar t='ghp_abcdefghijklmnopqrstuvwxyz0123456789';"}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(f.secret.as_ref().unwrap().masked, "ghp_****");
        let json = serde_json::to_string(&parsed.findings).unwrap();
        assert!(!json.contains("abcdefghijklmnopqrstuvwxyz"), "{json}");
    }

    #[test]
    fn empty_input_is_no_findings() {
        assert!(Nuclei.parse(&Input::new(b"")).unwrap().findings.is_empty());
        assert!(Nuclei
            .parse(&Input::new(b"[]"))
            .unwrap()
            .findings
            .is_empty());
        assert!(Nuclei.parse(&Input::new(b"{\"a\": [")).is_err());
    }
}
