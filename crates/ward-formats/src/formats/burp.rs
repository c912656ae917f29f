//! Burp Suite XML issue exports (`<issues burpVersion=…>`, "Report selected issues" as XML, Burp
//! 1.x to 2024.x), with request/response pairs in base64 or plain text.
//! <https://portswigger.net/burp>
//!
//! Burp writes one `<issue>` per issue type and location; entries of the same issue type are
//! merged into one finding whose `occurrences` counts them and whose description lists every
//! location. Only a bounded excerpt of the first request and response is kept as evidence.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, Confidence, Finding, Severity, Status, WebLocation};

use super::web_common::{base64_decode, bounded, bullet_list, evidence, html_to_text, urls_in};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// Burp Suite XML.
pub(crate) struct Burp;

/// How much of a request or a response the evidence keeps, in bytes.
const MESSAGE_EXCERPT: usize = 1536;

#[derive(Deserialize)]
struct Issues {
    #[serde(default, rename = "issue")]
    issues: Vec<Issue>,
}

#[derive(Deserialize)]
struct Issue {
    #[serde(rename = "serialNumber")]
    serial_number: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    host: Option<Host>,
    path: Option<String>,
    location: Option<String>,
    severity: Option<String>,
    confidence: Option<String>,
    #[serde(rename = "issueBackground")]
    issue_background: Option<String>,
    #[serde(rename = "remediationBackground")]
    remediation_background: Option<String>,
    references: Option<String>,
    #[serde(rename = "vulnerabilityClassifications")]
    classifications: Option<String>,
    #[serde(rename = "issueDetail")]
    issue_detail: Option<String>,
    #[serde(rename = "issueDetailItems")]
    issue_detail_items: Option<DetailItems>,
    #[serde(rename = "remediationDetail")]
    remediation_detail: Option<String>,
    #[serde(default, rename = "requestresponse")]
    messages: Vec<RequestResponse>,
}

#[derive(Deserialize)]
struct Host {
    #[serde(rename = "@ip")]
    ip: Option<String>,
    #[serde(rename = "$text")]
    url: Option<String>,
}

#[derive(Deserialize)]
struct DetailItems {
    #[serde(default, rename = "issueDetailItem")]
    items: Vec<String>,
}

#[derive(Deserialize)]
struct RequestResponse {
    request: Option<Message>,
    response: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(rename = "@method")]
    method: Option<String>,
    #[serde(rename = "@base64")]
    base64: Option<String>,
    #[serde(rename = "$text")]
    text: Option<String>,
}

impl Parser for Burp {
    fn id(&self) -> &'static str {
        "burp"
    }

    fn name(&self) -> &'static str {
        "Burp Suite"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Burp Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.xml().is_some_and(|x| {
            x.root == "issues"
                && (x.attribute("burpVersion").is_some()
                    || (x.has_element("issue") && x.has_element("serialNumber")))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Issues = de::xml(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("Burp Suite".into()),
            ..Parsed::default()
        };
        // Locations of every finding, for the description of merged ones.
        let mut places: Vec<Vec<String>> = Vec::new();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for (index, issue) in report.issues.into_iter().enumerate() {
            let Some((finding, place)) = finding(issue) else {
                parsed.warnings.push(format!(
                    "issue[{index}]: issue with neither name nor type; skipped"
                ));
                continue;
            };
            let key = (
                finding.rule_id.clone().unwrap_or_default(),
                finding.title.clone(),
            );
            match seen.get(&key) {
                Some(&at) => {
                    let kept = &mut parsed.findings[at];
                    kept.occurrences = kept.occurrences.saturating_add(1);
                    if finding.severity > kept.severity {
                        kept.severity = finding.severity;
                        kept.tool_severity = finding.tool_severity;
                    }
                    places[at].push(place);
                }
                None => {
                    seen.insert(key, parsed.findings.len());
                    parsed.findings.push(finding);
                    places.push(vec![place]);
                }
            }
        }
        for (f, places) in parsed.findings.iter_mut().zip(places) {
            if places.len() > 1 {
                let list = format!(
                    "Locations ({}):\n{}",
                    places.len(),
                    bullet_list(&places, 100)
                );
                f.description = Some(match f.description.take() {
                    Some(d) => format!("{d}\n\n{list}"),
                    None => list,
                });
            }
        }
        Ok(parsed)
    }
}

