//! Package URLs (<https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst>).

/// The purl of a package: `pkg:TYPE/NAMESPACE/NAME@VERSION`, names percent-encoded.
pub fn purl(ecosystem: &str, name: &str, version: &str) -> String {
    let (kind, name) = match ecosystem {
        "crates.io" => ("cargo", encode(name)),
        "npm" => (
            "npm",
            match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
                Some((scope, rest)) => format!("%40{}/{}", encode(scope), encode(rest)),
                None => encode(name),
            },
        ),
        "PyPI" => ("pypi", encode(&name.to_ascii_lowercase().replace('_', "-"))),
        "Go" => (
            "golang",
            name.split('/').map(encode).collect::<Vec<_>>().join("/"),
        ),
        "RubyGems" => ("gem", encode(name)),
        "Packagist" => (
            "composer",
            name.split('/').map(encode).collect::<Vec<_>>().join("/"),
        ),
        "Maven" => ("maven", name.replace(':', "/")),
        "NuGet" => ("nuget", encode(name)),
        "Pub" => ("pub", encode(name)),
        "Hex" => ("hex", encode(name)),
        other => ("generic", format!("{}/{}", encode(other), encode(name))),
    };
    format!("pkg:{kind}/{name}@{}", encode(version))
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::purl;

    #[test]
    fn purls() {
        assert_eq!(
            purl("npm", "@types/node", "1.0.0"),
            "pkg:npm/%40types/node@1.0.0"
        );
        assert_eq!(
            purl("PyPI", "Django_Rest", "3.0"),
            "pkg:pypi/django-rest@3.0"
        );
        assert_eq!(
            purl("Go", "github.com/a/b", "v1.2.3"),
            "pkg:golang/github.com/a/b@v1.2.3"
        );
        assert_eq!(
            purl("Packagist", "symfony/console", "v6.0.0"),
            "pkg:composer/symfony/console@v6.0.0"
        );
    }
}
