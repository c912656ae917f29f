//! Helpers shared by the software-composition parsers (Trivy, Trivy Operator, Grype, CycloneDX,
//! Dependency-Check): package URLs, ecosystem names, and CVSS rating selection.
//!
//! The same vulnerable package must look the same whichever tool reported it, since the
//! fingerprint is built from the vulnerability id, the package name and its version. So names
//! are written the way the ecosystem writes them: Maven as `group:artifact`, npm scoped packages
//! as `@scope/name`, Go modules by their full path, distribution packages by their binary name.

use ward_core::{Cvss, CvssVersion};

/// The parts of a package URL (`pkg:type/namespace/name@version?qualifiers#subpath`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    /// The package type, lower-cased (`maven`, `npm`, `deb` …).
    pub(crate) ty: String,
    /// The namespace, percent-decoded, if any.
    pub(crate) namespace: Option<String>,
    /// The name, percent-decoded.
    pub(crate) name: String,
    /// The version, percent-decoded, if any.
    pub(crate) version: Option<String>,
}

impl Purl {
    /// Parses a package URL; `None` when it is not one.
    pub(crate) fn parse(raw: &str) -> Option<Purl> {
        let rest = raw.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        // Subpath and qualifiers come last and never contain the version separator we need.
        let rest = rest.split('#').next().unwrap_or(rest);
        let rest = rest.split('?').next().unwrap_or(rest);
        let (ty, path) = rest.split_once('/')?;
        let (path, version) = match path.rsplit_once('@') {
            // An `@` inside the last segment separates the version; one in the namespace
            // (npm scopes are written `%40scope` but some tools write `@scope`) does not.
            Some((p, v)) if !v.contains('/') && !p.is_empty() => (p, Some(v)),
            _ => (path, None),
        };
        let path = path.trim_end_matches('/');
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, path),
        };
        let name = decode(name);
        if ty.is_empty() || name.is_empty() {
            return None;
        }
        Some(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace: namespace.map(decode).filter(|n| !n.is_empty()),
            name,
            version: version.map(decode).filter(|v| !v.is_empty()),
        })
    }

    /// The package name as its ecosystem writes it.
    pub(crate) fn package_name(&self) -> String {
        match (self.ty.as_str(), &self.namespace) {
            ("maven", Some(ns)) => format!("{ns}:{}", self.name),
            // The namespace of an OS package is the distribution, not part of the name.
            ("deb" | "rpm" | "apk" | "alpm" | "ebuild" | "qpkg", _) => self.name.clone(),
            (_, Some(ns)) => format!("{ns}/{}", self.name),
            (_, None) => self.name.clone(),
        }
    }

    /// The ecosystem name for the purl type.
    pub(crate) fn ecosystem(&self) -> String {
        purl_type_ecosystem(&self.ty)
            .map(str::to_string)
            .unwrap_or_else(|| self.ty.clone())
    }

    /// Whether the package comes from an operating system distribution.
    pub(crate) fn is_os_package(&self) -> bool {
        matches!(
            self.ty.as_str(),
            "deb" | "rpm" | "apk" | "alpm" | "ebuild" | "qpkg"
        )
    }
}

/// The usual ecosystem name (OSV spelling where there is one) for a purl type.
pub(crate) fn purl_type_ecosystem(ty: &str) -> Option<&'static str> {
    Some(match ty.to_ascii_lowercase().as_str() {
        "maven" => "Maven",
        "npm" => "npm",
        "pypi" => "PyPI",
        "gem" => "RubyGems",
        "golang" => "Go",
        "cargo" => "crates.io",
        "nuget" => "NuGet",
        "composer" => "Packagist",
        "hex" => "Hex",
        "pub" => "Pub",
        "cocoapods" => "CocoaPods",
        "swift" => "SwiftURL",
        "conan" => "ConanCenter",
        "hackage" => "Hackage",
        "cran" => "CRAN",
        "conda" => "conda",
        "deb" => "deb",
        "rpm" => "rpm",
        "apk" => "apk",
        "alpm" => "alpm",
        "github" => "GitHub Actions",
        _ => return None,
    })
}

