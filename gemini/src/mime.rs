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

#[cfg(test)]
mod tests {
    use super::*;

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
