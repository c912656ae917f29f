//! Nikto reports: the XML output (`-Format xml`, nxmlversion 1.x, Nikto 2.1 to 2.5, also the
//! nested `<niktoscan><niktoscan>` layout) and the JSON output (`-Format json`, one host object
//! or a list of them). <https://github.com/sullo/nikto>
//!
//! One finding per item. Nikto rates nothing, so every finding is `info`; the test id is the
//! rule id and the OSVDB id, when not 0, an identifier.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, Finding, Severity, WebLocation};

use super::ordered::{OneOrMany, Text};
use super::web_common::urls_in;
use crate::util::{first_line, non_empty};
use crate::{de, Error, Input, Parsed, Parser};

/// Nikto XML and JSON.
pub(crate) struct Nikto;

#[derive(Deserialize)]
struct XmlScan {
    #[serde(default, rename = "niktoscan")]
    inner: Vec<XmlInnerScan>,
    #[serde(default, rename = "scandetails")]
    details: Vec<XmlDetails>,
}

#[derive(Deserialize)]
struct XmlInnerScan {
    #[serde(default, rename = "scandetails")]
    details: Vec<XmlDetails>,
}

#[derive(Deserialize)]
struct XmlDetails {
    #[serde(rename = "@targetip")]
    target_ip: Option<String>,
    #[serde(rename = "@targethostname")]
    target_hostname: Option<String>,
    #[serde(rename = "@targetport")]
    target_port: Option<String>,
    #[serde(rename = "@sitename")]
    sitename: Option<String>,
    #[serde(default, rename = "item")]
    items: Vec<XmlItem>,
}

#[derive(Deserialize)]
struct XmlItem {
    #[serde(rename = "@id")]
    id: Option<String>,
    #[serde(rename = "@osvdbid")]
    osvdb: Option<String>,
    #[serde(rename = "@osvdblink")]
    osvdb_link: Option<String>,
    #[serde(rename = "@method")]
    method: Option<String>,
    description: Option<String>,
    uri: Option<String>,
    namelink: Option<String>,
    references: Option<String>,
}

#[derive(Deserialize)]
struct JsonHost {
    host: Option<Text>,
    ip: Option<Text>,
    port: Option<Text>,
    #[serde(default)]
    vulnerabilities: Vec<JsonVuln>,
}

#[derive(Deserialize)]
struct JsonVuln {
    id: Option<Text>,
    #[serde(rename = "OSVDB")]
    osvdb: Option<Text>,
    method: Option<String>,
    url: Option<String>,
    msg: Option<String>,
    references: Option<OneOrMany>,
}

/// One item, whichever output it came from.
struct Item {
    id: Option<String>,
    osvdb: Option<String>,
    method: Option<String>,
    url: String,
    message: String,
    references: Vec<String>,
}

impl Parser for Nikto {
    fn id(&self) -> &'static str {
        "nikto"
    }

    fn name(&self) -> &'static str {
        "Nikto"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Nikto Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        if let Some(xml) = input.xml() {
            return xml.root == "niktoscan";
        }
        let Some(json) = input.json() else {
            return false;
        };
        let host = match json {
            serde_json::Value::Array(hosts) => hosts.first(),
            other => Some(other),
        };
        host.is_some_and(|h| {
            h.get("host").is_some()
                && h.get("vulnerabilities")
                    .and_then(|v| v.as_array())
                    .is_some_and(|v| {
                        v.first()
                            .is_none_or(|v| v.get("msg").is_some() && v.get("id").is_some())
                            && (h.get("banner").is_some() || !v.is_empty())
                    })
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let text = input.text()?;
        let items = if text.trim_start().starts_with('<') {
            xml_items(input.bytes())?
        } else {
            json_items(text.as_bytes())?
        };
        let mut parsed = Parsed {
            tool: Some("Nikto".into()),
            ..Parsed::default()
        };
        let mut seen: HashMap<(Option<String>, Option<String>, String, String), usize> =
            HashMap::new();
        for (index, item) in items.into_iter().enumerate() {
            if item.message.is_empty() && item.id.is_none() {
                parsed
                    .warnings
                    .push(format!("item {index}: neither message nor id; skipped"));
                continue;
            }
            let key = (
                item.id.clone(),
                item.method.clone(),
                item.url.clone(),
                item.message.clone(),
            );
            if let Some(&at) = seen.get(&key) {
                let f: &mut Finding = &mut parsed.findings[at];
                f.occurrences = f.occurrences.saturating_add(1);
                continue;
            }
            seen.insert(key, parsed.findings.len());
            parsed.findings.push(finding(item));
        }
        Ok(parsed)
    }
}

