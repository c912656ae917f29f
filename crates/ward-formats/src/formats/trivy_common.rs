//! What Trivy and the Trivy Operator share: vendor CVSS maps, package type vocabularies, check
//! ids, Kubernetes resources, and the vulnerability status Trivy takes from vendor advisories.

use std::collections::BTreeMap;

use serde::Deserialize;
use ward_core::{CloudLocation, CvssVersion, Finding, Status};

use super::package_common::CvssPicker;

/// One vendor's CVSS entry in Trivy's `CVSS` map (`{"nvd": {...}, "redhat": {...}}`).
#[derive(Deserialize)]
pub(crate) struct VendorCvss {
    #[serde(rename = "V2Vector")]
    v2_vector: Option<String>,
    #[serde(rename = "V3Vector")]
    v3_vector: Option<String>,
    #[serde(rename = "V40Vector")]
    v40_vector: Option<String>,
    #[serde(rename = "V2Score")]
    v2_score: Option<f64>,
    #[serde(rename = "V3Score")]
    v3_score: Option<f64>,
    #[serde(rename = "V40Score")]
    v40_score: Option<f64>,
}

/// The vendors whose CVSS is preferred, after the one Trivy took the severity from.
const CVSS_SOURCES: &[&str] = &["nvd", "ghsa", "redhat", "bitnami"];

/// Picks one rating per CVSS version from Trivy's vendor map: the severity source's first (it
/// is the rating Trivy's severity stands on), then NVD, GHSA, Red Hat, Bitnami, then the rest.
pub(crate) fn trivy_cvss(
    map: Option<&BTreeMap<String, VendorCvss>>,
    severity_source: Option<&str>,
) -> Vec<ward_core::Cvss> {
    let Some(map) = map else {
        return Vec::new();
    };
    let mut order: Vec<&str> = Vec::new();
    for source in severity_source
        .into_iter()
        .chain(CVSS_SOURCES.iter().copied())
    {
        if map.contains_key(source) && !order.contains(&source) {
            order.push(source);
        }
    }
    for source in map.keys() {
        if !order.contains(&source.as_str()) {
            order.push(source);
        }
    }
    let mut picker = CvssPicker::default();
    for source in order {
        let Some(entry) = map.get(source) else {
            continue;
        };
        let src = Some(source);
        picker.vector(entry.v40_vector.as_deref(), entry.v40_score, src);
        picker.vector(entry.v3_vector.as_deref(), entry.v3_score, src);
        picker.vector(entry.v2_vector.as_deref(), entry.v2_score, src);
        if entry.v3_vector.as_deref().is_none_or(str::is_empty) {
            picker.score(CvssVersion::V3_1, entry.v3_score, src);
        }
        if entry.v40_vector.as_deref().is_none_or(str::is_empty) {
            picker.score(CvssVersion::V4, entry.v40_score, src);
        }
        if entry.v2_vector.as_deref().is_none_or(str::is_empty) {
            picker.score(CvssVersion::V2, entry.v2_score, src);
        }
    }
    picker.into_vec()
}

/// Trivy's package types (`Type` of a result, `packageType` in the operator) that are
/// operating-system packages.
/// An image's operating system as Trivy names it: family and release (`debian 11.2`).
pub(crate) fn os_name(family: Option<&str>, name: Option<&str>) -> Option<String> {
    let text = [family, name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then_some(text)
}

pub(crate) fn is_os_type(ty: &str) -> bool {
    matches!(
        ty.to_ascii_lowercase().as_str(),
        "alpine"
            | "debian"
            | "ubuntu"
            | "redhat"
            | "centos"
            | "rocky"
            | "alma"
            | "almalinux"
            | "amazon"
            | "oracle"
            | "photon"
            | "suse"
            | "sles"
            | "opensuse"
            | "opensuse.leap"
            | "opensuse.tumbleweed"
            | "opensuse-leap"
            | "cbl-mariner"
            | "azurelinux"
            | "fedora"
            | "wolfi"
            | "chainguard"
            | "bottlerocket"
            | "echo"
            | "minimos"
            | "distroless"
            | "coreos"
    )
}

/// The ecosystem of a Trivy package type (`Type` of a result).
pub(crate) fn type_ecosystem(ty: &str) -> Option<&'static str> {
    Some(match ty.to_ascii_lowercase().as_str() {
        "debian" | "ubuntu" | "distroless" | "echo" => "deb",
        "alpine" | "wolfi" | "chainguard" | "minimos" => "apk",
        "redhat"
        | "centos"
        | "rocky"
        | "alma"
        | "almalinux"
        | "amazon"
        | "oracle"
        | "photon"
        | "suse"
        | "sles"
        | "opensuse"
        | "opensuse.leap"
        | "opensuse.tumbleweed"
        | "opensuse-leap"
        | "cbl-mariner"
        | "azurelinux"
        | "fedora"
        | "coreos" => "rpm",
        "npm" | "yarn" | "pnpm" | "node-pkg" | "bun" => "npm",
        "pip" | "pipenv" | "poetry" | "python-pkg" | "uv" => "PyPI",
        "jar" | "pom" | "gradle" | "sbt" => "Maven",
        "gomod" | "gobinary" => "Go",
        "cargo" | "rustbinary" => "crates.io",
        "composer" | "composer-vendor" => "Packagist",
        "bundler" | "gemspec" => "RubyGems",
        "nuget" | "dotnet-core" | "packages-props" => "NuGet",
        "conan" => "ConanCenter",
        "cocoapods" => "CocoaPods",
        "swift" => "SwiftURL",
        "hex" | "mix" => "Hex",
        "pub" => "Pub",
        "conda-pkg" | "conda-environment" => "conda",
        "julia" => "Julia",
        _ => return None,
    })
}

