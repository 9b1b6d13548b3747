//! ZIP archives written and read in pieces, never whole in memory.
//!
//! **Writing** ([`ZipWriter`]): the writer owns no entry data. For each entry it returns
//! the local file header to append; the caller appends the entry's bytes itself (in
//! the app: as its own Blob part) and, at the end, the bytes of [`ZipWriter::finish`]
//! (central directory and end records). Entries are stored (method 0: images are
//! already compressed) or, for small text such as `manifest.json`, deflated whole
//! ([`ZipWriter::deflated_entry`]). ZIP64 records are written exactly when an offset,
//! a size or the entry count needs them (an export can pass 4 GiB); names are UTF-8
//! (flag bit 11) and validated ([`validate_name`]); times are DOS date/time plus the
//! Info-ZIP extended timestamp (UTC), so `unzip` shows the right local time.
//!
//! **Reading** ([`find_end`], [`parse_directory`], [`data_offset`], [`Entry::decode`]):
//! pure functions over byte ranges the caller reads from a file by slices: first the
//! last [`TAIL_LEN`] bytes, then the central directory, then, per entry, the
//! [`LOCAL_HEADER_LEN`]-byte local header (plus the name) and the entry's data.
//! Everything is validated before it is trusted: offsets and sizes inside the file,
//! entries that share bytes (the overlapping-entry zip bomb), declared expansion beyond
//! what Deflate can produce (the ratio zip bomb), encrypted entries, compression
//! methods other than stored and Deflate, unsafe names (absolute paths, `..`,
//! backslashes, control characters), an entry-count, per-entry and total size
//! [`Limits`]; inflating stops at the declared size. Errors are [`ZipError`]s whose
//! messages say what is wrong and what to do.
//!
//! Why hand-written: the `zip` crate wants `Read + Seek`/`Write + Seek` over the whole
//! archive and pulls in far more than a wasm app should carry; the format subset needed
//! here is small. CRC-32 is hand-written too (see [`Crc32`]); Deflate is `miniz_oxide`.
//! Not supported (refused with a message): encryption, split archives, methods other
//! than 0 and 8, ZIP64 end records with extensible data beyond the file's tail.

mod error;
mod name;
mod read;
mod time;
mod write;

pub use error::{NameError, ZipError};
pub use name::{safe_name, validate_name, SAFE_NAME_MAX_BYTES};
pub use read::{
    data_offset, find_end, inflate, parse_directory, tail_start, Directory, Entry, Limits,
    END_RECORD_LEN, LOCAL_HEADER_LEN, MAX_DEFLATE_RATIO, TAIL_LEN, ZIP64_END_RECORD_LEN,
    ZIP64_LOCATOR_LEN,
};
pub use time::Modified;
pub use write::{Data, ZipWriter};

/// How an entry's bytes are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Method 0: the bytes as they are.
    Stored,
    /// Method 8: raw Deflate.
    Deflated,
}

impl Method {
    /// The method number in ZIP headers.
    pub const fn code(self) -> u16 {
        match self {
            Self::Stored => 0,
            Self::Deflated => 8,
        }
    }
}

/// A person's name for a ZIP compression method number (for error messages).
pub fn method_name(code: u16) -> &'static str {
    match code {
        0 => "no compression (stored)",
        1 => "Shrink",
        2..=5 => "Reduce",
        6 => "Implode",
        8 => "Deflate",
        9 => "Deflate64",
        10 => "PKWARE DCL Implode",
        12 => "bzip2",
        14 => "LZMA",
        16 => "IBM z/OS CMPSC",
        18 => "IBM TERSE",
        19 => "IBM LZ77",
        20 | 93 => "Zstandard",
        94 => "MP3",
        95 => "XZ",
        96 => "JPEG variant",
        97 => "WavPack",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "an unknown method",
    }
}

/// CRC-32 (the ZIP/PNG polynomial) of `bytes` in one call.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(bytes);
    crc.finish()
}

