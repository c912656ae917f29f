//! govulncheck JSON (`govulncheck -json`), in its two generations:
//!
//! - v1.0 and later: a stream of messages, `{"config"}`, `{"SBOM"}`, `{"progress"}`, one
//!   `{"osv"}` per OSV record govulncheck looked at, and `{"finding"}`s with a call trace from
//!   the vulnerable symbol, package or module up to the scanned code. The stream is written as
//!   concatenated objects; a JSON array of the same messages is read too.
//! - before v1.0: one document with `Vulns` (one entry per vulnerable symbol called), `Calls`,
//!   `Imports`, `Requires` and `Modules`.
//!
//! <https://go.dev/doc/security/vuln/> and <https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck>
//!
//! In the stream, govulncheck writes an OSV record once for every module of the build it
//! affects in some version, and a finding only where the version in the build is affected. ward
//! makes one finding per record and module: open where govulncheck found the vulnerability,
//! `out_of_scope` where the module's version in the build is not affected. Its traces are merged
//! into that finding (`occurrences` counts them). The Go vulnerability database rates nothing:
//! findings are info unless the record carries a severity word. In the old format, the entries
//! of one OSV record (one per symbol) are merged into one finding.
//!
//! A govulncheck SARIF report (`-format sarif`) is refused with a pointer to the SARIF format.

use std::collections::HashMap;

use serde::Deserialize;
use ward_core::{Category, FileLocation, Finding, PackageLocation, Severity, Status};

use super::sca_common::{push_unique, Entries, Osv};
use crate::util::non_empty;
use crate::{de, Error, Input, Parsed, Parser};

/// govulncheck.
pub(crate) struct Govulncheck;

const TOOL: &str = "govulncheck";

#[derive(Deserialize)]
struct Message {
    #[serde(rename = "SBOM")]
    sbom: Option<Sbom>,
    osv: Option<Osv>,
    finding: Option<StreamFinding>,
}

#[derive(Deserialize)]
struct Sbom {
    go_version: Option<String>,
    #[serde(default)]
    modules: Vec<SbomModule>,
}

#[derive(Deserialize)]
struct SbomModule {
    path: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct StreamFinding {
    osv: Option<String>,
    fixed_version: Option<String>,
    #[serde(default)]
    trace: Vec<Frame>,
}

#[derive(Deserialize)]
struct Frame {
    module: Option<String>,
    version: Option<String>,
    package: Option<String>,
    function: Option<String>,
    receiver: Option<String>,
    position: Option<Position>,
}

#[derive(Deserialize)]
struct Position {
    filename: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
}

/// The document of govulncheck before v1.0.
#[derive(Deserialize)]
struct OldReport {
    #[serde(rename = "Vulns")]
    vulns: Option<Vec<OldVuln>>,
    #[serde(rename = "Requires")]
    requires: Option<OldRequires>,
    #[serde(rename = "Modules")]
    modules: Option<Vec<OldModule>>,
}

#[derive(Deserialize)]
struct OldRequires {
    #[serde(rename = "Modules", default)]
    modules: Entries<OldModule>,
}

#[derive(Deserialize)]
struct OldModule {
    #[serde(rename = "Path")]
    path: Option<String>,
    #[serde(rename = "Version")]
    version: Option<String>,
}

#[derive(Deserialize)]
struct OldVuln {
    #[serde(rename = "OSV")]
    osv: Osv,
    #[serde(rename = "Symbol")]
    symbol: Option<String>,
    #[serde(rename = "PkgPath")]
    pkg_path: Option<String>,
    #[serde(rename = "ModPath")]
    mod_path: Option<String>,
    #[serde(rename = "RequireSink")]
    require_sink: Option<u64>,
}

impl Parser for Govulncheck {
    fn id(&self) -> &'static str {
        "govulncheck"
    }

