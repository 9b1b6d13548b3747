//! Reading a ZIP archive entry by entry from byte ranges of a file.

use std::borrow::Cow;
use std::collections::HashSet;

use super::error::Shown;
use super::name::validate;
use super::time::dos_to_unix_ms;
use super::{
    crc32, Method, ZipError, CENTRAL_HEADER_LEN, EXTENDED_TIME_EXTRA, FLAG_ENCRYPTED,
    FLAG_MASKED_DIRECTORY, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, SIG_CENTRAL, SIG_END, SIG_LOCAL,
    SIG_ZIP64_END, SIG_ZIP64_LOCATOR, ZIP64_EXTRA,
};

/// The end-of-central-directory record without its comment.
pub const END_RECORD_LEN: usize = 22;
/// The ZIP64 end-of-central-directory locator.
pub const ZIP64_LOCATOR_LEN: usize = 20;
/// The ZIP64 end-of-central-directory record without extensible data.
pub const ZIP64_END_RECORD_LEN: usize = 56;
/// How many bytes at the end of the file [`find_end`] needs at most: the end record
/// with the longest comment (65 535 bytes), the ZIP64 locator and the ZIP64 end record.
/// Read `min(TAIL_LEN, file_len)` bytes from [`tail_start`].
pub const TAIL_LEN: usize = 65_535 + END_RECORD_LEN + ZIP64_LOCATOR_LEN + ZIP64_END_RECORD_LEN;
/// The fixed part of a local file header; the name and extra field follow it.
pub const LOCAL_HEADER_LEN: usize = 30;
/// Deflate cannot expand data more than about 1032 times (258 bytes per 2-bit match
/// code at best); an entry that claims more is refused as a zip bomb or damage.
pub const MAX_DEFLATE_RATIO: u64 = 1032;

/// Where the tail to give [`find_end`] starts in a file of `file_len` bytes.
pub fn tail_start(file_len: u64) -> u64 {
    file_len.saturating_sub(TAIL_LEN as u64)
}

/// What the reader accepts. The defaults suit importing a studio export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// At most this many entries (folders included).
    pub max_entries: u64,
    /// At most this many bytes in the central directory (it is read into memory).
    pub max_directory_size: u64,
    /// No entry may unpack to more than this.
    pub max_entry_size: u64,
    /// All entries together may unpack to at most this.
    pub max_total_size: u64,
}

impl Default for Limits {
    /// 10 000 entries, a 16 MiB directory, 256 MiB per entry, 64 GiB in all.
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_directory_size: 16 << 20,
            max_entry_size: 256 << 20,
            max_total_size: 64 << 30,
        }
    }
}

/// Where the central directory is: read `size` bytes at `offset` and give them to
/// [`parse_directory`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Directory {
    pub offset: u64,
    pub size: u64,
    pub entries: u64,
    /// The archive has ZIP64 end records.
    pub zip64: bool,
}

/// One entry of the central directory, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name, a safe relative path (`/` separated); folders end with `/`.
    pub name: String,
    pub method: Method,
    pub compressed_size: u64,
    /// The size unpacked.
    pub size: u64,
    pub crc32: u32,
    /// Where the entry's local header starts in the file.
    pub header_offset: u64,
    /// Where the next entry (or the central directory) starts: this entry's data must
    /// end by then.
    pub span_end: u64,
    /// A folder entry (name ending with `/`, no data).
    pub is_dir: bool,
    /// Last modification, Unix ms: from the extended timestamp when present (UTC), else
    /// the DOS time read as UTC (it is the maker's local time, zone unknown).
    pub modified_unix_ms: i64,
    /// The name as stored, to compare with the local header's.
    raw_name: Vec<u8>,
}

impl Entry {
    /// How many bytes to read at [`Self::header_offset`] for [`data_offset`] to check
    /// the local header and its copy of the name.
    pub fn local_header_len(&self) -> usize {
        LOCAL_HEADER_LEN + self.raw_name.len()
    }

