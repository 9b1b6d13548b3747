//! What can go wrong with a ZIP archive, in words a person understands.

use std::fmt;

/// Why an entry name is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameError {
    Empty,
    /// Longer than the 65 535 bytes a ZIP header can hold.
    TooLong,
    /// Starts with `/` or a drive letter (`C:`).
    Absolute,
    /// Has a `..` component.
    ParentDirectory,
    /// Has a `.` component or an empty one (`a//b`).
    EmptyComponent,
    Backslash,
    /// A control character (including NUL, DEL and the C1 range).
    Control,
    /// Ends with `/`: names a folder, where a file was expected.
    Folder,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "the name is empty",
            Self::TooLong => "the name is longer than a ZIP archive allows",
            Self::Absolute => "it is an absolute path",
            Self::ParentDirectory => "it points outside its folder with \"..\"",
            Self::EmptyComponent => "it has an empty or \".\" folder in its path",
            Self::Backslash => "it contains a backslash",
            Self::Control => "it contains a control character",
            Self::Folder => "it names a folder, not a file",
        })
    }
}

/// Everything the ZIP writer and reader can refuse. `Display` gives a sentence for a
/// person: what happened and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZipError {
    /// No end-of-central-directory record in the file's tail.
    NotZip,
    /// A record runs past the bytes given (or past the file).
    Truncated {
        what: &'static str,
    },
    /// The structure contradicts itself; `detail` says how.
    Damaged {
        detail: String,
    },
    /// A multi-disk (spanned or split) archive.
    Split,
    TooManyEntries {
        count: u64,
        limit: u64,
    },
    DirectoryTooLarge {
        size: u64,
        limit: u64,
    },
    EntryTooLarge {
        name: String,
        size: u64,
        limit: u64,
    },
    TotalTooLarge {
        total: u64,
        limit: u64,
    },
    Encrypted {
        name: String,
    },
    UnsupportedMethod {
        name: String,
        method: u16,
    },
    BadName {
        name: String,
        reason: NameError,
    },
    DuplicateName {
        name: String,
    },
    /// Two entries' byte ranges overlap (the overlapping-entry zip bomb).
    Overlap {
        first: String,
        second: String,
    },
    /// The declared expansion is more than Deflate can produce.
    Bomb {
        name: String,
        size: u64,
        compressed: u64,
    },
    /// Compressed data that does not inflate.
    BadDeflate {
        name: String,
    },
    /// Inflating would produce more than the stated limit.
    InflateLimit {
        limit: u64,
    },
    /// The data has another length than the directory says.
    SizeMismatch {
        name: String,
        expected: u64,
        actual: u64,
    },
    /// Inflating gives more than the directory's size (inflating stopped there).
    TooMuchData {
        name: String,
        expected: u64,
    },
    CrcMismatch {
        name: String,
        expected: u32,
        actual: u32,
    },
}

impl ZipError {
    pub(crate) fn damaged(detail: impl Into<String>) -> Self {
        Self::Damaged {
            detail: detail.into(),
        }
    }
}

/// `"photo.png"`, with control characters and quotes escaped.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX_CHARS: usize = 120;
        f.write_str("\u{201c}")?;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX_CHARS {
                f.write_str("\u{2026}")?;
                break;
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        f.write_str("\u{201d}")
    }
}

