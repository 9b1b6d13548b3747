//! Limits a person meets before anything is sent.

use std::sync::Arc;

use gemini::mime::{describe, sniff, Sniffed};
use gemini::{Failure, Settings};

use super::labels::model_name;

/// The model's reference-image limit, reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLimit {
    /// The model's name, for the sentence.
    pub model: String,
    pub max: usize,
}

impl std::fmt::Display for ImageLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} takes at most {} reference images",
            self.model, self.max
        )
    }
}

/// Whether one more image may be attached to the `attached` ones.
pub fn room_for_one(attached: usize, settings: &Settings) -> Result<(), ImageLimit> {
    let max = settings.caps().max_images;
    if attached < max {
        Ok(())
    } else {
        Err(ImageLimit {
            model: model_name(&settings.model),
            max,
        })
    }
}

/// After a model change: what to say if more images are attached than the new
/// model takes.
pub fn over_limit(attached: usize, settings: &Settings) -> Option<String> {
    let max = settings.caps().max_images;
    (attached > max).then(|| {
        format!(
            "this model takes {max} reference images and {attached} are attached: remove {} before generating",
            attached - max
        )
    })
}

pub use gemini::request::MAX_DECODED_PIXELS as MAX_PIXELS;

/// Width × height from the image's header, if it says.
pub fn pixels(bytes: &[u8]) -> Option<(u32, u32, u64)> {
    formats::image::dimensions(bytes).map(|(w, h)| (w, h, u64::from(w) * u64::from(h)))
}

/// "30000×30000 pixels (900 megapixels)".
pub fn size_words(w: u32, h: u32) -> String {
    let mp = u64::from(w) * u64::from(h) / 1_000_000;
    format!("{w}\u{d7}{h} pixels ({mp} megapixels)")
}

/// Whether an image from the API may be shown: a PNG, JPEG or WebP by its
/// bytes (whatever `claimed` says) of at most [`MAX_PIXELS`]. If not, the
/// failure says what arrived and keeps the bytes to save as a file.
pub fn check_answer_image(bytes: &[u8], claimed: &str) -> Result<(), Failure> {
    let unshowable = |found: String| Failure::Unshowable {
        claimed: claimed.to_owned(),
        found,
        bytes: Arc::new(bytes.to_vec()),
    };
    match sniff(bytes) {
        Sniffed::Supported(m) => match pixels(bytes) {
            Some((w, h, n)) if n > MAX_PIXELS => Err(unshowable(format!(
                "a {} of {}",
                m.label(),
                size_words(w, h)
            ))),
            _ => Ok(()),
        },
        _ => Err(unshowable(describe(bytes).to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend(w.to_be_bytes());
        b.extend(h.to_be_bytes());
        b.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn only_images_the_page_can_show_safely_are_shown() {
        assert_eq!(
            check_answer_image(&png_header(1024, 1024), "image/png"),
            Ok(())
        );
        match check_answer_image(b"<svg><script>x</script></svg>", "image/svg+xml") {
            Err(Failure::Unshowable {
                claimed,
                found,
                bytes,
            }) => {
                assert_eq!((claimed.as_str(), found.as_str()), ("image/svg+xml", "SVG"));
                assert_eq!(bytes.len(), 29);
            }
            other => panic!("{other:?}"),
        }
        match check_answer_image(&png_header(30_000, 30_000), "image/png") {
            Err(Failure::Unshowable { found, .. }) => {
                assert_eq!(found, "a PNG of 30000\u{d7}30000 pixels (900 megapixels)")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            check_answer_image(b"<html>", "image/png").is_err(),
            "the claim is not trusted"
        );
    }

    #[test]
    fn the_limit_comes_from_the_model_table() {
        let s = Settings::default();
        let max = s.caps().max_images;
        assert!(room_for_one(max - 1, &s).is_ok());
        let e = room_for_one(max, &s).unwrap_err();
        assert_eq!(e.max, max);
        assert!(e
            .to_string()
            .ends_with(&format!("takes at most {max} reference images")));
        assert_eq!(over_limit(max, &s), None);
        assert!(over_limit(max + 2, &s).unwrap().contains("remove 2"));
    }
}