    fn name(&self) -> &'static str {
        "govulncheck"
    }

    fn scan_types(&self) -> &'static [&'static str] {
        &["Govulncheck Scanner"]
    }

    fn detect(&self, input: &Input<'_>) -> bool {
        let Some(v) = input.json() else {
            return false;
        };
        let config = |m: &serde_json::Value| {
            m.get("config").is_some_and(|c| {
                c.get("scanner_name").and_then(|n| n.as_str()) == Some("govulncheck")
                    || (c.get("protocol_version").is_some() && c.get("go_version").is_some())
            })
        };
        match v {
            serde_json::Value::Array(items) => items.first().is_some_and(config),
            serde_json::Value::Object(o) => {
                config(v)
                    || (o.contains_key("Vulns")
                        && o.contains_key("Modules")
                        && (o.contains_key("Requires") || o.contains_key("Calls")))
            }
            _ => false,
        }
    }

    fn parse(&self, input: &Input<'_>) -> Result<Parsed, Error> {
        let mut parsed = Parsed {
            tool: Some(TOOL.into()),
            ..Parsed::default()
        };
        match input.json() {
            Some(v) if v.get("runs").is_some() || v.get("$schema").is_some() => {
                Err(Error::WrongFormat {
                    format: "govulncheck",
                    reason: "this is a SARIF report (govulncheck -format sarif): import it with --format sarif".into(),
                })
            }
            Some(v) if v.get("Vulns").is_some() => {
                let report: OldReport = de::json(input.bytes())?;
                parsed.findings = old_findings(&report);
                Ok(parsed)
            }
            Some(serde_json::Value::Array(_)) => {
                let messages: Vec<Message> = de::json(input.bytes())?;
                parsed.findings = stream_findings(messages);
                Ok(parsed)
            }
            Some(_) => {
                let messages = read_stream(input.bytes())?;
                parsed.findings = stream_findings(messages);
                Ok(parsed)
            }
            // Not JSON at all (or empty): let the JSON reader say where.
            None => {
                de::json::<serde::de::IgnoredAny>(input.bytes())?;
                Err(Error::WrongFormat {
                    format: "govulncheck",
                    reason: "not a JSON message stream".into(),
                })
            }
        }
    }
}

/// Reads concatenated JSON objects, as govulncheck writes them.
fn read_stream(bytes: &[u8]) -> Result<Vec<Message>, Error> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut messages = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Message>();
    for message in stream.by_ref() {
        match message {
            Ok(m) => messages.push(m),
            Err(e) => {
                let text = e.to_string();
                let message = match text.rfind(" at line ") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                return Err(Error::Json {
                    line: e.line(),
                    column: e.column(),
                    message,
                });
            }
        }
    }
    Ok(messages)
}

/// One OSV record as written for one module, with the traces found for it.
fn stream_findings(messages: Vec<Message>) -> Vec<Finding> {
    let mut build: HashMap<String, String> = HashMap::new();
    let mut build_known = false;
    let mut records: Vec<Osv> = Vec::new();
    let mut traces: Vec<StreamFinding> = Vec::new();
    for message in messages {
        if let Some(sbom) = message.sbom {
            build_known = true;
            if let Some(go) = non_empty(sbom.go_version.as_deref()) {
                let version = go
                    .strip_prefix("go")
                    .map_or(go.clone(), |v| format!("v{v}"));
                build.insert("stdlib".into(), version);
            }
            for module in sbom.modules {
                if let Some(path) = non_empty(module.path.as_deref()) {
                    build.insert(path, module.version.unwrap_or_default());
                }
            }
        }
        if let Some(osv) = message.osv {
            records.push(osv);
        }
        if let Some(finding) = message.finding {
            traces.push(finding);
        }
    }
    for frame in traces.iter().filter_map(|t| t.trace.first()) {
        if let Some(module) = non_empty(frame.module.as_deref()) {
            build_known = true;
            build
                .entry(module)
                .or_insert_with(|| frame.version.clone().unwrap_or_default());
        }
    }

    // The traces of each (record, module), in report order.
    let mut by_record: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (index, trace) in traces.iter().enumerate() {
        let module = trace.trace.first().and_then(|f| f.module.as_deref());
        if let (Some(osv), Some(module)) = (trace.osv.as_deref(), module) {
            by_record.entry((osv, module)).or_default().push(index);
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut findings = Vec::new();
    for osv in &records {
        let id = non_empty(osv.id.as_deref()).unwrap_or_else(|| "GO-unknown".into());
        let nth = seen.entry(id.clone()).or_insert(0);
        let names: Vec<&str> = osv
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref()?.name.as_deref())
            .collect();
        let in_build: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !build_known || build.contains_key(*n))
            .collect();
        let module = in_build
            .get(*nth)
            .or_else(|| names.get(*nth))
            .or_else(|| names.first())
            .map_or_else(|| "unknown".to_string(), |m| m.to_string());
        *nth += 1;
        let found: Vec<&StreamFinding> = by_record
            .get(&(id.as_str(), module.as_str()))
            .map(|list| list.iter().filter_map(|&i| traces.get(i)).collect())
            .unwrap_or_default();
        findings.push(stream_finding(
            osv,
            &id,
            &module,
            &found,
            build.get(&module),
        ));
    }
    findings
}

