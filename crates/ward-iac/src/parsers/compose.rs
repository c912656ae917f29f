//! docker-compose files: each service of `services`, as [`ComposeService`].
//!
//! Format: the Compose specification (<https://github.com/compose-spec/compose-spec/blob/main/spec.md>).
//! Suppression: an `x-ward-skip: [rule, …]` extension field on the service (compose allows
//! `x-` fields anywhere; YAML comments are not kept by the parser).

use std::sync::Arc;

use crate::model::{Node, Suppression};
use crate::parsers::cloudformation::last_line;

/// One service of a compose file.
#[derive(Debug, Clone)]
pub struct ComposeService {
    /// The service name.
    pub name: String,
    /// The file, relative to the scan root.
    pub file: Arc<str>,
    /// First and last line of the service.
    pub lines: (u32, u32),
    /// The service definition.
    pub doc: Node,
    /// Suppressed rules.
    pub suppressions: Vec<Suppression>,
}

/// The services of a compose document.
pub(crate) fn services(doc: &Node, file: &Arc<str>) -> Vec<ComposeService> {
    let Some(services) = doc.get("services") else {
        return Vec::new();
    };
    services
        .entries()
        .iter()
        .map(|(name, service)| ComposeService {
            name: name.clone(),
            file: file.clone(),
            lines: (service.line, last_line(service)),
            suppressions: service
                .get("x-ward-skip")
                .map(|s| {
                    s.strings()
                        .into_iter()
                        .map(|rule| Suppression {
                            rule: rule.to_string(),
                            reason: String::new(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            doc: service.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Tags};

    #[test]
    fn services_are_read_with_lines() {
        let docs = yaml::parse(
            "services:\n  web:\n    image: nginx\n    x-ward-skip: [compose-privileged]\n  db:\n    image: postgres\n",
            Tags::Ignore,
        )
        .expect("yaml");
        let found = services(docs.first().expect("doc"), &Arc::from("docker-compose.yml"));
        let names: Vec<(&str, u32)> = found.iter().map(|s| (s.name.as_str(), s.lines.0)).collect();
        assert_eq!(names, vec![("web", 2), ("db", 5)]);
        assert_eq!(found.first().map(|s| s.suppressions.len()), Some(1));
    }
}
