//! OWASP ZAP XML reports (`OWASPZAPReport`), the "Traditional XML" and "XML plus" templates of
//! ZAP 2.x (2.9 to 2.16 and weekly builds). <https://www.zaproxy.org/>
//!
//! One finding per alert of a site: the alert's instances (URL, method, parameter) are the
//! places it was seen; the first one is the location, all are listed in the description, and
//! `occurrences` counts them. `pluginid` is the rule id.

use serde::Deserialize;
use ward_core::{Category, Confidence, Finding, Severity, Status, WebLocation};

use super::web_common::{bounded, bullet_list, evidence, html_to_text, urls_in};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// OWASP ZAP XML.
pub(crate) struct Zap;

#[derive(Deserialize)]
struct Report {
    #[serde(default, rename = "site")]
    sites: Vec<Site>,
}

#[derive(Deserialize)]
struct Site {
    #[serde(rename = "@name")]
    name: Option<String>,
    alerts: Option<Alerts>,
}

#[derive(Deserialize)]
struct Alerts {
    #[serde(default, rename = "alertitem")]
    items: Vec<AlertItem>,
}

#[derive(Deserialize)]
struct AlertItem {
    pluginid: Option<String>,
    #[serde(rename = "alertRef")]
    alert_ref: Option<String>,
    alert: Option<String>,
    name: Option<String>,
    riskcode: Option<String>,
    confidence: Option<String>,
    riskdesc: Option<String>,
    desc: Option<String>,
    instances: Option<Instances>,
    count: Option<String>,
    solution: Option<String>,
    otherinfo: Option<String>,
    reference: Option<String>,
    cweid: Option<String>,
    wascid: Option<String>,
    tags: Option<Tags>,
}

#[derive(Deserialize)]
struct Instances {
    #[serde(default, rename = "instance")]
    items: Vec<Instance>,
}

#[derive(Deserialize)]
struct Instance {
    uri: Option<String>,
    method: Option<String>,
    param: Option<String>,
    attack: Option<String>,
    evidence: Option<String>,
    otherinfo: Option<String>,
    requestheader: Option<String>,
    requestbody: Option<String>,
    responseheader: Option<String>,
    responsebody: Option<String>,
}

#[derive(Deserialize)]
struct Tags {
    #[serde(default, rename = "tag")]
    items: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    tag: Option<String>,
}

impl Parser for Zap {
    fn id(&self) -> &'static str {
        "zap"
    }

    fn name(&self) -> &'static str {
        "OWASP ZAP"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["ZAP Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.xml().is_some_and(|x| x.root == "OWASPZAPReport")
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::xml(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("ZAP".into()),
            ..Parsed::default()
        };
        for (s, site) in report.sites.into_iter().enumerate() {
            let site_name = non_empty(site.name.as_deref());
            for (a, item) in site.alerts.into_iter().flat_map(|a| a.items).enumerate() {
                match finding(item, site_name.as_deref()) {
                    Some(f) => parsed.findings.push(f),
                    None => parsed.warnings.push(format!(
                        "site[{s}].alertitem[{a}]: alert with neither name nor plugin id; skipped"
                    )),
                }
            }
        }
        Ok(parsed)
    }
}

