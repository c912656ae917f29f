//! One module per lockfile format, listed once in [`READERS`].

mod cargo_lock;
mod composer_lock;
mod gemfile_lock;
mod go_mod;
mod go_sum;
mod gradle_lockfile;
mod mix_lock;
mod nuget_lock;
mod package_lock;
mod pipfile_lock;
mod pnpm_lock;
mod poetry_lock;
mod pom_xml;
mod pubspec_lock;
mod requirements;
mod uv_lock;
mod yarn_lock;

use crate::Reader;

/// Every lockfile reader.
pub static READERS: &[&dyn Reader] = &[
    &cargo_lock::CargoLock,
    &package_lock::PackageLock,
    &yarn_lock::YarnLock,
    &requirements::Requirements,
    &poetry_lock::PoetryLock,
    &pipfile_lock::PipfileLock,
    &go_mod::GoMod,
    &gemfile_lock::GemfileLock,
    &composer_lock::ComposerLock,
    &pnpm_lock::PnpmLock,
    &uv_lock::UvLock,
    &go_sum::GoSum,
    &pom_xml::PomXml,
    &gradle_lockfile::GradleLockfile,
    &nuget_lock::NugetLock,
    &pubspec_lock::PubspecLock,
    &mix_lock::MixLock,
];

/// Splits an SRI integrity string (`sha512-BASE64`) into (algorithm, lowercase hex).
pub(crate) fn sri_hash(integrity: &str) -> Option<(String, String)> {
    let (alg, b64) = integrity.split_whitespace().next()?.split_once('-')?;
    let alg = match alg {
        "sha512" => "SHA-512",
        "sha384" => "SHA-384",
        "sha256" => "SHA-256",
        "sha1" => "SHA-1",
        _ => return None,
    };
    Some((alg.to_string(), hex(&base64_decode(b64)?)))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_are_unique_and_kebab_case() {
        let mut ids: Vec<_> = READERS.iter().map(|r| r.id()).collect();
        assert!(ids
            .iter()
            .all(|id| id.bytes().all(|c| c.is_ascii_lowercase() || c == b'-')));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), READERS.len());
    }

    #[test]
    fn sri() {
        assert_eq!(
            sri_hash("sha1-AAEC").unwrap(),
            ("SHA-1".to_string(), "000102".to_string())
        );
    }
}
