//! Images the API would refuse as they are (over 7 MB, or GIF/BMP/AVIF/HEIC) are
//! decoded by the browser and re-encoded to fit, with the user told what changed.

use gemini::mime::{sniff, ImageMime, Sniffed};
use gemini::request::{human_bytes, MAX_DECODED_PIXELS, MAX_IMAGE_BYTES};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, File, ImageBitmap, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d,
};

use super::files::{blob_bytes, read_image, ImageFile};
use super::js_error_text;

/// An image ready to attach, and what was done to it, if anything.
pub struct Prepared {
    pub image: ImageFile,
    /// Set when the image was re-encoded: says from what to what.
    pub note: Option<String>,
}

/// The longest side an image keeps when it must be re-encoded anyway.
const MAX_SIDE: u32 = 4096;

/// Reads a file for attaching: as it is when the API takes it, re-encoded when
/// it is too large or of a type the API does not take but the browser can decode.
pub async fn prepare(file: &File) -> Result<Prepared, String> {
    let name = file.name();
    let head = blob_bytes(
        &file
            .slice_with_i32_and_i32(0, 32)
            .map_err(|e| js_error_text(&e))?,
    )
    .await
    .map_err(|e| format!("\u{201c}{name}\u{201d} could not be read ({e})."))?;
    let sniffed = sniff(&head);
    check_pixels(file, &name, &head).await?;
    let too_big = file.size() > MAX_IMAGE_BYTES as f64;
    let kind = match sniffed {
        Sniffed::Supported(_) if !too_big => {
            return read_image(file)
                .await
                .map(|image| Prepared { image, note: None })
        }
        Sniffed::Supported(m) => m.extension().to_ascii_uppercase(),
        Sniffed::Convertible(kind) => kind.to_owned(),
        Sniffed::Unknown if !too_big => {
            return read_image(file)
                .await
                .map(|image| Prepared { image, note: None })
        }
        Sniffed::Unknown => {
            return Err(format!(
                "\u{201c}{name}\u{201d} is not a PNG, JPEG or WebP image."
            ))
        }
    };
    let image = reencode(file, &name, &kind).await?;
    let note = format!(
        "\u{201c}{name}\u{201d} ({kind}, {}) was re-encoded as {}, {}.",
        human_bytes(file.size() as u64),
        image.mime.extension().to_ascii_uppercase(),
        human_bytes(image.bytes.len() as u64)
    );
    Ok(Prepared {
        image,
        note: Some(note),
    })
}

/// Refuses an image whose header says it would decode to more than
/// [`MAX_DECODED_PIXELS`], before anything decodes it. Reads only the first
/// bytes (as many as the format's header needs).
async fn check_pixels(file: &File, name: &str, head: &[u8]) -> Result<(), String> {
    let mut want = formats::image::first_read_len(head);
    let mut start = head.to_vec();
    for _ in 0..4 {
        if start.len() < want && (start.len() as f64) < file.size() {
            let end = i32::try_from(want).unwrap_or(i32::MAX);
            if let Ok(slice) = file.slice_with_i32_and_i32(0, end) {
                start = blob_bytes(&slice).await.unwrap_or(start);
            }
        }
        match formats::image::probe(&start) {
            formats::image::Probe::Found { width, height } => {
                let pixels = u64::from(width) * u64::from(height);
                return if pixels > MAX_DECODED_PIXELS {
                    Err(format!(
                        "\u{201c}{name}\u{201d} is {width}\u{d7}{height} pixels ({} megapixels); the studio takes images of up to {} megapixels. Scale it down first.",
                        pixels / 1_000_000,
                        MAX_DECODED_PIXELS / 1_000_000
                    ))
                } else {
                    Ok(())
                };
            }
            formats::image::Probe::NeedMore(n) if n > start.len() => want = n,
            _ => return Ok(()),
        }
    }
    Ok(())
}

async fn reencode(file: &File, name: &str, kind: &str) -> Result<ImageFile, String> {
    let cannot = |why: String| {
        format!(
            "\u{201c}{name}\u{201d} is a {kind} image this browser could not convert ({why}). Convert it to JPEG or PNG and add it again."
        )
    };
    let window = web_sys::window().ok_or_else(|| cannot("no window".into()))?;
    let promise = window
        .create_image_bitmap_with_blob(file)
        .map_err(|e| cannot(js_error_text(&e)))?;
    let bitmap: ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|e| cannot(js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| cannot("not an image".into()))?;
    let (w, h) = (bitmap.width().max(1), bitmap.height().max(1));
    let fit = (MAX_SIDE as f64 / w.max(h) as f64).min(1.0);
    // Small palette images (GIF, BMP) stay lossless when PNG fits; photos become JPEG.
    let mut attempts: Vec<(ImageMime, f64, f64)> = Vec::new();
    if matches!(kind, "GIF" | "BMP") {
        attempts.push((ImageMime::Png, fit, 1.0));
    }
    for scale in [1.0, 0.8, 0.64, 0.5, 0.35, 0.25] {
        attempts.push((ImageMime::Jpeg, fit * scale, 0.9));
    }
    for (mime, scale, quality) in attempts {
        let (dw, dh) = (
            ((w as f64 * scale).round() as u32).max(1),
            ((h as f64 * scale).round() as u32).max(1),
        );
        let bytes = encode(&bitmap, dw, dh, mime, quality)
            .await
            .map_err(&cannot)?;
        if bytes.len() <= MAX_IMAGE_BYTES && sniff(&bytes) == Sniffed::Supported(mime) {
            bitmap.close();
            return Ok(ImageFile {
                name: name.to_owned(),
                mime,
                bytes,
            });
        }
    }
    bitmap.close();
    Err(cannot("it stays over 7 MB".into()))
}

async fn encode(
    bitmap: &ImageBitmap,
    w: u32,
    h: u32,
    mime: ImageMime,
    quality: f64,
) -> Result<Vec<u8>, String> {
    let canvas = OffscreenCanvas::new(w, h).map_err(|e| js_error_text(&e))?;
    let ctx: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(|e| js_error_text(&e))?
        .ok_or("no 2d canvas")?
        .dyn_into()
        .map_err(|_| "no 2d canvas".to_owned())?;
    if mime == ImageMime::Jpeg {
        // JPEG has no alpha: flatten transparency onto white, not black.
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, w as f64, h as f64);
    }
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, w as f64, h as f64)
        .map_err(|e| js_error_text(&e))?;
    let opts = ImageEncodeOptions::new();
    opts.set_type(mime.as_str());
    opts.set_quality(quality);
    let blob: Blob = JsFuture::from(
        canvas
            .convert_to_blob_with_options(&opts)
            .map_err(|e| js_error_text(&e))?,
    )
    .await
    .map_err(|e| js_error_text(&e))?
    .dyn_into()
    .map_err(|_| "the encoder returned no image".to_owned())?;
    blob_bytes(&blob).await
}
