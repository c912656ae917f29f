//! `ward_deps::scan_sbom` on real SBOMs (`tests/data/corpus/cyclonedx/`,
//! `tests/data/sboms/`) against a database built from the real OSV records in
//! `tests/data/advisories/`. The expected advisories were listed independently of ward, with
//! the Python in each test's comment (run at the repository root).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::SystemTime;

use ward_osv::{Builder, Database};

fn database(dir: &tempfile::TempDir, ecosystems: &[&str]) -> Database {
    let mut builder = Builder::new();
    for ecosystem in ecosystems {
        builder
            .add_path(
                &ward_test_support::data_dir()
                    .join("advisories")
                    .join(ecosystem),
            )
            .unwrap();
    }
    let path = dir.path().join("osv.db");
    builder.write(&path, SystemTime::now()).unwrap();
    Database::open(&path).unwrap()
}

fn data(path: &str) -> PathBuf {
    ward_test_support::data_dir().join(path)
}

/// Every expected (package, advisory id) pair is a finding on that package naming the id,
/// and every finding's advisory is an expected one.
fn check(scan: &ward_deps::Scan, expected: &[(&str, &[&str])]) {
    for (package, ids) in expected {
        for id in *ids {
            assert!(
                scan.findings.iter().any(|f| {
                    f.location
                        .package
                        .as_ref()
                        .is_some_and(|p| p.name == *package)
                        && f.identifiers.iter().any(|i| i.value == *id)
                }),
                "{package} {id}"
            );
        }
    }
    let all: BTreeSet<&str> = expected
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    for f in &scan.findings {
        let rule = f.rule_id.as_deref().unwrap_or("");
        assert!(
            all.contains(rule),
            "unexpected {rule} for {:?}",
            f.location.package
        );
    }
}

#[test]
fn cyclonedx_sbom_of_a_python_environment() {
    // import json, glob
    // comps = json.load(open('tests/data/corpus/cyclonedx/jake2.json'))['components']
    // pk = {c['purl'][9:].rsplit('@')[0]: c['purl'].rsplit('@')[1] for c in comps}
    // for f in glob.glob('tests/data/advisories/PyPI/*.json'):
    //     r = json.load(open(f))
    //     for a in r['affected']:
    //         if pk.get(a['package']['name'].lower()) in a.get('versions', []): print(r['id'])
    // -> 20 records naming the listed version among their affected `versions`.
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir, &["PyPI"]);
    let path = data("corpus/cyclonedx/jake2.json");
    let scan = ward_deps::scan_sbom(&path, &db).unwrap();
    assert_eq!(scan.n_packages, 67);
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    check(
        &scan,
        &[
            ("certifi", &["PYSEC-2022-42986", "PYSEC-2023-135"]),
            ("cryptography", &["PYSEC-2023-11", "PYSEC-2023-254"]),
            (
                "django",
                &[
                    "PYSEC-2018-2",
                    "PYSEC-2018-4",
                    "PYSEC-2018-5",
                    "PYSEC-2018-6",
                    "PYSEC-2019-17",
                    "PYSEC-2019-18",
                    "PYSEC-2021-98",
                ],
            ),
            ("idna", &["PYSEC-2024-60"]),
            ("pip", &["PYSEC-2023-228"]),
            ("py", &["PYSEC-2022-42969"]),
            ("pygments", &["PYSEC-2023-117"]),
            ("requests", &["PYSEC-2023-74"]),
            ("setuptools", &["PYSEC-2022-43012"]),
            ("urllib3", &["PYSEC-2023-192", "PYSEC-2023-212"]),
        ],
    );
    let f = &scan.findings[0];
    let file = f.location.file.as_ref().unwrap();
    assert_eq!(file.path, path.display().to_string());
    assert!(f
        .location
        .package
        .as_ref()
        .and_then(|p| p.purl.as_deref())
        .is_some_and(|p| p.starts_with("pkg:pypi/")));
}

#[test]
fn spdx_sbom_written_by_trivy() {
    // The records under tests/data/advisories/Go whose SEMVER ranges hold the listed module
    // versions (compared as SemVer with pre-releases, in a few lines of Python):
    // golang.org/x/net 20, golang.org/x/sys 2, golang.org/x/text 3. trivy lowercases the
    // module paths (`github.com/puerkitobio/goquery`), which still match.
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir, &["Go"]);
    let scan = ward_deps::scan_sbom(&data("sboms/getJS.trivy.spdx.json"), &db).unwrap();
    // 12 SPDX packages: 9 modules with a versioned purl, the project (a purl without a
    // version), and go.mod and the folder without purls.
    assert_eq!(scan.n_packages, 9);
    assert_eq!(scan.warnings.len(), 1, "{:?}", scan.warnings);
    assert!(
        scan.warnings[0].contains("3 of 12 entries"),
        "{:?}",
        scan.warnings
    );
    check(
        &scan,
        &[
            (
                "golang.org/x/net",
                &[
                    "GO-2022-0288",
                    "GO-2022-0969",
                    "GO-2022-1144",
                    "GO-2023-1571",
                    "GO-2023-1988",
                    "GO-2023-2102",
                    "GO-2024-2687",
                    "GO-2024-3333",
                    "GO-2025-3503",
                    "GO-2025-3595",
                    "GO-2026-4440",
                    "GO-2026-4441",
                    "GO-2026-4918",
                    "GO-2026-5025",
                    "GO-2026-5026",
                    "GO-2026-5027",
                    "GO-2026-5028",
                    "GO-2026-5029",
                    "GO-2026-5030",
                    "GO-2026-5942",
                ],
            ),
            ("golang.org/x/sys", &["GO-2022-0493", "GO-2026-5024"]),
            (
                "golang.org/x/text",
                &["GO-2021-0113", "GO-2022-1059", "GO-2026-5970"],
            ),
        ],
    );
}

#[test]
fn nested_components_and_purls_without_advisories() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir, &["Maven"]);
    // A container component holding log4j-core: the nested library is read.
    let scan =
        ward_deps::scan_sbom(&data("corpus/cyclonedx/nested-component-log4j.json"), &db).unwrap();
    assert_eq!(scan.n_packages, 1);
    assert!(scan.warnings[0].contains("1 of 2 entries") && scan.warnings[0].contains("oci: 1"));
    // ko's SPDX: two OCI images and the Go module at version `(devel)`.
    let scan = ward_deps::scan_sbom(&data("sboms/tekton-demo.spdx.json"), &db).unwrap();
    assert_eq!(scan.n_packages, 1);
    assert!(scan.findings.is_empty());
    assert!(scan.warnings[0].contains("oci: 2"), "{:?}", scan.warnings);
}

#[test]
fn not_an_sbom_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir, &["Maven"]);
    // A CycloneDX XML document (ward reads the JSON form).
    let path = data("corpus/cyclonedx/cyclonedx_bom.xml");
    let error = ward_deps::scan_sbom(&path, &db).unwrap_err();
    assert!(
        error.to_string().contains("cyclonedx_bom.xml: not JSON"),
        "{error}"
    );
    let bad = dir.path().join("bom.json");
    std::fs::write(
        &bad,
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "x", "purl": ["pkg:npm/x@1"]}]}"#,
    )
    .unwrap();
    let error = ward_deps::scan_sbom(&bad, &db).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("bom.json: components[0].purl: expected a string"),
        "{error}"
    );
}
