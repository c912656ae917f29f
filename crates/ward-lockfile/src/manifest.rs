//! The project's own package, from the manifest next to a lockfile whose format does not
//! name it: `package.json` (npm, <https://docs.npmjs.com/cli/configuring-npm/package-json>)
//! next to `package-lock.json` v1, `yarn.lock` or `pnpm-lock.yaml`; `pyproject.toml`
//! (PEP 621 `[project]` or `[tool.poetry]`) next to `poetry.lock`; `composer.json` next to
//! `composer.lock`; `pubspec.yaml` next to `pubspec.lock`. The root package carries the
//! names of the dependencies the manifest declares (runtime and development), so a lockfile
//! that does not say which packages are direct can learn it from there.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Package;

/// Reads a manifest's text into the project's root package.
type ParseManifest = fn(&str) -> Result<Option<Package>, String>;

/// The root package from the manifest next to `lockfile` (read by the reader `reader_id`):
/// `Ok(None)` when there is none or it names no project; `Err` with a warning naming the
/// manifest when it cannot be read.
pub(crate) fn root_beside(lockfile: &Path, reader_id: &str) -> Result<Option<Package>, String> {
    let (file_name, parse): (&str, ParseManifest) = match reader_id {
        "package-lock" | "yarn-lock" | "pnpm-lock" => ("package.json", package_json),
        "poetry-lock" => ("pyproject.toml", pyproject_toml),
        "composer-lock" => ("composer.json", composer_json),
        "pubspec-lock" => ("pubspec.yaml", pubspec_yaml),
        _ => return Ok(None),
    };
    let path = lockfile.parent().unwrap_or(Path::new(".")).join(file_name);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{file_name}: {e}; project name not read")),
    };
    parse(&text).map_err(|e| format!("{file_name}: {e}; project name not read"))
}

#[derive(Deserialize)]
struct PackageJson {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
}

fn package_json(text: &str) -> Result<Option<Package>, String> {
    let manifest: PackageJson = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Some(name) = manifest.name.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let mut root = Package::new("npm", &name, manifest.version.as_deref().unwrap_or(""));
    root.dependencies = manifest
        .dependencies
        .into_keys()
        .chain(manifest.dev_dependencies.into_keys())
        .chain(manifest.optional_dependencies.into_keys())
        .collect();
    Ok(Some(root))
}

#[derive(Deserialize)]
struct Pyproject {
    project: Option<Pep621>,
    tool: Option<Tools>,
    #[serde(default, rename = "dependency-groups")]
    dependency_groups: BTreeMap<String, Vec<toml::Value>>,
}

#[derive(Deserialize)]
struct Pep621 {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct Tools {
    poetry: Option<Poetry>,
}

#[derive(Deserialize)]
struct Poetry {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    group: BTreeMap<String, PoetryGroup>,
}

#[derive(Deserialize)]
struct PoetryGroup {
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
}

fn pyproject_toml(text: &str) -> Result<Option<Package>, String> {
    let manifest: Pyproject = toml::from_str(text).map_err(|e| e.to_string())?;
    let poetry = manifest.tool.and_then(|t| t.poetry);
    let (pep621_name, pep621_version, mut dependencies) = match manifest.project {
        Some(p) => (
            p.name,
            p.version,
            p.dependencies
                .iter()
                .chain(p.optional_dependencies.values().flatten())
                .filter_map(|spec| requirement_name(spec))
                .collect::<Vec<_>>(),
        ),
        None => (None, None, Vec::new()),
    };
    // PEP 735 groups: requirement strings, or `{include-group = …}` tables naming no package.
    dependencies.extend(
        manifest
            .dependency_groups
            .values()
            .flatten()
            .filter_map(|v| v.as_str().and_then(requirement_name)),
    );
    let (poetry_name, poetry_version) = match poetry {
        Some(p) => {
            dependencies.extend(
                p.dependencies
                    .into_keys()
                    .chain(p.dev_dependencies.into_keys())
                    .chain(
                        p.group
                            .into_values()
                            .flat_map(|g| g.dependencies.into_keys()),
                    )
                    .filter(|name| name != "python"),
            );
            (p.name, p.version)
        }
        None => (None, None),
    };
    let Some(name) = pep621_name.or(poetry_name).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let version = pep621_version.or(poetry_version).unwrap_or_default();
    let mut root = Package::new("PyPI", &name, &version);
    dependencies.sort();
    dependencies.dedup();
    root.dependencies = dependencies;
    Ok(Some(root))
}

/// The distribution name at the start of a PEP 508 requirement (`requests[socks]>=2; …`).
fn requirement_name(spec: &str) -> Option<String> {
    let spec = spec.trim_start();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = spec.get(..end)?;
    (!name.is_empty()).then(|| name.to_string())
}

#[derive(Deserialize)]
struct ComposerJson {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    require: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "require-dev")]
    require_dev: BTreeMap<String, serde_json::Value>,
}

