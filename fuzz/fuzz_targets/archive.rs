//! Fuzzes safe archive unpacking (zip, tar, tar.gz) and checks its promises on every input:
//! nothing is written beside the destination, no link is ever created, and a refused archive
//! leaves no destination behind. Seed it with small archives (see `fuzz/README.md`).
#![no_main]

use std::io::Cursor;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ward_archive::Limits;

fuzz_target!(|data: &[u8]| {
    let Ok(scratch) = tempfile::tempdir() else {
        return;
    };
    let dest = scratch.path().join("out");
    let limits = Limits {
        max_total_bytes: 16 << 20,
        max_entries: 2_000,
        ..Limits::default()
    };
    let result = ward_archive::unpack_reader(Cursor::new(data), &dest, &limits);
    for entry in std::fs::read_dir(scratch.path()).expect("the scratch directory exists") {
        let name = entry.expect("a readable directory entry").file_name();
        assert_eq!(name, "out", "written outside the destination");
    }
    match result {
        Ok(_) => assert_no_links(&dest),
        Err(_) => assert!(!dest.exists(), "a refused archive left its destination"),
    }
});

fn assert_no_links(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("the destination exists") {
        let entry = entry.expect("a readable directory entry");
        let file_type = entry.file_type().expect("a file type");
        assert!(!file_type.is_symlink(), "a link was created: {:?}", entry.path());
        if file_type.is_dir() {
            assert_no_links(&entry.path());
        }
    }
}
