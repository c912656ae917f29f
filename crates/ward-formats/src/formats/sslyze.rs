//! SSLyze XML reports (`sslyze --xml_out`, SSLyze 1.x and 2.x), and the checks shared with the
//! JSON reader ([`super::sslyze_json`]). <https://github.com/nabla-c0d3/sslyze>
//!
//! SSLyze reports what it measured, not verdicts; the verdicts here are: Heartbleed, OpenSSL
//! CCS injection and ROBOT; insecure or client-initiated renegotiation; TLS compression; no
//! TLS_FALLBACK_SCSV; certificate validation problems; SSL 2.0/3.0 and TLS 1.0/1.1 enabled; and,
//! for TLS 1.2 and 1.3, accepted cipher suites outside the German BSI TR-02102-2 recommendations.
//! One finding per server and verdict, titled `… (host:port)`.

use quick_xml::events::{BytesStart, Event};
use ward_core::{Category, Finding, Severity, WebLocation};

use super::web_common::bullet_list;
use crate::{de, Error, Input, Parsed, Parser};

/// SSLyze XML.
pub(crate) struct Sslyze;

/// A protocol version SSLyze tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Protocol {
    Ssl2,
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl Protocol {
    fn label(self) -> &'static str {
        match self {
            Protocol::Ssl2 => "SSL 2.0",
            Protocol::Ssl3 => "SSL 3.0",
            Protocol::Tls10 => "TLS 1.0",
            Protocol::Tls11 => "TLS 1.1",
            Protocol::Tls12 => "TLS 1.2",
            Protocol::Tls13 => "TLS 1.3",
        }
    }

    /// SSLyze's scan command for the protocol, used as the rule id.
    fn command(self) -> &'static str {
        match self {
            Protocol::Ssl2 => "ssl_2_0_cipher_suites",
            Protocol::Ssl3 => "ssl_3_0_cipher_suites",
            Protocol::Tls10 => "tls_1_0_cipher_suites",
            Protocol::Tls11 => "tls_1_1_cipher_suites",
            Protocol::Tls12 => "tls_1_2_cipher_suites",
            Protocol::Tls13 => "tls_1_3_cipher_suites",
        }
    }

    /// The protocol of a JSON scan command or an XML element name.
    pub(super) fn from_name(name: &str) -> Option<Protocol> {
        Some(match name {
            "ssl_2_0_cipher_suites" | "sslv2" => Protocol::Ssl2,
            "ssl_3_0_cipher_suites" | "sslv3" => Protocol::Ssl3,
            "tls_1_0_cipher_suites" | "tlsv1" => Protocol::Tls10,
            "tls_1_1_cipher_suites" | "tlsv1_1" => Protocol::Tls11,
            "tls_1_2_cipher_suites" | "tlsv1_2" => Protocol::Tls12,
            "tls_1_3_cipher_suites" | "tlsv1_3" => Protocol::Tls13,
            _ => return None,
        })
    }
}

/// What SSLyze measured on one server, in either report shape.
#[derive(Debug, Default)]
pub(super) struct Checks {
    pub(super) heartbleed: Option<bool>,
    pub(super) ccs_injection: Option<bool>,
    pub(super) robot: Option<String>,
    pub(super) client_renegotiation: Option<bool>,
    pub(super) secure_renegotiation: Option<bool>,
    pub(super) compression: Option<bool>,
    pub(super) fallback_scsv: Option<bool>,
    /// Certificate validation problems, one line each.
    pub(super) certificate: Vec<String>,
    /// Protocols and the cipher suites the server accepted with them. A protocol is enabled
    /// when it accepts a cipher suite (SSLyze 5 may call a version supported with none).
    pub(super) protocols: Vec<(Protocol, Vec<String>)>,
}

/// TLS 1.2 cipher suites recommended by BSI TR-02102-2 (2020).
const TLS12_RECOMMENDED: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_CCM",
    "TLS_DHE_RSA_WITH_AES_256_CCM",
    "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DH_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_DH_DSS_WITH_AES_256_CBC_SHA256",
    "TLS_DH_DSS_WITH_AES_128_GCM_SHA256",
    "TLS_DH_DSS_WITH_AES_256_GCM_SHA384",
    "TLS_DH_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DH_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DH_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DH_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",
    "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",
    "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_PSK_WITH_AES_128_CCM",
    "TLS_DHE_PSK_WITH_AES_256_CCM",
    "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384",
    "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384",
];