fn stream_finding(
    osv: &Osv,
    id: &str,
    module: &str,
    found: &[&StreamFinding],
    build_version: Option<&String>,
) -> Finding {
    let affected = osv.affected_for(module);
    let imports = affected
        .and_then(|a| a.ecosystem_specific.as_ref())
        .map(|e| e.imports.as_slice())
        .unwrap_or_default();
    // The most precise package: the one of a symbol-level trace, else any traced package, else
    // the first vulnerable package of the record.
    let package = found
        .iter()
        .filter_map(|t| t.trace.first())
        .max_by_key(|f| (f.function.is_some(), f.package.is_some()))
        .and_then(|f| non_empty(f.package.as_deref()))
        .or_else(|| imports.first().and_then(|i| non_empty(i.path.as_deref())));
    let title = match &package {
        Some(package) => format!("{id} - {module} - {package}"),
        None => format!("{id} - {module}"),
    };
    let mut f = Finding::new(TOOL, Category::Dependency, title);
    f.severity = Severity::Info;
    if let Some(word) = osv.severity_word() {
        f.severity = Severity::from_label(&word).unwrap_or(Severity::Info);
        f.tool_severity = Some(word);
    }
    f.rule_id = Some(id.to_string());
    f.external_id = Some(id.to_string());
    osv.apply(&mut f);
    add_database_url(&mut f, osv);
    if found.is_empty() {
        f.status = Status::OutOfScope;
    } else {
        f.verified = true;
        f.occurrences = u32::try_from(found.len()).unwrap_or(u32::MAX);
    }

    let version = found
        .iter()
        .filter_map(|t| t.trace.first())
        .find_map(|f| non_empty(f.version.as_deref()))
        .or_else(|| build_version.and_then(|v| non_empty(Some(v))));
    let fixed = found
        .iter()
        .find_map(|t| non_empty(t.fixed_version.as_deref()))
        .or_else(|| {
            let all = osv.fixed_versions(module);
            (!all.is_empty()).then(|| all.join(", "))
        });
    f.location.package = Some(PackageLocation {
        name: module.to_string(),
        version: version.clone(),
        ecosystem: Some("Go".into()),
        purl: None,
        fixed_version: fixed.clone(),
    });
    if let Some(package) = &package {
        f.location.file = Some(FileLocation::new(package.clone(), None));
    }
    if let Some(fixed) = &fixed {
        f.remediation = Some(format!("Upgrade {module} to {fixed}."));
    }

    let mut text = Vec::new();
    if let Some(summary) = non_empty(osv.summary.as_deref()) {
        text.push(summary);
    }
    if let Some(details) = non_empty(osv.details.as_deref()) {
        text.push(details);
    }
    let symbols: Vec<String> = imports
        .iter()
        .flat_map(|i| {
            let path = i.path.clone().unwrap_or_default();
            i.symbols.iter().map(move |s| format!("{path}.{s}"))
        })
        .collect();
    if !symbols.is_empty() {
        text.push(format!("Vulnerable symbols: {}", symbols.join(", ")));
    }
    if found.is_empty() {
        let in_build = version.as_deref().unwrap_or("an unknown version");
        text.push(format!(
            "The build uses {module} {in_build}, which govulncheck found not affected."
        ));
    }
    f.description = Some(text.join("\n\n"));
    let shown: Vec<String> = found.iter().map(|t| trace_text(&t.trace)).collect();
    if !shown.is_empty() {
        f.evidence = Some(shown.join("\n\n"));
    }
    f
}

/// A trace as lines, from the vulnerable symbol up to the scanned code.
fn trace_text(trace: &[Frame]) -> String {
    let lines: Vec<String> = trace
        .iter()
        .map(|frame| {
            let mut line = frame
                .package
                .clone()
                .or_else(|| frame.module.clone())
                .unwrap_or_default();
            if let Some(function) = &frame.function {
                match &frame.receiver {
                    Some(receiver) => line.push_str(&format!(".({receiver}).{function}")),
                    None => line.push_str(&format!(".{function}")),
                }
            }
            if let Some(version) = &frame.version {
                line.push_str(&format!(" ({version})"));
            }
            if let Some(p) = &frame.position {
                if let Some(file) = &p.filename {
                    line.push_str(&format!(
                        " at {file}:{}:{}",
                        p.line.unwrap_or(0),
                        p.column.unwrap_or(0)
                    ));
                }
            }
            line
        })
        .collect();
    lines.join("\n  called from ")
}

