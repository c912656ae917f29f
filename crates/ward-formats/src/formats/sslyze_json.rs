//! SSLyze JSON reports (`sslyze --json_out`): the SSLyze 3.x/4.x shape (`server_info`,
//! `scan_commands_results`) and the SSLyze 5.x+ shape (`server_location`, `scan_result` with a
//! `status`/`result` per scan command). <https://github.com/nabla-c0d3/sslyze>
//!
//! The verdicts are those of the XML reader; see [`super::sslyze`].

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::ordered::Text;
use super::sslyze::{findings, Checks, Protocol};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// SSLyze JSON.
pub(crate) struct SslyzeJson;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    server_scan_results: Vec<ServerResult>,
    #[serde(default)]
    server_connectivity_errors: Vec<ConnectivityError>,
}

#[derive(Deserialize)]
struct ConnectivityError {
    server_string: Option<String>,
    error_message: Option<String>,
}

#[derive(Deserialize)]
struct ServerResult {
    // 3.x/4.x
    server_info: Option<ServerInfo>,
    scan_commands_results: Option<OldCommands>,
    scan_commands_errors: Option<super::ordered::Ordered<CommandError>>,
    // 5.x+
    server_location: Option<ServerLocation>,
    scan_result: Option<NewCommands>,
    connectivity_status: Option<String>,
    connectivity_error_trace: Option<String>,
}

#[derive(Deserialize)]
struct ServerInfo {
    server_location: Option<ServerLocation>,
}

#[derive(Deserialize)]
struct ServerLocation {
    hostname: Option<String>,
    ip_address: Option<String>,
    port: Option<Text>,
}

#[derive(Deserialize)]
struct CommandError {
    reason: Option<String>,
}

#[derive(Deserialize)]
struct OldCommands {
    heartbleed: Option<Heartbleed>,
    openssl_ccs_injection: Option<CcsInjection>,
    robot: Option<Robot>,
    session_renegotiation: Option<Renegotiation>,
    tls_compression: Option<Compression>,
    tls_fallback_scsv: Option<Fallback>,
    certificate_info: Option<CertificateInfo>,
    ssl_2_0_cipher_suites: Option<CipherSuites>,
    ssl_3_0_cipher_suites: Option<CipherSuites>,
    tls_1_0_cipher_suites: Option<CipherSuites>,
    tls_1_1_cipher_suites: Option<CipherSuites>,
    tls_1_2_cipher_suites: Option<CipherSuites>,
    tls_1_3_cipher_suites: Option<CipherSuites>,
}

#[derive(Deserialize)]
struct NewCommands {
    heartbleed: Option<Attempt<Heartbleed>>,
    openssl_ccs_injection: Option<Attempt<CcsInjection>>,
    robot: Option<Attempt<Robot>>,
    session_renegotiation: Option<Attempt<Renegotiation>>,
    tls_compression: Option<Attempt<Compression>>,
    tls_fallback_scsv: Option<Attempt<Fallback>>,
    certificate_info: Option<Attempt<CertificateInfo>>,
    ssl_2_0_cipher_suites: Option<Attempt<CipherSuites>>,
    ssl_3_0_cipher_suites: Option<Attempt<CipherSuites>>,
    tls_1_0_cipher_suites: Option<Attempt<CipherSuites>>,
    tls_1_1_cipher_suites: Option<Attempt<CipherSuites>>,
    tls_1_2_cipher_suites: Option<Attempt<CipherSuites>>,
    tls_1_3_cipher_suites: Option<Attempt<CipherSuites>>,
}

/// A 5.x scan command: its status, and its result when it completed.
#[derive(Deserialize)]
struct Attempt<T> {
    status: Option<String>,
    result: Option<T>,
    error_reason: Option<String>,
}

#[derive(Deserialize)]
struct Heartbleed {
    is_vulnerable_to_heartbleed: Option<bool>,
}

#[derive(Deserialize)]
struct CcsInjection {
    is_vulnerable_to_ccs_injection: Option<bool>,
}

#[derive(Deserialize)]
struct Robot {
    robot_result: Option<String>,
}