fn finding(item: AlertItem, site: Option<&str>) -> Option<Finding> {
    let plugin = non_empty(item.pluginid.as_deref());
    let title = non_empty(item.alert.as_deref())
        .or_else(|| non_empty(item.name.as_deref()))
        .or_else(|| plugin.as_ref().map(|p| format!("ZAP alert {p}")))?;
    let mut f = Finding::new("ZAP", Category::Dast, title);

    let risk = item.riskcode.as_deref().map(str::trim);
    let risk_word = item
        .riskdesc
        .as_deref()
        .and_then(|d| non_empty(d.split('(').next()));
    (f.severity, f.tool_severity) = match risk {
        Some("3") => (Severity::High, Some("High".to_string())),
        Some("2") => (Severity::Medium, Some("Medium".to_string())),
        Some("1") => (Severity::Low, Some("Low".to_string())),
        Some("0") => (Severity::Info, Some("Informational".to_string())),
        _ => (
            risk_word
                .as_deref()
                .and_then(Severity::from_label)
                .unwrap_or(Severity::Info),
            risk_word,
        ),
    };
    match item.confidence.as_deref().map(str::trim) {
        Some("0") => f.status = Status::FalsePositive,
        Some("1") => f.confidence = Some(Confidence::Low),
        Some("2") => f.confidence = Some(Confidence::Medium),
        Some("3") => f.confidence = Some(Confidence::High),
        Some("4") => {
            f.confidence = Some(Confidence::High);
            f.verified = true;
        }
        _ => {}
    }
    f.rule_id = plugin;
    if let Some(cwe) = item.cweid.as_deref() {
        f.add_cwe(cwe);
    }
    if let Some(wasc) = item
        .wascid
        .as_deref()
        .map(str::trim)
        .filter(|w| w.parse::<u32>().is_ok_and(|n| n > 0))
    {
        f.tags.push(format!("WASC-{wasc}"));
    }
    for tag in item.tags.into_iter().flat_map(|t| t.items) {
        let Some(tag) = non_empty(tag.tag.as_deref()) else {
            continue;
        };
        // `OWASP_2021_A03` names a Top 10 category; `CWE-79` repeats the cweid.
        match owasp_tag(&tag) {
            Some(owasp) => f.add_id(&owasp),
            None if tag.starts_with("CWE-") => f.add_cwe(&tag),
            None if !f.tags.contains(&tag) => f.tags.push(tag),
            None => {}
        }
    }
    if let Some(alert_ref) = non_empty(item.alert_ref.as_deref()) {
        if f.rule_id.as_deref() != Some(alert_ref.as_str()) {
            f.tags.push(format!("alertRef:{alert_ref}"));
        }
    }

    let instances = item.instances.map(|i| i.items).unwrap_or_default();
    let first = instances.first();
    let url = first
        .and_then(|i| non_empty(i.uri.as_deref()))
        .or_else(|| site.map(str::to_string));
    if let Some(url) = url {
        f.location.web = Some(WebLocation {
            url,
            method: first.and_then(|i| non_empty(i.method.as_deref())),
            parameter: first.and_then(|i| non_empty(i.param.as_deref())),
        });
    }
    let count = item
        .count
        .as_deref()
        .and_then(|c| c.trim().parse::<u32>().ok())
        .unwrap_or(0);
    f.occurrences = count
        .max(u32::try_from(instances.len()).unwrap_or(u32::MAX))
        .max(1);

    let mut description = Vec::new();
    if let Some(desc) = non_empty(item.desc.as_deref()) {
        description.push(html_to_text(&desc));
    }
    if let Some(other) = non_empty(item.otherinfo.as_deref()) {
        description.push(format!("Other info: {}", html_to_text(&other)));
    }
    if instances.len() > 1 {
        let places: Vec<String> = instances
            .iter()
            .map(|i| {
                let mut place = format!(
                    "{} {}",
                    i.method.as_deref().unwrap_or("").trim(),
                    i.uri.as_deref().unwrap_or("").trim()
                );
                if let Some(param) = non_empty(i.param.as_deref()) {
                    place.push_str(&format!(" [{param}]"));
                }
                place.trim().to_string()
            })
            .collect();
        description.push(format!(
            "Instances ({}):\n{}",
            places.len(),
            bullet_list(&places, 50)
        ));
    }
    f.description = Some(description.join("\n\n")).filter(|d| !d.is_empty());
    f.remediation = non_empty(item.solution.as_deref()).map(|s| html_to_text(&s));
    for url in urls_in(item.reference.as_deref().unwrap_or("")) {
        f.add_reference(&url);
    }
    if let Some(i) = first {
        let mut parts = Vec::new();
        if let Some(e) = non_empty(i.evidence.as_deref()) {
            parts.push(format!("Evidence: {e}"));
        }
        if let Some(a) = non_empty(i.attack.as_deref()) {
            parts.push(format!("Attack: {a}"));
        }
        // The alert's own `otherinfo` is in the description already.
        if let Some(o) = non_empty(i.otherinfo.as_deref()).filter(|_| item.otherinfo.is_none()) {
            parts.push(format!("Other info: {}", bounded(&dedent(&o), 512)));
        }
        for (head, body) in [
            (&i.requestheader, &i.requestbody),
            (&i.responseheader, &i.responsebody),
        ] {
            let head = dedent(head.as_deref().unwrap_or(""));
            let body = body.as_deref().unwrap_or("").trim();
            if !head.is_empty() || !body.is_empty() {
                parts.push(format!(
                    "{}\n\n{}",
                    bounded(&head, 1024),
                    bounded(body, 512)
                ));
            }
        }
        f.evidence = evidence(&parts);
    }
    Some(f)
}

/// `OWASP_2021_A03` → `A03:2021`.
fn owasp_tag(tag: &str) -> Option<String> {
    let rest = tag.strip_prefix("OWASP_")?;
    let (year, category) = rest.split_once('_')?;
    (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && category.starts_with('A'))
        .then(|| format!("{category}:{year}"))
}

