//! Image width and height from the first bytes of a file, without decoding it.
//!
//! PNG (the IHDR chunk), JPEG (the first SOF0–SOF15 frame header, other than DHT, JPG
//! and DAC, found by walking the segments), WebP (`VP8 `, `VP8L` and `VP8X`), GIF (the
//! logical screen) and BMP (core and info headers; top-down bitmaps too). Nothing is
//! read beyond the slice given: [`probe`] says when more leading bytes are needed and
//! how many, so a caller reading a `File` by slices can read a little, then exactly
//! what is missing. JPEG dimensions are the stored ones: an EXIF orientation of 5–8
//! swaps what is displayed.
//!
//! Why hand-written: each header is a few fixed offsets (plus the JPEG segment walk);
//! an image crate would add hundreds of KiB to the wasm for this.

/// What the first bytes of a file say about its dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// Width and height in pixels (both at least 1).
    Found { width: u32, height: u32 },
    /// A known format, but the header continues past the bytes given: try again with
    /// at least this many leading bytes.
    NeedMore(usize),
    /// Not a PNG, JPEG, WebP, GIF or BMP, or a damaged header.
    Unknown,
}

/// Enough leading bytes for every format's header except JPEG's.
pub const SMALL_HEADER_LEN: usize = 32;
/// Leading bytes to read first for a JPEG: room for an EXIF segment (at most 64 KiB)
/// before the frame header. [`probe`] asks for more when ICC profiles or XMP come first.
pub const JPEG_FIRST_READ: usize = 64 * 1024 + 32;

/// How many leading bytes to read to try [`dimensions`]: from the first few bytes
/// (2 are enough), [`JPEG_FIRST_READ`] for JPEG,
/// [`SMALL_HEADER_LEN`] for anything else.
pub fn first_read_len(start: &[u8]) -> usize {
    if start.starts_with(&[0xFF, 0xD8]) {
        JPEG_FIRST_READ
    } else {
        SMALL_HEADER_LEN
    }
}

/// Width and height from the header alone; `None` when the bytes are not (enough of)
/// a known image header.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    match probe(bytes) {
        Probe::Found { width, height } => Some((width, height)),
        Probe::NeedMore(_) | Probe::Unknown => None,
    }
}

