//! Maven's `pom.xml` (<https://maven.apache.org/pom.html#Dependencies>): the versions the
//! project declares, not a resolved tree. `<dependencies>` and
//! `<dependencyManagement><dependencies>` entries with `groupId`, `artifactId` and `version`,
//! `${property}` references resolved from `<properties>` (and `project.version`,
//! `project.parent.version`); version ranges (`[1.0,2.0)`) and unresolvable references are
//! skipped with a warning; a dependency without a version (managed by a parent POM) is
//! skipped silently. `test`-scoped dependencies are kept. Every listed dependency is direct.
//! The project's own `groupId:artifactId` (the group inherited from `<parent>` when absent) at
//! its version is the file's root. DOCTYPE declarations are refused (no entity expansion).

use std::collections::BTreeMap;

use quick_xml::events::Event;

use crate::{Package, Parsed, Reader};

pub(crate) struct PomXml;

#[derive(Default)]
struct Dep {
    group: String,
    artifact: String,
    version: String,
}

impl Reader for PomXml {
    fn id(&self) -> &'static str {
        "pom-xml"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "pom.xml"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut reader = quick_xml::Reader::from_str(text);
        let mut path: Vec<String> = Vec::new();
        let mut properties: BTreeMap<String, String> = BTreeMap::new();
        let mut deps: Vec<Dep> = Vec::new();
        let mut current: Option<Dep> = None;
        let mut text_buf = String::new();
        loop {
            let event = reader
                .read_event()
                .map_err(|e| format!("at byte {}: {e}", reader.error_position()))?;
            match event {
                Event::DocType(_) => return Err("DOCTYPE declarations are refused".into()),
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if name == "dependency" && in_dependencies(&path) {
                        current = Some(Dep::default());
                    }
                    path.push(name);
                    text_buf.clear();
                }
                Event::Text(t) => {
                    let text = t.xml10_content().map_err(|e| e.to_string())?;
                    text_buf.push_str(&text);
                }
                // Entity and character references come as their own events.
                Event::GeneralRef(r) => match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => text_buf.push(c),
                    None => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        let Some(value) = quick_xml::escape::resolve_predefined_entity(&name)
                        else {
                            return Err(format!("unknown entity &{name};"));
                        };
                        text_buf.push_str(value);
                    }
                },
                Event::CData(t) => {
                    text_buf.push_str(String::from_utf8_lossy(&t).trim());
                }
                Event::End(_) => {
                    let Some(name) = path.pop() else { break };
                    let value = std::mem::take(&mut text_buf).trim().to_string();
                    let parent = path.last().map(String::as_str);
                    match (parent, name.as_str()) {
                        (Some("project"), "version" | "groupId" | "artifactId")
                            if path.len() == 1 =>
                        {
                            properties.insert(format!("project.{name}"), value);
                        }
                        (Some("parent"), "version" | "groupId") if path.len() == 2 => {
                            properties.insert(format!("project.parent.{name}"), value);
                        }
                        (Some("properties"), key) if path.len() == 2 => {
                            properties.insert(key.to_string(), value);
                        }
                        (Some("dependency"), field) => {
                            if let Some(dep) = current.as_mut() {
                                match field {
                                    "groupId" => dep.group = value,
                                    "artifactId" => dep.artifact = value,
                                    "version" => dep.version = value,
                                    _ => {}
                                }
                            }
                        }
                        (_, "dependency") => {
                            if let Some(dep) = current.take() {
                                deps.push(dep);
                            }
                        }
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !properties.contains_key("project.version") && deps.is_empty() && path.is_empty() {
            // Not even a <project> with a version or dependencies.
            if !text.contains("<project") {
                return Err("no <project> element: not a Maven POM".into());
            }
        }
        // A project without its own version or group inherits its parent's.
        for key in ["version", "groupId"] {
            if let Some(value) = properties.get(&format!("project.parent.{key}")).cloned() {
                properties.entry(format!("project.{key}")).or_insert(value);
            }
        }
        let mut parsed = Parsed::default();
        for dep in deps {
            let group = resolve(&dep.group, &properties);
            let artifact = resolve(&dep.artifact, &properties);
            if dep.version.is_empty() {
                continue;
            }
            let (Some(group), Some(artifact)) = (group, artifact) else {
                parsed.warnings.push(format!(
                    "{}:{}: unresolved property, skipped",
                    dep.group, dep.artifact
                ));
                continue;
            };
            let Some(version) = resolve(&dep.version, &properties) else {
                parsed.warnings.push(format!(
                    "{group}:{artifact}: version `{}` is an unresolved property, skipped",
                    dep.version
                ));
                continue;
            };
            if version.starts_with(['[', '(']) {
                parsed.warnings.push(format!(
                    "{group}:{artifact}: version range `{version}`, skipped"
                ));
                continue;
            }
            let mut package = Package::new("Maven", &format!("{group}:{artifact}"), &version);
            package.direct = Some(true);
            parsed.packages.push(package);
        }
        let own = |key: &str| {
            properties
                .get(key)
                .and_then(|v| resolve(v, &properties))
                .filter(|v| !v.is_empty())
        };
        if let (Some(group), Some(artifact)) = (own("project.groupId"), own("project.artifactId")) {
            let version = own("project.version").unwrap_or_default();
            let mut root = Package::new("Maven", &format!("{group}:{artifact}"), &version);
            root.dependencies = parsed.packages.iter().map(|p| p.name.clone()).collect();
            parsed.roots.push(root);
        }
        Ok(parsed)
    }
}

