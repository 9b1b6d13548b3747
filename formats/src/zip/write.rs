//! The streaming ZIP writer: headers out, data appended by the caller.

use std::collections::HashSet;

use super::name::validate;
use super::time::Modified;
use super::{
    crc32, Method, ZipError, EXTENDED_TIME_EXTRA, FLAG_UTF8, SIG_CENTRAL, SIG_END, SIG_LOCAL,
    SIG_ZIP64_END, SIG_ZIP64_LOCATOR, ZIP64_EXTRA,
};

/// An entry's data as the writer needs to know it: the bytes themselves (the writer
/// computes length and CRC), or their length and CRC when the caller has them already
/// (e.g. computed piece by piece with [`super::Crc32`]).
#[derive(Clone, Copy, Debug)]
pub enum Data<'a> {
    Bytes(&'a [u8]),
    Known { len: u64, crc32: u32 },
}

impl<'a> From<&'a [u8]> for Data<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Self::Bytes(bytes)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Data<'a> {
    fn from(bytes: &'a [u8; N]) -> Self {
        Self::Bytes(bytes)
    }
}

/// Version 6.3 (UTF-8 names), made on Unix (so external attributes are Unix modes).
const MADE_BY: u16 = (3 << 8) | 63;
const NEEDS_DEFAULT: u16 = 20;
const NEEDS_ZIP64: u16 = 45;
/// A regular file, `rw-r--r--`.
const FILE_ATTRIBUTES: u32 = 0o100_644 << 16;
const U32_MARK: u32 = u32::MAX;
const U16_MARK: u16 = u16::MAX;

/// What the central directory needs to remember of an entry.
#[derive(Debug)]
struct Record {
    name: String,
    method: Method,
    crc32: u32,
    compressed: u64,
    size: u64,
    offset: u64,
    time: u16,
    date: u16,
    unix_secs: Option<u32>,
}

/// Writes a ZIP archive as a sequence of byte pieces without holding entry data.
///
/// ```
/// use formats::zip::{Modified, ZipWriter};
/// let mut zip = ZipWriter::new();
/// let image = b"\x89PNG...";
/// let mut parts: Vec<Vec<u8>> = Vec::new();
/// parts.push(zip.entry_header("fox.png", image.into(), Modified::utc(0.0))?);
/// parts.push(image.to_vec()); // the caller appends the data itself
/// parts.push(zip.deflated_entry("manifest.json", b"{}", Modified::utc(0.0))?);
/// parts.push(zip.finish());
/// # Ok::<(), formats::zip::ZipError>(())
/// ```
#[derive(Debug, Default)]
pub struct ZipWriter {
    records: Vec<Record>,
    /// Lower-cased names already used (duplicates collide on case-insensitive systems).
    used: HashSet<String>,
    offset: u64,
    force_zip64: bool,
}

