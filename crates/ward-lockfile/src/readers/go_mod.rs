//! `go.mod` (<https://go.dev/ref/mod#go-mod-file>): `require` lines, single or in a block,
//! `// indirect` marking transitive ones; `replace` directives pointing at another module
//! version are applied, local-path replacements drop the module. The `module` itself is the
//! file's root, without a version (a module's version is its tag, not in the file).

use crate::{Package, Parsed, Reader};

pub(crate) struct GoMod;

impl Reader for GoMod {
    fn id(&self) -> &'static str {
        "go-mod"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "go.mod"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        let mut requires: Vec<(String, String, bool)> = Vec::new();
        let mut replaces: Vec<(String, Option<(String, String)>)> = Vec::new();
        let mut block: Option<&str> = None;
        let mut module_path: Option<String> = None;
        for raw in text.lines() {
            let (code, comment) = raw.split_once("//").unwrap_or((raw, ""));
            let indirect = comment.trim() == "indirect" || comment.trim().starts_with("indirect;");
            let line = code.trim();
            if line.is_empty() {
                continue;
            }
            if line == ")" {
                block = None;
                continue;
            }
            let (directive, rest) = match block {
                Some(d) => (d, line),
                None => {
                    let (d, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                    if rest.trim() == "(" {
                        block = Some(match d {
                            "require" => "require",
                            "replace" => "replace",
                            _ => "other",
                        });
                        continue;
                    }
                    (d, rest.trim())
                }
            };
            match directive {
                "module" => {
                    module_path = rest
                        .split_whitespace()
                        .next()
                        .map(|m| m.trim_matches('"').to_string());
                }
                "require" => {
                    let mut parts = rest.split_whitespace();
                    if let (Some(module), Some(version)) = (parts.next(), parts.next()) {
                        requires.push((module.to_string(), version.to_string(), !indirect));
                    }
                }
                "replace" => {
                    if let Some((from, to)) = rest.split_once("=>") {
                        let from = from.split_whitespace().next().unwrap_or("").to_string();
                        let mut to = to.split_whitespace();
                        let target = match (to.next(), to.next()) {
                            (Some(m), Some(v)) => Some((m.to_string(), v.to_string())),
                            _ => None,
                        };
                        replaces.push((from, target));
                    }
                }
                _ => {}
            }
        }
        if module_path.is_none() && requires.is_empty() {
            return Err("no module or require directive".into());
        }
        let mut parsed = Parsed::default();
        for (module, version, direct) in requires {
            let (module, version) = match replaces.iter().find(|(from, _)| *from == module) {
                Some((_, Some((m, v)))) => (m.clone(), v.clone()),
                Some((_, None)) => continue,
                None => (module, version),
            };
            let mut package = Package::new("Go", &module, &version);
            package.direct = Some(direct);
            parsed.packages.push(package);
        }
        if let Some(module) = module_path {
            let mut root = Package::new("Go", &module, "");
            root.dependencies = parsed
                .packages
                .iter()
                .filter(|p| p.direct == Some(true))
                .map(|p| p.name.clone())
                .collect();
            parsed.roots.push(root);
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use crate::Reader;

    #[test]
    fn requires_and_replaces() {
        let text = "module x\n\ngo 1.21\n\nrequire github.com/a/b v1.0.0\nrequire (\n\tgolang.org/x/net v0.17.0 // indirect\n\tgithub.com/c/d v2.0.0+incompatible\n\tgithub.com/local/e v1.0.0\n)\nreplace github.com/c/d => github.com/c/d v2.0.1+incompatible\nreplace github.com/local/e => ../e\n";
        let parsed = super::GoMod.parse(text).unwrap();
        assert_eq!(parsed.packages.len(), 3);
        assert_eq!(parsed.packages[1].direct, Some(false));
        assert_eq!(parsed.packages[2].version, "v2.0.1+incompatible");
        assert_eq!(parsed.roots[0].purl, "pkg:golang/x");
        assert_eq!(parsed.roots[0].dependencies.len(), 2);
    }
}