fn add_database_url(f: &mut Finding, osv: &Osv) {
    let urls = osv
        .database_specific
        .iter()
        .chain(
            osv.affected
                .iter()
                .filter_map(|a| a.database_specific.as_ref()),
        )
        .filter_map(|d| d.url.0.clone());
    let urls: Vec<String> = urls.collect();
    for url in urls {
        f.add_reference(&url);
    }
}

/// The old format: one finding per OSV record, over all the symbols it was reached through.
fn old_findings(report: &OldReport) -> Vec<Finding> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<(&OldVuln, Vec<String>, Vec<String>)> = Vec::new();
    for vuln in report.vulns.iter().flatten() {
        let id = vuln.osv.id.clone().unwrap_or_default();
        let at = *index.entry(id).or_insert_with(|| {
            groups.push((vuln, Vec::new(), Vec::new()));
            groups.len() - 1
        });
        if let Some((_, symbols, packages)) = groups.get_mut(at) {
            if let Some(symbol) = &vuln.symbol {
                push_unique(symbols, symbol);
            }
            if let Some(package) = &vuln.pkg_path {
                push_unique(packages, package);
            }
        }
    }
    groups
        .into_iter()
        .map(|(vuln, symbols, packages)| old_finding(report, vuln, &symbols, &packages))
        .collect()
}

