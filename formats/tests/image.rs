//! Image dimensions from real files: PNG and JPEG encoded in the test, WebP, GIF and
//! BMP files made by Pillow (libwebp, its GIF and BMP writers) kept as fixtures, and
//! headers built byte by byte for the rarer variants; every prefix of each, and
//! damaged or hostile headers.

use formats::image::{dimensions, first_read_len, probe, Probe, JPEG_FIRST_READ};

fn png_file(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..width * height * 3).map(|i| i as u8).collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

fn jpeg_file(width: u16, height: u16, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
    encoder.set_progressive(progressive);
    let data: Vec<u8> = (0..usize::from(width) * usize::from(height) * 3)
        .map(|i| (i * 31) as u8)
        .collect();
    encoder
        .encode(&data, width, height, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A JPEG with `n` bytes of APP1 ("Exif") and a 3-part APP2 ICC profile before its
/// frame header, as cameras and phones write them.
fn jpeg_with_metadata(n: usize) -> Vec<u8> {
    let plain = jpeg_file(37, 19, false);
    let mut out = plain[..2].to_vec();
    let mut segment = |marker: u8, body: &[u8]| {
        out.extend([0xFF, marker]);
        out.extend(((body.len() + 2) as u16).to_be_bytes());
        out.extend(body);
    };
    let mut exif = b"Exif\0\0".to_vec();
    exif.resize(n, 0xAB);
    segment(0xE1, &exif);
    for part in 0..3 {
        let mut icc = b"ICC_PROFILE\0".to_vec();
        icc.extend([part + 1, 3]);
        icc.resize(60_000, 0xFF); // 0xFF bytes inside a segment are data, not fill
        segment(0xE2, &icc);
    }
    out.extend(&plain[2..]);
    out
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every prefix of `file` either asks for more (strictly more than it has) or gives
/// the right answer; the whole file gives it.
fn check_every_prefix(file: &[u8], expected: (u32, u32), what: &str) {
    assert_eq!(dimensions(file), Some(expected), "{what}");
    let mut needed_for_answer = None;
    for len in 0..=file.len() {
        match probe(&file[..len]) {
            Probe::Found { width, height } => {
                assert_eq!((width, height), expected, "{what} at {len}");
                needed_for_answer.get_or_insert(len);
            }
            Probe::NeedMore(n) => {
                assert!(n > len, "{what} at {len}: asked for {n}");
                assert!(
                    needed_for_answer.is_none(),
                    "{what}: more asked at {len} after an answer"
                );
            }
            Probe::Unknown => assert_eq!(len, 0, "{what} at {len}"),
        }
    }
    // Following NeedMore from the first bytes reaches the answer.
    let mut len = first_read_len(file).min(file.len());
    for _ in 0..100 {
        match probe(&file[..len]) {
            Probe::Found { width, height } => {
                assert_eq!((width, height), expected, "{what}");
                return;
            }
            Probe::NeedMore(n) => len = n.min(file.len()),
            Probe::Unknown => panic!("{what}: unknown at {len}"),
        }
    }
    panic!("{what}: no answer after 100 reads");
}

#[test]
fn png_from_the_png_crate() {
    for (w, h) in [(1, 1), (37, 19), (19, 37), (300, 2)] {
        check_every_prefix(&png_file(w, h), (w, h), "png");
    }
}

#[test]
fn jpeg_baseline_and_progressive() {
    check_every_prefix(&jpeg_file(37, 19, false), (37, 19), "baseline");
    check_every_prefix(&jpeg_file(19, 37, true), (19, 37), "progressive");
    check_every_prefix(
        &fixture("progressive-37x19.jpg"),
        (37, 19),
        "pillow progressive",
    );
}

#[test]
fn jpeg_behind_big_metadata() {
    let file = jpeg_with_metadata(65_000);
    assert!(file.len() > 240_000);
    assert_eq!(dimensions(&file), Some((37, 19)));
    // The first read covers the EXIF segment; the ICC parts need three more reads.
    let first = probe(&file[..JPEG_FIRST_READ]);
    let Probe::NeedMore(next) = first else {
        panic!("{first:?}")
    };
    assert!(
        next > JPEG_FIRST_READ && next < JPEG_FIRST_READ + 60_010,
        "{next}"
    );
    check_every_prefix(&file, (37, 19), "jpeg with metadata");
}

#[test]
fn webp_lossy_lossless_and_extended() {
    check_every_prefix(&fixture("lossy-37x19.webp"), (37, 19), "VP8");
    check_every_prefix(&fixture("lossless-37x19.webp"), (37, 19), "VP8L");
    check_every_prefix(&fixture("alpha-37x19.webp"), (37, 19), "VP8X");
    check_every_prefix(&fixture("big-300x7000.webp"), (300, 7000), "VP8 tall");
}

#[test]
fn webp_limits_from_built_headers() {
    // VP8L at its 16384 × 16384 maximum; VP8X with a 24-bit canvas.
    let mut vp8l = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
    vp8l.extend((0x3FFF_u32 | (0x3FFF << 14)).to_le_bytes());
    assert_eq!(dimensions(&vp8l), Some((16_384, 16_384)));
    let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\x10\0\0\0".to_vec();
    vp8x.extend([0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00]);
    assert_eq!(dimensions(&vp8x), Some((1 << 24, 1)));
    // The scale bits above VP8's 14-bit sizes are not part of the size.
    let mut vp8 = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\x50\x05\x00\x9d\x01\x2a".to_vec();
    vp8.extend([0x25, 0xC0, 0x13, 0x40]);
    assert_eq!(dimensions(&vp8), Some((37, 19)));
    // Not a key frame, a wrong start code, a wrong VP8L signature.
    let mut inter = vp8.clone();
    inter[20] |= 1;
    assert_eq!(probe(&inter), Probe::Unknown);
    let mut bad_code = vp8.clone();
    bad_code[23] = 0;
    assert_eq!(probe(&bad_code), Probe::Unknown);
    let mut bad_sig = vp8l.clone();
    bad_sig[20] = 0x2e;
    assert_eq!(probe(&bad_sig), Probe::Unknown);
    let mut other = vp8x.clone();
    other[12..16].copy_from_slice(b"ALPH");
    assert_eq!(probe(&other), Probe::Unknown);
}

#[test]
fn gif_and_bmp() {
    check_every_prefix(&fixture("gif87a-37x19.gif"), (37, 19), "gif87a");
    check_every_prefix(b"GIF89a\x01\x01\x02\x02\x00\x00\x00;", (257, 514), "gif89a");
    check_every_prefix(&fixture("v3-37x19.bmp"), (37, 19), "bmp info header");
    // A BITMAPCOREHEADER, and a top-down (negative height) BITMAPV5HEADER.
    let mut core = b"BM\0\0\0\0\0\0\0\0\x1a\0\0\0".to_vec();
    core.extend(12u32.to_le_bytes());
    core.extend(37u16.to_le_bytes());
    core.extend(19u16.to_le_bytes());
    core.extend([1, 0, 24, 0]);
    check_every_prefix(&core, (37, 19), "bmp core header");
    let mut v5 = b"BM\0\0\0\0\0\0\0\0\x8a\0\0\0".to_vec();
    v5.extend(124u32.to_le_bytes());
    v5.extend(37i32.to_le_bytes());
    v5.extend((-19i32).to_le_bytes());
    check_every_prefix(&v5, (37, 19), "bmp top-down");
    let mut negative_width = v5.clone();
    negative_width[18..22].copy_from_slice(&(-37i32).to_le_bytes());
    assert_eq!(probe(&negative_width), Probe::Unknown);
    let mut min_height = v5.clone();
    min_height[22..26].copy_from_slice(&i32::MIN.to_le_bytes());
    assert_eq!(dimensions(&min_height), Some((37, 1 << 31)));
    let mut odd_dib = v5;
    odd_dib[14] = 77;
    assert_eq!(probe(&odd_dib), Probe::Unknown);
}

#[test]
fn zero_sizes_and_damaged_headers_are_unknown() {
    let mut png = png_file(3, 2);
    png[16..20].copy_from_slice(&0u32.to_be_bytes());
    assert_eq!(probe(&png), Probe::Unknown);
    let mut png = png_file(3, 2);
    png[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(probe(&png), Probe::Unknown, "PNG sizes stop at 2^31 - 1");
    let mut png = png_file(3, 2);
    png[12..16].copy_from_slice(b"IDAT");
    assert_eq!(probe(&png), Probe::Unknown);
    assert_eq!(probe(b"GIF89a\0\0\x05\0"), Probe::Unknown);

    // JPEG: a scan before any frame header, an end of image, a bad length, no 0xFF
    // where a marker belongs, a zero height (DNL), a frame header too short.
    for bad in [
        &b"\xff\xd8\xff\xda\x00\x08"[..],
        b"\xff\xd8\xff\xd9",
        b"\xff\xd8\xff\xe0\x00\x01",
        b"\xff\xd8\x00\xe0\x00\x10",
        b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x00\x25",
        b"\xff\xd8\xff\xc0\x00\x07\x08\x00\x13\x00\x25",
    ] {
        assert_eq!(probe(bad), Probe::Unknown, "{bad:x?}");
    }
    // DHT (C4), JPG (C8) and DAC (CC) are not frame headers; SOF3 (lossless) is.
    let dht_then_sof3 = b"\xff\xd8\xff\xc4\x00\x04\xaa\xbb\xff\xcc\x00\x02\xff\xff\xc3\x00\x0b\x08\x00\x13\x00\x25\x01";
    assert_eq!(dimensions(dht_then_sof3), Some((37, 19)));
    // RST markers and fill bytes between segments.
    let fill = b"\xff\xd8\xff\xd0\xff\xff\xff\xc1\x00\x0b\x08\x00\x13\x00\x25\x01";
    assert_eq!(dimensions(fill), Some((37, 19)));
}

#[test]
fn garbage_never_panics_and_never_reads_past_the_slice() {
    let files = [
        png_file(5, 4),
        jpeg_file(5, 4, false),
        jpeg_with_metadata(100),
        fixture("lossy-37x19.webp"),
        fixture("lossless-37x19.webp"),
        fixture("alpha-37x19.webp"),
        fixture("gif87a-37x19.gif"),
        fixture("v3-37x19.bmp"),
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for file in &files {
        let head = &file[..file.len().min(400)];
        for at in 0..head.len() {
            for value in [0x00, 0xFF, 0x7F, (next() & 0xFF) as u8] {
                let mut bad = head.to_vec();
                bad[at] = value;
                for len in [at + 1, bad.len()] {
                    if let Probe::NeedMore(n) = probe(&bad[..len]) {
                        assert!(n > len);
                    }
                }
            }
        }
    }
    for _ in 0..20_000 {
        let len = (next() % 64) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if let Some(first) = bytes.first_mut() {
            *first = [0x89, 0xFF, b'G', b'B', b'R'][(next() % 5) as usize];
        }
        let _ = probe(&bytes);
    }
    // Long runs of fill bytes and of empty segments.
    let mut fill = vec![0xFF, 0xD8];
    fill.extend(vec![0xFF; 1_000_000]);
    assert_eq!(probe(&fill), Probe::NeedMore(1_000_003));
    let mut empty_segments = vec![0xFF, 0xD8];
    for _ in 0..100_000 {
        empty_segments.extend([0xFF, 0xFE, 0x00, 0x02]);
    }
    assert_eq!(probe(&empty_segments), Probe::NeedMore(400_004));
}
