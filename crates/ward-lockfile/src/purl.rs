//! Package URLs (<https://github.com/package-url/purl-spec/blob/main/PURL-SPECIFICATION.rst>,
//! types in `PURL-TYPES.rst`): written for the packages ward reads, and read back from SBOMs
//! made by other tools.

use crate::Package;

/// The purl of a package: `pkg:TYPE/NAMESPACE/NAME@VERSION`, names percent-encoded; without
/// `@VERSION` when the version is empty (a project whose manifest names no version).
pub fn purl(ecosystem: &str, name: &str, version: &str) -> String {
    // Built in one buffer: a tree's SBOM makes one purl per package of every lockfile.
    let mut out = String::with_capacity(16 + name.len() + version.len());
    let segments = |out: &mut String, name: &str| {
        for (i, segment) in name.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            encode_into(out, segment);
        }
    };
    match ecosystem {
        "crates.io" => {
            out.push_str("pkg:cargo/");
            encode_into(&mut out, name);
        }
        "npm" => {
            out.push_str("pkg:npm/");
            match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
                Some((scope, rest)) => {
                    out.push_str("%40");
                    encode_into(&mut out, scope);
                    out.push('/');
                    encode_into(&mut out, rest);
                }
                None => encode_into(&mut out, name),
            }
        }
        "PyPI" => {
            out.push_str("pkg:pypi/");
            encode_into(&mut out, &name.to_ascii_lowercase().replace('_', "-"));
        }
        "Go" => {
            out.push_str("pkg:golang/");
            segments(&mut out, name);
        }
        "RubyGems" => {
            out.push_str("pkg:gem/");
            encode_into(&mut out, name);
        }
        "Packagist" => {
            out.push_str("pkg:composer/");
            segments(&mut out, name);
        }
        "Maven" => {
            out.push_str("pkg:maven/");
            out.push_str(&name.replace(':', "/"));
        }
        "NuGet" => {
            out.push_str("pkg:nuget/");
            encode_into(&mut out, name);
        }
        "Pub" => {
            out.push_str("pkg:pub/");
            encode_into(&mut out, name);
        }
        "Hex" => {
            out.push_str("pkg:hex/");
            encode_into(&mut out, name);
        }
        other => {
            out.push_str("pkg:generic/");
            encode_into(&mut out, other);
            out.push('/');
            encode_into(&mut out, name);
        }
    }
    if !version.is_empty() {
        out.push('@');
        encode_into(&mut out, version);
    }
    out
}

/// The purl types [`parse`] maps to an OSV ecosystem.
pub(crate) const ECOSYSTEM_TYPES: &[&str] = &[
    "cargo", "npm", "pypi", "golang", "gem", "composer", "maven", "nuget", "pub", "hex",
];

/// The package a purl names, for matching against advisories: `Ok(None)` for a well-formed
/// purl of a type ward has no OSV ecosystem for (`oci`, `deb`, `generic` …) or without a
/// version; `Err` with what is wrong for text that is not a purl. The package keeps the purl
/// as written.
pub fn parse(text: &str) -> Result<Option<Package>, String> {
    let rest = text
        .get(..4)
        .filter(|scheme| scheme.eq_ignore_ascii_case("pkg:"))
        .and_then(|_| text.get(4..))
        .ok_or("does not start with `pkg:`")?;
    let rest = rest.trim_start_matches('/');
    // Subpath and qualifiers come last; neither is part of the package's identity here.
    let rest = rest.split('#').next().unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    let (path, version) = match rest.rsplit_once('@') {
        // `pkg:npm/@scope/name` (an unencoded scope, no version) has a `/` after its `@`.
        Some((path, version)) if !version.contains('/') => (path, decode(version)?),
        _ => (rest, String::new()),
    };
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let kind = segments.next().ok_or("no type")?.to_ascii_lowercase();
    let segments = segments.map(decode).collect::<Result<Vec<_>, _>>()?;
    let Some((name, namespace)) = segments.split_last() else {
        return Err("no name".into());
    };
    let namespace = namespace.join("/");
    let (ecosystem, name) = match kind.as_str() {
        "cargo" => ("crates.io", name.clone()),
        "npm" if namespace.is_empty() => ("npm", name.clone()),
        "npm" => (
            "npm",
            format!("@{}/{name}", namespace.trim_start_matches('@')),
        ),
        "pypi" => ("PyPI", name.to_ascii_lowercase().replace(['_', '.'], "-")),
        "golang" if namespace.is_empty() => ("Go", name.clone()),
        "golang" => ("Go", format!("{namespace}/{name}")),
        "gem" => ("RubyGems", name.clone()),
        "composer" if namespace.is_empty() => ("Packagist", name.clone()),
        "composer" => ("Packagist", format!("{namespace}/{name}")),
        "maven" if !namespace.is_empty() => ("Maven", format!("{namespace}:{name}")),
        "nuget" => ("NuGet", name.clone()),
        "pub" => ("Pub", name.clone()),
        "hex" => ("Hex", name.clone()),
        _ => return Ok(None),
    };
    if version.is_empty() {
        return Ok(None);
    }
    let mut package = Package::new(ecosystem, &name, &version);
    package.purl = text.to_string();
    Ok(Some(package))
}

/// Appends `text` percent-encoded: everything but the URL-unreserved ASCII letters, digits
/// and `-._~` (so `+` is `%2B`, as other purl tools write it: `1.0.0%2Bbuild`).
fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let byte = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| format!("bad percent-encoding in `{text}`"))?;
            out.push(byte);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{text}` does not decode to UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            purl("Go", "github.com/a/b", ""),
            "pkg:golang/github.com/a/b"
        );
    }

    fn check(text: &str, expected: Option<(&str, &str, &str)>) {
        let package = parse(text).unwrap();
        let got = package
            .as_ref()
            .map(|p| (p.ecosystem, p.name.as_str(), p.version.as_str()));
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn parses_back() {
        check(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2?type=jar",
            Some(("Maven", "org.apache.logging.log4j:log4j-core", "2.13.2")),
        );
        check(
            "pkg:npm/%40babel/core@7.0.0",
            Some(("npm", "@babel/core", "7.0.0")),
        );
        check(
            "pkg:npm/@babel/core@7.0.0",
            Some(("npm", "@babel/core", "7.0.0")),
        );
        check(
            "pkg:golang/github.com/a/b/v2@v2.0.1#sub/dir",
            Some(("Go", "github.com/a/b/v2", "v2.0.1")),
        );
        check(
            "pkg:pypi/Django_REST.framework@3.0",
            Some(("PyPI", "django-rest-framework", "3.0")),
        );
        check(
            "pkg:cargo/serde@1.0.0%2Bbuild",
            Some(("crates.io", "serde", "1.0.0+build")),
        );
        check("pkg:npm/@babel/core", None);
        check("pkg:oci/image@sha256%3Aabc", None);
        check("pkg:deb/debian/curl@7.0?distro=debian-12", None);
        assert!(parse("npm/left-pad@1").is_err());
        assert!(parse("pkg:").is_err());
        assert!(parse("pkg:npm/x@1%zz").is_err());
        assert!(parse("pkg:é").is_err());
    }
}
