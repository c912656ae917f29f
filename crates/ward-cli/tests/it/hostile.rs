//! Bad and hostile input: every case ends in a clear error naming the file and where it broke,
//! exit code 2, no output file, and no panic.

use std::io::Write;
use std::path::Path;

use crate::{corpus, stderr, ward_in};

/// Runs `ward import FILE -o out.json` in `dir` and checks the failure.
fn fails(dir: &Path, file: &str, extra: &[&str], needles: &[&str]) -> String {
    let mut args = vec!["import", file, "-o", "out.json"];
    args.extend_from_slice(extra);
    let out = ward_in(dir, &args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "exit code for {file}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(file), "the error names the file: {err}");
    for needle in needles {
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    }
    assert!(
        !dir.join("out.json").exists(),
        "no output is written on error"
    );
    let leftovers = std::fs::read_dir(dir).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")
    });
    assert_eq!(leftovers.count(), 0);
    err
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    std::fs::write(dir.join(name), bytes).unwrap();
    name.to_string()
}

#[test]
fn truncated_json() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(corpus("gitleaks/gitleaks8_many.json")).unwrap();
    let file = write(dir.path(), "truncated.json", &full[..full.len() / 2]);
    fails(dir.path(), &file, &[], &["line "]);
    fails(
        dir.path(),
        &file,
        &["--format", "gitleaks"],
        &["EOF while parsing", "line "],
    );
}

#[test]
fn wrong_format_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "obj.json", b"{\n  \"Results\": []\n}\n");
    fails(
        dir.path(),
        &file,
        &["--format", "gitleaks"],
        &["line 1", "expected"],
    );
}

#[test]
fn unknown_format_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.json", b"[]");
    let out = ward_in(dir.path(), &["import", &file, "--format", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown format `nope`"));
}

#[test]
fn invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "latin1.json",
        b"[{\"RuleID\": \"x\", \"File\": \"caf\xe9\", \"Secret\": \"s\"}]",
    );
    fails(dir.path(), &file, &[], &["line 1"]);
    fails(
        dir.path(),
        &file,
        &["--format", "gitleaks"],
        &["unicode", "line 1"],
    );
}

#[test]
fn json_nested_100_000_deep() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let file = write(dir.path(), "deep.json", deep.as_bytes());
    fails(
        dir.path(),
        &file,
        &[],
        &["nested deeper than 128 levels", "line 1, column 129"],
    );
    fails(dir.path(), &file, &["--format", "gitleaks"], &["line 1"]);
    let deep_objects = "{\"a\":".repeat(100_000);
    let file = write(dir.path(), "deep-objects.json", deep_objects.as_bytes());
    fails(dir.path(), &file, &[], &["nested deeper than 128 levels"]);
}

#[test]
fn two_gigabyte_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    // A sparse file: 2 GiB long, no disk used, and ward must not try to load it.
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(2 << 30).unwrap();
    fails(dir.path(), "huge.json", &[], &["2147483648 bytes", "limit"]);
    // A lower limit applies to small files too.
    let small = write(dir.path(), "small.json", b"[]");
    fails(
        dir.path(),
        &small,
        &["--max-size", "1"],
        &["over the limit of 1 bytes"],
    );
}

#[test]
fn xml_entity_expansion_and_external_entities() {
    let dir = tempfile::tempdir().unwrap();
    let mut lol =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        lol.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    lol.push_str("]>\n<lolz>&lol9;</lolz>\n");
    let file = write(dir.path(), "laughs.xml", lol.as_bytes());
    fails(
        dir.path(),
        &file,
        &[],
        &["entity declarations are not allowed", "line 2"],
    );

    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<OWASPZAPReport>&x;</OWASPZAPReport>\n";
    let file = write(dir.path(), "xxe.xml", xxe.as_bytes());
    let err = fails(
        dir.path(),
        &file,
        &[],
        &["entity declarations are not allowed"],
    );
    assert!(
        !err.contains("root:"),
        "the external entity was not read: {err}"
    );
}

#[test]
fn truncated_xml() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "cut.xml",
        b"<?xml version=\"1.0\"?>\n<OWASPZAPReport>\n<site name=\"x\">\n<alerts><alertitem>",
    );
    fails(dir.path(), &file, &[], &["line 4"]);
}

#[test]
fn binary_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut garbage = Vec::new();
    garbage.write_all(&[0u8, 159, 146, 150, 1, 2, 3]).unwrap();
    let file = write(dir.path(), "garbage.bin", &garbage);
    fails(dir.path(), &file, &[], &["neither JSON nor XML"]);
}

#[test]
fn one_bad_file_among_good_ones_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.json", b"{");
    let good = corpus("gitleaks/data_one.json");
    let out = ward_in(dir.path(), &["import", &good, &bad, "-o", "out.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json"));
    assert!(!dir.path().join("out.json").exists());
}
