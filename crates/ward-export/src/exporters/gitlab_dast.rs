//! `gitlab-dast`: GitLab's DAST report (`gl-dast-report.json`, schema 15.x). The shared parts
//! are in `gitlab.rs`.

use std::io::Write;

use serde_json::{json, Value};
use ward_core::{Finding, Report};

use crate::exporters::gitlab::{self, GitlabKind};
use crate::{Error, Exporter, Options, Outcome};

/// GitLab DAST report.
pub(crate) struct GitlabDast;

impl Exporter for GitlabDast {
    fn id(&self) -> &'static str {
        "gitlab-dast"
    }

    fn name(&self) -> &'static str {
        "GitLab DAST report"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        gitlab::write(GitlabKind::Dast, report, options, out)
    }
}

/// `{hostname, path, method, param}` from the finding's URL.
pub(super) fn location(finding: &Finding) -> Value {
    let Some(web) = &finding.location.web else {
        return json!({});
    };
    let (hostname, path) = split_url(&web.url);
    let mut location = json!({"hostname": hostname, "path": path});
    if let Some(method) = &web.method {
        location["method"] = json!(method);
    }
    if let Some(parameter) = &web.parameter {
        location["param"] = json!(parameter);
    }
    location
}

/// `scan.scanned_resources`: each distinct method and URL of the findings, in order.
pub(super) fn scanned_resources(findings: &[&Finding]) -> Value {
    let mut resources: Vec<Value> = Vec::new();
    for finding in findings {
        let Some(web) = &finding.location.web else {
            continue;
        };
        if web.url.trim().is_empty() {
            continue;
        }
        let method = web
            .method
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or("GET");
        let resource = json!({"method": method, "url": web.url, "type": "url"});
        if !resources.contains(&resource) {
            resources.push(resource);
        }
    }
    Value::Array(resources)
}

/// `https://host:8443/a?b#c` → (`https://host:8443`, `/a?b`); a URL without a scheme (a
/// `host:port` of a network service) is all hostname.
fn split_url(url: &str) -> (String, String) {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), String::new());
    };
    let rest = &url[scheme_end + 3..];
    match rest.find(['/', '?']) {
        Some(i) => {
            let split = scheme_end + 3 + i;
            let path = &url[split..];
            let path = if path.starts_with('?') {
                format!("/{path}")
            } else {
                path.to_string()
            };
            (url[..split].to_string(), path)
        }
        None => (url.to_string(), "/".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;

    #[test]
    fn urls_split_into_host_and_path() {
        let split = |u: &str| split_url(u);
        assert_eq!(
            split("https://a.b:8443/x/y?q=1#frag"),
            ("https://a.b:8443".into(), "/x/y?q=1".into())
        );
        assert_eq!(split("http://a.b"), ("http://a.b".into(), "/".into()));
        assert_eq!(split("http://a.b?x"), ("http://a.b".into(), "/?x".into()));
        assert_eq!(
            split("10.0.0.1:443"),
            ("10.0.0.1:443".into(), String::new())
        );
    }

    #[test]
    fn web_location_evidence_and_false_positive_flag() {
        let json = testing::export_json(&GitlabDast, &testing::report());
        assert_eq!(
            json["scan"]["scanned_resources"],
            json!([{"method": "POST", "url": "https://shop.example.com:8443/search?q=1", "type": "url"}])
        );
        let v = &json["vulnerabilities"][0];
        assert_eq!(
            v["location"],
            json!({"hostname": "https://shop.example.com:8443", "path": "/search?q=1", "method": "POST", "param": "q"})
        );
        assert_eq!(
            v["evidence"]["summary"],
            "You have an error in your SQL syntax"
        );
        assert_eq!(v["flags"][0]["type"], "flagged-as-likely-false-positive");
        assert_eq!(v["identifiers"][0]["type"], "zap_rule_id");
    }
}