    /// Checks data read from the file (`compressed_size` bytes at the entry's
    /// [`data_offset`]) and returns the entry's content: the same bytes when stored,
    /// inflated (never beyond [`Self::size`]) when deflated. Length and CRC are checked.
    pub fn decode<'a>(&self, raw: &'a [u8]) -> Result<Cow<'a, [u8]>, ZipError> {
        if raw.len() as u64 != self.compressed_size {
            return Err(ZipError::SizeMismatch {
                name: self.name.clone(),
                expected: self.compressed_size,
                actual: raw.len() as u64,
            });
        }
        let data = match self.method {
            Method::Stored => Cow::Borrowed(raw),
            Method::Deflated => {
                let limit = usize::try_from(self.size).map_err(|_| ZipError::EntryTooLarge {
                    name: self.name.clone(),
                    size: self.size,
                    limit: usize::MAX as u64,
                })?;
                let out = inflate(raw, limit).map_err(|e| match e {
                    ZipError::InflateLimit { .. } => ZipError::TooMuchData {
                        name: self.name.clone(),
                        expected: self.size,
                    },
                    _ => ZipError::BadDeflate {
                        name: self.name.clone(),
                    },
                })?;
                Cow::Owned(out)
            }
        };
        if data.len() as u64 != self.size {
            return Err(ZipError::SizeMismatch {
                name: self.name.clone(),
                expected: self.size,
                actual: data.len() as u64,
            });
        }
        self.check_crc(&data)?;
        Ok(data)
    }

    /// Compares the CRC of the entry's whole content with the directory's.
    pub fn check_crc(&self, content: &[u8]) -> Result<(), ZipError> {
        self.check_crc_value(crc32(content))
    }

    /// As [`Self::check_crc`], for a CRC computed piece by piece with [`super::Crc32`].
    pub fn check_crc_value(&self, actual: u32) -> Result<(), ZipError> {
        if actual == self.crc32 {
            Ok(())
        } else {
            Err(ZipError::CrcMismatch {
                name: self.name.clone(),
                expected: self.crc32,
                actual,
            })
        }
    }
}

