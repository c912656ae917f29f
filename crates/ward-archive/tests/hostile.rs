//! Hostile archives, built here byte by byte where the writing crates would refuse to make
//! them: every one must be refused with its own error, nothing may be written outside the
//! destination, and the destination must be gone afterwards.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use tar::{EntryType, Header};
use ward_archive::{unpack, unpack_reader, Error, Format, Limits};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// A scratch directory with the destination `out` inside it, so that an escape would show up
/// as a file next to it.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn dest(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn unpack(&self, archive: &[u8], limits: &Limits) -> Result<ward_archive::Unpacked, Error> {
        unpack_reader(Cursor::new(archive), &self.dest(), limits)
    }

    /// Asserts the refusal left nothing behind: no destination, nothing beside it.
    fn assert_clean(&self) {
        let left: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in entries {
        if name.ends_with('/') {
            zip.add_directory(*name, options).unwrap();
        } else {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// One raw tar entry: the name goes into the header as given (tar's own builder refuses `..`
/// and absolute names, which is exactly what these tests need to write).
struct TarEntry<'a> {
    name: &'a [u8],
    entry_type: EntryType,
    data: &'a [u8],
    link: &'a str,
}

fn file<'a>(name: &'a str, data: &'a [u8]) -> TarEntry<'a> {
    TarEntry {
        name: name.as_bytes(),
        entry_type: EntryType::Regular,
        data,
        link: "",
    }
}

fn tar_of(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = Header::new_gnu();
        let name = &mut header.as_gnu_mut().unwrap().name;
        name[..entry.name.len()].copy_from_slice(entry.name);
        header.set_entry_type(entry.entry_type);
        header.set_size(entry.data.len() as u64);
        header.set_mode(0o644);
        if !entry.link.is_empty() {
            header.set_link_name(entry.link).unwrap();
        }
        header.set_cksum();
        builder.append(&header, entry.data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn ordinary_archives_unpack() {
    let limits = Limits::default();
    let scratch = Scratch::new();
    let zip = zip_of(&[
        ("src/", b""),
        ("src/app.py", b"print('hi')\n"),
        ("./README", b"read me"),
        ("./", b""),
    ]);
    let unpacked = scratch.unpack(&zip, &limits).unwrap();
    assert_eq!(unpacked.format, Format::Zip);
    assert_eq!(
        (unpacked.n_files, unpacked.n_dirs, unpacked.n_bytes),
        (2, 1, 19)
    );
    assert_eq!(read(&scratch.dest().join("src/app.py")), "print('hi')\n");
    assert_eq!(read(&scratch.dest().join("README")), "read me");

    let tar = tar_of(&[
        TarEntry {
            name: b"pkg/",
            entry_type: EntryType::Directory,
            data: b"",
            link: "",
        },
        file("pkg/a.txt", b"a"),
        file("pkg/deep/b.txt", b"bb"),
    ]);
    for (archive, format) in [(tar.clone(), Format::Tar), (gzip(&tar), Format::TarGz)] {
        let scratch = Scratch::new();
        let unpacked = scratch.unpack(&archive, &limits).unwrap();
        assert_eq!(unpacked.format, format);
        assert_eq!(
            (unpacked.n_files, unpacked.n_dirs, unpacked.n_bytes),
            (2, 1, 3)
        );
        assert_eq!(read(&scratch.dest().join("pkg/deep/b.txt")), "bb");
    }
}

/// What `git archive` writes: a pax global header holding the commit id, then the tree.
#[test]
fn a_pax_global_header_is_skipped() {
    let mut builder = tar::Builder::new(Vec::new());
    let comment = b"52 comment=0123456789abcdef0123456789abcdef01234567\n";
    let mut header = Header::new_ustar();
    header.set_path("pax_global_header").unwrap();
    header.set_entry_type(EntryType::XGlobalHeader);
    header.set_size(comment.len() as u64);
    header.set_cksum();
    builder.append(&header, &comment[..]).unwrap();
    let mut header = Header::new_ustar();
    header.set_path("repo/main.go").unwrap();
    header.set_size(12);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, &b"package main"[..]).unwrap();
    let scratch = Scratch::new();
    let unpacked = scratch
        .unpack(&builder.into_inner().unwrap(), &Limits::default())
        .unwrap();
    assert_eq!(unpacked.n_files, 1);
    assert!(!scratch.dest().join("pax_global_header").exists());
}

#[test]
fn traversal_and_absolute_names_are_refused() {
    let limits = Limits::default();
    for name in [
        "../evil.txt",
        "a/../../evil.txt",
        "/tmp/evil.txt",
        "C:\\evil.txt",
        "..\\evil.txt",
    ] {
        let scratch = Scratch::new();
        let zip = zip_of(&[("ok.txt", b"fine"), (name, b"evil")]);
        let error = scratch.unpack(&zip, &limits).unwrap_err();
        assert!(
            matches!(&error, Error::UnsafePath { entry, .. } if entry == name),
            "{name}: {error}"
        );
        scratch.assert_clean();

        let scratch = Scratch::new();
        let tar = tar_of(&[file("ok.txt", b"fine"), file(name, b"evil")]);
        let error = scratch.unpack(&gzip(&tar), &limits).unwrap_err();
        assert!(
            matches!(&error, Error::UnsafePath { entry, .. } if entry == name),
            "{name}: {error}"
        );
        scratch.assert_clean();
    }
}

#[test]
fn links_are_refused() {
    let limits = Limits::default();
    // A zip symlink out of the tree.
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.add_symlink(
        "escape",
        "../../../etc/passwd",
        SimpleFileOptions::default(),
    )
    .unwrap();
    let zip = zip.finish().unwrap().into_inner();
    let scratch = Scratch::new();
    let error = scratch.unpack(&zip, &limits).unwrap_err();
    assert!(
        matches!(&error, Error::Link { entry, target, .. } if entry == "escape" && target == "../../../etc/passwd"),
        "{error}"
    );
    assert!(error.to_string().contains("symbolic link"));
    scratch.assert_clean();

    // The classic tar escape: a link to a directory outside, then a file written through it.
    let tar = tar_of(&[
        TarEntry {
            name: b"dir",
            entry_type: EntryType::Symlink,
            data: b"",
            link: "/tmp",
        },
        file("dir/evil.txt", b"evil"),
    ]);
    let scratch = Scratch::new();
    let error = scratch.unpack(&tar, &limits).unwrap_err();
    assert!(
        matches!(&error, Error::Link { entry, .. } if entry == "dir"),
        "{error}"
    );
    scratch.assert_clean();

    // A hard link, even to a file inside.
    let tar = tar_of(&[
        file("a.txt", b"a"),
        TarEntry {
            name: b"b.txt",
            entry_type: EntryType::Link,
            data: b"",
            link: "a.txt",
        },
    ]);
    let scratch = Scratch::new();
    let error = scratch.unpack(&tar, &limits).unwrap_err();
    assert!(error.to_string().contains("hard link"), "{error}");
    scratch.assert_clean();
}

#[test]
fn devices_and_fifos_are_refused() {
    for (entry_type, kind) in [
        (EntryType::Char, "character device"),
        (EntryType::Block, "block device"),
        (EntryType::Fifo, "FIFO"),
    ] {
        let tar = tar_of(&[TarEntry {
            name: b"dev/sda",
            entry_type,
            data: b"",
            link: "",
        }]);
        let scratch = Scratch::new();
        let error = scratch.unpack(&tar, &Limits::default()).unwrap_err();
        assert!(
            matches!(&error, Error::SpecialFile { kind: k, .. } if k == kind),
            "{error}"
        );
        scratch.assert_clean();
    }
}

/// 16 MiB of zeros compresses about a thousand times: over the default ratio of 200, it stops
/// soon after the 1 MiB floor.
#[test]
fn compression_bombs_are_refused() {
    let zeros = vec![0u8; 16 << 20];
    let zip = zip_of(&[("small.txt", b"hello"), ("bomb.bin", &zeros)]);
    assert!(zip.len() < 100_000, "{}", zip.len());
    let scratch = Scratch::new();
    let error = scratch.unpack(&zip, &Limits::default()).unwrap_err();
    assert!(
        matches!(&error, Error::RatioExceeded { entry, limit: 200 } if entry == "bomb.bin"),
        "{error}"
    );
    assert!(error.to_string().contains("compression bomb"));
    scratch.assert_clean();

    let tar = tar_of(&[TarEntry {
        name: b"bomb.bin",
        entry_type: EntryType::Regular,
        data: &zeros,
        link: "",
    }]);
    let scratch = Scratch::new();
    let error = scratch.unpack(&gzip(&tar), &Limits::default()).unwrap_err();
    assert!(matches!(error, Error::RatioExceeded { .. }), "{error}");
    scratch.assert_clean();
}

#[test]
fn too_many_bytes_are_refused_even_when_uncompressed() {
    let limits = Limits {
        max_total_bytes: 1 << 20,
        ..Limits::default()
    };
    let part = vec![b'x'; 700 << 10];
    let entries = [
        TarEntry {
            name: b"a.bin",
            entry_type: EntryType::Regular,
            data: &part,
            link: "",
        },
        TarEntry {
            name: b"b.bin",
            entry_type: EntryType::Regular,
            data: &part,
            link: "",
        },
    ];
    let scratch = Scratch::new();
    let error = scratch.unpack(&tar_of(&entries), &limits).unwrap_err();
    assert!(
        matches!(&error, Error::TooLarge { entry, limit } if entry == "b.bin" && *limit == 1 << 20),
        "{error}"
    );
    scratch.assert_clean();
}

#[test]
fn too_many_files_are_refused() {
    let limits = Limits {
        max_entries: 50,
        ..Limits::default()
    };
    let names: Vec<String> = (0..51).map(|i| format!("f{i}.txt")).collect();
    let zip_entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let tar_entries: Vec<TarEntry<'_>> = names.iter().map(|n| file(n, b"x")).collect();
    for archive in [zip_of(&zip_entries), gzip(&tar_of(&tar_entries))] {
        let scratch = Scratch::new();
        let error = scratch.unpack(&archive, &limits).unwrap_err();
        assert!(
            matches!(error, Error::TooManyEntries { limit: 50 }),
            "{error}"
        );
        scratch.assert_clean();
    }
    // Exactly at the limit is fine.
    let scratch = Scratch::new();
    let unpacked = scratch
        .unpack(&zip_of(&zip_entries[..50]), &limits)
        .unwrap();
    assert_eq!(unpacked.n_files, 50);
}

#[test]
fn broken_and_unknown_inputs_are_errors() {
    let limits = Limits::default();
    let scratch = Scratch::new();
    assert!(matches!(
        scratch.unpack(b"just some text, not an archive", &limits),
        Err(Error::UnknownFormat)
    ));
    scratch.assert_clean();

    let zip = zip_of(&[("a.txt", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]);
    let truncated = &zip[..zip.len() / 2];
    let scratch = Scratch::new();
    assert!(matches!(
        scratch.unpack(truncated, &limits),
        Err(Error::Corrupt { .. })
    ));
    scratch.assert_clean();

    let tgz = gzip(&tar_of(&[file("a.txt", b"0123456789")]));
    let mut damaged = tgz.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    damaged.truncate(damaged.len() - 4);
    let scratch = Scratch::new();
    assert!(matches!(
        scratch.unpack(&damaged, &limits),
        Err(Error::Corrupt { .. })
    ));
    scratch.assert_clean();
}

#[test]
fn the_destination_must_be_new() {
    let scratch = Scratch::new();
    std::fs::create_dir(scratch.dest()).unwrap();
    let zip = zip_of(&[("a.txt", b"a")]);
    let error = scratch.unpack(&zip, &Limits::default()).unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error}");

    // From a file, as the worker calls it.
    let scratch = Scratch::new();
    let path = scratch.dir.path().join("upload.zip");
    std::fs::write(&path, &zip).unwrap();
    let unpacked = unpack(&path, &scratch.dest(), &Limits::default()).unwrap();
    assert_eq!(unpacked.n_files, 1);
}
