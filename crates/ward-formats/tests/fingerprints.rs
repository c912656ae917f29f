//! The same issue reported by two tools, or by one tool after the code moved, gets the same
//! fingerprint; different issues do not.

use ward_core::Finding;

fn import(format: &str, report: &str) -> Vec<Finding> {
    let imported =
        ward_formats::import(report.as_bytes(), None).unwrap_or_else(|e| panic!("{format}: {e}"));
    assert_eq!(imported.parser.id(), format, "detected format");
    imported.parsed.findings
}

const TRIVY: &str = r#"{
  "SchemaVersion": 2, "ArtifactName": "shop", "ArtifactType": "filesystem",
  "Results": [{
    "Target": "package-lock.json", "Class": "lang-pkgs", "Type": "npm",
    "Vulnerabilities": [
      {"VulnerabilityID": "CVE-2021-23337", "PkgName": "lodash", "InstalledVersion": "4.17.15",
       "FixedVersion": "4.17.21", "Severity": "HIGH", "Title": "lodash: command injection"},
      {"VulnerabilityID": "CVE-2020-8203", "PkgName": "lodash", "InstalledVersion": "4.17.15",
       "FixedVersion": "4.17.19", "Severity": "HIGH", "Title": "lodash: prototype pollution"}
    ]
  }]
}"#;

const GRYPE: &str = r#"{
  "matches": [{
    "vulnerability": {"id": "GHSA-35jh-r3h4-6jhm", "dataSource": "https://github.com/advisories/GHSA-35jh-r3h4-6jhm",
      "namespace": "github:language:javascript", "severity": "High", "urls": [],
      "fix": {"versions": ["4.17.21"], "state": "fixed"}},
    "relatedVulnerabilities": [{"id": "CVE-2021-23337", "namespace": "nvd:cpe", "severity": "High", "urls": []}],
    "matchDetails": [],
    "artifact": {"name": "lodash", "version": "4.17.15", "type": "npm",
      "locations": [{"path": "/package-lock.json"}], "purl": "pkg:npm/lodash@4.17.15"}
  }],
  "source": {"type": "directory", "target": "."},
  "descriptor": {"name": "grype", "version": "0.74.0"}
}"#;

fn semgrep_json(line: u32) -> String {
    format!(
        r#"{{"version": "1.50.0", "errors": [], "paths": {{"scanned": ["app/views.py"]}},
  "results": [{{
    "check_id": "python.lang.security.audit.eval-detected", "path": "app/views.py",
    "start": {{"line": {line}, "col": 5, "offset": 100}}, "end": {{"line": {line}, "col": 20, "offset": 115}},
    "extra": {{"message": "Detected the use of eval()", "severity": "WARNING", "lines": "eval(x)",
      "metadata": {{"cwe": ["CWE-95: Eval Injection"]}}}}
  }}]}}"#
    )
}

fn semgrep_sarif(line: u32) -> String {
    format!(
        r#"{{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "runs": [{{
    "tool": {{"driver": {{"name": "Semgrep OSS", "rules": [{{"id": "python.lang.security.audit.eval-detected",
      "shortDescription": {{"text": "Detected the use of eval()"}}, "defaultConfiguration": {{"level": "warning"}}}}]}}}},
    "results": [{{
      "ruleId": "python.lang.security.audit.eval-detected", "level": "warning",
      "message": {{"text": "Detected the use of eval()"}},
      "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": "app/views.py", "uriBaseId": "%SRCROOT%"}},
        "region": {{"startLine": {line}, "startColumn": 5, "endLine": {line}, "endColumn": 20}}}}}}]
    }}]
  }}]
}}"#
    )
}

#[test]
fn trivy_and_grype_agree_on_a_cve_in_a_package_version() {
    let trivy = import("trivy", TRIVY);
    let grype = import("anchore-grype", GRYPE);
    assert_eq!(trivy.len(), 2);
    assert_eq!(grype.len(), 1);
    assert_eq!(
        trivy[0].fingerprint, grype[0].fingerprint,
        "same CVE, package and version"
    );
    assert_ne!(trivy[1].fingerprint, grype[0].fingerprint, "another CVE");
}

#[test]
fn semgrep_json_and_sarif_agree_and_survive_moved_code() {
    let json = import("semgrep", &semgrep_json(12));
    let sarif = import("sarif", &semgrep_sarif(12));
    let moved = import("sarif", &semgrep_sarif(19));
    assert_eq!(json.len(), 1);
    assert_eq!(
        json[0].fingerprint, sarif[0].fingerprint,
        "same rule at the same code"
    );
    assert_eq!(
        sarif[0].fingerprint, moved[0].fingerprint,
        "code moved down by 7 lines"
    );
}