/// `"5.0 GiB"`, `"512 bytes"`.
pub(crate) struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if self.0 < 1024 {
            return write!(f, "{} bytes", self.0);
        }
        let mut value = self.0 as f64 / 1024.0;
        let mut unit = UNITS[0];
        for next in &UNITS[1..] {
            if value < 1024.0 {
                break;
            }
            value /= 1024.0;
            unit = next;
        }
        write!(f, "{value:.1} {unit}")
    }
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotZip => f.write_str(
                "The file is not a ZIP archive: it has no ZIP end record. \
                 Choose a .zip file exported by the studio or made by a zip tool.",
            ),
            Self::Truncated { what } => write!(
                f,
                "The ZIP archive is incomplete: its {what} is cut short. \
                 The file was probably not copied or downloaded completely; get it again."
            ),
            Self::Damaged { detail } => write!(
                f,
                "The ZIP archive is damaged: {detail}. Get the file again or re-create it."
            ),
            Self::Split => f.write_str(
                "The ZIP archive is split into several parts, which cannot be read here. \
                 Join the parts into one archive with a zip tool first.",
            ),
            Self::TooManyEntries { count, limit } => write!(
                f,
                "The ZIP archive has {count} entries; at most {limit} can be read at once. \
                 Split it into smaller archives."
            ),
            Self::DirectoryTooLarge { size, limit } => write!(
                f,
                "The ZIP archive's list of entries is {}, more than the {} allowed. \
                 Split it into smaller archives.",
                Size(*size),
                Size(*limit)
            ),
            Self::EntryTooLarge { name, size, limit } => write!(
                f,
                "The ZIP entry {} is {} unpacked, more than the {} allowed for one file.",
                Shown(name),
                Size(*size),
                Size(*limit)
            ),
            Self::TotalTooLarge { total, limit } => write!(
                f,
                "The ZIP archive unpacks to {}, more than the {} allowed. \
                 Split it into smaller archives.",
                Size(*total),
                Size(*limit)
            ),
            Self::Encrypted { name } => write!(
                f,
                "The ZIP entry {} is encrypted (password-protected), which cannot be read \
                 here. Re-create the archive without a password.",
                Shown(name)
            ),
            Self::UnsupportedMethod { name, method } => write!(
                f,
                "The ZIP entry {} is compressed with {} (method {method}), which cannot be \
                 read here: only Deflate and uncompressed entries can. Re-create the archive \
                 with standard (Deflate) compression.",
                Shown(name),
                crate::zip::method_name(*method)
            ),
            Self::BadName { name, reason } => write!(
                f,
                "The ZIP entry name {} is not safe: {reason}. Nothing was read from the \
                 archive; rename the file or re-create the archive.",
                Shown(name)
            ),
            Self::DuplicateName { name } => write!(
                f,
                "Two ZIP entries are named {} (names are compared ignoring case); \
                 each entry needs its own name.",
                Shown(name)
            ),
            Self::Overlap { first, second } => write!(
                f,
                "The ZIP entries {} and {} share the same bytes, a trick used by zip bombs; \
                 the archive was not read.",
                Shown(first),
                Shown(second)
            ),
            Self::Bomb {
                name,
                size,
                compressed,
            } => write!(
                f,
                "The ZIP entry {} claims to unpack {} into {}, more than Deflate can ever \
                 expand: the archive is damaged or built to exhaust memory (a zip bomb), \
                 and was not read.",
                Shown(name),
                Size(*compressed),
                Size(*size)
            ),
            Self::BadDeflate { name } => write!(
                f,
                "The ZIP entry {} has damaged compressed data. Get the file again.",
                Shown(name)
            ),
            Self::InflateLimit { limit } => write!(
                f,
                "Unpacking stopped at the limit of {}: the data expands to more than that.",
                Size(*limit)
            ),
            Self::SizeMismatch {
                name,
                expected,
                actual,
            } => write!(
                f,
                "The ZIP entry {} has {actual} bytes where the archive's directory says \
                 {expected}: the archive is damaged. Get the file again.",
                Shown(name)
            ),
            Self::TooMuchData { name, expected } => write!(
                f,
                "The ZIP entry {} unpacks to more than the {expected} bytes the archive's \
                 directory states: the archive is damaged or built to exhaust memory; \
                 unpacking stopped there.",
                Shown(name)
            ),
            Self::CrcMismatch {
                name,
                expected,
                actual,
            } => write!(
                f,
                "The ZIP entry {} is damaged: its checksum is {actual:08x} where the \
                 archive says {expected:08x}. Get the file again.",
                Shown(name)
            ),
        }
    }
}

impl std::error::Error for ZipError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem_and_escape_names() {
        assert_eq!(
            ZipError::NotZip.to_string(),
            "The file is not a ZIP archive: it has no ZIP end record. \
             Choose a .zip file exported by the studio or made by a zip tool."
        );
        let e = ZipError::Encrypted {
            name: "a\u{7}b.png".into(),
        };
        assert!(
            e.to_string()
                .contains("\u{201c}a\\u{7}b.png\u{201d} is encrypted"),
            "{e}"
        );
        let e = ZipError::UnsupportedMethod {
            name: "x".into(),
            method: 12,
        };
        assert!(e.to_string().contains("bzip2 (method 12)"), "{e}");
        let long = "n".repeat(500);
        let e = ZipError::BadName {
            name: long,
            reason: NameError::ParentDirectory,
        };
        assert!(e.to_string().len() < 400, "{e}");
    }

    #[test]
    fn sizes_read_like_a_person_writes_them() {
        assert_eq!(Size(512).to_string(), "512 bytes");
        assert_eq!(Size(1536).to_string(), "1.5 KiB");
        assert_eq!(Size(5 << 30).to_string(), "5.0 GiB");
        assert_eq!(Size(u64::MAX).to_string(), "16777216.0 TiB");
    }
}
