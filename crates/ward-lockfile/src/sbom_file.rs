//! Packages listed by an existing SBOM, for scanning it against the advisory database:
//! CycloneDX JSON 1.2–1.6 (<https://cyclonedx.org/docs/1.6/json/>: `components[].purl`,
//! nested `components` included) and SPDX JSON 2.2/2.3 (<https://spdx.github.io/spdx-spec/v2.3/>:
//! `packages[].externalRefs[]` with `referenceType` `purl`, category `PACKAGE-MANAGER`).
//!
//! The document is read as untyped JSON so that an error names the exact field
//! (`components[3].components[0].purl`). Components without a purl, or with a purl of a type
//! ward has no advisories for (`oci`, `deb`, …) or without a version, are counted, not
//! matched.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::{purl, Error, Package};

/// What an SBOM lists.
#[derive(Debug, Default)]
pub struct SbomPackages {
    /// `CycloneDX 1.5`, `SPDX-2.3`.
    pub format: String,
    /// The packages ward can match, in document order (a purl listed twice appears twice).
    pub packages: Vec<Package>,
    /// Components or packages without a purl.
    pub n_without_purl: usize,
    /// Purls ward cannot match, by purl type (`deb`), with those lacking a version under
    /// `no version`.
    pub unmatched: BTreeMap<String, usize>,
}

/// Reads a CycloneDX or SPDX JSON SBOM. A file that is not one of them, or whose fields have
/// the wrong shape, is an error naming the field.
pub fn read_sbom(path: &Path) -> Result<SbomPackages, Error> {
    let error = |reason: String| Error {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let document: Value =
        serde_json::from_slice(&bytes).map_err(|e| error(format!("not JSON: {e}")))?;
    parse(&document).map_err(error)
}

fn parse(document: &Value) -> Result<SbomPackages, String> {
    let Some(top) = document.as_object() else {
        return Err("expected a JSON object at the top".into());
    };
    let mut out = SbomPackages::default();
    if top.get("bomFormat").is_some() {
        let format = string(top, "bomFormat", "")?;
        if format != "CycloneDX" {
            return Err(format!(
                "bomFormat: expected \"CycloneDX\", found {format:?}"
            ));
        }
        let spec = string(top, "specVersion", "")?;
        if !["1.2", "1.3", "1.4", "1.5", "1.6"].contains(&spec) {
            return Err(format!("specVersion: expected 1.2 to 1.6, found {spec:?}"));
        }
        out.format = format!("CycloneDX {spec}");
        if let Some(components) = top.get("components") {
            cyclonedx_components(components, "components", &mut out)?;
        }
    } else if top.get("spdxVersion").is_some() {
        let version = string(top, "spdxVersion", "")?;
        if !["SPDX-2.2", "SPDX-2.3"].contains(&version) {
            return Err(format!(
                "spdxVersion: expected SPDX-2.2 or SPDX-2.3, found {version:?}"
            ));
        }
        out.format = version.to_string();
        if let Some(packages) = top.get("packages") {
            spdx_packages(packages, &mut out)?;
        }
    } else {
        return Err(
            "neither `bomFormat` (CycloneDX) nor `spdxVersion` (SPDX): not an SBOM ward reads"
                .into(),
        );
    }
    Ok(out)
}

fn cyclonedx_components(value: &Value, at: &str, out: &mut SbomPackages) -> Result<(), String> {
    let list = value
        .as_array()
        .ok_or_else(|| format!("{at}: expected an array"))?;
    for (i, component) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let object = component
            .as_object()
            .ok_or_else(|| format!("{here}: expected an object"))?;
        match object.get("purl") {
            Some(_) => add_purl(string(object, "purl", &here)?, &format!("{here}.purl"), out)?,
            None => out.n_without_purl += 1,
        }
        if let Some(nested) = object.get("components") {
            cyclonedx_components(nested, &format!("{here}.components"), out)?;
        }
    }
    Ok(())
}