#[derive(Deserialize)]
struct Renegotiation {
    accepts_client_renegotiation: Option<bool>,
    is_vulnerable_to_client_renegotiation_dos: Option<bool>,
    supports_secure_renegotiation: Option<bool>,
}

#[derive(Deserialize)]
struct Compression {
    supports_compression: Option<bool>,
}

#[derive(Deserialize)]
struct Fallback {
    supports_fallback_scsv: Option<bool>,
}

#[derive(Deserialize)]
struct CertificateInfo {
    #[serde(default)]
    certificate_deployments: Vec<Deployment>,
}

#[derive(Deserialize)]
struct Deployment {
    #[serde(default)]
    path_validation_results: Vec<PathValidation>,
    leaf_certificate_subject_matches_hostname: Option<bool>,
    verified_chain_has_sha1_signature: Option<bool>,
    verified_chain_has_legacy_symantec_anchor: Option<bool>,
}

#[derive(Deserialize)]
struct PathValidation {
    trust_store: Option<TrustStore>,
    openssl_error_string: Option<String>,
    was_validation_successful: Option<bool>,
    #[allow(dead_code)]
    verified_certificate_chain: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct TrustStore {
    name: Option<String>,
}

#[derive(Deserialize)]
struct CipherSuites {
    #[serde(default)]
    accepted_cipher_suites: Vec<Accepted>,
}

#[derive(Deserialize)]
struct Accepted {
    cipher_suite: Option<Suite>,
}

#[derive(Deserialize)]
struct Suite {
    name: Option<String>,
}

impl Parser for SslyzeJson {
    fn id(&self) -> &'static str {
        "sslyze-json"
    }

    fn name(&self) -> &'static str {
        "SSLyze (JSON)"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["SSLyze Scan (JSON)"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        input.json().is_some_and(|j| {
            j.get("server_scan_results").is_some()
                && (j.get("sslyze_version").is_some() || j.get("sslyze_url").is_some())
        })
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let report: Report = de::json(input.bytes())?;
        let mut parsed = Parsed {
            tool: Some("SSLyze".into()),
            ..Parsed::default()
        };
        for e in report.server_connectivity_errors {
            parsed.warnings.push(format!(
                "{}: could not connect: {}",
                e.server_string.as_deref().unwrap_or("?"),
                e.error_message.as_deref().unwrap_or("?")
            ));
        }
        for server in report.server_scan_results {
            let location = server
                .server_location
                .or_else(|| server.server_info.and_then(|i| i.server_location));
            let target = location.map_or_else(String::new, |l| {
                let host = non_empty(l.hostname.as_deref())
                    .or_else(|| non_empty(l.ip_address.as_deref()))
                    .unwrap_or_default();
                let port = l
                    .port
                    .as_ref()
                    .and_then(Text::get)
                    .unwrap_or("443")
                    .to_string();
                format!("{host}:{port}")
            });
            if server.connectivity_status.as_deref() == Some("ERROR") {
                parsed.warnings.push(format!(
                    "{target}: could not connect: {}",
                    server
                        .connectivity_error_trace
                        .as_deref()
                        .and_then(|t| t.lines().last())
                        .unwrap_or("?")
                ));
            }
            for (command, error) in server.scan_commands_errors.map(|e| e.0).unwrap_or_default() {
                parsed.warnings.push(format!(
                    "{target}: {command} failed: {}",
                    error.reason.as_deref().unwrap_or("?")
                ));
            }
            let checks = match (server.scan_commands_results, server.scan_result) {
                (Some(old), _) => old_checks(old),
                (None, Some(new)) => new_checks(new, &target, &mut parsed.warnings),
                (None, None) => continue,
            };
            parsed.findings.extend(findings(&target, checks));
        }
        Ok(parsed)
    }
}

