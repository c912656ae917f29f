//! `ward db import` and `ward db update` (against a local HTTP server on 127.0.0.1).

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::{stderr, ward};

fn advisories() -> std::path::PathBuf {
    ward_test_support::data_dir().join("advisories")
}

#[test]
fn import_a_folder_then_add_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    let db_arg = db.to_str().unwrap();
    let crates = advisories().join("crates.io");
    let output = ward(&["db", "import", crates.to_str().unwrap(), "--db", db_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("advisories"),
        "{}",
        stderr(&output)
    );

    let zip_path = dir.path().join("all.zip");
    write_zip(&zip_path, &advisories().join("npm"));
    let output = ward(&["db", "import", zip_path.to_str().unwrap(), "--db", db_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    let db = ward_osv::Database::open(&db).unwrap();
    assert!(
        db.ecosystems().contains_key("crates.io"),
        "{:?}",
        db.ecosystems()
    );
    assert!(db.ecosystems().contains_key("npm"), "{:?}", db.ecosystems());
}

#[test]
fn a_broken_zip_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("broken.zip");
    std::fs::write(&zip_path, b"PK\x03\x04 not really").unwrap();
    let db = dir.path().join("osv.db");
    let output = ward(&[
        "db",
        "import",
        zip_path.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.zip"),
        "{}",
        stderr(&output)
    );
    assert!(!db.exists());
}

#[test]
fn update_downloads_from_a_local_server() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    write_zip(&zip_path, &advisories().join("RubyGems"));
    let body = std::fs::read(&zip_path).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut paths = Vec::new();
        for _ in 0..2 {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let n = stream.read(&mut request).unwrap();
            let line = String::from_utf8_lossy(&request[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            let (status, content): (&str, &[u8]) = if path == "/RubyGems/all.zip" {
                ("200 OK", &body)
            } else {
                ("404 Not Found", b"no")
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                content.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(content).unwrap();
            paths.push(path);
        }
        paths
    });
    let db = dir.path().join("osv.db");
    let base = format!("http://127.0.0.1:{port}");
    let output = ward(&[
        "db",
        "update",
        "--base-url",
        &base,
        "--ecosystems",
        "RubyGems,Hex",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Hex/all.zip"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        server.join().unwrap(),
        ["/RubyGems/all.zip", "/Hex/all.zip"]
    );
    let db = ward_osv::Database::open(&db).unwrap();
    assert!(db.n_advisories() >= 28, "{}", db.n_advisories());
}

fn write_zip(path: &std::path::Path, folder: &std::path::Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let mut names: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for file in names {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(&file).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn info_warns_when_the_database_is_stale() {
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osv.db");
    let built = SystemTime::now() - Duration::from_secs(10 * 86_400);
    std::fs::write(&db, ward_osv::Builder::new().to_bytes(built)).unwrap();
    let db_arg = db.to_str().unwrap();

    let output = ward(&["db", "info", "--db", db_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("built 10 days"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("ward db update"),
        "{}",
        stderr(&output)
    );

    let output = ward(&["db", "info", "--db", db_arg, "--max-db-age", "30d"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("ward db update"),
        "{}",
        stderr(&output)
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["db", "info", "--db", db_arg])
        .env("WARD_DB_MAX_AGE", "0")
        .output()
        .unwrap();
    assert!(
        !stderr(&output).contains("ward db update"),
        "{}",
        stderr(&output)
    );

    let output = ward(&["db", "info", "--db", db_arg, "--max-db-age", "7w"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--max-db-age"),
        "{}",
        stderr(&output)
    );
}