/// Finds the central directory from the file's last bytes: `tail` is the file from
/// [`tail_start`]`(file_len)` to its end (at most [`TAIL_LEN`] bytes; fewer when the
/// file is shorter). Reads the end record, and the ZIP64 locator and end record when
/// present; checks the directory lies inside the file and within `limits`.
pub fn find_end(tail: &[u8], file_len: u64, limits: &Limits) -> Result<Directory, ZipError> {
    let tail_len = tail.len() as u64;
    if tail_len > file_len {
        return Err(ZipError::damaged(
            "the bytes given as its end are longer than the file",
        ));
    }
    let tail_offset = file_len - tail_len;
    let end = locate_end_record(tail).ok_or(ZipError::NotZip)?;
    let field16 = |at: usize| u16_at(tail, end + at).ok_or(ZipError::NotZip);
    let field32 = |at: usize| u32_at(tail, end + at).ok_or(ZipError::NotZip);
    let (disk, cd_disk) = (field16(4)?, field16(6)?);
    let (on_disk, total) = (field16(8)?, field16(10)?);
    let (cd_size, cd_offset) = (field32(12)?, field32(16)?);

    let locator = end
        .checked_sub(ZIP64_LOCATOR_LEN)
        .filter(|&at| u32_at(tail, at) == Some(SIG_ZIP64_LOCATOR));
    let needs_zip64 =
        on_disk == u16::MAX || total == u16::MAX || cd_size == u32::MAX || cd_offset == u32::MAX;
    let (dir, records_start) = if let Some(at) = locator {
        let bad = || ZipError::Truncated {
            what: "ZIP64 end record",
        };
        let locator_disk = u32_at(tail, at + 4).ok_or_else(bad)?;
        let record_offset = u64_at(tail, at + 8).ok_or_else(bad)?;
        let disks = u32_at(tail, at + 16).ok_or_else(bad)?;
        if locator_disk != 0 || disks > 1 {
            return Err(ZipError::Split);
        }
        let record = record_offset
            .checked_sub(tail_offset)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|&i| i.checked_add(ZIP64_END_RECORD_LEN).is_some_and(|e| e <= at))
            .ok_or_else(|| {
                ZipError::damaged("its ZIP64 end record is not where its locator says")
            })?;
        if u32_at(tail, record) != Some(SIG_ZIP64_END) {
            return Err(ZipError::damaged(
                "its ZIP64 end record is not where its locator says",
            ));
        }
        let rest = u64_at(tail, record + 4).ok_or_else(bad)?;
        if rest < (ZIP64_END_RECORD_LEN - 12) as u64 {
            return Err(ZipError::damaged("its ZIP64 end record is too short"));
        }
        let (disk64, cd_disk64) = (
            u32_at(tail, record + 16).ok_or_else(bad)?,
            u32_at(tail, record + 20).ok_or_else(bad)?,
        );
        let on_disk64 = u64_at(tail, record + 24).ok_or_else(bad)?;
        let total64 = u64_at(tail, record + 32).ok_or_else(bad)?;
        if disk64 != 0 || cd_disk64 != 0 || on_disk64 != total64 {
            return Err(ZipError::Split);
        }
        let dir = Directory {
            entries: total64,
            size: u64_at(tail, record + 40).ok_or_else(bad)?,
            offset: u64_at(tail, record + 48).ok_or_else(bad)?,
            zip64: true,
        };
        (dir, record_offset)
    } else {
        if needs_zip64 {
            return Err(ZipError::damaged(
                "its end record points to ZIP64 records that are missing",
            ));
        }
        if disk != 0 || cd_disk != 0 || on_disk != total {
            return Err(ZipError::Split);
        }
        let dir = Directory {
            entries: u64::from(total),
            size: u64::from(cd_size),
            offset: u64::from(cd_offset),
            zip64: false,
        };
        (dir, tail_offset + end as u64)
    };
    if dir.entries > limits.max_entries {
        return Err(ZipError::TooManyEntries {
            count: dir.entries,
            limit: limits.max_entries,
        });
    }
    if dir.size > limits.max_directory_size {
        return Err(ZipError::DirectoryTooLarge {
            size: dir.size,
            limit: limits.max_directory_size,
        });
    }
    if dir
        .offset
        .checked_add(dir.size)
        .is_none_or(|e| e > records_start)
    {
        return Err(ZipError::damaged(
            "its directory lies outside the file (the file may be cut short)",
        ));
    }
    if dir.entries.saturating_mul(CENTRAL_HEADER_LEN as u64) > dir.size {
        return Err(ZipError::damaged(
            "its directory is too small for the number of entries it claims",
        ));
    }
    Ok(dir)
}

/// The end record's position in `tail`: the last signature whose comment ends exactly
/// at the end of the file, else the last one whose comment fits.
fn locate_end_record(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(END_RECORD_LEN)?;
    let candidates = || {
        (0..=last)
            .rev()
            .filter(|&at| u32_at(tail, at) == Some(SIG_END))
            .map(|at| {
                let comment = usize::from(u16_at(tail, at + 20).unwrap_or(u16::MAX));
                (at, at + END_RECORD_LEN + comment)
            })
    };
    candidates()
        .find(|&(_, end)| end == tail.len())
        .or_else(|| candidates().find(|&(_, end)| end <= tail.len()))
        .map(|(at, _)| at)
}

