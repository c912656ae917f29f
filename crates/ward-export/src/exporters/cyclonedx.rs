//! `cyclonedx`: a CycloneDX 1.5 or 1.6 JSON BOM with vulnerabilities (a VDR/VEX document,
//! <https://cyclonedx.org/docs/1.6/json/>), checked against the official schemas.
//!
//! Components are the packages (`library`, with their purl) and container images
//! (`container`) the findings name, once each. Each finding about a package or image, or
//! naming a vulnerability id, is one `vulnerabilities[]` entry: `id` = the primary
//! vulnerability id (else the rule), `source` and `references` for the other ids, `ratings`
//! (each CVSS rating, plus the tool's own severity with method `other`), `cwes`,
//! `description`, `recommendation`, `advisories` (references), `affects` (the component, with
//! the version marked affected), `analysis.state` from the triage status, and the rest as
//! `ward:*` properties. Findings about code only (SAST, secrets …) are left out with a warning.

use std::io::Write;

use serde_json::{json, Value};
use ward_core::{CvssVersion, Finding, Identifier, IdentifierKind, Report, Severity, Status};

use crate::util::{
    clean_url, fingerprint, identifier_url, non_blank, rule_key, status_word, tools, unique_keys,
    uuid_from,
};
use crate::{Error, Exporter, Options, Outcome};

/// CycloneDX JSON.
pub(crate) struct CycloneDx;

impl Exporter for CycloneDx {
    fn id(&self) -> &'static str {
        "cyclonedx"
    }

    fn name(&self) -> &'static str {
        "CycloneDX (VDR/VEX)"
    }

    fn extension(&self) -> &'static str {
        "cdx.json"
    }

    fn write(
        &self,
        report: &Report,
        options: &Options,
        out: &mut dyn Write,
    ) -> Result<Outcome, Error> {
        let time = options.time(report)?;
        let keys = unique_keys(report);
        let mut components: Vec<Value> = Vec::new();
        let mut component_refs: Vec<String> = Vec::new();
        let mut vulnerabilities = Vec::new();
        let mut left_out = 0;
        for (finding, key) in report.findings.iter().zip(&keys) {
            let component = component(finding);
            let about_vulnerability = finding.vulnerability_ids().next().is_some();
            if component.is_none() && !about_vulnerability {
                left_out += 1;
                continue;
            }
            let reference = component.map(|(reference, component)| {
                if !component_refs.contains(&reference) {
                    component_refs.push(reference.clone());
                    components.push(component);
                }
                reference
            });
            vulnerabilities.push(vulnerability(finding, key, reference.as_deref()));
        }
        let mut tool_components = vec![json!({
            "type": "application",
            "name": "ward",
            "version": options.ward_version,
        })];
        for tool in tools(report) {
            if let Some(tool) = non_blank(Some(tool)) {
                tool_components.push(json!({"type": "application", "name": tool}));
            }
        }
        let seed: Vec<&str> = keys.iter().map(String::as_str).collect();
        let document = json!({
            "bomFormat": "CycloneDX",
            "specVersion": options.cyclonedx_version.as_str(),
            "serialNumber": format!(
                "urn:uuid:{}",
                uuid_from(&format!("cyclonedx:{}:{}", time.unix(), seed.join(",")))
            ),
            "version": 1,
            "metadata": {
                "timestamp": time.rfc3339(),
                "tools": {"components": tool_components},
            },
            "components": components,
            "vulnerabilities": vulnerabilities,
        });
        let id = self.id();
        serde_json::to_writer_pretty(&mut *out, &document).map_err(Error::json(id))?;
        out.write_all(b"\n").map_err(Error::write(id))?;
        let mut warnings = Vec::new();
        if left_out > 0 {
            warnings.push(format!(
                "left out {left_out} findings that concern no package or image and name no vulnerability id (CycloneDX records vulnerabilities of components)"
            ));
        }
        Ok(Outcome {
            exported: vulnerabilities.len(),
            warnings,
        })
    }
}