/// The finding for one issue, and a one-line description of its location.
fn finding(issue: Issue) -> Option<(Finding, String)> {
    let kind = non_empty(issue.kind.as_deref());
    let title = non_empty(issue.name.as_deref())
        .or_else(|| kind.as_ref().map(|k| format!("Burp issue {k}")))?;
    let mut f = Finding::new("Burp Suite", Category::Dast, title);
    if let Some(severity) = non_empty(issue.severity.as_deref()) {
        if severity.eq_ignore_ascii_case("false positive") {
            f.status = Status::FalsePositive;
        }
        f.severity = Severity::from_label(&severity).unwrap_or(Severity::Info);
        f.tool_severity = Some(severity);
    }
    f.confidence = issue.confidence.as_deref().and_then(Confidence::from_label);
    f.rule_id = kind;
    f.external_id = non_empty(issue.serial_number.as_deref());
    for cwe in cwes(issue.classifications.as_deref().unwrap_or("")) {
        f.add_cwe(&cwe);
    }

    let host = issue
        .host
        .as_ref()
        .and_then(|h| non_empty(h.url.as_deref()).or_else(|| non_empty(h.ip.as_deref())))
        .unwrap_or_default();
    let path = non_empty(issue.path.as_deref()).unwrap_or_default();
    let url = format!("{}{}", host.trim_end_matches('/'), path);
    let location = non_empty(issue.location.as_deref());
    let method = issue.messages.iter().find_map(|m| {
        m.request
            .as_ref()
            .and_then(|r| non_empty(r.method.as_deref()))
    });
    if !url.is_empty() {
        f.location.web = Some(WebLocation {
            url: url.clone(),
            method,
            parameter: location.as_deref().and_then(parameter),
        });
    }
    let place = match &location {
        Some(l) => format!("{}{l}", host.trim_end_matches('/')),
        None => url,
    };

    let mut description = Vec::new();
    if let Some(detail) = non_empty(issue.issue_detail.as_deref()) {
        description.push(html_to_text(&detail));
    }
    let items: Vec<String> = issue
        .issue_detail_items
        .into_iter()
        .flat_map(|i| i.items)
        .filter_map(|i| non_empty(Some(&i)))
        .collect();
    if !items.is_empty() {
        description.push(bullet_list(&items, 50));
    }
    if let Some(background) = non_empty(issue.issue_background.as_deref()) {
        description.push(html_to_text(&background));
    }
    f.description = Some(description.join("\n\n")).filter(|d| !d.is_empty());
    let remediation: Vec<String> = [&issue.remediation_detail, &issue.remediation_background]
        .into_iter()
        .filter_map(|r| non_empty(r.as_deref()))
        .map(|r| html_to_text(&r))
        .collect();
    f.remediation = Some(remediation.join("\n\n")).filter(|r| !r.is_empty());
    for url in urls_in(issue.references.as_deref().unwrap_or("")) {
        f.add_reference(&url);
    }

    if let Some(pair) = issue.messages.first() {
        let parts: Vec<String> = [&pair.request, &pair.response]
            .into_iter()
            .flatten()
            .filter_map(excerpt)
            .collect();
        f.evidence = evidence(&parts);
    }
    Some((f, place))
}

/// The parameter a location names: `/login.jsp [password parameter]` → `password`.
fn parameter(location: &str) -> Option<String> {
    let inner = location.rsplit_once('[')?.1.strip_suffix(']')?.trim();
    let name = ["parameter", "cookie"]
        .iter()
        .find_map(|kind| inner.strip_suffix(kind))
        .map(str::trim)
        .unwrap_or(inner);
    non_empty(Some(name))
}

/// Every `CWE-n` in a classification list, in order.
fn cwes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("CWE-") {
        let digits: String = rest[i + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() && !found.contains(&digits) {
            found.push(digits);
        }
        rest = &rest[i + 4..];
    }
    found
}

