//! What kind of image a file is, from its bytes (never from its name).

/// The image types the API takes inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ImageMime {
    Png,
    Jpeg,
    Webp,
}

impl ImageMime {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    /// "PNG", "JPEG", "WebP".
    pub const fn label(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Webp => "WebP",
        }
    }

    /// The file extension for downloads, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }

    /// Parses a MIME type string as the API returns it (case-insensitive, parameters ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let essence = s.split(';').next().unwrap_or("").trim();
        [Self::Png, Self::Jpeg, Self::Webp]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(essence))
            .or_else(|| {
                essence
                    .eq_ignore_ascii_case("image/jpg")
                    .then_some(Self::Jpeg)
            })
    }
}

/// The verdict on a file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A type the API takes as it is.
    Supported(ImageMime),
    /// An image the API does not take but a browser may decode and re-encode.
    Convertible(&'static str),
    /// Not an image we recognise.
    Unknown,
}

/// Identifies an image by its magic number.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Supported(ImageMime::Png)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Supported(ImageMime::Jpeg)
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Sniffed::Supported(ImageMime::Webp)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Sniffed::Convertible("GIF")
    } else if starts(b"BM") && bytes.len() >= 26 {
        Sniffed::Convertible("BMP")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        match &bytes[8..12] {
            b"avif" | b"avis" => Sniffed::Convertible("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Sniffed::Convertible("HEIC")
            }
            _ => Sniffed::Unknown,
        }
    } else {
        Sniffed::Unknown
    }
}

/// What `bytes` look like, for a message about data that is not shown: "PNG",
/// "SVG", "HTML", "a PDF", "text", "unknown data"…
pub fn describe(bytes: &[u8]) -> &'static str {
    match sniff(bytes) {
        Sniffed::Supported(m) => m.label(),
        Sniffed::Convertible(kind) => kind,
        Sniffed::Unknown => {
            let head: Vec<u8> = bytes
                .iter()
                .skip_while(|b| {
                    b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF
                })
                .take(512)
                .map(u8::to_ascii_lowercase)
                .collect();
            let has = |s: &[u8]| head.windows(s.len()).any(|w| w == s);
            if bytes.is_empty() {
                "nothing (no bytes)"
            } else if has(b"<svg") {
                "SVG"
            } else if has(b"<html") || has(b"<!doctype html") || has(b"<script") || has(b"<body") {
                "HTML"
            } else if head.starts_with(b"<?xml") {
                "XML"
            } else if head.starts_with(b"%pdf") {
                "a PDF"
            } else if std::str::from_utf8(bytes.get(..bytes.len().min(512)).unwrap_or(bytes))
                .is_ok()
            {
                "text"
            } else {
                "unknown data"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_that_is_not_shown_is_described() {
        assert_eq!(describe(b"<svg xmlns='x'><script>1</script></svg>"), "SVG");
        assert_eq!(describe(b"<?xml version='1.0'?>\n<svg>"), "SVG");
        assert_eq!(describe(b"  <!DOCTYPE html><html>"), "HTML");
        assert_eq!(describe(b"%PDF-1.7"), "a PDF");
        assert_eq!(describe(b"hello"), "text");
        assert_eq!(describe(&[0xff, 0x00, 0x9c]), "unknown data");
        assert_eq!(describe(b""), "nothing (no bytes)");
        assert_eq!(describe(b"\x89PNG\r\n\x1a\n"), "PNG");
    }

    #[test]
    fn sniffs_by_magic_number() {
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Sniffed::Supported(ImageMime::Png)
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Sniffed::Supported(ImageMime::Jpeg)
        );
        assert_eq!(
            sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Sniffed::Supported(ImageMime::Webp)
        );
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Sniffed::Convertible("GIF"));
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0"),
            Sniffed::Convertible("AVIF")
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Sniffed::Convertible("HEIC")
        );
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
        assert_eq!(sniff(b"RIFF"), Sniffed::Unknown);
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Sniffed::Unknown);
    }

    #[test]
    fn parses_returned_mime_types() {
        assert_eq!(ImageMime::parse("image/png"), Some(ImageMime::Png));
        assert_eq!(ImageMime::parse("IMAGE/JPEG"), Some(ImageMime::Jpeg));
        assert_eq!(ImageMime::parse("image/jpg"), Some(ImageMime::Jpeg));
        assert_eq!(ImageMime::parse("image/webp; q=1"), Some(ImageMime::Webp));
        assert_eq!(ImageMime::parse("text/html"), None);
    }
}
