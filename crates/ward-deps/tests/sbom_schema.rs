//! `ward_deps::sbom::sbom` over the real lockfiles in `tests/data/lockfiles/`, validated
//! against the official CycloneDX 1.5 and 1.6 JSON schemas in `tests/data/schemas/cyclonedx/`.

use std::collections::BTreeSet;

use jsonschema::{Draft, Resource, Validator};
use serde_json::{json, Value};
use ward_deps::sbom::{sbom, SbomOptions, SpecVersion};

fn schema(name: &str) -> Value {
    let path = ward_test_support::schemas_dir()
        .join("cyclonedx")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn validator(name: &str) -> Validator {
    let mut options = jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true);
    // The BOM schemas refer to these two by relative name.
    for dep in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        let resource = Resource::from_contents(schema(dep)).unwrap();
        options = options.with_resource(format!("http://cyclonedx.org/schema/{dep}"), resource);
    }
    options.build(&schema(name)).unwrap()
}

#[test]
fn real_lockfiles_validate_against_both_schemas() {
    let root = ward_test_support::data_dir().join("lockfiles");
    for (spec, schema_name) in [
        (SpecVersion::V1_5, "bom-1.5.schema.json"),
        (SpecVersion::V1_6, "bom-1.6.schema.json"),
    ] {
        let options = SbomOptions {
            spec,
            timestamp: Some("2024-01-02T03:04:05Z".into()),
            tool_version: "0.1.0".into(),
        };
        let result = sbom(&root, &options);
        // The one warning: a requirements range (`sphinx>=7.2.6`) names no single version.
        assert!(
            result.warnings.len() == 1
                && result.warnings[0].starts_with("urllib3/docs/requirements.txt: "),
            "{:?}",
            result.warnings
        );
        let doc = &result.to_value();
        let errors: Vec<String> = validator(schema_name)
            .iter_errors(doc)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{schema_name}: {errors:#?}");
        assert_eq!(doc["specVersion"], spec.as_str());

        // Every reference in the graph names a component (or the root), every component has
        // an entry, and the content is the same on a second run.
        let mut refs: BTreeSet<&str> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        refs.insert("ward:root");
        let deps = doc["dependencies"].as_array().unwrap();
        assert_eq!(deps.len(), refs.len());
        for d in deps {
            assert!(refs.contains(d["ref"].as_str().unwrap()));
            for target in d["dependsOn"].as_array().unwrap() {
                assert!(refs.contains(target.as_str().unwrap()), "{target}");
            }
        }
        assert_eq!(
            result.n_lockfiles,
            refs.iter()
                .filter(|r| r.starts_with("ward:lockfile:"))
                .count()
        );
        assert_eq!(doc, &sbom(&root, &options).to_value());
        // Hashes come through where the lockfiles have them (licences: the unit tests).
        let components = doc["components"].as_array().unwrap();
        assert!(components.iter().any(|c| c.get("hashes").is_some()));
        // The projects themselves, from the lockfiles (a Cargo workspace member, the POM's
        // artifact) and from a manifest beside one (package.json).
        for purl in [
            "pkg:cargo/ward-core@0.1.0",
            "pkg:maven/de.cidaas/cidaas-java-jwt-helper@1.1.1-SNAPSHOT",
            "pkg:npm/scripts@1.0.0",
        ] {
            let project = components.iter().find(|c| c["purl"] == purl);
            assert_eq!(
                project.map(|c| &c["type"]),
                Some(&json!("application")),
                "{purl}"
            );
        }
    }
}