/// TLS 1.3 cipher suites recommended by BSI TR-02102-2 (2020).
const TLS13_RECOMMENDED: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_CCM_SHA256",
];

/// The findings for one server (`target` is `host:port`).
pub(super) fn findings(target: &str, checks: Checks) -> Vec<Finding> {
    let base = |rule: &str, title: &str, severity: Severity, description: String| {
        let mut f = Finding::new("SSLyze", Category::Dast, format!("{title} ({target})"));
        f.severity = severity;
        f.rule_id = Some(rule.to_string());
        f.description = Some(description);
        f.location.web = Some(WebLocation {
            url: target.to_string(),
            ..WebLocation::default()
        });
        f
    };
    let mut out = Vec::new();
    if checks.heartbleed == Some(true) {
        let mut f = base(
            "heartbleed",
            "Heartbleed",
            Severity::High,
            "The server is vulnerable to Heartbleed: its OpenSSL heartbeat extension leaks process memory (keys, session data).".into(),
        );
        f.add_id("CVE-2014-0160");
        out.push(f);
    }
    if checks.ccs_injection == Some(true) {
        let mut f = base(
            "openssl_ccs_injection",
            "OpenSSL CCS injection",
            Severity::High,
            "The server is vulnerable to the OpenSSL ChangeCipherSpec injection, which lets a man in the middle force weak keying material.".into(),
        );
        f.add_id("CVE-2014-0224");
        out.push(f);
    }
    if let Some(robot) = checks.robot.as_deref() {
        let severity = match robot {
            "VULNERABLE_STRONG_ORACLE" => Some(Severity::High),
            "VULNERABLE_WEAK_ORACLE" => Some(Severity::Medium),
            _ => None,
        };
        if let Some(severity) = severity {
            out.push(base(
                "robot",
                "ROBOT",
                severity,
                format!("The server's RSA key exchange is a Bleichenbacher padding oracle (ROBOT): {robot}."),
            ));
        }
    }
    let insecure_renegotiation = checks.secure_renegotiation == Some(false);
    if insecure_renegotiation || checks.client_renegotiation == Some(true) {
        let mut lines = Vec::new();
        if insecure_renegotiation {
            lines.push("The server does not support secure renegotiation (RFC 5746).");
        }
        if checks.client_renegotiation == Some(true) {
            lines.push("The server accepts client-initiated renegotiation, which allows a denial of service.");
        }
        let mut f = base(
            "session_renegotiation",
            "Insecure session renegotiation",
            Severity::Medium,
            lines.join("\n"),
        );
        if insecure_renegotiation {
            f.add_id("CVE-2009-3555");
        }
        out.push(f);
    }
    if checks.compression == Some(true) {
        let mut f = base(
            "tls_compression",
            "TLS compression enabled",
            Severity::Medium,
            "The server supports TLS compression, which exposes secrets to the CRIME attack."
                .into(),
        );
        f.add_id("CVE-2012-4929");
        out.push(f);
    }
    if checks.fallback_scsv == Some(false) {
        out.push(base(
            "tls_fallback_scsv",
            "TLS_FALLBACK_SCSV not supported",
            Severity::Low,
            "The server does not support TLS_FALLBACK_SCSV, so clients that retry with older protocol versions can be downgraded.".into(),
        ));
    }
    if !checks.certificate.is_empty() {
        let mut f = base(
            "certificate_info",
            "Problems in certificate deployments",
            Severity::Medium,
            format!(
                "The server's certificate deployment has problems:\n{}",
                bullet_list(&checks.certificate, 20)
            ),
        );
        f.add_cwe("295");
        out.push(f);
    }
    let mut protocols = checks.protocols;
    protocols.sort_by_key(|(p, _)| *p);
    for (protocol, accepted) in &protocols {
        let (severity, id) = match protocol {
            Protocol::Ssl2 => (Severity::High, Some("CVE-2016-0800")),
            Protocol::Ssl3 => (Severity::High, Some("CVE-2014-3566")),
            Protocol::Tls10 | Protocol::Tls11 => (Severity::Medium, None),
            Protocol::Tls12 | Protocol::Tls13 => continue,
        };
        if accepted.is_empty() {
            continue;
        }
        let mut description = format!(
            "The server accepts {}, which is deprecated and should be disabled.",
            protocol.label()
        );
        if !accepted.is_empty() {
            description.push_str(&format!(
                "\n\nAccepted cipher suites:\n{}",
                bullet_list(accepted, 100)
            ));
        }
        let mut f = base(
            protocol.command(),
            &format!("{} not recommended", protocol.label()),
            severity,
            description,
        );
        f.add_cwe("327");
        if let Some(id) = id {
            f.add_id(id);
        }
        out.push(f);
    }
    for (protocol, accepted) in &protocols {
        let recommended = match protocol {
            Protocol::Tls12 => TLS12_RECOMMENDED,
            Protocol::Tls13 => TLS13_RECOMMENDED,
            _ => continue,
        };
        let unrecommended: Vec<String> = accepted
            .iter()
            .filter(|c| !recommended.contains(&c.as_str()))
            .cloned()
            .collect();
        if unrecommended.is_empty() {
            continue;
        }
        let mut f = base(
            protocol.command(),
            &format!("Unrecommended cipher suites for {}", protocol.label()),
            Severity::Medium,
            format!(
                "The server accepts {} cipher suites that BSI TR-02102-2 does not recommend:\n{}",
                protocol.label(),
                bullet_list(&unrecommended, 100)
            ),
        );
        f.add_cwe("327");
        out.push(f);
    }
    out
}