fn in_dependencies(path: &[String]) -> bool {
    match path {
        [p, d] => p == "project" && d == "dependencies",
        [p, m, d] => p == "project" && m == "dependencyManagement" && d == "dependencies",
        _ => false,
    }
}

/// Replaces `${name}` references (nested up to a few levels); `None` if one is unknown.
fn resolve(text: &str, properties: &BTreeMap<String, String>) -> Option<String> {
    let mut out = text.to_string();
    for _ in 0..8 {
        let Some(start) = out.find("${") else {
            return Some(out);
        };
        let end = start + out[start..].find('}')?;
        let value = properties.get(&out[start + 2..end])?;
        out.replace_range(start..=end, value);
    }
    (!out.contains("${")).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_versions() {
        let parsed = PomXml
            .parse(
                r#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.x</groupId><artifactId>parent</artifactId><version>0.9</version></parent>
  <artifactId>app</artifactId>
  <version>1.0</version>
  <properties><jackson.version>2.15.0</jackson.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.x</groupId><artifactId>bom</artifactId><version>${project.version}</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.version}</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>a</groupId><artifactId>managed</artifactId></dependency>
    <dependency><groupId>a</groupId><artifactId>range</artifactId><version>[1.0,2.0)</version></dependency>
    <dependency><groupId>a</groupId><artifactId>unknown</artifactId><version>${nope}</version></dependency>
  </dependencies>
  <build><plugins><plugin><dependencies><dependency><groupId>p</groupId><artifactId>p</artifactId><version>1</version></dependency></dependencies></plugin></plugins></build>
</project>"#,
            )
            .unwrap();
        let names: Vec<_> = parsed
            .packages
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(
            names,
            [
                "org.x:bom@1.0",
                "com.fasterxml.jackson.core:jackson-databind@2.15.0",
                "junit:junit@4.13.2"
            ]
        );
        assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
        assert_eq!(parsed.roots[0].purl, "pkg:maven/org.x/app@1.0");
        assert_eq!(parsed.roots[0].dependencies.len(), 3);
        assert!(PomXml
            .parse("<!DOCTYPE x [<!ENTITY a \"b\">]><project/>")
            .is_err());
        assert!(PomXml.parse("<project><a></b></project>").is_err());
    }
}
