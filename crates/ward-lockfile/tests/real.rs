//! Every reader on real lockfiles from public projects (`tests/data/lockfiles`, sources in its
//! README), with the package counts the files hold. Each count was taken independently of
//! ward, with the Python one-liner in the test's comment (run in `tests/data/lockfiles`).

use std::path::PathBuf;

fn lockfiles() -> PathBuf {
    ward_test_support::data_dir().join("lockfiles")
}

fn find<'a>(parsed: &'a ward_lockfile::Parsed, purl: &str) -> &'a ward_lockfile::Package {
    parsed
        .packages
        .iter()
        .find(|p| p.purl == purl)
        .unwrap_or_else(|| panic!("{purl} not found"))
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
        .any(|p| p.purl == "pkg:golang/github.com/logrusorgru/aurora@v2.0.3%2Bincompatible"));
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
        .any(|p| p.purl == "pkg:pub/flutter_svg@1.1.1%2B1"));
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
fn pnpm_lock_v6() {
    // python3 -c "import re; print(len(re.findall(r'(?m)^  /', open('nodemon-outside-test/pnpm-lock.yaml').read())))"
    // -> 50; the top-level `dependencies:` names nodemon and yargs.
    let parsed = check("nodemon-outside-test/pnpm-lock.yaml", 50, Some(2));
    assert_eq!(find(&parsed, "pkg:npm/nodemon@3.0.2").direct, Some(true));
    // Keyed `/debug@4.3.4(supports-color@5.5.0)`: the peer suffix is not part of the version.
    let debug = find(&parsed, "pkg:npm/debug@4.3.4");
    assert_eq!(debug.direct, Some(false));
    assert_eq!(debug.dependencies, ["ms", "supports-color"]);
    assert_eq!(find(&parsed, "pkg:npm/fsevents@2.3.3").direct, Some(false));
    assert!(parsed
        .packages
        .iter()
        .all(|p| p.hashes.len() == 1 && p.hashes[0].0 == "SHA-512"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn pnpm_lock_v9_and_its_package_json() {
    // python3 -c "t=open('mrjohz-blog-scripts/pnpm-lock.yaml').read(); import re;
    //   print(len(re.findall(r'(?m)^  \S', t.split('\npackages:\n')[1].split('\nsnapshots:\n')[0])))"
    // -> 32; the importer `.` names 2 dependencies and 2 devDependencies.
    let parsed = check("mrjohz-blog-scripts/pnpm-lock.yaml", 32, Some(4));
    assert_eq!(
        find(&parsed, "pkg:npm/%40types/node@20.14.13").direct,
        Some(true)
    );
    let tsx = find(&parsed, "pkg:npm/tsx@4.16.2");
    assert_eq!(tsx.dependencies, ["esbuild", "fsevents", "get-tsconfig"]);
    assert_eq!(
        find(&parsed, "pkg:npm/%40esbuild/linux-x64@0.21.5").direct,
        Some(false)
    );
    // The project itself, from the package.json beside the lockfile.
    assert_eq!(parsed.roots.len(), 1);
    assert_eq!(parsed.roots[0].purl, "pkg:npm/scripts@1.0.0");
    assert_eq!(parsed.roots[0].dependencies.len(), 4);
}

#[test]
fn yarn_lock_classic() {
    // python3 -c "import re; print(len(re.findall(r'(?m)^  version \"', open('ffxiv-lodestone-item-id/yarn.lock').read())))"
    // -> 16 entries, one of them (`domelementtype`) under two descriptors.
    let parsed = check("ffxiv-lodestone-item-id/yarn.lock", 16, None);
    assert_eq!(find(&parsed, "pkg:npm/boolbase@1.0.0").hashes[0].0, "SHA-1");
    let select = find(&parsed, "pkg:npm/css-select@3.1.2");
    assert_eq!(select.hashes[0].0, "SHA-512");
    assert_eq!(select.dependencies.len(), 5);
    assert!(parsed.packages.iter().all(|p| p.direct.is_none()));
}

#[test]
fn yarn_lock_berry() {
    // python3 -c "import re; print(len(re.findall(r'(?m)^  version: ', open('wc-calypso-bridge-scripts/yarn.lock').read())))"
    // -> 63: `__metadata`'s version, the workspace `release-automation@workspace:.` (whose
    // dependencies chalk ^5.2.0, inquirer, semver and simple-git are the direct ones) and
    // 61 packages.
    let parsed = check("wc-calypso-bridge-scripts/yarn.lock", 61, Some(4));
    assert_eq!(find(&parsed, "pkg:npm/chalk@5.2.0").direct, Some(true));
    assert_eq!(find(&parsed, "pkg:npm/chalk@4.1.2").direct, Some(false));
    let git = find(&parsed, "pkg:npm/simple-git@3.18.0");
    assert_eq!(git.direct, Some(true));
    assert_eq!(
        git.dependencies,
        ["@kwsites/file-exists", "@kwsites/promise-deferred", "debug"]
    );
    assert_eq!(git.hashes[0].1.len(), 128);
}

#[test]
fn uv_lock() {
    // python3 -c "import tomllib; d=tomllib.load(open('bagloss/uv.lock','rb')); print(len(d['package']))"
    // -> 10, one of them the project itself (`source = { virtual = "." }`).
    let parsed = check("bagloss/uv.lock", 9, Some(3));
    assert_eq!(parsed.roots[0].purl, "pkg:pypi/bagloss@0.1.0");
    let requests = find(&parsed, "pkg:pypi/requests@2.32.5");
    assert_eq!(requests.direct, Some(true));
    assert_eq!(
        requests.hashes,
        [(
            "SHA-256".to_string(),
            "dbba0bac56e100853db0ea71b82b4dfd5fe2bf6d3754a8893c3af500cec7d7cf".to_string()
        )]
    );
    assert_eq!(
        find(&parsed, "pkg:pypi/sgmllib3k@1.0.0").direct,
        Some(false)
    );
    find(&parsed, "pkg:pypi/python-dateutil@2.9.0.post0");
}

#[test]
fn poetry_lock_and_its_pyproject() {
    // python3 -c "import tomllib; print(len(tomllib.load(open('0442-tui/poetry.lock','rb'))['package']))"
    // -> 17. The pyproject.toml beside it asks for blessed, and in its dev group for invoke,
    // pylint, autopep8 and py-spy.
    let parsed = check("0442-tui/poetry.lock", 17, Some(5));
    assert_eq!(parsed.roots[0].purl, "pkg:pypi/tui@0.1.0");
    assert_eq!(find(&parsed, "pkg:pypi/blessed@1.20.0").direct, Some(true));
    let six = find(&parsed, "pkg:pypi/six@1.16.0");
    assert_eq!(six.direct, Some(false));
    assert_eq!(six.hashes[0].0, "SHA-256");
    assert!(find(&parsed, "pkg:pypi/pylint@3.0.3")
        .dependencies
        .contains(&"astroid".to_string()));
}

#[test]
fn requirements_with_hashes() {
    // python3 -c "import re; print(len(re.findall(r'(?m)^[A-Za-z0-9_.-]+==', open('rpycocotools/requirements-build.txt').read())))"
    // -> 4 pinned requirements, each followed by its --hash options (13 for maturin).
    let parsed = check("rpycocotools/requirements-build.txt", 4, Some(4));
    assert_eq!(find(&parsed, "pkg:pypi/maturin@0.15.1").hashes.len(), 13);
    find(&parsed, "pkg:pypi/typing-extensions@4.5.0");
}

#[test]
fn requirements_following_an_include() {
    // docs/requirements.txt pins nothing (`sphinx>=7.2.6` is a range) and includes
    // `-r ../dev-requirements.txt`:
    // python3 -c "import re; print(len(re.findall(r'(?m)^[A-Za-z0-9_.-]+==', open('urllib3/dev-requirements.txt').read())))"
    // -> 17 (trustme and hypercorn come from git URLs and are not pinned).
    let parsed = check("urllib3/docs/requirements.txt", 17, Some(17));
    find(&parsed, "pkg:pypi/cryptography@42.0.4");
    find(&parsed, "pkg:pypi/backports.zoneinfo@0.2.1");
    assert!(
        parsed.warnings.iter().any(|w| w.contains("sphinx>=7.2.6")),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn requirements_with_markers() {
    // python3 -c "import re; print(len(re.findall(r'(?m)^[A-Za-z0-9_.-]+==', open('httplib2/requirements-test.txt').read())))"
    // -> 13, pytest three times with different environment markers.
    let parsed = check("httplib2/requirements-test.txt", 13, Some(13));
    for version in ["4.6.11", "6.1.2", "6.2.5"] {
        find(&parsed, &format!("pkg:pypi/pytest@{version}"));
    }
    find(&parsed, "pkg:pypi/cryptography@35.0.0");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn pom_xml() {
    // python3 -c "t=open('cidaas-java-jwt-helper/pom.xml').read(); print(t.split('<dependencies>')[1].split('</dependencies>')[0].count('<dependency>'))"
    // -> 8 (the build plugins are not dependencies).
    let parsed = check("cidaas-java-jwt-helper/pom.xml", 8, Some(8));
    find(&parsed, "pkg:maven/com.google.guava/guava@31.1-jre");
    find(&parsed, "pkg:maven/junit/junit@4.13.2");
    assert_eq!(
        parsed.roots[0].purl,
        "pkg:maven/de.cidaas/cidaas-java-jwt-helper@1.1.1-SNAPSHOT"
    );
}

#[test]
fn composer_lock_with_null_dev_packages() {
    // python3 -c "import json; print(len(json.load(open('picgallery/composer.lock'))['packages']))"
    // -> 3; `packages-dev` is `null` in this 2013 lockfile and every `shasum` is empty.
    let parsed = check("picgallery/composer.lock", 3, None);
    let guzzle = find(&parsed, "pkg:composer/guzzle/guzzle@v3.1.2");
    assert_eq!(guzzle.license.as_deref(), Some("MIT"));
    assert_eq!(guzzle.dependencies, ["symfony/event-dispatcher"]);
    assert!(guzzle.hashes.is_empty());
    find(&parsed, "pkg:composer/aws/aws-sdk-php@2.1.0");
}

#[test]
fn go_mod_with_indirect_requirements() {
    // python3 -c "import re; t=open('mcp-opa/go.mod').read(); print(len(re.findall(r'(?m)^\t\S+ v', t)), t.count('// indirect'))"
    // -> 35 requirements, 33 of them `// indirect`.
    let parsed = check("mcp-opa/go.mod", 35, Some(2));
    assert_eq!(
        find(
            &parsed,
            "pkg:golang/github.com/open-policy-agent/opa@v1.17.0"
        )
        .direct,
        Some(true)
    );
    assert_eq!(
        find(&parsed, "pkg:golang/golang.org/x/crypto@v0.52.0").direct,
        Some(false)
    );
    assert_eq!(
        parsed.roots[0].purl,
        "pkg:golang/github.com/0-draft/mcp-opa"
    );
    assert_eq!(parsed.roots[0].dependencies.len(), 2);
}

#[test]
fn go_mod_and_go_sum_of_one_project() {
    // go.mod requires 3 modules (Go 1.16 lists no indirect ones); go.sum has content hashes
    // for those 3 plus 2 indirect ones (see go_sum above).
    let parsed = check("getJS/go.mod", 3, Some(3));
    let sum = ward_lockfile::read(&lockfiles().join("getJS/go.sum")).unwrap();
    for p in &parsed.packages {
        assert!(sum.packages.iter().any(|q| q.purl == p.purl), "{}", p.purl);
    }
}

#[test]
fn walker_finds_every_lockfile() {
    // 22 lockfiles; urllib3/dev-requirements.txt is only reached through its include, and
    // the package.json / pyproject.toml files are manifests, not lockfiles.
    let found = ward_lockfile::find(&lockfiles());
    assert_eq!(found.len(), 22, "{found:?}");
}

#[test]
fn an_include_that_is_missing_or_loops_is_a_warning() {
    let dir = std::env::temp_dir().join(format!("ward-lockfile-inc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        "-r requirements-a.txt\n-r gone.txt\nflask==3.0.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("requirements-a.txt"),
        "-r requirements.txt\nflask==3.0.0\nrich==13.0.0\n",
    )
    .unwrap();
    let parsed = ward_lockfile::read(&dir.join("requirements.txt")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(parsed.packages.len(), 2);
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].contains("gone.txt"));
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