fn xml_items(bytes: &[u8]) -> Result<Vec<Item>, Error> {
    let scan: XmlScan = de::xml(bytes)?;
    let details = scan
        .details
        .into_iter()
        .chain(scan.inner.into_iter().flat_map(|s| s.details));
    let mut items = Vec::new();
    for d in details {
        let base = non_empty(d.sitename.as_deref())
            .map(|s| s.trim_end_matches('/').to_string())
            .or_else(|| {
                let host = non_empty(d.target_hostname.as_deref())
                    .or_else(|| non_empty(d.target_ip.as_deref()))?;
                Some(base_url(&host, d.target_port.as_deref()))
            })
            .unwrap_or_default();
        for item in d.items {
            let uri = item.uri.as_deref().unwrap_or("").trim().to_string();
            // `namelink` is the full URL, but Nikto leaves it blank or host-less (`http://:/x`)
            // for some checks.
            let url = non_empty(item.namelink.as_deref())
                .filter(|l| {
                    l.split_once("://")
                        .is_some_and(|(_, rest)| !rest.starts_with([':', '/']))
                })
                .unwrap_or_else(|| join(&base, &uri));
            let mut references: Vec<String> = Vec::new();
            if osvdb(item.osvdb.as_deref()).is_some() {
                references.extend(non_empty(item.osvdb_link.as_deref()));
            }
            references.extend(urls_in(item.references.as_deref().unwrap_or("")));
            items.push(Item {
                id: non_empty(item.id.as_deref()),
                osvdb: osvdb(item.osvdb.as_deref()),
                method: non_empty(item.method.as_deref()),
                url,
                message: item.description.as_deref().unwrap_or("").trim().to_string(),
                references,
            });
        }
    }
    Ok(items)
}

fn json_items(bytes: &[u8]) -> Result<Vec<Item>, Error> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let hosts: Vec<JsonHost> = if first == Some(&b'[') {
        de::json(bytes)?
    } else {
        vec![de::json(bytes)?]
    };
    let mut items = Vec::new();
    for host in hosts {
        let name = host
            .host
            .as_ref()
            .and_then(Text::get)
            .or_else(|| host.ip.as_ref().and_then(Text::get))
            .unwrap_or("")
            .to_string();
        let base = base_url(&name, host.port.as_ref().and_then(Text::get));
        for v in host.vulnerabilities {
            let url = v.url.as_deref().unwrap_or("").trim();
            let mut references = Vec::new();
            for r in v.references.into_iter().flat_map(|r| r.0) {
                references.extend(urls_in(&r));
            }
            items.push(Item {
                id: v.id.as_ref().and_then(Text::get).map(str::to_string),
                osvdb: osvdb(v.osvdb.as_ref().and_then(Text::get)),
                method: non_empty(v.method.as_deref()),
                url: if url.contains("://") {
                    url.to_string()
                } else {
                    join(&base, url)
                },
                message: v.msg.as_deref().unwrap_or("").trim().to_string(),
                references,
            });
        }
    }
    Ok(items)
}

/// An OSVDB id worth keeping (Nikto writes 0 for none).
fn osvdb(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    raw.parse::<u64>()
        .is_ok_and(|n| n > 0)
        .then(|| raw.to_string())
}