fn old_checks(c: OldCommands) -> Checks {
    let mut checks = Checks {
        heartbleed: c.heartbleed.and_then(|r| r.is_vulnerable_to_heartbleed),
        ccs_injection: c
            .openssl_ccs_injection
            .and_then(|r| r.is_vulnerable_to_ccs_injection),
        robot: c.robot.and_then(|r| r.robot_result),
        compression: c.tls_compression.and_then(|r| r.supports_compression),
        fallback_scsv: c.tls_fallback_scsv.and_then(|r| r.supports_fallback_scsv),
        ..Checks::default()
    };
    renegotiation(&mut checks, c.session_renegotiation);
    certificate(&mut checks, c.certificate_info);
    for (protocol, suites) in [
        (Protocol::Ssl2, c.ssl_2_0_cipher_suites),
        (Protocol::Ssl3, c.ssl_3_0_cipher_suites),
        (Protocol::Tls10, c.tls_1_0_cipher_suites),
        (Protocol::Tls11, c.tls_1_1_cipher_suites),
        (Protocol::Tls12, c.tls_1_2_cipher_suites),
        (Protocol::Tls13, c.tls_1_3_cipher_suites),
    ] {
        cipher_suites(&mut checks, protocol, suites);
    }
    checks
}

fn new_checks(c: NewCommands, target: &str, warnings: &mut Vec<String>) -> Checks {
    let mut done = |command: &str, status: Option<&str>, reason: Option<&str>| {
        if matches!(status, Some("ERROR")) {
            warnings.push(format!(
                "{target}: {command} failed: {}",
                reason.unwrap_or("?")
            ));
        }
    };
    macro_rules! result {
        ($field:ident) => {
            c.$field.and_then(|a| {
                done(
                    stringify!($field),
                    a.status.as_deref(),
                    a.error_reason.as_deref(),
                );
                a.result
            })
        };
    }
    let mut checks = Checks {
        heartbleed: result!(heartbleed).and_then(|r| r.is_vulnerable_to_heartbleed),
        ccs_injection: result!(openssl_ccs_injection)
            .and_then(|r| r.is_vulnerable_to_ccs_injection),
        robot: result!(robot).and_then(|r| r.robot_result),
        compression: result!(tls_compression).and_then(|r| r.supports_compression),
        fallback_scsv: result!(tls_fallback_scsv).and_then(|r| r.supports_fallback_scsv),
        ..Checks::default()
    };
    renegotiation(&mut checks, result!(session_renegotiation));
    certificate(&mut checks, result!(certificate_info));
    for (protocol, suites) in [
        (Protocol::Ssl2, result!(ssl_2_0_cipher_suites)),
        (Protocol::Ssl3, result!(ssl_3_0_cipher_suites)),
        (Protocol::Tls10, result!(tls_1_0_cipher_suites)),
        (Protocol::Tls11, result!(tls_1_1_cipher_suites)),
        (Protocol::Tls12, result!(tls_1_2_cipher_suites)),
        (Protocol::Tls13, result!(tls_1_3_cipher_suites)),
    ] {
        cipher_suites(&mut checks, protocol, suites);
    }
    checks
}

fn renegotiation(checks: &mut Checks, r: Option<Renegotiation>) {
    if let Some(r) = r {
        checks.client_renegotiation = r
            .is_vulnerable_to_client_renegotiation_dos
            .or(r.accepts_client_renegotiation);
        checks.secure_renegotiation = r.supports_secure_renegotiation;
    }
}

fn certificate(checks: &mut Checks, info: Option<CertificateInfo>) {
    for deployment in info.into_iter().flat_map(|i| i.certificate_deployments) {
        // Group the trust stores by the error they report.
        let mut errors: Vec<(String, Vec<String>)> = Vec::new();
        for v in deployment.path_validation_results {
            let failed = v.was_validation_successful == Some(false)
                || non_empty(v.openssl_error_string.as_deref()).is_some();
            if !failed {
                continue;
            }
            let error = non_empty(v.openssl_error_string.as_deref())
                .unwrap_or_else(|| "validation failed".into());
            let store = v
                .trust_store
                .and_then(|s| s.name)
                .unwrap_or_else(|| "?".into());
            match errors.iter_mut().find(|(e, _)| *e == error) {
                Some((_, stores)) => stores.push(store),
                None => errors.push((error, vec![store])),
            }
        }
        for (error, stores) in errors {
            checks
                .certificate
                .push(format!("{error} (trust stores: {})", stores.join(", ")));
        }
        if deployment.leaf_certificate_subject_matches_hostname == Some(false) {
            checks
                .certificate
                .push("The certificate does not match the server's hostname".into());
        }
        if deployment.verified_chain_has_sha1_signature == Some(true) {
            checks
                .certificate
                .push("The verified chain has a SHA-1 signed certificate".into());
        }
        if deployment.verified_chain_has_legacy_symantec_anchor == Some(true) {
            checks
                .certificate
                .push("The verified chain has a legacy Symantec anchor".into());
        }
    }
}