/// Percent-decodes a purl component; malformed escapes are kept as written.
fn decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(value as u8);
                i += 3;
            }
            (Some(&b), _, _) => {
                out.push(b);
                i += 1;
            }
            (None, _, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Collects CVSS ratings, keeping the first one offered for each CVSS version: callers offer
/// them in order of preference.
#[derive(Debug, Default)]
pub(crate) struct CvssPicker {
    picked: Vec<Cvss>,
}

impl CvssPicker {
    /// Offers a rating from a vector (with optional score), attributed to `source`.
    pub(crate) fn vector(
        &mut self,
        vector: Option<&str>,
        score: Option<f64>,
        source: Option<&str>,
    ) {
        let Some(vector) = vector.map(str::trim).filter(|v| !v.is_empty()) else {
            return;
        };
        if let Some(mut cvss) = Cvss::from_vector(vector, score) {
            cvss.source = source.map(str::to_string);
            self.offer(cvss);
        }
    }

    /// Offers a rating that is only a score.
    pub(crate) fn score(&mut self, version: CvssVersion, score: Option<f64>, source: Option<&str>) {
        if let Some(mut cvss) = score.and_then(|s| Cvss::from_score(version, s)) {
            cvss.source = source.map(str::to_string);
            self.offer(cvss);
        }
    }

    fn offer(&mut self, cvss: Cvss) {
        let family = |v: CvssVersion| match v {
            CvssVersion::V3_0 | CvssVersion::V3_1 => 3,
            CvssVersion::V2 => 2,
            CvssVersion::V4 => 4,
        };
        match self
            .picked
            .iter_mut()
            .find(|c| family(c.version) == family(cvss.version))
        {
            // A vector-less rating yields to a later one with a vector.
            Some(existing) if existing.vector.is_none() && cvss.vector.is_some() => {
                *existing = cvss;
            }
            Some(_) => {}
            None => self.picked.push(cvss),
        }
    }

    /// The best score among the picked ratings, highest CVSS version first.
    pub(crate) fn best_score(&self) -> Option<f64> {
        let mut by_version: Vec<&Cvss> = self.picked.iter().collect();
        by_version.sort_by_key(|c| std::cmp::Reverse(c.version));
        by_version.iter().find_map(|c| c.score)
    }

    /// The picked ratings, oldest CVSS version first.
    pub(crate) fn into_vec(mut self) -> Vec<Cvss> {
        self.picked.sort_by_key(|c| c.version);
        self.picked
    }
}

/// `CVSS:3.1/` in front of a bare v3 vector body (`AV:N/AC:L/PR:N/UI:N/…`), which some tools
/// write without its prefix; anything else is returned unchanged.
pub(crate) fn prefix_v3(vector: &str) -> String {
    let vector = vector.trim();
    if !vector.starts_with("CVSS:") && vector.contains("PR:") && vector.contains("UI:") {
        format!("CVSS:3.1/{vector}")
    } else {
        vector.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        let p =
            Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2?type=jar").unwrap();
        assert_eq!(p.package_name(), "org.apache.logging.log4j:log4j-core");
        assert_eq!(p.version.as_deref(), Some("2.13.2"));
        assert_eq!(p.ecosystem(), "Maven");
        let p = Purl::parse("pkg:npm/%40angular/core@12.0.0").unwrap();
        assert_eq!(p.package_name(), "@angular/core");
        let p =
            Purl::parse("pkg:deb/debian/tar@1.30%2Bdfsg-6?arch=amd64&distro=debian-10.12").unwrap();
        assert_eq!(
            (
                p.package_name().as_str(),
                p.version.as_deref(),
                p.is_os_package()
            ),
            ("tar", Some("1.30+dfsg-6"), true)
        );
        let p = Purl::parse("pkg:golang/github.com/gin-gonic/gin@v1.9.0").unwrap();
        assert_eq!(p.package_name(), "github.com/gin-gonic/gin");
        let p = Purl::parse("pkg:pypi/django").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("django", None));
        assert_eq!(Purl::parse("not a purl"), None);
        assert_eq!(Purl::parse("pkg:"), None);
    }

    #[test]
    fn picker_keeps_first_per_version() {
        let mut picker = CvssPicker::default();
        picker.score(CvssVersion::V3_1, Some(5.0), Some("a"));
        picker.vector(
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8),
            Some("nvd"),
        );
        picker.vector(
            Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L"),
            Some(7.3),
            Some("x"),
        );
        picker.vector(Some("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(7.5), Some("nvd"));
        assert_eq!(picker.best_score(), Some(9.8));
        let all = picker.into_vec();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].source.as_deref(), Some("nvd"));
        assert_eq!(
            prefix_v3("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        );
        assert_eq!(
            prefix_v3("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            "AV:N/AC:L/Au:N/C:P/I:P/A:P"
        );
    }
}