impl ZipWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes ZIP64 records for every entry and at the end even where nothing needs
    /// them (their 32-bit fields then all say "see ZIP64"). For tests and for readers
    /// that want ZIP64 throughout; a normal export does not need this.
    pub fn force_zip64(mut self) -> Self {
        self.force_zip64 = true;
        self
    }

    /// How many bytes the pieces handed out so far add up to (headers plus the data
    /// the caller was to append).
    pub fn bytes_written(&self) -> u64 {
        self.offset
    }

    /// How many entries have been added.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The local header of a stored (uncompressed) entry. Append it, then exactly the
    /// entry's data (`len` bytes), before the next entry's header or [`Self::finish`].
    ///
    /// Errors: an unsafe name ([`ZipError::BadName`]) or one already used, ignoring
    /// case ([`ZipError::DuplicateName`]; see [`Self::unique_name`]).
    pub fn entry_header(
        &mut self,
        name: &str,
        data: Data<'_>,
        modified: Modified,
    ) -> Result<Vec<u8>, ZipError> {
        let (len, crc) = match data {
            Data::Bytes(bytes) => (bytes.len() as u64, crc32(bytes)),
            Data::Known { len, crc32 } => (len, crc32),
        };
        self.add(name, Method::Stored, crc, len, len, modified)
    }

    /// A whole deflated entry (local header followed by the compressed bytes), for
    /// small text such as `manifest.json`: the input is compressed in memory.
    pub fn deflated_entry(
        &mut self,
        name: &str,
        bytes: &[u8],
        modified: Modified,
    ) -> Result<Vec<u8>, ZipError> {
        let compressed = miniz_oxide::deflate::compress_to_vec(bytes, 6);
        let mut out = self.add(
            name,
            Method::Deflated,
            crc32(bytes),
            compressed.len() as u64,
            bytes.len() as u64,
            modified,
        )?;
        out.extend_from_slice(&compressed);
        Ok(out)
    }

    /// `wanted` if it is still free, else `stem-2.ext`, `stem-3.ext`… (compared ignoring
    /// case, as [`Self::entry_header`] does).
    pub fn unique_name(&self, wanted: &str) -> String {
        if !self.used.contains(&wanted.to_lowercase()) {
            return wanted.to_owned();
        }
        let file_start = wanted.rfind('/').map_or(0, |i| i + 1);
        let (stem, ext) = match wanted.rfind('.') {
            Some(dot) if dot > file_start => wanted.split_at(dot),
            _ => (wanted, ""),
        };
        (2u64..)
            .map(|n| format!("{stem}-{n}{ext}"))
            .find(|candidate| !self.used.contains(&candidate.to_lowercase()))
            .unwrap_or_else(|| wanted.to_owned())
    }

    fn add(
        &mut self,
        name: &str,
        method: Method,
        crc32: u32,
        compressed: u64,
        size: u64,
        modified: Modified,
    ) -> Result<Vec<u8>, ZipError> {
        validate(name, false).map_err(|reason| ZipError::BadName {
            name: name.to_owned(),
            reason,
        })?;
        let key = name.to_lowercase();
        if self.used.contains(&key) {
            return Err(ZipError::DuplicateName {
                name: name.to_owned(),
            });
        }
        let (time, date) = modified.dos();
        let record = Record {
            name: name.to_owned(),
            method,
            crc32,
            compressed,
            size,
            offset: self.offset,
            time,
            date,
            unix_secs: modified.extended_secs(),
        };
        let zip64 =
            self.force_zip64 || compressed >= u64::from(U32_MARK) || size >= u64::from(U32_MARK);
        let mut extra = Vec::new();
        if zip64 {
            // The local ZIP64 field always holds both sizes (APPNOTE 4.5.3).
            push_u16(&mut extra, ZIP64_EXTRA);
            push_u16(&mut extra, 16);
            push_u64(&mut extra, size);
            push_u64(&mut extra, compressed);
        }
        push_extended_time(&mut extra, record.unix_secs);

        let mut out = Vec::with_capacity(30 + name.len() + extra.len());
        push_u32(&mut out, SIG_LOCAL);
        push_u16(&mut out, if zip64 { NEEDS_ZIP64 } else { NEEDS_DEFAULT });
        push_u16(&mut out, FLAG_UTF8);
        push_u16(&mut out, method.code());
        push_u16(&mut out, time);
        push_u16(&mut out, date);
        push_u32(&mut out, crc32);
        push_u32(&mut out, if zip64 { U32_MARK } else { compressed as u32 });
        push_u32(&mut out, if zip64 { U32_MARK } else { size as u32 });
        push_u16(&mut out, name.len() as u16); // validate() bounds it to u16
        push_u16(&mut out, extra.len() as u16);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&extra);

        self.offset = self
            .offset
            .saturating_add(out.len() as u64)
            .saturating_add(compressed);
        self.used.insert(key);
        self.records.push(record);
        Ok(out)
    }

    /// The central directory and end records: the last piece of the archive.
    pub fn finish(self) -> Vec<u8> {
        let force = self.force_zip64;
        let cd_offset = self.offset;
        let mut out = Vec::new();
        for r in &self.records {
            let big_size = force || r.size >= u64::from(U32_MARK);
            let big_compressed = force || r.compressed >= u64::from(U32_MARK);
            let big_offset = force || r.offset >= u64::from(U32_MARK);
            let mut zip64 = Vec::new();
            for (big, value) in [
                (big_size, r.size),
                (big_compressed, r.compressed),
                (big_offset, r.offset),
            ] {
                if big {
                    push_u64(&mut zip64, value);
                }
            }
            let mut extra = Vec::new();
            if !zip64.is_empty() {
                push_u16(&mut extra, ZIP64_EXTRA);
                push_u16(&mut extra, zip64.len() as u16);
                extra.extend_from_slice(&zip64);
            }
            push_extended_time(&mut extra, r.unix_secs);
            let small = |big: bool, v: u64| if big { U32_MARK } else { v as u32 };

            push_u32(&mut out, SIG_CENTRAL);
            push_u16(&mut out, MADE_BY);
            push_u16(
                &mut out,
                if zip64.is_empty() {
                    NEEDS_DEFAULT
                } else {
                    NEEDS_ZIP64
                },
            );
            push_u16(&mut out, FLAG_UTF8);
            push_u16(&mut out, r.method.code());
            push_u16(&mut out, r.time);
            push_u16(&mut out, r.date);
            push_u32(&mut out, r.crc32);
            push_u32(&mut out, small(big_compressed, r.compressed));
            push_u32(&mut out, small(big_size, r.size));
            push_u16(&mut out, r.name.len() as u16);
            push_u16(&mut out, extra.len() as u16);
            push_u16(&mut out, 0); // comment length
            push_u16(&mut out, 0); // disk number
            push_u16(&mut out, 0); // internal attributes
            push_u32(&mut out, FILE_ATTRIBUTES);
            push_u32(&mut out, small(big_offset, r.offset));
            out.extend_from_slice(r.name.as_bytes());
            out.extend_from_slice(&extra);
        }
        let cd_size = out.len() as u64;
        let count = self.records.len() as u64;
        let zip64_end = force
            || count >= u64::from(U16_MARK)
            || cd_size >= u64::from(U32_MARK)
            || cd_offset >= u64::from(U32_MARK);
        if zip64_end {
            let record_offset = cd_offset.saturating_add(cd_size);
            push_u32(&mut out, SIG_ZIP64_END);
            push_u64(&mut out, 44); // size of the rest of this record
            push_u16(&mut out, MADE_BY);
            push_u16(&mut out, NEEDS_ZIP64);
            push_u32(&mut out, 0); // this disk
            push_u32(&mut out, 0); // disk with the directory
            push_u64(&mut out, count);
            push_u64(&mut out, count);
            push_u64(&mut out, cd_size);
            push_u64(&mut out, cd_offset);
            push_u32(&mut out, SIG_ZIP64_LOCATOR);
            push_u32(&mut out, 0); // disk with the ZIP64 end record
            push_u64(&mut out, record_offset);
            push_u32(&mut out, 1); // total disks
        }
        let count16 = if force || count >= u64::from(U16_MARK) {
            U16_MARK
        } else {
            count as u16
        };
        let small = |v: u64| {
            if force || v >= u64::from(U32_MARK) {
                U32_MARK
            } else {
                v as u32
            }
        };
        push_u32(&mut out, SIG_END);
        push_u16(&mut out, 0); // this disk
        push_u16(&mut out, 0); // disk with the directory
        push_u16(&mut out, count16);
        push_u16(&mut out, count16);
        push_u32(&mut out, small(cd_size));
        push_u32(&mut out, small(cd_offset));
        push_u16(&mut out, 0); // comment length
        out
    }
}

