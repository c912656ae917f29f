//! Every reader on real lockfiles from public projects (`tests/data/lockfiles`, sources in its
//! README), with the package counts the files hold.

use std::path::PathBuf;

fn lockfiles() -> PathBuf {
    ward_test_support::data_dir().join("lockfiles")
}

fn check(path: &str, count: usize, direct: Option<usize>) -> ward_lockfile::Parsed {
    let parsed = ward_lockfile::read(&lockfiles().join(path)).unwrap();
    assert_eq!(parsed.packages.len(), count, "{path}");
    if let Some(direct) = direct {
        let n = parsed
            .packages
            .iter()
            .filter(|p| p.direct == Some(true))
            .count();
        assert_eq!(n, direct, "{path}: direct");
    }
    assert!(
        parsed.packages.iter().all(|p| p.purl.starts_with("pkg:")),
        "{path}"
    );
    parsed
}

#[test]
fn cargo_lock() {
    let parsed = check("ward/Cargo.lock", 192, None);
    let serde = parsed.packages.iter().find(|p| p.name == "serde").unwrap();
    assert_eq!(serde.direct, Some(true));
    assert_eq!(serde.hashes[0].0, "SHA-256");
}

#[test]
fn package_lock_v3() {
    let parsed = check("libgit2-api-docs/package-lock.json", 9, Some(3));
    assert!(parsed.packages.iter().all(|p| !p.hashes.is_empty()));
}

#[test]
fn pipfile_lock() {
    check("python-rsa/Pipfile.lock", 42, None);
}

#[test]
fn gemfile_lock() {
    let parsed = check("simple_commander/Gemfile.lock", 21, Some(6));
    let rspec = parsed.packages.iter().find(|p| p.name == "rspec").unwrap();
    assert_eq!(rspec.dependencies.len(), 3);
}

#[test]
fn go_sum() {
    // 16 lines; 5 module versions with a content hash (the rest only had their go.mod read).
    let parsed = check("getJS/go.sum", 5, None);
    assert!(parsed
        .packages
        .iter()
        .any(|p| p.purl == "pkg:golang/github.com/logrusorgru/aurora@v2.0.3+incompatible"));
}

#[test]
fn gradle_lockfile() {
    // CRLF line endings, as committed; 45 modules plus the `empty=` line.
    let parsed = check("maybe/gradle.lockfile", 45, None);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert!(parsed
        .packages
        .iter()
        .any(|p| p.purl == "pkg:maven/com.google.guava/guava@31.1-jre"));
}

#[test]
fn nuget_packages_lock() {
    // One framework with 5 direct packages, seven empty runtime-specific ones.
    let parsed = check("GitHubActionPinner/packages.lock.json", 5, Some(5));
    assert!(parsed
        .packages
        .iter()
        .all(|p| p.hashes.len() == 1 && p.hashes[0].0 == "SHA-512" && p.hashes[0].1.len() == 128));
}

#[test]
fn pubspec_lock() {
    // 32 entries, 3 from the Flutter SDK (flutter, flutter_test, sky_engine) left out.
    let parsed = check("ping-coming-soon-page/pubspec.lock", 29, Some(5));
    assert!(parsed
        .packages
        .iter()
        .any(|p| p.purl == "pkg:pub/flutter_svg@1.1.1+1"));
}

#[test]
fn mix_lock() {
    let parsed = check("pg_ranges/mix.lock", 29, None);
    let hackney = parsed
        .packages
        .iter()
        .find(|p| p.name == "hackney")
        .unwrap();
    assert_eq!(hackney.dependencies.len(), 7);
    assert_eq!(hackney.hashes[0].0, "SHA-256");
}

#[test]
fn walker_finds_every_lockfile() {
    let found = ward_lockfile::find(&lockfiles());
    assert_eq!(found.len(), 9, "{found:?}");
}

#[test]
fn corrupt_lockfiles_are_errors_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("ward-lockfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("package-lock.json");
    std::fs::write(&path, "{\"packages\": [").unwrap();
    let error = ward_lockfile::read(&path).unwrap_err();
    assert!(error.to_string().contains("package-lock.json"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