/// Parses and checks the central directory (`bytes`: `dir.size` bytes read at
/// `dir.offset`). Every entry must be readable: refused are encrypted entries, methods
/// other than stored and Deflate, unsafe or duplicate names, sizes over `limits`, a
/// declared expansion beyond Deflate's, local headers outside the file's entry area and
/// entries that share bytes.
pub fn parse_directory(
    bytes: &[u8],
    dir: &Directory,
    limits: &Limits,
) -> Result<Vec<Entry>, ZipError> {
    if (bytes.len() as u64) < dir.size {
        return Err(ZipError::Truncated { what: "directory" });
    }
    let bytes = bytes.get(..dir.size as usize).unwrap_or(bytes);
    if dir.entries > limits.max_entries {
        return Err(ZipError::TooManyEntries {
            count: dir.entries,
            limit: limits.max_entries,
        });
    }
    // At most max_entries and at most one per 46 bytes: no hostile count allocates.
    let capacity = (dir.entries as usize).min(bytes.len() / CENTRAL_HEADER_LEN);
    let mut entries = Vec::with_capacity(capacity);
    let mut names = HashSet::with_capacity(capacity);
    let mut total: u64 = 0;
    let mut at = 0usize;
    for _ in 0..dir.entries {
        let (entry, next) = parse_central(bytes, at, dir, limits)?;
        at = next;
        if !names.insert(entry.name.to_lowercase()) {
            return Err(ZipError::DuplicateName { name: entry.name });
        }
        total = total.saturating_add(entry.size);
        if total > limits.max_total_size {
            return Err(ZipError::TotalTooLarge {
                total,
                limit: limits.max_total_size,
            });
        }
        entries.push(entry);
    }
    if at != bytes.len() {
        return Err(ZipError::damaged(
            "its directory holds more than the entries its end record counts",
        ));
    }
    // Entries may not share bytes: each local header plus name plus data must end
    // before the next local header (or the directory).
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries.get(i).map_or(0, |e| e.header_offset));
    for pair in order.windows(2) {
        let (Some(a), Some(b)) = (entries.get(pair[0]), entries.get(pair[1])) else {
            continue;
        };
        if min_end(a) > b.header_offset {
            return Err(ZipError::Overlap {
                first: a.name.clone(),
                second: b.name.clone(),
            });
        }
        let span_end = b.header_offset;
        if let Some(a) = entries.get_mut(pair[0]) {
            a.span_end = span_end;
        }
    }
    Ok(entries)
}

/// The least end of an entry's bytes: header, name (same length as the central one),
/// data. Saturates: an entry this large is refused as outside the file anyway.
fn min_end(e: &Entry) -> u64 {
    e.header_offset
        .saturating_add(e.local_header_len() as u64)
        .saturating_add(e.compressed_size)
}