/// A bounded, decoded excerpt of a request or response.
fn excerpt(message: &Message) -> Option<String> {
    let text = message.text.as_deref()?.trim();
    if text.is_empty() {
        return None;
    }
    if message.base64.as_deref() != Some("true") {
        return Some(bounded(text, MESSAGE_EXCERPT));
    }
    // Decode only as much as the excerpt needs.
    let wanted = (MESSAGE_EXCERPT + 3) / 3 * 4;
    let mut prefix: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .take(wanted + 4)
        .collect();
    if !prefix.is_ascii() {
        return None;
    }
    let cut = prefix.len() > wanted;
    prefix.truncate(wanted.min(prefix.len()) / 4 * 4);
    let decoded = base64_decode(&prefix)?;
    let mut text = bounded(&String::from_utf8_lossy(&decoded), MESSAGE_EXCERPT);
    if cut && !text.ends_with("cut]") {
        text.push_str("… [cut]");
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str) -> Parsed {
        let input = Input::new(xml.as_bytes());
        assert!(Burp.detect(&input));
        Burp.parse(&input).unwrap()
    }

    fn issue(serial: &str, location: &str, request: &str) -> String {
        format!(
            r#"<issue><serialNumber>{serial}</serialNumber><type>1049088</type><name>SQL injection</name>
            <host ip="192.168.1.1">http://bwa</host><path><![CDATA[/login.jsp]]></path>
            <location><![CDATA[/login.jsp [{location}]]]></location><severity>High</severity><confidence>Firm</confidence>
            <issueBackground><![CDATA[SQL injection<br><br>arises.]]></issueBackground>
            <references><![CDATA[<ul><li><a href="https://portswigger.net/web-security/sql-injection">SQL injection</a></li></ul>]]></references>
            <vulnerabilityClassifications><![CDATA[<li><a href="https://cwe.mitre.org/data/definitions/89.html">CWE-89: SQL Injection</a></li>]]></vulnerabilityClassifications>
            <issueDetail><![CDATA[The <b>password</b> parameter is vulnerable.]]></issueDetail>
            <requestresponse><request method="POST" base64="true"><![CDATA[{request}]]></request><response base64="true"></response><responseRedirected>false</responseRedirected></requestresponse>
            </issue>"#
        )
    }

    #[test]
    fn issues_of_one_type_merge() {
        // "POST /login.jsp HTTP/1.1\r\nHost: bwa\r\n\r\n" in base64.
        let request = "UE9TVCAvbG9naW4uanNwIEhUVFAvMS4xDQpIb3N0OiBid2ENCg0K";
        let xml = format!(
            r#"<?xml version="1.0"?>
<!DOCTYPE issues [
<!ELEMENT issues (issue*)>
<!ATTLIST issues burpVersion CDATA "">
]>
<issues burpVersion="2020.12.1" exportTime="Wed Jan 27 22:43:35 WIB 2021">{}{}</issues>"#,
            issue("111", "password parameter", request),
            issue("222", "b_id cookie", request)
        );
        let parsed = check(&xml);
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "SQL injection");
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::High, Some(Confidence::Medium))
        );
        assert_eq!(f.rule_id.as_deref(), Some("1049088"));
        assert_eq!(f.external_id.as_deref(), Some("111"));
        assert_eq!(f.cwe(), Some(89));
        assert_eq!(f.occurrences, 2);
        let web = f.location.web.as_ref().unwrap();
        assert_eq!(web.url, "http://bwa/login.jsp");
        assert_eq!(
            (web.method.as_deref(), web.parameter.as_deref()),
            (Some("POST"), Some("password"))
        );
        assert_eq!(
            f.references,
            ["https://portswigger.net/web-security/sql-injection"]
        );
        assert!(f
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("POST /login.jsp HTTP/1.1"));
        let description = f.description.as_deref().unwrap();
        assert!(
            description.contains("http://bwa/login.jsp [b_id cookie]"),
            "{description}"
        );
    }

    #[test]
    fn odd_messages_do_not_panic() {
        let xml = format!(
            "<issues burpVersion=\"1\">{}</issues>",
            issue("1", "q parameter", &"é".repeat(5000))
        );
        assert!(check(&xml).findings[0].evidence.is_none());
    }

    #[test]
    fn evidence_is_bounded() {
        let body = "A".repeat(200_000);
        let xml = format!(
            "<issues burpVersion=\"1\">{}</issues>",
            issue("1", "q parameter", &body)
        );
        let f = &check(&xml).findings[0];
        assert!(f.evidence.as_deref().unwrap().len() < 2000);
    }
}
