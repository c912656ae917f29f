//! sslscan XML reports (`sslscan --xml=…`, sslscan 1.x and 2.x). <https://github.com/rbsec/sslscan>
//!
//! Findings per tested server (`host:port`): Heartbleed, SSL 2.0/3.0 and TLS 1.0/1.1 enabled,
//! insecure renegotiation, TLS compression, no TLS_FALLBACK_SCSV, and the accepted cipher suites
//! sslscan rates `null`, `anonymous`, `weak` or `medium` (grouped per protocol version). Ciphers
//! the server did not accept are not findings.

use quick_xml::events::{BytesStart, Event};
use ward_core::{Category, Finding, Severity, WebLocation};

use super::web_common::bullet_list;
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// sslscan XML.
pub(crate) struct Sslscan;

/// What sslscan measured on one server.
#[derive(Default)]
struct Test {
    target: String,
    heartbleed: Vec<String>,
    protocols: Vec<String>,
    insecure_renegotiation: bool,
    compression: bool,
    no_fallback_scsv: bool,
    /// Weak accepted ciphers per protocol version.
    weak: Vec<(String, Vec<WeakCipher>)>,
}

/// An accepted cipher sslscan rates below `strong`/`acceptable`.
struct WeakCipher {
    name: String,
    rating: String,
    severity: Severity,
}

impl Parser for Sslscan {
    fn id(&self) -> &'static str {
        "sslscan"
    }

    fn name(&self) -> &'static str {
        "sslscan"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Sslscan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.xml().is_some_and(|x| {
            x.root == "document"
                && (x.attribute("title") == Some("SSLScan Results")
                    || (x.has_element("ssltest") && x.attribute("SSLyzeVersion").is_none()))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        de::check_xml(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("sslscan".into()),
            ..Parsed::default()
        };
        let mut reader = quick_xml::Reader::from_reader(input.bytes());
        let mut buf = Vec::new();
        let mut test: Option<Test> = None;
        let mut seen_root = false;
        loop {
            buf.clear();
            let event = reader.read_event_into(&mut buf).map_err(|e| Error::Xml {
                line: 0,
                column: 0,
                message: e.to_string(),
            })?;
            let e = match event {
                Event::Start(e) | Event::Empty(e) => e,
                Event::Eof => break,
                _ => continue,
            };
            let name = e.local_name();
            let name = std::str::from_utf8(name.as_ref()).unwrap_or("");
            if !seen_root {
                seen_root = true;
                if name != "document" {
                    return Err(Error::WrongFormat {
                        format: "sslscan",
                        reason: format!("the root element is <{name}>, not <document>"),
                    });
                }
                continue;
            }
            if name == "ssltest" {
                if let Some(t) = test.take() {
                    parsed.findings.extend(findings(t));
                }
                let host = attr(&e, "host")
                    .or_else(|| attr(&e, "sniname"))
                    .unwrap_or_default();
                let port = attr(&e, "port").unwrap_or_else(|| "443".into());
                test = Some(Test {
                    target: format!("{host}:{port}"),
                    ..Test::default()
                });
                continue;
            }
            if name == "error" {
                parsed.warnings.push(format!(
                    "sslscan error: {}",
                    attr(&e, "message").unwrap_or_default()
                ));
            }
            let Some(t) = test.as_mut() else {
                continue;
            };
            let on = |key: &str| attr(&e, key).is_some_and(|v| v == "1" || v == "true");
            match name {
                "heartbleed" if on("vulnerable") => {
                    t.heartbleed
                        .push(attr(&e, "sslversion").unwrap_or_else(|| "?".into()));
                }
                "protocol" if on("enabled") => {
                    let version = attr(&e, "version").unwrap_or_default();
                    let label = match (attr(&e, "type").as_deref(), version.as_str()) {
                        (Some("ssl"), "2") => "SSLv2",
                        (Some("ssl"), "3") => "SSLv3",
                        (Some("tls"), "1.0") => "TLSv1.0",
                        (Some("tls"), "1.1") => "TLSv1.1",
                        _ => continue,
                    };
                    t.protocols.push(label.to_string());
                }
                "renegotiation" => t.insecure_renegotiation = on("supported") && !on("secure"),
                "compression" => t.compression = on("supported"),
                "fallback" => t.no_fallback_scsv = attr(&e, "supported").as_deref() == Some("0"),
                "cipher" => {
                    // Only ciphers the server accepted; old versions also list rejected ones.
                    let status = attr(&e, "status").unwrap_or_default();
                    if !(status.is_empty() || status == "accepted" || status == "preferred") {
                        continue;
                    }
                    let cipher = attr(&e, "cipher").unwrap_or_default();
                    let bits = attr(&e, "bits").and_then(|b| b.parse::<u32>().ok());
                    let Some((rating, severity)) =
                        rate(attr(&e, "strength").as_deref(), &cipher, bits)
                    else {
                        continue;
                    };
                    let version = attr(&e, "sslversion").unwrap_or_else(|| "?".into());
                    let entry = WeakCipher {
                        name: cipher,
                        rating,
                        severity,
                    };
                    match t.weak.iter_mut().find(|(v, _)| *v == version) {
                        Some((_, ciphers)) => ciphers.push(entry),
                        None => t.weak.push((version, vec![entry])),
                    }
                }
                _ => {}
            }
        }
        if let Some(t) = test.take() {
            parsed.findings.extend(findings(t));
        }
        Ok(parsed)
    }
}