/// Trivy's check ids in their AVD form: `KSV014` → `AVD-KSV-0014`, `DS002` → `AVD-DS-0002`;
/// ids already in that form, and others (`KHV002`, CVEs), are returned as they are.
pub(crate) fn avd_id(check_id: &str) -> String {
    let id = check_id.trim();
    let upper = id.to_ascii_uppercase();
    if upper.starts_with("AVD-") || upper.starts_with("KHV") {
        return upper;
    }
    let letters: String = upper
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let digits = &upper[letters.len()..];
    if letters.is_empty()
        || digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || digits.len() > 4
    {
        return id.to_string();
    }
    format!("AVD-{letters}-{digits:0>4}")
}

/// Splits a Trivy OS-package target, `name (os version)`, into the image name and the OS.
pub(crate) fn split_target(target: &str) -> (&str, Option<&str>) {
    let target = target.trim();
    match target.strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
        Some((name, os)) if !name.is_empty() => (name.trim(), Some(os.trim())),
        _ => (target, None),
    }
}

/// A Kubernetes resource as a cloud location: `namespace/Kind/name`.
pub(crate) fn k8s_resource(
    namespace: Option<&str>,
    kind: Option<&str>,
    name: Option<&str>,
    cluster: Option<&str>,
) -> Option<CloudLocation> {
    let parts: Vec<&str> = [namespace, kind, name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(CloudLocation {
        resource_id: parts.join("/"),
        resource_type: kind
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string),
        provider: Some("kubernetes".into()),
        account: cluster
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        region: None,
    })
}

/// Applies a Trivy vulnerability status (from the vendor's advisory) to a finding.
///
/// `not_affected` means the vendor says the package is not vulnerable here: resolved.
/// `affected`, `fixed` (a fix exists), `will_not_fix`, `fix_deferred` and `end_of_life` are
/// confirmed by the vendor and stay open; `unknown` and `under_investigation` stay open and
/// unconfirmed.
pub(crate) fn apply_status(finding: &mut Finding, status: Option<&str>) {
    match status.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("not_affected") => {
            finding.status = Status::Mitigated;
            finding.verified = true;
        }
        Some("affected" | "fixed" | "will_not_fix" | "fix_deferred" | "end_of_life") => {
            finding.verified = true;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avd_ids() {
        assert_eq!(avd_id("KSV014"), "AVD-KSV-0014");
        assert_eq!(avd_id("DS002"), "AVD-DS-0002");
        assert_eq!(avd_id("AVD-KSV-0041"), "AVD-KSV-0041");
        assert_eq!(avd_id("KHV002"), "KHV002");
        assert_eq!(avd_id("CVE-2020-1"), "CVE-2020-1");
        assert_eq!(avd_id("0"), "0");
    }

    #[test]
    fn targets() {
        assert_eq!(
            split_target("gcr.io/x/redis:v2 (debian 10.4)"),
            ("gcr.io/x/redis:v2", Some("debian 10.4"))
        );
        assert_eq!(split_target("requirements.txt"), ("requirements.txt", None));
    }
}