/// Pretty-printed reports indent header lines; strip the common indentation.
fn dedent(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str) -> Parsed {
        let input = Input::new(xml.as_bytes());
        assert!(Zap.detect(&input));
        Zap.parse(&input).unwrap()
    }

    const TRADITIONAL: &str = r#"<?xml version="1.0"?><OWASPZAPReport version="2.9.0" generated="Tue, 12 May 2020 20:57:30">
<site name="https://mainsite.com" host="mainsite.com" port="443" ssl="true"><alerts><alertitem>
  <pluginid>10011</pluginid>
  <alert>Cookie Without Secure Flag</alert>
  <name>Cookie Without Secure Flag</name>
  <riskcode>1</riskcode>
  <confidence>2</confidence>
  <riskdesc>Low (Medium)</riskdesc>
  <desc>&lt;p&gt;A cookie has been set without the secure flag.&lt;/p&gt;</desc>
  <instances>
    <instance><uri>https://mainsite.com/dashboard</uri><method>GET</method><param>opvc</param><evidence>Set-Cookie: opvc</evidence></instance>
    <instance><uri>https://mainsite.com</uri><method>GET</method><param>dmid</param></instance>
  </instances>
  <count>2</count>
  <solution>Set the secure flag.</solution>
  <reference>&lt;p&gt;https://owasp.org/a&lt;/p&gt;&lt;p&gt;https://owasp.org/b&lt;/p&gt;</reference>
  <cweid>614</cweid>
  <wascid>13</wascid>
</alertitem></alerts></site></OWASPZAPReport>"#;

    #[test]
    fn traditional_report() {
        let parsed = check(TRADITIONAL);
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(f.title, "Cookie Without Secure Flag");
        assert_eq!(
            (f.severity, f.tool_severity.as_deref()),
            (Severity::Low, Some("Low"))
        );
        assert_eq!(f.confidence, Some(Confidence::Medium));
        assert_eq!(f.rule_id.as_deref(), Some("10011"));
        assert_eq!(f.cwe(), Some(614));
        assert_eq!(f.occurrences, 2);
        let web = f.location.web.as_ref().unwrap();
        assert_eq!(web.url, "https://mainsite.com/dashboard");
        assert_eq!(web.parameter.as_deref(), Some("opvc"));
        assert_eq!(f.references, ["https://owasp.org/a", "https://owasp.org/b"]);
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .contains("GET https://mainsite.com [dmid]"));
        assert_eq!(f.tags, ["WASC-13"]);
    }

    #[test]
    fn xml_plus_with_bodies_and_tags() {
        let body = "x".repeat(100_000);
        let xml = format!(
            r#"<?xml version="1.0"?><OWASPZAPReport programName="ZAP" version="2.16.1"><site name="http://h"><alerts><alertitem>
            <pluginid>10029</pluginid><alertRef>10029</alertRef><alert>Cookie Poisoning</alert><riskcode>0</riskcode><confidence>0</confidence>
            <instances><instance><uri>http://h/a</uri><method>POST</method><param></param><attack /><evidence />
            <requestheader>
                POST http://h/a HTTP/1.1
                host: h
            </requestheader><requestbody>{body}</requestbody><responseheader>HTTP/1.1 200 OK</responseheader><responsebody /></instance></instances>
            <cweid>-1</cweid><wascid>-1</wascid>
            <tags><tag><tag>CWE-565</tag><link>https://cwe.mitre.org/data/definitions/565.html</link></tag>
            <tag><tag>OWASP_2021_A03</tag><link /></tag></tags>
            </alertitem></alerts></site><statistics><statistic><key>k</key><value>1</value></statistic></statistics></OWASPZAPReport>"#
        );
        let parsed = check(&xml);
        let f = &parsed.findings[0];
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(f.status, Status::FalsePositive);
        assert_eq!(f.cwe(), Some(565));
        assert!(f.identifiers.iter().any(|i| i.value == "A03:2021"));
        let web = f.location.web.as_ref().unwrap();
        assert_eq!(
            (web.method.as_deref(), web.parameter.as_deref()),
            (Some("POST"), None)
        );
        let ev = f.evidence.as_deref().unwrap();
        assert!(ev.starts_with("POST http://h/a HTTP/1.1\nhost: h"), "{ev}");
        assert!(ev.len() < 5000, "{}", ev.len());
    }

    #[test]
    fn empty_site_and_other_xml() {
        assert!(check(r#"<OWASPZAPReport version="2.9.0"><site name="x"><alerts></alerts></site></OWASPZAPReport>"#)
            .findings
            .is_empty());
        assert!(!Zap.detect(&Input::new(b"<issues burpVersion=\"1\"/>")));
    }
}
