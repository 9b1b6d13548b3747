//! ZIP writer and reader end to end: round trips, archives made by Python's `zipfile`
//! and Info-ZIP `zip` (skipped with a message when missing), ZIP64 beyond 4 GiB without
//! writing 4 GiB, and damaged or hostile archives, which must give errors, not panics.

use std::path::{Path, PathBuf};
use std::process::Command;

use formats::zip::{
    data_offset, find_end, inflate, parse_directory, tail_start, Crc32, Data, Entry, Limits,
    Method, Modified, NameError, ZipError, ZipWriter, TAIL_LEN,
};

const T: Modified = Modified::utc(1_795_667_778_000.0); // 2026-11-26T04:36:18Z

/// Reads `file` the way the app reads a browser `File`: only by ranges.
fn read_all(file: &[u8], limits: &Limits) -> Result<Vec<(Entry, Vec<u8>)>, ZipError> {
    let len = file.len() as u64;
    let range = |start: u64, n: u64| -> &[u8] {
        let s = (start.min(len)) as usize;
        let e = (start.saturating_add(n).min(len)) as usize;
        &file[s..e]
    };
    let tail = range(tail_start(len), TAIL_LEN as u64);
    let dir = find_end(tail, len, limits)?;
    let entries = parse_directory(range(dir.offset, dir.size), &dir, limits)?;
    let mut out = Vec::new();
    for entry in entries {
        let header = range(entry.header_offset, entry.local_header_len() as u64);
        let start = data_offset(header, &entry)?;
        let data = entry
            .decode(range(start, entry.compressed_size))?
            .into_owned();
        out.push((entry, data));
    }
    Ok(out)
}

fn names(entries: &[(Entry, Vec<u8>)]) -> Vec<&str> {
    entries.iter().map(|(e, _)| e.name.as_str()).collect()
}

/// The archive the app would make: stored images, a deflated manifest.
fn sample(zip: &mut ZipWriter) -> Vec<u8> {
    let mut out = Vec::new();
    let image: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    out.extend(
        zip.entry_header("images/fox.png", image.as_slice().into(), T)
            .unwrap(),
    );
    out.extend(&image);
    // Known length and CRC, computed piece by piece.
    let mut crc = Crc32::new();
    for piece in image.chunks(1000) {
        crc.update(piece);
    }
    let known = Data::Known {
        len: image.len() as u64,
        crc32: crc.finish(),
    };
    out.extend(zip.entry_header("images/Café 東京.webp", known, T).unwrap());
    out.extend(&image);
    out.extend(zip.entry_header("empty.txt", b"".into(), T).unwrap());
    let manifest =
        br#"{"images":["fox.png"],"note":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
    out.extend(zip.deflated_entry("manifest.json", manifest, T).unwrap());
    out
}

fn sample_archive(zip: ZipWriter) -> Vec<u8> {
    let mut zip = zip;
    let mut out = sample(&mut zip);
    out.extend(zip.finish());
    out
}