/// How bad an accepted cipher is: sslscan 2's `strength`, or for older versions a reading of
/// the cipher name. `None` for good ciphers.
fn rate(strength: Option<&str>, cipher: &str, bits: Option<u32>) -> Option<(String, Severity)> {
    if let Some(strength) = strength {
        let severity = match strength {
            "null" | "anonymous" => Severity::High,
            "weak" => Severity::Medium,
            "medium" => Severity::Low,
            _ => return None,
        };
        return Some((strength.to_string(), severity));
    }
    let upper = cipher.to_ascii_uppercase();
    let rating = if upper.contains("NULL") || upper.contains("EXP") {
        ("null/export", Severity::High)
    } else if upper.starts_with("ADH") || upper.starts_with("AECDH") || upper.contains("ANON") {
        ("anonymous", Severity::High)
    } else if upper.contains("RC4") || upper.contains("MD5") || bits.is_some_and(|b| b < 112) {
        ("weak", Severity::Medium)
    } else if upper.contains("DES-CBC3") || upper.contains("3DES") || upper.contains("DES-CBC") {
        ("medium", Severity::Low)
    } else {
        return None;
    };
    Some((rating.0.to_string(), rating.1))
}

fn findings(t: Test) -> Vec<Finding> {
    let target = t.target.as_str();
    let mut out = Vec::new();
    if !t.heartbleed.is_empty() {
        let mut f = base(
            target,
            "heartbleed",
            "Heartbleed".into(),
            Severity::High,
            None,
        );
        f.add_id("CVE-2014-0160");
        f.description = Some(format!(
            "The server is vulnerable to Heartbleed over {}: its heartbeat extension leaks process memory.",
            t.heartbleed.join(", ")
        ));
        out.push(f);
    }
    for protocol in t.protocols {
        let (severity, id) = match protocol.as_str() {
            "SSLv2" => (Severity::High, Some("CVE-2016-0800")),
            "SSLv3" => (Severity::High, Some("CVE-2014-3566")),
            _ => (Severity::Medium, None),
        };
        let mut f = base(
            target,
            "protocol-enabled",
            format!("{protocol} enabled"),
            severity,
            Some(protocol.clone()),
        );
        f.add_cwe("327");
        if let Some(id) = id {
            f.add_id(id);
        }
        f.description = Some(format!(
            "The server accepts {protocol}, which is deprecated and should be disabled."
        ));
        out.push(f);
    }
    if t.insecure_renegotiation {
        let mut f = base(
            target,
            "insecure-renegotiation",
            "Insecure session renegotiation".into(),
            Severity::Medium,
            None,
        );
        f.add_id("CVE-2009-3555");
        f.description =
            Some("The server supports renegotiation without RFC 5746 secure renegotiation.".into());
        out.push(f);
    }
    if t.compression {
        let mut f = base(
            target,
            "compression",
            "TLS compression enabled".into(),
            Severity::Medium,
            None,
        );
        f.add_id("CVE-2012-4929");
        f.description = Some(
            "The server supports TLS compression, which exposes secrets to the CRIME attack."
                .into(),
        );
        out.push(f);
    }
    if t.no_fallback_scsv {
        let mut f = base(
            target,
            "no-fallback-scsv",
            "TLS_FALLBACK_SCSV not supported".into(),
            Severity::Low,
            None,
        );
        f.description = Some(
            "The server does not support TLS_FALLBACK_SCSV, so clients that retry with older protocol versions can be downgraded.".into(),
        );
        out.push(f);
    }
    for (version, ciphers) in t.weak {
        let severity = ciphers
            .iter()
            .map(|c| c.severity)
            .max()
            .unwrap_or(Severity::Low);
        let lines: Vec<String> = ciphers
            .iter()
            .map(|c| format!("{} ({})", c.name, c.rating))
            .collect();
        let mut f = base(
            target,
            "weak-cipher-suites",
            format!("Weak cipher suites for {version}"),
            severity,
            Some(version.clone()),
        );
        f.add_cwe("327");
        f.description = Some(format!(
            "The server accepts {version} cipher suites sslscan rates as weak:\n{}",
            bullet_list(&lines, 100)
        ));
        out.push(f);
    }
    out
}

