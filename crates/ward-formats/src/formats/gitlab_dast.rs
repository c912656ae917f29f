//! GitLab DAST reports (`gl-dast-report.json`), schema 13.x to 15.x, from GitLab's ZAP-based and
//! browser-based DAST analyzers. <https://docs.gitlab.com/ee/user/application_security/dast/>
//!
//! The shared format is read in [`super::gitlab_common`]; here each entry becomes a finding at a
//! URL, method and parameter, with the request/response summary as evidence.

use ward_core::{Category, Finding, WebLocation};

use super::gitlab_common::{self, first_text, title_from, Context, Kind, Vulnerability};
use crate::util::non_empty;
use crate::{Error, Input, Parsed, Parser};

/// GitLab DAST.
pub(crate) struct GitlabDast;

impl Parser for GitlabDast {
    fn id(&self) -> &'static str {
        "gitlab-dast"
    }

    fn name(&self) -> &'static str {
        "GitLab DAST"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["GitLab DAST Report"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        gitlab_common::detect(input) == Some(Kind::Dast)
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        gitlab_common::parse(input, Kind::Dast, finding)
    }
}

fn finding(v: &Vulnerability, context: &Context) -> Finding {
    // 15.x entries carry neither `name` nor `message`: the scanner's rule identifier names the
    // alert ("PII Disclosure").
    let rule_name = v
        .identifiers
        .iter()
        .filter(|i| {
            !i.id_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("cwe") || t.eq_ignore_ascii_case("owasp"))
        })
        .find_map(|i| non_empty(i.name.as_deref()));
    let title = first_text(&[
        v.name.as_deref(),
        v.message.as_deref(),
        rule_name.as_deref(),
    ])
    .or_else(|| title_from(v.description.as_deref()))
    .or_else(|| first_text(&[v.id.as_deref(), v.cve.as_deref()]))
    .unwrap_or_else(|| "GitLab DAST finding".to_string());
    let mut f = context.base(v, Category::Dast, title);
    let location = &v.location;
    let url = match (
        non_empty(location.hostname.as_deref()),
        non_empty(location.path.as_deref()),
    ) {
        (Some(host), Some(path)) if path.starts_with('/') => {
            Some(format!("{}{path}", host.trim_end_matches('/')))
        }
        (Some(host), Some(path)) => Some(format!("{host}/{path}")),
        (host, path) => host.or(path),
    };
    let evidence = v.evidence.as_ref().and_then(|e| e.get());
    let request = evidence.and_then(|e| e.request.as_ref());
    let url = url.or_else(|| request.and_then(|r| non_empty(r.url.as_deref())));
    if let Some(url) = url {
        f.location.web = Some(WebLocation {
            url,
            method: non_empty(location.method.as_deref())
                .or_else(|| request.and_then(|r| non_empty(r.method.as_deref()))),
            parameter: non_empty(location.param.as_deref()),
        });
    }
    if let Some(evidence) = evidence {
        let mut lines = Vec::new();
        if let Some(summary) = non_empty(evidence.summary.as_deref()) {
            lines.push(summary);
        }
        if let Some(request) = request {
            let method = request.method.as_deref().unwrap_or("");
            let url = request.url.as_deref().unwrap_or("");
            if !(method.is_empty() && url.is_empty()) {
                lines.push(format!("Request: {method} {url}").trim_end().to_string());
            }
        }
        if let Some(response) = &evidence.response {
            if let Some(code) = response.status_code {
                let reason = response.reason_phrase.as_deref().unwrap_or("");
                lines.push(format!("Response: {code} {reason}").trim_end().to_string());
            }
        }
        if !lines.is_empty() {
            f.evidence = Some(lines.join("\n"));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use ward_core::{Confidence, Severity};

    use super::*;

    fn check(json: &str) -> Parsed {
        let input = Input::new(json.as_bytes());
        assert!(GitlabDast.detect(&input), "not detected");
        GitlabDast.parse(&input).unwrap()
    }

    #[test]
    fn web_location_evidence_and_title() {
        let parsed = check(
            r#"{"version": "15.0.0", "vulnerabilities": [
              {"id": "5ec0", "cve": "10062", "description": "The response contains PII.",
               "severity": "High", "confidence": "High", "solution": "",
               "evidence": {"summary": "378282246310005", "request": {"method": "GET", "url": "http://api/v1/trees", "headers": []},
                            "response": {"status_code": 200, "reason_phrase": "OK", "headers": []}},
               "identifiers": [{"name": "PII Disclosure", "type": "ZAProxy_PluginId", "value": "10062"},
                               {"name": "CWE-359", "type": "CWE", "value": "359"}],
               "links": [], "location": {"hostname": "http://api", "method": "GET", "param": "", "path": "/v1/trees"}},
              {"id": "5ec1", "evidence": [], "severity": "Low",
               "identifiers": [{"name": "Header missing", "type": "ZAProxy_PluginId", "value": "10038"}],
               "location": {"hostname": "http://api/", "method": "POST", "param": "q", "path": "/search"}}],
              "scan": {"scanner": {"id": "zaproxy", "name": "OWASP Zed Attack Proxy (ZAP)"}, "type": "dast",
                       "start_time": "2021-04-23T15:46:34", "end_time": "2021-04-23T15:46:48", "status": "success"}}"#,
        );
        let f = &parsed.findings[0];
        assert_eq!(f.title, "PII Disclosure");
        assert_eq!(
            (f.severity, f.confidence, f.cwe()),
            (Severity::High, Some(Confidence::High), Some(359))
        );
        assert_eq!(f.rule_id.as_deref(), Some("10062"));
        let web = f.location.web.as_ref().unwrap();
        assert_eq!(
            (
                web.url.as_str(),
                web.method.as_deref(),
                web.parameter.as_deref()
            ),
            ("http://api/v1/trees", Some("GET"), None)
        );
        assert_eq!(
            f.evidence.as_deref(),
            Some("378282246310005\nRequest: GET http://api/v1/trees\nResponse: 200 OK")
        );
        assert_eq!(f.remediation, None);
        let g = &parsed.findings[1];
        let web = g.location.web.as_ref().unwrap();
        assert_eq!(
            (web.url.as_str(), web.parameter.as_deref()),
            ("http://api/search", Some("q"))
        );
        assert_eq!(g.evidence, None);
    }
}