#[test]
fn round_trip_stored_and_deflated() {
    let file = sample_archive(ZipWriter::new());
    let entries = read_all(&file, &Limits::default()).unwrap();
    assert_eq!(
        names(&entries),
        [
            "images/fox.png",
            "images/Café 東京.webp",
            "empty.txt",
            "manifest.json"
        ]
    );
    let (manifest, text) = &entries[3];
    assert_eq!(manifest.method, Method::Deflated);
    assert!(manifest.compressed_size < manifest.size);
    assert!(text.starts_with(br#"{"images""#));
    assert_eq!(entries[0].1, entries[1].1);
    assert_eq!(entries[0].0.method, Method::Stored);
    assert_eq!(entries[0].0.modified_unix_ms, 1_795_667_778_000);
    assert!(!entries[0].0.is_dir);
}

#[test]
fn round_trip_forced_zip64() {
    let plain = sample_archive(ZipWriter::new());
    let file = sample_archive(ZipWriter::new().force_zip64());
    assert!(file.len() > plain.len());
    let len = file.len() as u64;
    let dir = find_end(&file[tail_start(len) as usize..], len, &Limits::default()).unwrap();
    assert!(dir.zip64);
    assert_eq!(dir.entries, 4);
    let entries = read_all(&file, &Limits::default()).unwrap();
    let plain_entries = read_all(&plain, &Limits::default()).unwrap();
    assert_eq!(
        entries.iter().map(|(_, d)| d).collect::<Vec<_>>(),
        plain_entries.iter().map(|(_, d)| d).collect::<Vec<_>>()
    );
}

#[test]
fn more_than_65535_entries_use_zip64_and_meet_the_count_limit() {
    let mut zip = ZipWriter::new();
    let mut file = Vec::new();
    for i in 0..70_000u32 {
        let name = format!("{i}.txt");
        file.extend(zip.entry_header(&name, b"x".into(), T).unwrap());
        file.push(b'x');
    }
    file.extend(zip.finish());
    let len = file.len() as u64;
    let tail = &file[tail_start(len) as usize..];
    assert_eq!(
        find_end(tail, len, &Limits::default()),
        Err(ZipError::TooManyEntries {
            count: 70_000,
            limit: 10_000
        })
    );
    let roomy = Limits {
        max_entries: 100_000,
        ..Limits::default()
    };
    let dir = find_end(tail, len, &roomy).unwrap();
    assert!(dir.zip64);
    let entries = read_all(&file, &roomy).unwrap();
    assert_eq!(entries.len(), 70_000);
    assert_eq!(entries[69_999].0.name, "69999.txt");
    if let Some(py) = python() {
        let path = temp("many.zip");
        std::fs::write(&path, &file).unwrap();
        let out = run_python(
            &py,
            &format!(
            "import zipfile; z = zipfile.ZipFile({path:?}); print(len(z.infolist()), z.testzip())"
        ),
        );
        let _ = std::fs::remove_file(&path);
        assert_eq!(out.trim(), "70000 None");
    }
}

/// An archive past 4 GiB, without 4 GiB: the entry data is only counted, the headers
/// and directory are real, and the reader only ever sees ranges it asks for.
#[test]
fn entries_and_offsets_beyond_4_gib() {
    let big = (1u64 << 32) + 10;
    let mut zip = ZipWriter::new();
    let h1 = zip
        .entry_header(
            "huge.bin",
            Data::Known {
                len: big,
                crc32: 0x1234_5678,
            },
            T,
        )
        .unwrap();
    let h2 = zip.entry_header("after.txt", b"tail".into(), T).unwrap();
    let end = zip.finish();
    // The file: h1 | `big` virtual bytes | h2 | "tail" | end
    let h2_at = h1.len() as u64 + big;
    let end_at = h2_at + h2.len() as u64 + 4;
    let len = end_at + end.len() as u64;
    let mut tail = h2.clone();
    tail.extend(b"tail");
    tail.extend(&end);
    let limits = Limits {
        max_entry_size: u64::MAX,
        ..Limits::default()
    };
    let dir = find_end(&tail, len, &limits).unwrap();
    assert!(dir.zip64);
    assert_eq!(dir.offset, end_at);
    let cd = &end[..dir.size as usize];
    let entries = parse_directory(cd, &dir, &limits).unwrap();
    assert_eq!(entries[0].size, big);
    assert_eq!(entries[0].compressed_size, big);
    assert_eq!(entries[0].crc32, 0x1234_5678);
    assert_eq!(entries[1].header_offset, h2_at);
    assert_eq!(data_offset(&h1, &entries[0]).unwrap(), h1.len() as u64);
    assert_eq!(
        data_offset(&h2, &entries[1]).unwrap(),
        h2_at + h2.len() as u64
    );
    // The default per-entry limit refuses the 4 GiB entry by name.
    assert_eq!(
        parse_directory(cd, &dir, &Limits::default()),
        Err(ZipError::EntryTooLarge {
            name: "huge.bin".into(),
            size: big,
            limit: 256 << 20
        })
    );

    // Python's zipfile agrees, on a sparse file with that layout.
    if let Some(py) = python() {
        let path = temp("sparse.zip");
        let write = || -> std::io::Result<()> {
            use std::io::{Seek, SeekFrom, Write};
            let mut f = std::fs::File::create(&path)?;
            f.write_all(&h1)?;
            f.seek(SeekFrom::Start(h2_at))?;
            f.write_all(&tail)?;
            Ok(())
        };
        if let Err(e) = write() {
            eprintln!("skipped the sparse-file check: {e}");
            return;
        }
        let out = run_python(
            &py,
            &format!(
                "import zipfile; z = zipfile.ZipFile({path:?}); \
             print([(i.filename, i.file_size, i.header_offset) for i in z.infolist()]); \
             print(z.read('after.txt'))"
            ),
        );
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            out.trim(),
            format!("[('huge.bin', {big}, 0), ('after.txt', 4, {h2_at})]\nb'tail'")
        );
    }
}

// ---------- archives made by other tools ----------

fn python() -> Option<String> {
    let ok = Command::new("python3")
        .arg("-c")
        .arg("import zipfile")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("python3 is missing: skipped the checks against Python's zipfile");
    }
    ok.then(|| "python3".to_owned())
}