/// The Info-ZIP extended timestamp (modification time only, UTC), when it fits.
fn push_extended_time(extra: &mut Vec<u8>, unix_secs: Option<u32>) {
    if let Some(secs) = unix_secs {
        push_u16(extra, EXTENDED_TIME_EXTRA);
        push_u16(extra, 5);
        extra.push(1); // flags: modification time present
        push_u32(extra, secs);
    }
}

fn push_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zip::NameError;

    const T: Modified = Modified::utc(1_795_667_778_000.0);

    #[test]
    fn an_empty_archive_is_just_the_end_record() {
        let end = ZipWriter::new().finish();
        assert_eq!(end.len(), 22);
        assert!(end.starts_with(b"PK\x05\x06"));
        assert!(end[4..].iter().all(|&b| b == 0));
    }

    #[test]
    fn local_header_layout() {
        let mut zip = ZipWriter::new();
        let h = zip.entry_header("a.png", b"abc".into(), T).unwrap();
        assert_eq!(&h[..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([h[6], h[7]]), FLAG_UTF8);
        assert_eq!(u16::from_le_bytes([h[8], h[9]]), 0, "stored");
        assert_eq!(
            u32::from_le_bytes([h[14], h[15], h[16], h[17]]),
            crc32(b"abc")
        );
        assert_eq!(u32::from_le_bytes([h[18], h[19], h[20], h[21]]), 3);
        assert_eq!(u32::from_le_bytes([h[22], h[23], h[24], h[25]]), 3);
        assert_eq!(&h[30..35], b"a.png");
        assert_eq!(h.len(), 30 + 5 + 9, "name and extended timestamp");
        assert_eq!(zip.bytes_written(), h.len() as u64 + 3);
    }

    #[test]
    fn names_are_checked_and_made_unique() {
        let mut zip = ZipWriter::new();
        zip.entry_header("a.png", b"".into(), T).unwrap();
        assert_eq!(
            zip.entry_header("../a.png", b"".into(), T),
            Err(ZipError::BadName {
                name: "../a.png".into(),
                reason: NameError::ParentDirectory
            })
        );
        assert_eq!(
            zip.entry_header("A.PNG", b"".into(), T),
            Err(ZipError::DuplicateName {
                name: "A.PNG".into()
            })
        );
        assert_eq!(zip.unique_name("A.png"), "A-2.png");
        zip.entry_header("a-2.png", b"".into(), T).unwrap();
        assert_eq!(zip.unique_name("a.png"), "a-3.png");
        assert_eq!(zip.unique_name("b.png"), "b.png");
        zip.entry_header("dir.v2/x", b"".into(), T).unwrap();
        assert_eq!(zip.unique_name("dir.v2/x"), "dir.v2/x-2");
        assert_eq!(zip.len(), 3, "refused entries are not counted");
    }

    #[test]
    fn sizes_of_4_gib_switch_the_entry_to_zip64() {
        let mut zip = ZipWriter::new();
        let h = zip
            .entry_header(
                "big.bin",
                Data::Known {
                    len: 1 << 32,
                    crc32: 7,
                },
                T,
            )
            .unwrap();
        assert_eq!(u16::from_le_bytes([h[4], h[5]]), NEEDS_ZIP64);
        assert_eq!(&h[18..26], &[0xFF; 8]);
        assert_eq!(&h[37..41], &[1, 0, 16, 0]); // after the name: the ZIP64 tag, 16 bytes
        let small = ZipWriter::new()
            .entry_header(
                "x",
                Data::Known {
                    len: u64::from(u32::MAX) - 1,
                    crc32: 0,
                },
                T,
            )
            .unwrap();
        assert_eq!(u16::from_le_bytes([small[4], small[5]]), NEEDS_DEFAULT);
        let end = zip.finish();
        assert!(
            end.windows(4).any(|w| w == b"PK\x06\x06"),
            "directory offset past 4 GiB needs the ZIP64 end record"
        );
    }
}