fn composer_json(text: &str) -> Result<Option<Package>, String> {
    let manifest: ComposerJson = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Some(name) = manifest.name.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let mut root = Package::new(
        "Packagist",
        &name,
        manifest.version.as_deref().unwrap_or(""),
    );
    // Platform requirements (`php`, `ext-json`) are not packages.
    root.dependencies = manifest
        .require
        .into_keys()
        .chain(manifest.require_dev.into_keys())
        .filter(|k| k.contains('/'))
        .collect();
    Ok(Some(root))
}

/// `pubspec.yaml`'s top-level `name:` and `version:` and the keys of its `dependencies:` and
/// `dev_dependencies:` maps, read by indentation (the shape `dart pub` documents).
fn pubspec_yaml(text: &str) -> Result<Option<Package>, String> {
    let mut name = None;
    let mut version = String::new();
    let mut dependencies = Vec::new();
    let mut in_dependencies = false;
    for line in text.lines() {
        let content = line.split(" #").next().unwrap_or(line).trim_end();
        if content.trim().is_empty() || content.trim_start().starts_with('#') {
            continue;
        }
        let indent = content.len() - content.trim_start().len();
        let (key, value) = content
            .trim()
            .split_once(':')
            .map_or((content.trim(), ""), |(k, v)| (k.trim(), v.trim()));
        let value = value.trim_matches(|c| c == '\'' || c == '"');
        if indent == 0 {
            in_dependencies = matches!(key, "dependencies" | "dev_dependencies");
            match key {
                "name" => name = Some(value.to_string()),
                "version" => version = value.to_string(),
                _ => {}
            }
        } else if indent == 2 && in_dependencies && key != "flutter" {
            dependencies.push(key.to_string());
        }
    }
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let mut root = Package::new("Pub", &name, &version);
    root.dependencies = dependencies;
    Ok(Some(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests() {
        let root = package_json(r#"{"name":"app","version":"1.2.0","dependencies":{"a":"^1"},"devDependencies":{"b":"2"}}"#)
            .unwrap()
            .unwrap();
        assert_eq!(root.purl, "pkg:npm/app@1.2.0");
        assert_eq!(root.dependencies, ["a", "b"]);
        assert!(package_json(r#"{"private":true}"#).unwrap().is_none());
        assert!(package_json("{").is_err());

        let root = pyproject_toml(
            "[project]\nname = \"My_App\"\nversion = \"0.3\"\ndependencies = [\"requests[socks]>=2; python_version>'3'\", \"attrs\"]\n\
             [dependency-groups]\ndev = [\"pytest>=8\", {include-group = \"lint\"}]\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(root.purl, "pkg:pypi/my-app@0.3");
        assert_eq!(root.dependencies, ["attrs", "pytest", "requests"]);

        let root =
            composer_json(r#"{"name":"acme/site","require":{"php":">=8","monolog/monolog":"^3"}}"#)
                .unwrap()
                .unwrap();
        assert_eq!(root.purl, "pkg:composer/acme/site");
        assert_eq!(root.dependencies, ["monolog/monolog"]);

        let root = pubspec_yaml("name: app\nversion: 1.0.0+1\n\ndependencies:\n  flutter:\n    sdk: flutter\n  http: ^1.0.0 # client\n\nflutter:\n  uses-material-design: true\n")
            .unwrap()
            .unwrap();
        assert_eq!(root.purl, "pkg:pub/app@1.0.0%2B1");
        assert_eq!(root.dependencies, ["http"]);
    }
}