fn old_finding(
    report: &OldReport,
    vuln: &OldVuln,
    symbols: &[String],
    packages: &[String],
) -> Finding {
    let osv = &vuln.osv;
    let id = non_empty(osv.id.as_deref()).unwrap_or_else(|| "GO-unknown".into());
    let module = non_empty(vuln.mod_path.as_deref())
        .or_else(|| {
            osv.affected
                .first()
                .and_then(|a| a.package.as_ref())
                .and_then(|p| non_empty(p.name.as_deref()))
        })
        .unwrap_or_else(|| "unknown".into());
    let version = vuln
        .require_sink
        .and_then(|sink| {
            let key = sink.to_string();
            report
                .requires
                .as_ref()?
                .modules
                .0
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, m)| non_empty(m.version.as_deref()))
        })
        .or_else(|| {
            report
                .modules
                .iter()
                .flatten()
                .find(|m| m.path.as_deref() == Some(module.as_str()))
                .and_then(|m| non_empty(m.version.as_deref()))
        });
    let mut f = Finding::new(TOOL, Category::Dependency, id.clone());
    f.severity = Severity::Info;
    if let Some(word) = osv.severity_word() {
        f.severity = Severity::from_label(&word).unwrap_or(Severity::Info);
        f.tool_severity = Some(word);
    }
    f.rule_id = Some(id.clone());
    f.external_id = Some(id);
    f.verified = true;
    osv.apply(&mut f);
    add_database_url(&mut f, osv);
    let fixed = osv.fixed_versions(&module);
    f.location.package = Some(PackageLocation {
        name: module.clone(),
        version,
        ecosystem: Some("Go".into()),
        purl: None,
        fixed_version: (!fixed.is_empty()).then(|| fixed.join(", ")),
    });
    if let Some(package) = packages.first() {
        f.location.file = Some(FileLocation::new(package.clone(), None));
    }
    if !fixed.is_empty() {
        f.remediation = Some(format!(
            "Upgrade {module} to a fixed version: {}.",
            fixed.join(", ")
        ));
    }
    let mut text = Vec::new();
    if let Some(details) = non_empty(osv.details.as_deref()) {
        text.push(details);
    }
    if !symbols.is_empty() {
        text.push(format!("Vulnerable symbols called: {}", symbols.join(", ")));
    }
    f.description = (!text.is_empty()).then(|| text.join("\n\n"));
    f.occurrences = u32::try_from(symbols.len()).unwrap_or(u32::MAX).max(1);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Parsed {
        let input = Input::new(text.as_bytes());
        assert!(Govulncheck.detect(&input), "{text}");
        Govulncheck.parse(&input).unwrap()
    }

    const CONFIG: &str = r#"{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck","go_version":"go1.21.4","scan_level":"symbol"}}"#;
    const SBOM: &str = r#"{"SBOM":{"go_version":"go1.21.4","modules":[{"path":"example.com/app"},{"path":"golang.org/x/text","version":"v0.3.5"},{"path":"golang.org/x/net","version":"v0.30.0"}]}}"#;
    const TEXT_OSV: &str = r#"{"osv":{"id":"GO-2022-1059","severity":"High","aliases":["CVE-2022-32149","GHSA-69ch-w2m2-3vjp"],"summary":"DoS via Accept-Language",
        "affected":[{"package":{"name":"golang.org/x/text","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.3.8"}]}],
        "ecosystem_specific":{"imports":[{"path":"golang.org/x/text/language","symbols":["ParseAcceptLanguage"]}]}}],
        "references":[{"type":"FIX","url":"https://go.dev/cl/442235"}],"database_specific":{"url":"https://pkg.go.dev/vuln/GO-2022-1059"}}}"#;
    const NET_OSV: &str = r#"{"osv":{"id":"GO-2023-0001","aliases":["CVE-2023-1"],"affected":[
        {"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.20.0"}]}]},
        {"package":{"name":"golang.org/x/net","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.7.0"}]}]}]}}"#;
    const FINDING: &str = r#"{"finding":{"osv":"GO-2022-1059","fixed_version":"v0.3.8","trace":[
        {"module":"golang.org/x/text","version":"v0.3.5","package":"golang.org/x/text/language","function":"ParseAcceptLanguage"},
        {"module":"example.com/app","package":"example.com/app","function":"main","position":{"filename":"main.go","line":12,"column":43}}]}}"#;

    #[test]
    fn stream_records_per_module_with_status() {
        let text = [CONFIG, SBOM, TEXT_OSV, NET_OSV, NET_OSV, FINDING].join("\n");
        let parsed = check(&text);
        assert_eq!(parsed.findings.len(), 3);
        let f = &parsed.findings[0];
        assert_eq!(
            f.title,
            "GO-2022-1059 - golang.org/x/text - golang.org/x/text/language"
        );
        assert_eq!(
            (f.severity, f.status, f.verified),
            (Severity::High, Status::Open, true)
        );
        let p = f.location.package.as_ref().unwrap();
        assert_eq!(
            (p.version.as_deref(), p.fixed_version.as_deref()),
            (Some("v0.3.5"), Some("v0.3.8"))
        );
        assert_eq!(
            f.location.file.as_ref().unwrap().path,
            "golang.org/x/text/language"
        );
        assert!(f.evidence.as_deref().unwrap().contains("main.go:12:43"));
        assert_eq!(f.primary_vulnerability_id(), Some("CVE-2022-32149"));
        // One record written twice, for the two modules of the build it names.
        let (stdlib, net) = (&parsed.findings[1], &parsed.findings[2]);
        assert_eq!(stdlib.location.package.as_ref().unwrap().name, "stdlib");
        assert_eq!(
            stdlib.location.package.as_ref().unwrap().version.as_deref(),
            Some("v1.21.4")
        );
        assert_eq!(
            net.location.package.as_ref().unwrap().name,
            "golang.org/x/net"
        );
        assert_eq!(
            (stdlib.status, stdlib.severity),
            (Status::OutOfScope, Severity::Info)
        );
    }

    #[test]
    fn array_of_messages_and_sarif() {
        let text = format!("[{CONFIG},{TEXT_OSV},{FINDING}]");
        assert_eq!(check(&text).findings.len(), 1);
        let sarif = Input::new(br#"{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}"#);
        assert!(!Govulncheck.detect(&sarif));
        assert!(Govulncheck
            .parse(&sarif)
            .unwrap_err()
            .to_string()
            .contains("SARIF"));
        assert!(Govulncheck.parse(&Input::new(b"")).is_err());
    }

    #[test]
    fn old_format_merges_symbols() {
        let vuln = |symbol: &str| {
            format!(
                r#"{{"OSV":{{"id":"GO-2022-1144","aliases":["CVE-2022-41717"],"details":"d","affected":[{{"package":{{"name":"stdlib","ecosystem":"Go"}},
                "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.18.9"}},{{"introduced":"1.19.0"}},{{"fixed":"1.19.4"}}]}}]}}]}},
                "Symbol":"{symbol}","PkgPath":"net/http","ModPath":"stdlib","CallSink":9,"ImportSink":57,"RequireSink":1}}"#
            )
        };
        let text = format!(
            r#"{{"Calls":{{"Functions":{{}}}},"Imports":{{}},"Requires":{{"Modules":{{"1":{{"ID":1,"Path":"stdlib","Version":"v1.19.0"}}}}}},
            "Vulns":[{},{}],"Modules":[{{"Path":"stdlib","Version":"v1.19.0"}}]}}"#,
            vuln("ListenAndServe"),
            vuln("Serve")
        );
        let parsed = check(&text);
        assert_eq!(parsed.findings.len(), 1);
        let f = &parsed.findings[0];
        assert_eq!((f.title.as_str(), f.occurrences), ("GO-2022-1144", 2));
        let p = f.location.package.as_ref().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("stdlib", Some("v1.19.0"))
        );
        assert_eq!(p.fixed_version.as_deref(), Some("1.18.9, 1.19.4"));
    }
}