fn cipher_suites(checks: &mut Checks, protocol: Protocol, suites: Option<CipherSuites>) {
    let Some(suites) = suites else {
        return;
    };
    let accepted: Vec<String> = suites
        .accepted_cipher_suites
        .into_iter()
        .filter_map(|a| a.cipher_suite.and_then(|s| s.name))
        .collect();
    checks.protocols.push((protocol, accepted));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(SslyzeJson.detect(&input));
        SslyzeJson.parse(&input).unwrap()
    }

    #[test]
    fn old_shape() {
        let parsed = check(
            r#"{"server_connectivity_errors": [], "sslyze_url": "https://github.com/nabla-c0d3/sslyze", "sslyze_version": "3.0.7",
            "server_scan_results": [{"server_info": {"server_location": {"hostname": "www.example.com", "ip_address": "1.2.3.4", "port": 443}},
              "scan_commands_errors": {},
              "scan_commands_results": {
                "heartbleed": {"is_vulnerable_to_heartbleed": true},
                "openssl_ccs_injection": {"is_vulnerable_to_ccs_injection": true},
                "session_renegotiation": {"accepts_client_renegotiation": true, "supports_secure_renegotiation": false},
                "certificate_info": {"certificate_deployments": [{"path_validation_results": [
                   {"trust_store": {"name": "Mozilla"}, "verified_certificate_chain": null, "openssl_error_string": "certificate has expired"},
                   {"trust_store": {"name": "Apple"}, "verified_certificate_chain": null, "openssl_error_string": "certificate has expired"}]}]},
                "tls_1_1_cipher_suites": {"accepted_cipher_suites": [{"cipher_suite": {"name": "TLS_RSA_WITH_RC4_128_SHA"}}], "rejected_cipher_suites": []}
              }}]}"#,
        );
        let ids: Vec<Option<&str>> = parsed
            .findings
            .iter()
            .map(|f| f.primary_vulnerability_id())
            .collect();
        assert_eq!(
            ids[..3],
            [
                Some("CVE-2014-0160"),
                Some("CVE-2014-0224"),
                Some("CVE-2009-3555")
            ]
        );
        assert_eq!(parsed.findings.len(), 5);
        let certificate = &parsed.findings[3];
        assert_eq!(
            certificate.title,
            "Problems in certificate deployments (www.example.com:443)"
        );
        assert!(certificate
            .description
            .as_deref()
            .unwrap()
            .contains("certificate has expired (trust stores: Mozilla, Apple)"));
    }

    #[test]
    fn new_shape() {
        let parsed = check(
            r#"{"sslyze_version": "5.0.1", "date_scans_started": "2022-01-17T16:46:10",
            "server_scan_results": [{"server_location": {"hostname": "example.com", "port": 443},
              "connectivity_status": "COMPLETED",
              "scan_result": {
                "heartbleed": null,
                "robot": {"status": "COMPLETED", "result": {"robot_result": "NOT_VULNERABLE_NO_ORACLE"}},
                "tls_compression": {"status": "ERROR", "result": null, "error_reason": "BUG"},
                "tls_1_2_cipher_suites": {"status": "COMPLETED", "result": {"is_tls_version_supported": true, "accepted_cipher_suites": [
                  {"cipher_suite": {"name": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}},
                  {"cipher_suite": {"name": "TLS_RSA_WITH_AES_128_CBC_SHA"}}]}},
                "tls_1_3_cipher_suites": {"status": "COMPLETED", "result": {"is_tls_version_supported": true, "accepted_cipher_suites": [
                  {"cipher_suite": {"name": "TLS_AES_128_GCM_SHA256"}}]}}
              }}]}"#,
        );
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "Unrecommended cipher suites for TLS 1.2 (example.com:443)"
        );
        assert_eq!(f.severity, ward_core::Severity::Medium);
        assert_eq!(
            parsed.warnings,
            ["example.com:443: tls_compression failed: BUG"]
        );
    }
}