fn base(
    target: &str,
    rule: &str,
    title: String,
    severity: Severity,
    parameter: Option<String>,
) -> Finding {
    let mut f = Finding::new("sslscan", Category::Dast, format!("{title} ({target})"));
    f.severity = severity;
    f.rule_id = Some(rule.to_string());
    f.location.web = Some(WebLocation {
        url: target.to_string(),
        method: None,
        parameter,
    });
    f
}

/// An attribute's unescaped, trimmed value, `None` when blank.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == key.as_bytes())
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned())
            })
            .and_then(|v| non_empty(Some(&v)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str) -> Parsed {
        let input = Input::new(xml.as_bytes());
        assert!(Sslscan.detect(&input));
        Sslscan.parse(&input).unwrap()
    }

    #[test]
    fn verdicts() {
        let parsed = check(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<document title="SSLScan Results" version="2.0.15" web="http://github.com/rbsec/sslscan">
 <ssltest host="www.target.com" sniname="www.target.com" port="443">
  <protocol type="ssl" version="3" enabled="1" />
  <protocol type="tls" version="1.2" enabled="1" />
  <fallback supported="1" />
  <renegotiation supported="1" secure="0" />
  <compression supported="0" />
  <heartbleed sslversion="TLSv1.2" vulnerable="0" />
  <heartbleed sslversion="TLSv1.0" vulnerable="1" />
  <cipher status="preferred" sslversion="TLSv1.2" bits="256" cipher="ECDHE-RSA-AES256-GCM-SHA384" strength="strong" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="128" cipher="RC4-SHA" strength="weak" />
  <cipher status="accepted" sslversion="TLSv1.2" bits="0" cipher="NULL-SHA" strength="null" />
  <cipher status="not accepted" sslversion="TLSv1.2" bits="56" cipher="DES-CBC-SHA" strength="weak" />
 </ssltest>
</document>"#,
        );
        let titles: Vec<&str> = parsed.findings.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Heartbleed (www.target.com:443)",
                "SSLv3 enabled (www.target.com:443)",
                "Insecure session renegotiation (www.target.com:443)",
                "Weak cipher suites for TLSv1.2 (www.target.com:443)",
            ]
        );
        let weak = &parsed.findings[3];
        assert_eq!(weak.severity, Severity::High);
        let description = weak.description.as_deref().unwrap();
        assert!(description.contains("RC4-SHA (weak)") && !description.contains("DES-CBC-SHA"));
        assert_eq!(
            parsed.findings[0].primary_vulnerability_id(),
            Some("CVE-2014-0160")
        );
    }

    #[test]
    fn old_versions_without_strength() {
        assert_eq!(
            rate(None, "EXP-RC4-MD5", Some(40)).map(|r| r.1),
            Some(Severity::High)
        );
        assert_eq!(
            rate(None, "DES-CBC3-SHA", Some(168)).map(|r| r.1),
            Some(Severity::Low)
        );
        assert_eq!(rate(None, "AES256-SHA", Some(256)), None);
    }
}