/// One central directory record at `at`; returns it and where the next one starts.
fn parse_central(
    bytes: &[u8],
    at: usize,
    dir: &Directory,
    limits: &Limits,
) -> Result<(Entry, usize), ZipError> {
    let short = ZipError::Truncated { what: "directory" };
    let fixed = bytes
        .get(at..at.saturating_add(CENTRAL_HEADER_LEN))
        .ok_or_else(|| short.clone())?;
    if u32_at(fixed, 0) != Some(SIG_CENTRAL) {
        return Err(ZipError::damaged(format!(
            "its directory has no entry record at byte {at} of the directory"
        )));
    }
    let f16 = |i: usize| u16_at(fixed, i).unwrap_or(0);
    let f32 = |i: usize| u32_at(fixed, i).unwrap_or(0);
    let flags = f16(8);
    let method_code = f16(10);
    let (time, date) = (f16(12), f16(14));
    let crc = f32(16);
    let (name_len, extra_len, comment_len) = (
        usize::from(f16(28)),
        usize::from(f16(30)),
        usize::from(f16(32)),
    );
    let disk = f16(34);
    let name_start = at + CENTRAL_HEADER_LEN;
    let extra_start = name_start + name_len;
    let next = extra_start + extra_len + comment_len;
    let raw_name = bytes
        .get(name_start..extra_start)
        .ok_or_else(|| short.clone())?;
    let extra = bytes
        .get(extra_start..extra_start + extra_len)
        .ok_or_else(|| short.clone())?;
    if next > bytes.len() {
        return Err(short);
    }
    let name = decode_name(raw_name, flags & FLAG_UTF8 != 0)?;
    validate(&name, true).map_err(|reason| ZipError::BadName {
        name: name.clone(),
        reason,
    })?;

    if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_DIRECTORY) != 0
        || method_code == 99
    {
        return Err(ZipError::Encrypted { name });
    }
    let method = match method_code {
        0 => Method::Stored,
        8 => Method::Deflated,
        other => {
            return Err(ZipError::UnsupportedMethod {
                name,
                method: other,
            })
        }
    };

    // 32-bit fields that say "see ZIP64" are replaced, in this order, from the ZIP64 field.
    let mut size = u64::from(f32(24));
    let mut compressed = u64::from(f32(20));
    let mut offset = u64::from(f32(42));
    let mut modified_unix_ms = dos_to_unix_ms(time, date);
    let mut zip64 = None;
    let mut rest = extra;
    while !rest.is_empty() {
        let (Some(tag), Some(len)) = (u16_at(rest, 0), u16_at(rest, 2)) else {
            break; // a few stray padding bytes, as some tools leave
        };
        let body = rest.get(4..4 + usize::from(len)).ok_or_else(|| {
            ZipError::damaged(format!("the extra field of {} is cut short", Shown(&name)))
        })?;
        match tag {
            ZIP64_EXTRA => zip64 = Some(body),
            EXTENDED_TIME_EXTRA => {
                if let (Some(1), Some(secs)) = (body.first().map(|f| f & 1), u32_at(body, 1)) {
                    modified_unix_ms = i64::from(secs as i32) * 1000;
                }
            }
            _ => {}
        }
        rest = rest.get(4 + usize::from(len)..).unwrap_or(&[]);
    }
    let mut z = zip64.unwrap_or(&[]);
    let mut take = |field: &mut u64| -> Result<(), ZipError> {
        if *field == u64::from(u32::MAX) {
            *field = u64_at(z, 0).ok_or_else(|| {
                ZipError::damaged(format!("the ZIP64 sizes of {} are missing", Shown(&name)))
            })?;
            z = z.get(8..).unwrap_or(&[]);
        }
        Ok(())
    };
    take(&mut size)?;
    take(&mut compressed)?;
    take(&mut offset)?;
    if disk != 0 && !(disk == u16::MAX && u32_at(z, 0) == Some(0)) {
        return Err(ZipError::Split);
    }

    let is_dir = name.ends_with('/');
    if is_dir && (size != 0 || compressed != 0) {
        return Err(ZipError::damaged(format!(
            "the folder entry {} has data",
            Shown(&name)
        )));
    }
    if size > limits.max_entry_size {
        return Err(ZipError::EntryTooLarge {
            name,
            size,
            limit: limits.max_entry_size,
        });
    }
    match method {
        Method::Stored if size != compressed => {
            return Err(ZipError::damaged(format!(
                "the uncompressed entry {} has two different sizes",
                Shown(&name)
            )))
        }
        Method::Deflated
            if size
                > compressed
                    .saturating_mul(MAX_DEFLATE_RATIO)
                    .saturating_add(64) =>
        {
            return Err(ZipError::Bomb {
                name,
                size,
                compressed,
            })
        }
        _ => {}
    }
    let entry = Entry {
        name,
        method,
        compressed_size: compressed,
        size,
        crc32: crc,
        header_offset: offset,
        span_end: dir.offset,
        is_dir,
        modified_unix_ms,
        raw_name: raw_name.to_vec(),
    };
    if min_end(&entry) > dir.offset {
        return Err(ZipError::damaged(format!(
            "the entry {} lies outside the file's entry area",
            Shown(&entry.name)
        )));
    }
    Ok((entry, next))
}