/// The component a finding affects, with its `bom-ref`: the package, else the image.
fn component(finding: &Finding) -> Option<(String, Value)> {
    if let Some(package) = finding
        .location
        .package
        .as_ref()
        .filter(|p| !p.name.trim().is_empty())
    {
        let version = non_blank(package.version.as_deref());
        let reference = match non_blank(package.purl.as_deref()) {
            Some(purl) => purl.to_string(),
            None => {
                let ecosystem = non_blank(package.ecosystem.as_deref()).unwrap_or("unknown");
                match version {
                    Some(version) => format!("ward:package:{ecosystem}/{}@{version}", package.name),
                    None => format!("ward:package:{ecosystem}/{}", package.name),
                }
            }
        };
        let mut component = json!({"type": "library", "bom-ref": reference, "name": package.name});
        if let Some(version) = version {
            component["version"] = json!(version);
        }
        if let Some(purl) = non_blank(package.purl.as_deref()) {
            component["purl"] = json!(purl);
        }
        return Some((reference, component));
    }
    let image = finding
        .location
        .image
        .as_ref()
        .filter(|i| !i.name.trim().is_empty())?;
    let reference = format!("ward:image:{}", image.name);
    let mut component = json!({"type": "container", "bom-ref": reference, "name": image.name});
    if let Some(digest) = non_blank(image.digest.as_deref()) {
        component["version"] = json!(digest);
    }
    Some((reference, component))
}

fn source(id: &Identifier) -> Value {
    let name = match id.kind {
        IdentifierKind::Cve => "NVD",
        IdentifierKind::Ghsa => "GitHub",
        IdentifierKind::Osv => "OSV",
        IdentifierKind::Cwe => "MITRE",
        IdentifierKind::Owasp => "OWASP",
        IdentifierKind::Vendor => "vendor",
    };
    let mut source = json!({"name": name});
    if let Some(url) = identifier_url(id) {
        source["url"] = json!(url);
    }
    source
}

fn cvss_method(version: CvssVersion) -> &'static str {
    match version {
        CvssVersion::V2 => "CVSSv2",
        CvssVersion::V3_0 => "CVSSv3",
        CvssVersion::V3_1 => "CVSSv31",
        CvssVersion::V4 => "CVSSv4",
    }
}

fn vulnerability(finding: &Finding, key: &str, component: Option<&str>) -> Value {
    let ids: Vec<&Identifier> = finding.vulnerability_ids().collect();
    let primary = non_blank(finding.primary_vulnerability_id())
        .map(str::to_string)
        .unwrap_or_else(|| rule_key(finding));
    let mut v = json!({
        "bom-ref": format!("ward:finding:{}", uuid_from(key)),
        "id": primary,
    });
    if let Some(id) = ids.iter().find(|i| i.value == primary) {
        v["source"] = source(id);
    }
    let references: Vec<Value> = ids
        .iter()
        .filter(|i| i.value != primary)
        .map(|i| json!({"id": i.value, "source": source(i)}))
        .collect();
    if !references.is_empty() {
        v["references"] = json!(references);
    }
    let mut ratings: Vec<Value> = finding
        .cvss
        .iter()
        .map(|c| {
            let mut rating = json!({"method": cvss_method(c.version)});
            if let Some(score) = c.score {
                rating["score"] = json!(score);
                rating["severity"] = json!(Severity::from_cvss_score(score).as_str());
            }
            if let Some(vector) = non_blank(c.vector.as_deref()) {
                rating["vector"] = json!(vector);
            }
            if let Some(source) = non_blank(c.source.as_deref()) {
                rating["source"] = json!({"name": source});
            }
            rating
        })
        .collect();
    let mut tool_rating = json!({"severity": finding.severity.as_str(), "method": "other"});
    if let Some(tool) = non_blank(Some(&finding.tool)) {
        tool_rating["source"] = json!({"name": tool});
    }
    if let Some(original) = non_blank(finding.tool_severity.as_deref()) {
        tool_rating["justification"] = json!(format!("the tool's severity: {original}"));
    }
    ratings.push(tool_rating);
    v["ratings"] = json!(ratings);
    let cwes: Vec<u32> = finding
        .identifiers
        .iter()
        .filter_map(Identifier::cwe_number)
        .collect();
    if !cwes.is_empty() {
        v["cwes"] = json!(cwes);
    }
    v["description"] = json!(non_blank(finding.description.as_deref()).unwrap_or(&finding.title));
    if let Some(remediation) = non_blank(finding.remediation.as_deref()) {
        v["recommendation"] = json!(remediation);
    } else if let Some(package) = &finding.location.package {
        if let Some(fixed) = non_blank(package.fixed_version.as_deref()) {
            v["recommendation"] = json!(format!("Upgrade {} to {fixed}.", package.name));
        }
    }
    let mut advisories: Vec<Value> = Vec::new();
    for url in finding.references.iter().filter(|u| clean_url(u)) {
        let advisory = json!({"url": url});
        if !advisories.contains(&advisory) {
            advisories.push(advisory);
        }
    }
    if !advisories.is_empty() {
        v["advisories"] = json!(advisories);
    }
    v["analysis"] = match finding.status {
        Status::Open if finding.verified => json!({"state": "exploitable"}),
        Status::Open => json!({"state": "in_triage"}),
        Status::FalsePositive => json!({"state": "false_positive"}),
        Status::Mitigated => json!({"state": "resolved"}),
        Status::Accepted => json!({"state": "exploitable", "response": ["will_not_fix"]}),
        Status::OutOfScope => json!({"state": "not_affected"}),
    };
    if let Some(reference) = component {
        let mut affected = json!({"ref": reference});
        if let Some(version) = finding
            .location
            .package
            .as_ref()
            .and_then(|p| non_blank(p.version.as_deref()))
        {
            affected["versions"] = json!([{"version": version, "status": "affected"}]);
        }
        v["affects"] = json!([affected]);
    }
    v["properties"] = json!(properties(finding));
    v
}