impl Parser for Sslyze {
    fn id(&self) -> &'static str {
        "sslyze"
    }

    fn name(&self) -> &'static str {
        "SSLyze (XML)"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Sslyze Scan"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.xml().is_some_and(|x| {
            x.root == "document"
                && (x.attribute("SSLyzeVersion").is_some()
                    || x.attribute("title") == Some("SSLyze Scan Results"))
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        de::check_xml(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("SSLyze".into()),
            ..Parsed::default()
        };
        let mut reader = quick_xml::Reader::from_reader(input.bytes());
        let mut buf = Vec::new();
        let mut target: Option<(String, Checks)> = None;
        let mut protocol: Option<Protocol> = None;
        let mut in_accepted = false;
        let mut seen_root = false;
        loop {
            buf.clear();
            let event = reader.read_event_into(&mut buf).map_err(|e| Error::Xml {
                line: 0,
                column: 0,
                message: e.to_string(),
            })?;
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = e.local_name();
                    let name = std::str::from_utf8(name.as_ref()).unwrap_or("");
                    if !seen_root {
                        seen_root = true;
                        if name != "document" {
                            return Err(Error::WrongFormat {
                                format: "sslyze",
                                reason: format!("the root element is <{name}>, not <document>"),
                            });
                        }
                        continue;
                    }
                    if let Some(reason) = attr(e, "exception") {
                        let at = target.as_ref().map_or("", |(t, _)| t.as_str());
                        parsed
                            .warnings
                            .push(format!("{at}: {name} failed: {reason}"));
                    }
                    match name {
                        "target" => {
                            if let Some((t, checks)) = target.take() {
                                parsed.findings.extend(findings(&t, checks));
                            }
                            let host = attr(e, "host")
                                .or_else(|| attr(e, "ip"))
                                .unwrap_or_default();
                            let port = attr(e, "port").unwrap_or_else(|| "443".into());
                            target = Some((format!("{host}:{port}"), Checks::default()));
                        }
                        "invalidTarget" => {
                            let what = attr(e, "error").unwrap_or_default();
                            parsed.warnings.push(format!("invalid target: {what}"));
                        }
                        _ => {}
                    }
                    let Some((_, checks)) = target.as_mut() else {
                        continue;
                    };
                    let flag = |key: &str| attr(e, key).map(|v| v.eq_ignore_ascii_case("true"));
                    match name {
                        "openSslHeartbleed" => checks.heartbleed = flag("isVulnerable"),
                        "openSslCcsInjection" => checks.ccs_injection = flag("isVulnerable"),
                        "robotAttack" => checks.robot = attr(e, "resultEnum"),
                        "sessionRenegotiation" => {
                            checks.client_renegotiation = flag("canBeClientInitiated");
                            checks.secure_renegotiation = flag("isSecure");
                        }
                        "compressionMethod" => {
                            if flag("isSupported") == Some(true) {
                                checks.compression = Some(true);
                            }
                        }
                        "tlsFallbackScsv" => checks.fallback_scsv = flag("isSupported"),
                        "pathValidation" => {
                            let result = attr(e, "validationResult").unwrap_or_default();
                            if !result.eq_ignore_ascii_case("ok") {
                                let store = attr(e, "usingTrustStore").unwrap_or_default();
                                checks
                                    .certificate
                                    .push(format!("{store} trust store: {result}"));
                            }
                        }
                        "hostnameValidation" => {
                            if flag("certificateMatchesServerHostname") == Some(false) {
                                checks.certificate.push(
                                    "The certificate does not match the server's hostname".into(),
                                );
                            }
                        }
                        "verifiedCertificateChain" => {
                            if flag("hasSha1SignedCertificate") == Some(true) {
                                checks.certificate.push(
                                    "The verified chain has a SHA-1 signed certificate".into(),
                                );
                            }
                            if flag("isAffectedBySymantecDeprecation") == Some(true) {
                                checks.certificate.push(
                                    "The verified chain is affected by the Symantec CA deprecation"
                                        .into(),
                                );
                            }
                        }
                        "acceptedCipherSuites" if !empty => in_accepted = true,
                        "cipherSuite" if in_accepted => {
                            if let (Some(p), Some(cipher)) = (protocol, attr(e, "name")) {
                                if let Some(entry) =
                                    checks.protocols.iter_mut().find(|(q, _)| *q == p)
                                {
                                    entry.1.push(cipher);
                                }
                            }
                        }
                        other => {
                            if let Some(p) = Protocol::from_name(other) {
                                checks.protocols.push((p, Vec::new()));
                                protocol = (!empty).then_some(p);
                            }
                        }
                    }
                }
                Event::End(ref e) => match e.local_name().as_ref() {
                    b"acceptedCipherSuites" => in_accepted = false,
                    b"sslv2" | b"sslv3" | b"tlsv1" | b"tlsv1_1" | b"tlsv1_2" | b"tlsv1_3" => {
                        protocol = None;
                        in_accepted = false;
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some((t, checks)) = target.take() {
            parsed.findings.extend(findings(&t, checks));
        }
        Ok(parsed)
    }
}