/// Reads the header at the start of `bytes`. Never reads past the slice.
pub fn probe(bytes: &[u8]) -> Probe {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    let is_prefix = |sig: &[u8]| {
        let n = bytes.len().min(sig.len());
        bytes.get(..n) == sig.get(..n)
    };
    if bytes.is_empty() {
        Probe::Unknown
    } else if is_prefix(PNG) {
        png(bytes)
    } else if is_prefix(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if is_prefix(b"GIF87a") || is_prefix(b"GIF89a") {
        gif(bytes)
    } else if is_prefix(b"BM") {
        bmp(bytes)
    } else if is_prefix(b"RIFF") && bytes.get(8..12).is_none_or(is_webp) {
        webp(bytes)
    } else {
        Probe::Unknown
    }
}

fn is_webp(tag: &[u8]) -> bool {
    b"WEBP".starts_with(tag)
}

fn found(width: u32, height: u32) -> Probe {
    if width == 0 || height == 0 {
        Probe::Unknown
    } else {
        Probe::Found { width, height }
    }
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u32::from(u16::from_be_bytes([*s.first()?, *s.get(1)?])))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u32::from(u16::from_le_bytes([*s.first()?, *s.get(1)?])))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(3)?)?;
    Some(u32::from_le_bytes([*s.first()?, *s.get(1)?, *s.get(2)?, 0]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Signature, then the IHDR chunk: length 13, "IHDR", width, height (big-endian).
fn png(b: &[u8]) -> Probe {
    const NEED: usize = 24;
    if b.len() < NEED {
        return Probe::NeedMore(NEED);
    }
    if be32(b, 8) != Some(13) || b.get(12..16) != Some(b"IHDR") {
        return Probe::Unknown;
    }
    match (be32(b, 16), be32(b, 20)) {
        // PNG limits both to 2^31 - 1.
        (Some(w), Some(h)) if w <= i32::MAX as u32 && h <= i32::MAX as u32 => found(w, h),
        _ => Probe::Unknown,
    }
}

/// "GIF87a"/"GIF89a", then the logical screen width and height (little-endian).
fn gif(b: &[u8]) -> Probe {
    match (le16(b, 6), le16(b, 8)) {
        (Some(w), Some(h)) => found(w, h),
        _ => Probe::NeedMore(10),
    }
}

/// "BM", a 14-byte file header, then the DIB header: its size says its kind.
fn bmp(b: &[u8]) -> Probe {
    let Some(dib) = le32(b, 14) else {
        return Probe::NeedMore(18);
    };
    match dib {
        // BITMAPCOREHEADER: unsigned 16-bit sizes.
        12 => match (le16(b, 18), le16(b, 20)) {
            (Some(w), Some(h)) => found(w, h),
            _ => Probe::NeedMore(22),
        },
        // OS/2 2.x and BITMAPINFOHEADER and its successors: signed 32-bit sizes, a
        // negative height for top-down rows.
        16 | 40 | 52 | 56 | 64 | 108 | 124 => match (le32(b, 18), le32(b, 22)) {
            (Some(w), Some(h)) => {
                let (w, h) = (w as i32, h as i32);
                if w <= 0 {
                    Probe::Unknown
                } else {
                    found(w.unsigned_abs(), h.unsigned_abs())
                }
            }
            _ => Probe::NeedMore(26),
        },
        _ => Probe::Unknown,
    }
}

/// "RIFF", size, "WEBP", then the first chunk: `VP8 ` (lossy), `VP8L` (lossless) or
/// `VP8X` (extended: the canvas size).
fn webp(b: &[u8]) -> Probe {
    let Some(chunk) = b.get(12..16) else {
        return Probe::NeedMore(16);
    };
    match chunk {
        b"VP8 " => {
            // Frame tag (3 bytes, bit 0 clear on a key frame), start code 9d 01 2a,
            // then 14-bit width and height (2 scale bits above each).
            let (Some(tag), Some(code), Some(w), Some(h)) =
                (b.get(20), b.get(23..26), le16(b, 26), le16(b, 28))
            else {
                return Probe::NeedMore(30);
            };
            if tag & 1 != 0 || code != [0x9D, 0x01, 0x2A] {
                return Probe::Unknown;
            }
            found(w & 0x3FFF, h & 0x3FFF)
        }
        b"VP8L" => {
            // Signature 0x2f, then 14 bits of width - 1 and 14 bits of height - 1.
            let (Some(&sig), Some(bits)) = (b.get(20), le32(b, 21)) else {
                return Probe::NeedMore(25);
            };
            if sig != 0x2F {
                return Probe::Unknown;
            }
            found((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        b"VP8X" => {
            // Flags and reserved (4 bytes), then 24 bits each of width - 1, height - 1.
            let (Some(w), Some(h)) = (le24(b, 24), le24(b, 27)) else {
                return Probe::NeedMore(30);
            };
            found(w + 1, h + 1)
        }
        _ => Probe::Unknown,
    }
}

/// Walks the segments after SOI to the first frame header.
fn jpeg(b: &[u8]) -> Probe {
    let mut at = 2usize;
    loop {
        let Some(&first) = b.get(at) else {
            return Probe::NeedMore(at.saturating_add(2));
        };
        if first != 0xFF {
            return Probe::Unknown;
        }
        // Fill bytes: any number of 0xFF before the marker.
        let marker = loop {
            match b.get(at + 1) {
                Some(0xFF) => at += 1,
                Some(&m) => break m,
                None => return Probe::NeedMore(at.saturating_add(2)),
            }
        };
        match marker {
            // Markers without a length: TEM, RST0–7, a repeated SOI.
            0x01 | 0xD0..=0xD8 => {
                at += 2;
                continue;
            }
            // End of image, or a scan before any frame header.
            0xD9 | 0xDA | 0x00 => return Probe::Unknown,
            _ => {}
        }
        let Some(len) = be16(b, at + 2) else {
            return Probe::NeedMore(at.saturating_add(4));
        };
        if len < 2 {
            return Probe::Unknown;
        }
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            if len < 8 {
                return Probe::Unknown;
            }
            // Length, precision, height, width.
            return match (be16(b, at + 5), be16(b, at + 7)) {
                // A height of 0 is defined later by a DNL marker: not from the header.
                (Some(h), Some(w)) => found(w, h),
                _ => Probe::NeedMore(at.saturating_add(9)),
            };
        }
        at = at.saturating_add(2).saturating_add(len as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_of_signatures_ask_for_more() {
        assert_eq!(probe(b""), Probe::Unknown);
        assert_eq!(probe(b"\x89P"), Probe::NeedMore(24));
        assert_eq!(probe(&[0xFF]), Probe::NeedMore(4));
        assert_eq!(probe(b"GIF8"), Probe::NeedMore(10));
        assert_eq!(probe(b"RIFF\0\0\0\0WE"), Probe::NeedMore(16));
        assert_eq!(probe(b"RIFF\0\0\0\0AVI LIST"), Probe::Unknown);
        assert_eq!(probe(b"B"), Probe::NeedMore(18));
        assert_eq!(probe(b"hello"), Probe::Unknown);
    }

    #[test]
    fn first_read_lengths() {
        assert_eq!(first_read_len(&[0xFF, 0xD8, 0xFF]), JPEG_FIRST_READ);
        assert_eq!(first_read_len(b"\x89PNG"), SMALL_HEADER_LEN);
        assert_eq!(first_read_len(b""), SMALL_HEADER_LEN);
    }
}