fn properties(finding: &Finding) -> Vec<Value> {
    let mut pairs: Vec<(&str, String)> = vec![
        ("ward:fingerprint", fingerprint(finding).into_owned()),
        ("ward:title", finding.title.clone()),
        ("ward:tool", finding.tool.clone()),
        ("ward:category", finding.category.as_str().into()),
        ("ward:severity", finding.severity.as_str().into()),
        ("ward:status", status_word(finding.status).into()),
    ];
    let optional = [
        ("ward:rule_id", finding.rule_id.clone()),
        ("ward:tool_severity", finding.tool_severity.clone()),
        (
            "ward:fixed_version",
            finding
                .location
                .package
                .as_ref()
                .and_then(|p| p.fixed_version.clone()),
        ),
        ("ward:epss", finding.epss.map(|e| e.score.to_string())),
        (
            "ward:epss_percentile",
            finding
                .epss
                .and_then(|e| e.percentile)
                .map(|p| p.to_string()),
        ),
        (
            "ward:file",
            finding.location.file.as_ref().map(|f| f.path.clone()),
        ),
        ("ward:external_id", finding.external_id.clone()),
        ("ward:scan_time", finding.scan_time.clone()),
    ];
    pairs.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    pairs
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exporters::testing;
    use crate::CycloneDxVersion;

    #[test]
    fn components_and_vulnerabilities() {
        let report = testing::report();
        let outcome = CycloneDx
            .write(&report, &Options::default(), &mut Vec::new())
            .unwrap();
        // Trivy's package, Grype's image package; the others concern code or URLs.
        assert_eq!(outcome.exported, 2);
        assert_eq!(outcome.warnings.len(), 1);
        let json = testing::export_json(&CycloneDx, &report);
        assert_eq!(json["specVersion"], "1.6");
        assert!(json["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:"));
        let components = json["components"].as_array().unwrap();
        assert_eq!(components[0]["purl"], "pkg:npm/lodash@4.17.20");
        assert_eq!(
            components[1]["bom-ref"],
            "ward:package:apk/openssl@3.0.8-r0"
        );
        let v = &json["vulnerabilities"][0];
        assert_eq!(v["id"], "CVE-2021-23337");
        assert_eq!(v["source"]["name"], "NVD");
        assert_eq!(v["references"][0]["id"], "GHSA-35jh-r3h4-6jhm");
        assert_eq!(
            v["ratings"][0],
            json!({"method": "CVSSv31", "score": 9.1, "severity": "critical", "vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"})
        );
        assert_eq!(v["ratings"][1]["severity"], "critical");
        assert_eq!(v["cwes"], json!([94]));
        assert_eq!(v["affects"][0]["ref"], "pkg:npm/lodash@4.17.20");
        assert_eq!(v["analysis"]["state"], "in_triage");
        assert_eq!(
            json["vulnerabilities"][1]["analysis"]["response"],
            json!(["will_not_fix"])
        );
    }

    #[test]
    fn spec_version_is_an_option() {
        let options = Options {
            cyclonedx_version: CycloneDxVersion::V1_5,
            ..Options::default()
        };
        let text = testing::export_with(&CycloneDx, &testing::report(), &options);
        assert!(text.contains("\"specVersion\": \"1.5\""));
    }
}
