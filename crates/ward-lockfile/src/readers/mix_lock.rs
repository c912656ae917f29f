//! Elixir's `mix.lock` (<https://hexdocs.pm/mix/Mix.Tasks.Deps.html>): an Elixir map, one
//! entry per line, `"name": {:hex, :package, "VERSION", "INNER_HASH", [build tools],
//! [{:dep, "REQ", [...]}, …], "hexpm", "OUTER_HASH"}`. Hex packages are listed with their
//! dependencies and the outer checksum (SHA-256 of the package tarball); `:git` and `:path`
//! dependencies have no Hex version and are left out. Direct dependencies are named in
//! `mix.exs`, not here.

use crate::{Package, Parsed, Reader};

pub(crate) struct MixLock;

impl Reader for MixLock {
    fn id(&self) -> &'static str {
        "mix-lock"
    }

    fn matches(&self, file_name: &str) -> bool {
        file_name == "mix.lock"
    }

    fn parse(&self, text: &str) -> Result<Parsed, String> {
        if !text.trim_start().starts_with("%{") {
            return Err("not an Elixir map (`%{`)".into());
        }
        let mut parsed = Parsed::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            let Some(rest) = line.strip_prefix('"') else {
                continue;
            };
            let Some((key, value)) = rest.split_once("\":") else {
                continue;
            };
            let value = value.trim();
            let Some(hex_entry) = value.strip_prefix("{:hex,") else {
                continue; // :git or :path
            };
            let strings = quoted(hex_entry);
            let package_name = hex_entry
                .trim_start()
                .strip_prefix(':')
                .and_then(|s| s.split(',').next())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(key);
            let Some(version) = strings.first() else {
                parsed
                    .warnings
                    .push(format!("line {}: {key}: no version, skipped", n + 1));
                continue;
            };
            let mut package = Package::new("Hex", package_name, version);
            // Dependencies: `{:name, "requirement", [...]}` tuples inside the entry.
            let mut deps = hex_entry;
            while let Some(i) = deps.find("{:") {
                deps = &deps[i + 2..];
                if let Some(name) = deps.split(',').next() {
                    let name = name.trim();
                    if !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        package.dependencies.push(name.to_string());
                    }
                }
            }
            if let Some(outer) = strings
                .last()
                .filter(|s| s.len() == 64 && strings.len() >= 4)
            {
                package
                    .hashes
                    .push(("SHA-256".into(), outer.to_ascii_lowercase()));
            }
            parsed.packages.push(package);
        }
        Ok(parsed)
    }
}

/// The top-level double-quoted strings of a tuple's text, skipping those inside nested
/// lists.
fn quoted(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut rest = text;
    while let Some(i) = rest.find(['"', '[', ']']) {
        match rest.as_bytes()[i] {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            _ => {
                let after = &rest[i + 1..];
                let Some(end) = after.find('"') else { break };
                if depth == 0 {
                    out.push(&after[..end]);
                }
                rest = &after[end + 1..];
                continue;
            }
        }
        rest = &rest[i + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_git() {
        let parsed = MixLock
            .parse(
                "%{\n  \"plug\": {:hex, :plug, \"1.11.1\", \"aa\", [:mix], [{:mime, \"~> 1.0\", \
                 [hex: :mime, repo: \"hexpm\", optional: false]}], \"hexpm\", \
                 \"23524e4fefbb587c11f0833b3910bfb414bf2e2534d61928e920f54e3a1b881f\"},\n  \
                 \"x\": {:git, \"https://example.com/x.git\", \"abc\", []},\n}\n",
            )
            .unwrap();
        assert_eq!(parsed.packages.len(), 1);
        let plug = &parsed.packages[0];
        assert_eq!(plug.purl, "pkg:hex/plug@1.11.1");
        assert_eq!(plug.dependencies, ["mime"]);
        assert_eq!(plug.hashes[0].0, "SHA-256");
        assert!(MixLock.parse("{}").is_err());
    }
}