/// CRC-32 computed incrementally, for data that arrives in pieces.
///
/// Slicing-by-8 with tables built at first use (8 KiB of zeroed memory, no data in
/// the wasm file): `crc32fast` ships 16 KiB of tables in the binary, which measured as
/// most of the ZIP writer's size in the app.
///
/// ```
/// let mut crc = formats::zip::Crc32::new();
/// crc.update(b"hello ");
/// crc.update(b"world");
/// assert_eq!(crc.finish(), formats::zip::crc32(b"hello world"));
/// ```
#[derive(Clone, Copy, Default)]
pub struct Crc32(u32);

type Tables = [[u32; 256]; 8];

fn crc_tables() -> &'static Tables {
    static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = [[0u32; 256]; 8];
        for (i, slot) in t[0].iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        for k in 1..8 {
            for i in 0..256 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            }
        }
        t
    })
}

impl Crc32 {
    pub fn new() -> Self {
        Self(0)
    }

    /// Adds the next piece.
    pub fn update(&mut self, bytes: &[u8]) {
        let t = crc_tables();
        let byte = |v: u32, shift: u32| ((v >> shift) & 0xFF) as usize;
        let mut c = !self.0;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let (lo, hi) = chunk.split_at(4);
            let lo = u32::from_le_bytes(lo.try_into().unwrap_or([0; 4])) ^ c;
            let hi = u32::from_le_bytes(hi.try_into().unwrap_or([0; 4]));
            c = t[7][byte(lo, 0)]
                ^ t[6][byte(lo, 8)]
                ^ t[5][byte(lo, 16)]
                ^ t[4][byte(lo, 24)]
                ^ t[3][byte(hi, 0)]
                ^ t[2][byte(hi, 8)]
                ^ t[1][byte(hi, 16)]
                ^ t[0][byte(hi, 24)];
        }
        for &b in chunks.remainder() {
            c = t[0][byte(c ^ u32::from(b), 0)] ^ (c >> 8);
        }
        self.0 = !c;
    }

    /// The CRC of everything added so far (updating can go on).
    pub fn finish(&self) -> u32 {
        self.0
    }
}

impl std::fmt::Debug for Crc32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crc32({:08x})", self.0)
    }
}

// Record signatures and field markers.
pub(crate) const SIG_LOCAL: u32 = 0x0403_4b50;
pub(crate) const SIG_CENTRAL: u32 = 0x0201_4b50;
pub(crate) const SIG_END: u32 = 0x0605_4b50;
pub(crate) const SIG_ZIP64_END: u32 = 0x0606_4b50;
pub(crate) const SIG_ZIP64_LOCATOR: u32 = 0x0706_4b50;
pub(crate) const ZIP64_EXTRA: u16 = 0x0001;
pub(crate) const EXTENDED_TIME_EXTRA: u16 = 0x5455;
pub(crate) const FLAG_ENCRYPTED: u16 = 1;
pub(crate) const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
pub(crate) const FLAG_UTF8: u16 = 1 << 11;
pub(crate) const FLAG_MASKED_DIRECTORY: u16 = 1 << 13;
pub(crate) const CENTRAL_HEADER_LEN: usize = 46;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_values_and_pieces() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let mut c = Crc32::new();
        for piece in [&b"1234"[..], b"", b"56789"] {
            c.update(piece);
        }
        assert_eq!(c.finish(), 0xCBF4_3926);
        // finish does not end the hasher
        c.update(b"0");
        assert_eq!(c.finish(), crc32(b"1234567890"));
    }

    #[test]
    fn crc32_agrees_with_crc32fast_at_every_length_and_split() {
        let data: Vec<u8> = (0..3000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..data.len() {
            assert_eq!(crc32(&data[..len]), crc32fast::hash(&data[..len]), "{len}");
        }
        for split in 0..64 {
            let mut c = Crc32::new();
            c.update(&data[..split]);
            c.update(&data[split..]);
            assert_eq!(c.finish(), crc32fast::hash(&data), "{split}");
        }
    }

    #[test]
    fn method_names_for_messages() {
        assert_eq!(method_name(12), "bzip2");
        assert_eq!(method_name(14), "LZMA");
        assert_eq!(method_name(93), "Zstandard");
        assert_eq!(method_name(4242), "an unknown method");
    }
}