/// `https://host` for port 443, `http://host:port` otherwise (the default port left out).
fn base_url(host: &str, port: Option<&str>) -> String {
    if host.is_empty() {
        return String::new();
    }
    match port.map(str::trim).unwrap_or("") {
        "443" => format!("https://{host}"),
        "" | "80" => format!("http://{host}"),
        port => format!("http://{host}:{port}"),
    }
}

fn join(base: &str, path: &str) -> String {
    if path.is_empty() {
        return base.to_string();
    }
    if path.starts_with('/') || base.is_empty() {
        format!("{base}{path}")
    } else {
        format!("{base}/{path}")
    }
}

fn finding(item: Item) -> Finding {
    let title = if item.message.is_empty() {
        format!("Nikto test {}", item.id.as_deref().unwrap_or(""))
    } else {
        first_line(&item.message, 300)
    };
    let mut f = Finding::new("Nikto", Category::Dast, title);
    f.severity = Severity::Info;
    f.rule_id = item.id;
    if let Some(osvdb) = &item.osvdb {
        f.add_id(&format!("OSVDB-{osvdb}"));
    }
    if !item.url.is_empty() {
        f.location.web = Some(WebLocation {
            url: item.url,
            method: item.method,
            parameter: None,
        });
    }
    f.description = non_empty(Some(&item.message));
    for r in &item.references {
        f.add_reference(r);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(Nikto.detect(&input));
        Nikto.parse(&input).unwrap()
    }

    #[test]
    fn nested_xml() {
        let parsed = check(
            r#"<?xml version="1.0" ?>
<!DOCTYPE niktoscan SYSTEM "docs/nikto.dtd">
<niktoscan><niktoscan version="2.1.6">
<scandetails targetip="1.2.3.4" targethostname="www.tdh.com" targetport="443" sitename="https://www.tdh.com:443/">
<item id="500008" osvdbid="39272" osvdblink="http://osvdb.org/39272" method="GET">
<description><![CDATA[favicon.ico file identifies this server as: Apache Tomcat]]></description>
<uri><![CDATA[/favicon.ico]]></uri><namelink><![CDATA[]]></namelink><iplink><![CDATA[http://:/favicon.ico]]></iplink>
</item>
<item id="999100" osvdbid="0" osvdblink="http://osvdb.org/0" method="GET">
<description><![CDATA[Uncommon header 'x-cache' found, with contents: HIT]]></description>
<uri><![CDATA[/]]></uri><namelink><![CDATA[https://www.tdh.com:443/]]></namelink>
</item>
</scandetails></niktoscan></niktoscan>"#,
        );
        assert_eq!(parsed.findings.len(), 2);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "favicon.ico file identifies this server as: Apache Tomcat"
        );
        assert_eq!(
            (f.severity, f.rule_id.as_deref()),
            (Severity::Info, Some("500008"))
        );
        assert_eq!(
            f.location.web.as_ref().unwrap().url,
            "https://www.tdh.com:443/favicon.ico"
        );
        assert_eq!(f.identifiers[0].value, "OSVDB-39272");
        assert_eq!(f.references, ["http://osvdb.org/39272"]);
        let g = &parsed.findings[1];
        assert!(g.identifiers.is_empty() && g.references.is_empty());
    }

    #[test]
    fn json_object_and_list() {
        let host = r#"{"host":"example.com","ip":"203.0.113.37","port":"443","banner":"",
            "vulnerabilities":[{"id":"999966","references":"http://breachattack.com/","method":"GET","url":"/",
            "msg":"The Content-Encoding header is set to \"deflate\"."}]}"#;
        let f = &check(host).findings[0];
        assert_eq!(f.location.web.as_ref().unwrap().url, "https://example.com/");
        assert_eq!(f.references, ["http://breachattack.com/"]);
        assert_eq!(check(&format!("[{host},{host}]")).findings.len(), 1);
        assert_eq!(
            check(&format!("[{host},{host}]")).findings[0].occurrences,
            2
        );
        assert!(check("<niktoscan>\n</niktoscan>").findings.is_empty());
    }
}