/// An attribute's unescaped value.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == key.as_bytes()).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.trim().to_string())
                .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).trim().to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(xml: &str) -> Parsed {
        let input = Input::new(xml.as_bytes());
        assert!(Sslyze.detect(&input));
        Sslyze.parse(&input).unwrap()
    }

    #[test]
    fn xml_verdicts() {
        let parsed = check(
            r#"<?xml version="1.0" encoding="utf-8"?>
<document SSLyzeVersion="1.4.3" title="SSLyze Scan Results"><results>
 <target host="www.heroku.com" ip="174.129.35.144" port="443">
  <certinfo><certificateValidation>
   <hostnameValidation certificateMatchesServerHostname="True"/>
   <pathValidation usingTrustStore="Mozilla" validationResult="certificate has expired"/>
  </certificateValidation></certinfo>
  <heartbleed><openSslHeartbleed isVulnerable="True"/></heartbleed>
  <openssl_ccs><openSslCcsInjection isVulnerable="False"/></openssl_ccs>
  <reneg><sessionRenegotiation canBeClientInitiated="True" isSecure="True"/></reneg>
  <sslv3 isProtocolSupported="False"><acceptedCipherSuites/></sslv3>
  <tlsv1 isProtocolSupported="True"><preferredCipherSuite><cipherSuite name="TLS_RSA_WITH_AES_128_CBC_SHA"/></preferredCipherSuite>
   <acceptedCipherSuites><cipherSuite name="TLS_RSA_WITH_AES_128_CBC_SHA"/></acceptedCipherSuites></tlsv1>
  <tlsv1_2 isProtocolSupported="True"><acceptedCipherSuites>
   <cipherSuite name="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/><cipherSuite name="TLS_RSA_WITH_3DES_EDE_CBC_SHA"/>
  </acceptedCipherSuites></tlsv1_2>
 </target>
</results></document>"#,
        );
        let titles: Vec<&str> = parsed.findings.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Heartbleed (www.heroku.com:443)",
                "Insecure session renegotiation (www.heroku.com:443)",
                "Problems in certificate deployments (www.heroku.com:443)",
                "TLS 1.0 not recommended (www.heroku.com:443)",
                "Unrecommended cipher suites for TLS 1.2 (www.heroku.com:443)",
            ]
        );
        assert_eq!(
            parsed.findings[0].primary_vulnerability_id(),
            Some("CVE-2014-0160")
        );
        let ciphers = parsed.findings[4].description.as_deref().unwrap();
        assert!(
            ciphers.contains("3DES") && !ciphers.contains("AES_128_GCM"),
            "{ciphers}"
        );
        assert_eq!(
            parsed.findings[3].location.web.as_ref().unwrap().url,
            "www.heroku.com:443"
        );
    }
}