fn run_python(py: &str, code: &str) -> String {
    let out = Command::new(py).arg("-c").arg(code).output().unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("formats-zip-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs Python code that writes an archive to the path in `OUT`, returns its bytes.
fn python_zip(py: &str, name: &str, body: &str) -> Vec<u8> {
    let path = temp(name);
    let code = format!("import zipfile, sys\nOUT = {path:?}\n{body}");
    run_python(py, &code);
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    bytes
}

#[test]
fn reads_what_python_writes() {
    let Some(py) = python() else { return };
    let file = python_zip(
        &py,
        "py.zip",
        r#"
with zipfile.ZipFile(OUT, "w") as z:
    z.writestr("stored.txt", b"hello " * 100)
    z.writestr(zipfile.ZipInfo("folder/"), b"")
    z.writestr("folder/deflated.txt", b"hello " * 1000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("ünïcödé.txt", "é".encode())
    z.writestr("empty.txt", b"", compress_type=zipfile.ZIP_DEFLATED)
    z.comment = b"a comment " * 1000
"#,
    );
    let entries = read_all(&file, &Limits::default()).unwrap();
    assert_eq!(
        names(&entries),
        [
            "stored.txt",
            "folder/",
            "folder/deflated.txt",
            "ünïcödé.txt",
            "empty.txt"
        ]
    );
    assert_eq!(entries[0].1, b"hello ".repeat(100));
    assert!(entries[1].0.is_dir);
    assert_eq!(entries[2].0.method, Method::Deflated);
    assert_eq!(entries[2].1, b"hello ".repeat(1000));
    assert_eq!(entries[3].1, "é".as_bytes());
}

#[test]
fn reads_python_zip64_and_streamed_archives() {
    let Some(py) = python() else { return };
    let zip64 = python_zip(
        &py,
        "py64.zip",
        r#"
with zipfile.ZipFile(OUT, "w", compression=zipfile.ZIP_DEFLATED) as z:
    with z.open("a.bin", "w", force_zip64=True) as f:
        f.write(bytes(range(256)) * 300)
    z.writestr("b.txt", b"b")
"#,
    );
    let entries = read_all(&zip64, &Limits::default()).unwrap();
    assert_eq!(entries[0].1, (0..=255u8).collect::<Vec<_>>().repeat(300));
    assert_eq!(entries[1].1, b"b");

    // Written to a pipe: sizes follow the data in data descriptors.
    let path = temp("streamed.zip");
    let code = format!(
        "import zipfile, sys, subprocess\n\
         p = subprocess.Popen(['cat'], stdin=subprocess.PIPE, stdout=open({path:?}, 'wb'))\n\
         with zipfile.ZipFile(p.stdin, 'w', compression=zipfile.ZIP_DEFLATED) as z:\n\
         \x20   z.writestr('one.txt', b'1' * 5000)\n\
         \x20   z.writestr('two.txt', b'22')\n\
         p.stdin.close(); p.wait()\n"
    );
    run_python(&py, &code);
    let streamed = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let flags = u16::from_le_bytes([streamed[6], streamed[7]]);
    assert_ne!(flags & 8, 0, "the first entry has a data descriptor");
    let entries = read_all(&streamed, &Limits::default()).unwrap();
    assert_eq!(entries[0].1, b"1".repeat(5000));
    assert_eq!(entries[1].1, b"22");
}

#[test]
fn other_methods_are_refused_by_name() {
    let Some(py) = python() else { return };
    for (method, label) in [
        ("ZIP_BZIP2", "bzip2 (method 12)"),
        ("ZIP_LZMA", "LZMA (method 14)"),
    ] {
        let file = python_zip(
            &py,
            &format!("{method}.zip"),
            &format!(
                r#"
with zipfile.ZipFile(OUT, "w") as z:
    z.writestr("ok.txt", b"fine")
    z.writestr("photo.png", b"x" * 100, compress_type=zipfile.{method})
"#
            ),
        );
        let err = read_all(&file, &Limits::default()).unwrap_err();
        assert!(
            matches!(&err, ZipError::UnsupportedMethod { name, .. } if name == "photo.png"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(label) && message.contains("photo.png"),
            "{message}"
        );
    }
}

#[test]
fn hostile_names_from_python_are_refused() {
    let Some(py) = python() else { return };
    for (name, reason) in [
        ("../../evil.png", NameError::ParentDirectory),
        ("/etc/passwd", NameError::Absolute),
        ("a\\\\b.png", NameError::Backslash),
        ("C:/x.png", NameError::Absolute),
        ("a\\x01b", NameError::Control),
    ] {
        let file = python_zip(
            &py,
            "evil.zip",
            &format!(
                r#"
with zipfile.ZipFile(OUT, "w") as z:
    z.writestr("fine.png", b"ok")
    info = zipfile.ZipInfo("placeholder")
    info.filename = "{name}"
    z.writestr(info, b"boom")
"#
            ),
        );
        match read_all(&file, &Limits::default()) {
            Err(ZipError::BadName { reason: got, .. }) => assert_eq!(got, reason, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

fn zip_tool() -> bool {
    let ok = Command::new("zip")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("zip is missing: skipped the checks against Info-ZIP zip");
    }
    ok
}

fn in_dir_with_files(name: &str) -> PathBuf {
    let dir = temp(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), "alpha ".repeat(2000)).unwrap();
    std::fs::write(dir.join("sub/b.bin"), (0..=255u8).collect::<Vec<_>>()).unwrap();
    dir
}

fn zip_in(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("zip")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(dir.join("out.zip")).unwrap()
}

#[test]
fn reads_what_info_zip_writes() {
    if !zip_tool() {
        return;
    }
    let dir = in_dir_with_files("infozip");
    for args in [
        &["-q", "-r", "out.zip", "a.txt", "sub"][..],
        &["-q", "-0", "-r", "out.zip", "a.txt", "sub"],
        &["-q", "-fz", "-r", "out.zip", "a.txt", "sub"],
    ] {
        let _ = std::fs::remove_file(dir.join("out.zip"));
        let file = zip_in(&dir, args);
        let entries = read_all(&file, &Limits::default()).unwrap();
        assert_eq!(names(&entries), ["a.txt", "sub/", "sub/b.bin"], "{args:?}");
        assert_eq!(entries[0].1, "alpha ".repeat(2000).as_bytes(), "{args:?}");
        assert_eq!(entries[2].1.len(), 256);
    }
    // Streamed to stdout: data descriptors and no seeking.
    let out = Command::new("sh")
        .current_dir(&dir)
        .arg("-c")
        .arg("zip -q - a.txt sub/b.bin > out.zip")
        .output()
        .unwrap();
    assert!(out.status.success());
    let file = std::fs::read(dir.join("out.zip")).unwrap();
    let entries = read_all(&file, &Limits::default()).unwrap();
    assert_eq!(names(&entries), ["a.txt", "sub/b.bin"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn encrypted_entries_are_refused_by_name() {
    if !zip_tool() {
        return;
    }
    let dir = in_dir_with_files("encrypted");
    let file = zip_in(&dir, &["-q", "-P", "secret", "out.zip", "a.txt"]);
    let _ = std::fs::remove_dir_all(&dir);
    let err = read_all(&file, &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        ZipError::Encrypted {
            name: "a.txt".into()
        }
    );
    assert!(
        err.to_string()
            .contains("\u{201c}a.txt\u{201d} is encrypted"),
        "{err}"
    );
}

#[test]
fn what_the_writer_makes_passes_python_and_unzip() {
    let plain = sample_archive(ZipWriter::new());
    let zip64 = sample_archive(ZipWriter::new().force_zip64());
    if let Some(py) = python() {
        for (name, file) in [("plain.zip", &plain), ("zip64.zip", &zip64)] {
            let path = temp(name);
            std::fs::write(&path, file).unwrap();
            let out = run_python(
                &py,
                &format!(
                    "import zipfile, time\n\
                 z = zipfile.ZipFile({path:?})\n\
                 print(z.testzip(), [i.filename for i in z.infolist()], z.infolist()[0].date_time)"
                ),
            );
            let _ = std::fs::remove_file(&path);
            assert_eq!(
                out.trim(),
                "None ['images/fox.png', 'images/Café 東京.webp', 'empty.txt', 'manifest.json'] \
                 (2026, 11, 26, 4, 36, 18)",
                "{name}"
            );
        }
    }
    let unzip = Command::new("unzip")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !unzip {
        eprintln!("unzip is missing: skipped the check against Info-ZIP unzip");
        return;
    }
    for (name, file) in [("plain-u.zip", &plain), ("zip64-u.zip", &zip64)] {
        let path = temp(name);
        std::fs::write(&path, file).unwrap();
        let out = Command::new("unzip").arg("-t").arg(&path).output().unwrap();
        let _ = std::fs::remove_file(&path);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {text}");
        assert!(text.contains("No errors detected"), "{name}: {text}");
    }
}

// ---------- damaged and hostile archives ----------

fn find(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

fn central_at(file: &[u8], n: usize) -> usize {
    find(file, b"PK\x01\x02")[n]
}

#[test]
fn not_a_zip() {
    let limits = Limits::default();
    for bytes in [
        &b""[..],
        b"PK",
        b"\x89PNG\r\n\x1a\n0000000000000000000000000000",
    ] {
        assert_eq!(read_all(bytes, &limits).unwrap_err(), ZipError::NotZip);
    }
    assert_eq!(
        read_all(&vec![0u8; 200_000], &limits).unwrap_err(),
        ZipError::NotZip
    );
    assert!(ZipError::NotZip
        .to_string()
        .starts_with("The file is not a ZIP archive"));
}

/// A small archive of every kind of entry, for the exhaustive damage loops.
fn small_archive(mut zip: ZipWriter) -> Vec<u8> {
    let mut out = zip
        .entry_header("a/b.png", b"0123456789".into(), T)
        .unwrap();
    out.extend(b"0123456789");
    out.extend(zip.deflated_entry("m.json", &b"{}".repeat(40), T).unwrap());
    out.extend(zip.entry_header("e", b"".into(), T).unwrap());
    out.extend(zip.finish());
    out
}

#[test]
fn every_truncation_and_every_byte_flip_is_an_error_or_harmless() {
    let file = small_archive(ZipWriter::new());
    let file64 = small_archive(ZipWriter::new().force_zip64());
    assert_eq!(read_all(&file, &Limits::default()).unwrap().len(), 3);
    assert_eq!(read_all(&file64, &Limits::default()).unwrap().len(), 3);
    for file in [&file, &file64] {
        for cut in 0..file.len() {
            assert!(
                read_all(&file[..cut], &Limits::default()).is_err(),
                "cut at {cut}"
            );
        }
        for at in 0..file.len() {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut bad = file.clone();
                bad[at] ^= flip;
                let _ = read_all(&bad, &Limits::default());
            }
        }
    }
}

#[test]
fn random_garbage_never_panics() {
    let file = small_archive(ZipWriter::new().force_zip64());
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..50_000 {
        let mut bad = file.clone();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() % bad.len() as u64) as usize;
            bad[at] = next() as u8;
        }
        if next() % 4 == 0 {
            // a plausible-looking size or offset somewhere
            let at = (next() % (bad.len() as u64 - 8)) as usize;
            bad[at..at + 4].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        }
        let _ = read_all(&bad, &Limits::default());
    }
}

#[test]
fn corrupt_data_fails_its_checksum() {
    let mut file = sample_archive(ZipWriter::new());
    let first_data = find(&file, b"images/fox.png")[0] + 14 + 9;
    file[first_data + 100] ^= 1;
    let err = read_all(&file, &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, ZipError::CrcMismatch { name, .. } if name == "images/fox.png"),
        "{err:?}"
    );
}

#[test]
fn entries_sharing_bytes_are_refused() {
    // Fifield's overlapping zip bomb: two directory entries, one local header.
    let mut file = sample_archive(ZipWriter::new());
    let second = central_at(&file, 1);
    file[second + 42..second + 46].copy_from_slice(&0u32.to_le_bytes());
    let err = read_all(&file, &Limits::default()).unwrap_err();
    assert!(matches!(err, ZipError::Overlap { .. }), "{err:?}");
    assert!(err.to_string().contains("zip bombs"), "{err}");
}

#[test]
fn claimed_expansion_beyond_deflate_is_a_bomb() {
    let mut file = sample_archive(ZipWriter::new());
    let manifest = central_at(&file, 3);
    let compressed = u32::from_le_bytes(file[manifest + 20..manifest + 24].try_into().unwrap());
    let claimed = compressed * 2000;
    file[manifest + 24..manifest + 28].copy_from_slice(&claimed.to_le_bytes());
    assert_eq!(
        read_all(&file, &Limits::default()).unwrap_err(),
        ZipError::Bomb {
            name: "manifest.json".into(),
            size: u64::from(claimed),
            compressed: u64::from(compressed)
        }
    );
}

#[test]
fn inflating_stops_at_the_declared_size() {
    // 10 MB of zeros deflates to ~10 KB; the directory says 100 bytes.
    let zeros = vec![0u8; 10_000_000];
    let mut zip = ZipWriter::new();
    let mut file = zip.deflated_entry("zeros.bin", &zeros, T).unwrap();
    file.extend(zip.finish());
    let cd = central_at(&file, 0);
    file[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
    assert_eq!(
        read_all(&file, &Limits::default()).unwrap_err(),
        ZipError::TooMuchData {
            name: "zeros.bin".into(),
            expected: 100
        }
    );
    // And the honest archive meets the per-entry and total limits.
    let mut zip = ZipWriter::new();
    let mut file = zip.deflated_entry("zeros.bin", &zeros, T).unwrap();
    file.extend(zip.finish());
    assert_eq!(
        read_all(&file, &Limits::default()).unwrap()[0].1.len(),
        10_000_000
    );
    let small = Limits {
        max_entry_size: 1 << 20,
        ..Limits::default()
    };
    assert!(matches!(
        read_all(&file, &small),
        Err(ZipError::EntryTooLarge {
            size: 10_000_000,
            ..
        })
    ));
    let small_total = Limits {
        max_total_size: 1 << 20,
        ..Limits::default()
    };
    assert!(matches!(
        read_all(&file, &small_total),
        Err(ZipError::TotalTooLarge { .. })
    ));
}

#[test]
fn inflate_with_a_limit() {
    let data = b"abcabcabcabcabcabcabc".repeat(50);
    let packed = miniz_oxide_compress(&data);
    assert_eq!(inflate(&packed, data.len()).unwrap(), data);
    assert_eq!(
        inflate(&packed, data.len() - 1),
        Err(ZipError::InflateLimit {
            limit: data.len() as u64 - 1
        })
    );
    assert!(matches!(
        inflate(b"\xff\xff\xff", 100),
        Err(ZipError::BadDeflate { .. })
    ));
    assert!(inflate(&packed[..packed.len() / 2], 10_000).is_err());
}

/// Deflate through the writer (the only compressor in the crate).
fn miniz_oxide_compress(data: &[u8]) -> Vec<u8> {
    let mut zip = ZipWriter::new();
    let entry = zip.deflated_entry("x", data, T).unwrap();
    entry[30 + 1 + 9..].to_vec()
}

#[test]
fn names_patched_into_the_directory_are_checked() {
    let mut file = sample_archive(ZipWriter::new());
    let cd = central_at(&file, 0);
    file[cd + 46..cd + 46 + 14].copy_from_slice(b"../../../x.png");
    assert!(matches!(
        read_all(&file, &Limits::default()),
        Err(ZipError::BadName {
            reason: NameError::ParentDirectory,
            ..
        })
    ));
    // A local header whose name differs from the directory's is damage.
    let mut file = sample_archive(ZipWriter::new());
    file[30..30 + 14].copy_from_slice(b"images/fox.exe");
    assert!(matches!(
        read_all(&file, &Limits::default()),
        Err(ZipError::Damaged { .. })
    ));
}

#[test]
fn encryption_flags_and_duplicates_and_splits_are_refused() {
    let mut file = sample_archive(ZipWriter::new());
    let cd = central_at(&file, 2);
    file[cd + 8] |= 1;
    assert_eq!(
        read_all(&file, &Limits::default()).unwrap_err(),
        ZipError::Encrypted {
            name: "empty.txt".into()
        }
    );

    // Names that differ only in case would overwrite each other when extracted.
    let mut zip = ZipWriter::new();
    let mut two = zip.entry_header("a.png", b"1".into(), T).unwrap();
    two.push(b'1');
    two.extend(zip.entry_header("b.png", b"2".into(), T).unwrap());
    two.push(b'2');
    two.extend(zip.finish());
    let second = central_at(&two, 1);
    two[second + 46] = b'A';
    assert_eq!(
        read_all(&two, &Limits::default()).unwrap_err(),
        ZipError::DuplicateName {
            name: "A.png".into()
        }
    );

    let mut file = sample_archive(ZipWriter::new());
    let len = file.len();
    file[len - 22 + 4] = 1; // this disk's number
    assert_eq!(
        read_all(&file, &Limits::default()).unwrap_err(),
        ZipError::Split
    );
}

#[test]
fn directory_limits_and_bounds() {
    let file = sample_archive(ZipWriter::new());
    let len = file.len() as u64;
    let tail = &file[tail_start(len) as usize..];
    let tiny = Limits {
        max_directory_size: 10,
        ..Limits::default()
    };
    assert!(matches!(
        find_end(tail, len, &tiny),
        Err(ZipError::DirectoryTooLarge { limit: 10, .. })
    ));
    let few = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    assert_eq!(
        find_end(tail, len, &few),
        Err(ZipError::TooManyEntries { count: 4, limit: 3 })
    );
    // The directory offset pointing past the end record.
    let mut bad = file.clone();
    let n = bad.len();
    bad[n - 6..n - 2].copy_from_slice(&(n as u32).to_le_bytes());
    assert!(matches!(
        read_all(&bad, &Limits::default()),
        Err(ZipError::Damaged { .. })
    ));
    // A tail claimed longer than the file.
    assert!(find_end(tail, 5, &Limits::default()).is_err());
    // The directory bytes given short.
    let dir = find_end(tail, len, &Limits::default()).unwrap();
    let cd = &file[dir.offset as usize..][..dir.size as usize];
    assert_eq!(
        parse_directory(&cd[..cd.len() - 1], &dir, &Limits::default()),
        Err(ZipError::Truncated { what: "directory" })
    );
    // The local header given short, or from the wrong place.
    let entries = parse_directory(cd, &dir, &Limits::default()).unwrap();
    assert_eq!(
        data_offset(&file[..29], &entries[0]),
        Err(ZipError::Truncated {
            what: "local header"
        })
    );
    assert!(matches!(
        data_offset(&file[1..60], &entries[0]),
        Err(ZipError::Damaged { .. })
    ));
}

#[test]
fn a_comment_that_contains_an_end_signature_does_not_confuse() {
    let mut file = sample_archive(ZipWriter::new());
    let comment = b"PK\x05\x06 tricky comment with a fake end record inside".to_vec();
    let n = file.len();
    file[n - 2..].copy_from_slice(&(comment.len() as u16).to_le_bytes());
    file.extend(&comment);
    assert_eq!(read_all(&file, &Limits::default()).unwrap().len(), 4);
}