fn spdx_packages(value: &Value, out: &mut SbomPackages) -> Result<(), String> {
    let list = value.as_array().ok_or("packages: expected an array")?;
    for (i, package) in list.iter().enumerate() {
        let here = format!("packages[{i}]");
        let object = package
            .as_object()
            .ok_or_else(|| format!("{here}: expected an object"))?;
        let refs = match object.get("externalRefs") {
            Some(refs) => refs
                .as_array()
                .ok_or_else(|| format!("{here}.externalRefs: expected an array"))?
                .as_slice(),
            None => &[],
        };
        let mut found = false;
        for (j, reference) in refs.iter().enumerate() {
            let at = format!("{here}.externalRefs[{j}]");
            let reference = reference
                .as_object()
                .ok_or_else(|| format!("{at}: expected an object"))?;
            let kind = string(reference, "referenceType", &at)?;
            // 2.2 spells the category `PACKAGE_MANAGER`, 2.3 `PACKAGE-MANAGER`; the type is
            // what says purl.
            if kind != "purl" {
                continue;
            }
            found = true;
            add_purl(
                string(reference, "referenceLocator", &at)?,
                &format!("{at}.referenceLocator"),
                out,
            )?;
        }
        if !found {
            out.n_without_purl += 1;
        }
    }
    Ok(())
}

fn add_purl(text: &str, at: &str, out: &mut SbomPackages) -> Result<(), String> {
    match purl::parse(text).map_err(|e| format!("{at}: `{text}` is not a purl: {e}"))? {
        Some(package) => out.packages.push(package),
        None => {
            let kind = text
                .get(4..)
                .and_then(|rest| rest.trim_start_matches('/').split('/').next())
                .unwrap_or("")
                .to_ascii_lowercase();
            let known = purl::ECOSYSTEM_TYPES.contains(&kind.as_str());
            let key = if known {
                "no version".to_string()
            } else {
                kind
            };
            *out.unmatched.entry(key).or_default() += 1;
        }
    }
    Ok(())
}

/// The string field `key` of `object`, or an error naming `at.key`.
fn string<'a>(object: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a str, String> {
    let field = if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    };
    object
        .get(key)
        .ok_or_else(|| format!("{field}: missing"))?
        .as_str()
        .ok_or_else(|| format!("{field}: expected a string"))
}

impl SbomPackages {
    /// How many packages, purls and purl-less components the SBOM listed in all.
    pub fn n_entries(&self) -> usize {
        self.packages.len() + self.n_without_purl + self.unmatched.values().sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check_error(document: Value, expected: &str) {
        let error = parse(&document).unwrap_err();
        assert!(error.contains(expected), "{error}");
    }

    #[test]
    fn cyclonedx_nested_components() {
        let out = parse(&json!({"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
            {"type": "container", "name": "x", "purl": "pkg:oci/x", "components": [
                {"type": "library", "name": "log4j-core", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2"}
            ]},
            {"type": "library", "name": "no purl"},
            {"type": "library", "name": "v", "purl": "pkg:npm/left-pad"}
        ]}))
        .unwrap();
        assert_eq!(out.format, "CycloneDX 1.4");
        assert_eq!(out.packages.len(), 1);
        assert_eq!(out.packages[0].name, "org.apache.logging.log4j:log4j-core");
        assert_eq!(out.n_without_purl, 1);
        assert_eq!(out.unmatched["oci"], 1);
        assert_eq!(out.unmatched["no version"], 1);
        assert_eq!(out.n_entries(), 4);
    }

    #[test]
    fn spdx_purl_references() {
        let out = parse(&json!({"spdxVersion": "SPDX-2.2", "packages": [
            {"SPDXID": "a", "externalRefs": [
                {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:x"},
                {"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/django@2.0"}
            ]},
            {"SPDXID": "b"}
        ]}))
        .unwrap();
        assert_eq!(out.format, "SPDX-2.2");
        assert_eq!(out.packages[0].purl, "pkg:pypi/django@2.0");
        assert_eq!(out.n_without_purl, 1);
    }

    #[test]
    fn bad_documents_name_the_field() {
        check_error(json!([]), "JSON object");
        check_error(json!({"name": "x"}), "neither");
        check_error(json!({"bomFormat": "SPDX"}), "bomFormat");
        check_error(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.1"}),
            "specVersion",
        );
        check_error(json!({"bomFormat": "CycloneDX"}), "specVersion: missing");
        check_error(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {}}),
            "components: expected an array",
        );
        check_error(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"components": [{"purl": 7}]}]}),
            "components[0].components[0].purl: expected a string",
        );
        check_error(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"purl": "npm/x@1"}]}),
            "components[0].purl: `npm/x@1` is not a purl",
        );
        check_error(json!({"spdxVersion": "SPDX-3.0"}), "spdxVersion");
        check_error(
            json!({"spdxVersion": "SPDX-2.3", "packages": [{"externalRefs": [{"referenceType": "purl"}]}]}),
            "packages[0].externalRefs[0].referenceLocator: missing",
        );
    }
}