/// Names flagged UTF-8 must be; others are UTF-8 when they decode as such (many
/// tools omit the flag), else code page 437 (the ZIP default).
fn decode_name(raw: &[u8], utf8_flag: bool) -> Result<String, ZipError> {
    match std::str::from_utf8(raw) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) if utf8_flag => Err(ZipError::damaged(
            "an entry name marked as UTF-8 is not valid UTF-8",
        )),
        Err(_) => Ok(raw.iter().map(|&b| cp437(b)).collect()),
    }
}

fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 {
        char::from(b)
    } else {
        HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
    }
}

/// Where an entry's data starts, from its local header: `local_header` is at least
/// [`LOCAL_HEADER_LEN`] bytes read at `entry.header_offset` (better,
/// [`Entry::local_header_len`] bytes, so the name is compared too). Checks the
/// signature, that the local header agrees with the directory, and that the data
/// ends before the next entry.
pub fn data_offset(local_header: &[u8], entry: &Entry) -> Result<u64, ZipError> {
    let fixed = local_header
        .get(..LOCAL_HEADER_LEN)
        .ok_or(ZipError::Truncated {
            what: "local header",
        })?;
    if u32_at(fixed, 0) != Some(SIG_LOCAL) {
        return Err(ZipError::damaged(format!(
            "the entry {} has no local header where the directory says",
            Shown(&entry.name)
        )));
    }
    let flags = u16_at(fixed, 6).unwrap_or(0);
    if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
        return Err(ZipError::Encrypted {
            name: entry.name.clone(),
        });
    }
    if u16_at(fixed, 8) != Some(entry.method.code()) {
        return Err(ZipError::damaged(format!(
            "the entry {} has another compression method in its local header",
            Shown(&entry.name)
        )));
    }
    let name_len = usize::from(u16_at(fixed, 26).unwrap_or(0));
    let extra_len = u16_at(fixed, 28).unwrap_or(0);
    if name_len != entry.raw_name.len()
        || local_header
            .get(LOCAL_HEADER_LEN..LOCAL_HEADER_LEN + name_len)
            .is_some_and(|local| local != entry.raw_name.as_slice())
    {
        return Err(ZipError::damaged(format!(
            "the entry {} has another name in its local header",
            Shown(&entry.name)
        )));
    }
    let start = entry
        .header_offset
        .saturating_add((LOCAL_HEADER_LEN + name_len) as u64)
        .saturating_add(u64::from(extra_len));
    if start.saturating_add(entry.compressed_size) > entry.span_end {
        return Err(ZipError::Overlap {
            first: entry.name.clone(),
            second: String::from("the next entry"),
        });
    }
    Ok(start)
}

/// Inflates raw Deflate data, refusing to produce more than `limit` bytes
/// ([`ZipError::InflateLimit`]). Damaged data is [`ZipError::BadDeflate`] (with an
/// empty name: [`Entry::decode`] names the entry).
pub fn inflate(compressed: &[u8], limit: usize) -> Result<Vec<u8>, ZipError> {
    use miniz_oxide::inflate::TINFLStatus;
    miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, limit).map_err(|e| {
        match e.status {
            TINFLStatus::HasMoreOutput => ZipError::InflateLimit {
                limit: limit as u64,
            },
            _ => ZipError::BadDeflate {
                name: String::new(),
            },
        }
    })
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(s.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(s.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_constant_and_start() {
        assert_eq!(TAIL_LEN, 65_633);
        assert_eq!(tail_start(10), 0);
        assert_eq!(tail_start(100_000), 100_000 - 65_633);
    }

    #[test]
    fn cp437_names_decode() {
        assert_eq!(decode_name(b"caf\x82.txt", false).unwrap(), "café.txt");
        assert_eq!(decode_name(&[0xFF], false).unwrap(), "\u{a0}");
        assert!(decode_name(b"caf\x82", true).is_err());
        assert_eq!(decode_name("é".as_bytes(), false).unwrap(), "é");
    }
}
